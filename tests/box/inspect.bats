#!/usr/bin/env bats
# box inspect IMAGE: Docker's JSON for images

load ../helpers

setup () {
	box_setup
	store_add small docker.io/library/small:latest
}

teardown () {
	box_teardown
}

@test "box inspect prints Docker's array with the image config" {
	local cfg
	cfg=$(skopeo inspect --config "oci:$BOX_ROOT/images:docker.io/library/small:latest")
	run -0 box inspect small
	[[ $(jq -r '.[0].Id' <<<"$output") == "$(skopeo inspect --raw "oci:$BOX_ROOT/images:docker.io/library/small:latest" | jq -r .config.digest)" ]]
	[[ $(jq -c '.[0].Config.Cmd, .[0].Config.Env, .[0].Config.WorkingDir' <<<"$output") == "$(jq -c '.config.Cmd, .config.Env, .config.WorkingDir' <<<"$cfg")" ]]
	[[ $(jq -c '.[0].RepoTags' <<<"$output") == '["small:latest"]' ]]
}

@test "box inspect -f renders a template; unknown names exit 3" {
	run -0 box inspect -f '{{.Os}}/{{.Architecture}} {{json .Config.Labels}}' small
	[[ $output == 'linux/amd64 {"org.example.k":"v"}' ]]
	run --separate-stderr -3 box inspect nosuch
	[[ $output == "[]" && $stderr == "img-list: no such image: nosuch" ]]
}
