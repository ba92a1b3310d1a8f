#!/usr/bin/env bats
# box images: Docker's listing of what box pull put in the store

load ../helpers

setup_file () {
	registry_start
	registry_push small small:latest
	registry_push index index:latest
}

teardown_file () {
	registry_stop
}

setup () {
	box_setup
}

teardown () {
	box_teardown
}

@test "box images lists pulled images with Docker's columns" {
	local id
	box pull -q "$REGISTRY/small" >/dev/null
	id=$(skopeo inspect --raw "oci:$BOX_ROOT/images:$REGISTRY/small:latest" | jq -r .config.digest)
	run -0 box images
	[[ ${lines[0]} == "REPOSITORY"*"TAG       IMAGE ID       CREATED"*"SIZE" ]]
	[[ ${lines[1]} == "$REGISTRY/small   latest    ${id:7:12}   "*" ago   "*"MB" ]]
	run -0 box images -q
	[[ $output == "${id:7:12}" ]]
}

@test "box images --digests shows the registry's digest (the index's for an index)" {
	box pull -q "$REGISTRY/index" >/dev/null
	run -0 box images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}'
	[[ $output == "$REGISTRY/index latest $(fixture_digest index)" ]]
	run -0 box images --format json
	[[ $(jq -r .Digest <<<"$output") == "<none>" ]]
	[[ $(jq -r .Repository <<<"$output") == "$REGISTRY/index" ]]
}

@test "box images REPO filters; an unknown filter exits 1" {
	box pull -q "$REGISTRY/small" >/dev/null
	box pull -q "$REGISTRY/index" >/dev/null
	run -0 box images -q "$REGISTRY/small"
	[[ ${#lines[@]} == 1 ]]
	run -1 box images --filter nope=1
}
