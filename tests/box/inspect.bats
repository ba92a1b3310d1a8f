#!/usr/bin/env bats
# box inspect: Docker's JSON for containers and images (containers first)

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

@test "box inspect -f renders a template; unknown names are Docker's error, exit 1" {
	run -0 box inspect -f '{{.Os}}/{{.Architecture}} {{json .Config.Labels}}' small
	[[ $output == 'linux/amd64 {"org.example.k":"v"}' ]]
	run --separate-stderr -1 box inspect nosuch
	[[ $output == "[]" && $stderr == "Error: No such object: nosuch" ]]
	run --separate-stderr -1 box inspect --type image nosuch
	[[ $stderr == "Error: No such image: nosuch" ]]
}

@test "box inspect -f failing on some objects: the others printed, each error in its turn" {
	store_add multi docker.io/library/other:1
	run --separate-stderr -1 box inspect -f '{{index .RepoTags 0}}{{if eq (index .RepoTags 0) "small:latest"}}{{.Nope.X}}{{end}}' small nosuch other:1 small
	[[ $output == "other:1" ]]
	[[ $stderr == 'template parsing error: template: :1:72: executing "" at <.Nope.X>: map has no entry for key "Nope"
Error: No such object: nosuch
template parsing error: template: :1:72: executing "" at <.Nope.X>: map has no entry for key "Nope"' ]]
	# nothing rendered: docker's empty line
	run --separate-stderr -1 box image inspect -f '{{.Id}}' nosuch
	[[ $stderr == "Error: No such image: nosuch" ]]
	[[ $(box image inspect -f '{{.Id}}' nosuch 2>/dev/null | od -An -c) == '  \n' ]]
	box volume create iv >/dev/null
	run --separate-stderr -1 box volume inspect -f '{{.Name}}{{.Nope}}' iv
	[[ $stderr == 'template parsing error: template: :1:11: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type types.Volume' ]]
	run --separate-stderr -1 box network inspect -f '{{.Name}}{{.Nope}}' none host
	[[ $stderr == *'map has no entry for key "Nope"'$'\n''template parsing error: '*'map has no entry for key "Nope"' ]]
	run --separate-stderr -64 box network inspect -f '{{' none
	[[ $stderr == 'template parsing error: template: :1: unclosed action' ]]
}

@test "box inspect of containers: State as the run left it, containers before images" {
	skip_unless_root
	local id
	id=$(box run -d --name web --network none small sh -c 'sleep 1000')
	run -0 box inspect web
	run -0 jq -r '.[0] | [.Id, .Name, .Path, (.Args | join(" ")), .State.Status, .State.Running, .State.Pid > 0,
		.State.ExitCode, .State.OOMKilled, .Config.Image, .HostConfig.NetworkMode, .RestartCount] | join("|")' <<<"$output"
	[[ $output == "$id|/web|sh|-c sleep 1000|running|true|true|0|false|small|none|0" ]]
	box kill web >/dev/null
	run -0 box inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Pid}} {{.State.ExitCode}}' web
	[[ $output == "exited false 0 137" ]]
	run -0 box inspect -f '{{.State.StartedAt}} {{.State.FinishedAt}}' web
	[[ $output =~ ^20[0-9-]{8}T[0-9:.]+Z\ 20[0-9-]{8}T[0-9:.]+Z$ ]]
	# a container, an image, a container by id prefix; one miss
	run --separate-stderr -1 box inspect -f '{{.Id}}' web small nosuch "${id:0:6}"
	[[ ${lines[*]} == "$id $(fixture_image_id small) $id" && $stderr == "Error: No such object: nosuch" ]]
	run --separate-stderr -1 box inspect --type container small
	[[ $stderr == "Error: No such container: small" ]]
	box rm web
}

@test "box inspect: GraphDriver is overlay2's shape over the state directory; an image's Size is unpacked" {
	skip_unless_root
	local id img diff size mounted
	id=$(box create --name gd --network none small)
	img=$(fixture_image_id small)
	diff=$(box inspect -f '{{index .RootFS.Layers 0}}' small)
	run -0 box inspect -f '{{json .GraphDriver}}' gd
	[[ $(jq -c 'keys, .Name' <<<"$output" | paste -sd ' ') == '["Data","Name"] "overlay2"' ]]
	[[ $(jq -r '.Data | [.UpperDir, .WorkDir, .MergedDir] | join(" ")' <<<"$output") == "$BOX_ROOT/containers/$id/upper $BOX_ROOT/containers/$id/work $BOX_ROOT/containers/$id/rootfs" ]]
	# the lower directories as mounted (lowerdir+= one a time here)
	mounted=$(grep -F " $BOX_ROOT/containers/$id/rootfs " /proc/self/mountinfo | grep -o 'lowerdir+\?=[^,]*' |
		sed 's/^lowerdir+\?=//' | tr ':' '\n' | xargs -n1 realpath -m | paste -sd :)
	[[ -n $mounted && $(jq -r '.Data.LowerDir' <<<"$output") == "$mounted" ]]
	# not mounted: what the next mount stacks, the init layer once made over the image's layer
	box run --rm --network none small true
	[[ -d $BOX_ROOT/cache/init/${img#sha256:} ]]
	umount "$BOX_ROOT/containers/$id/rootfs"
	run -0 box inspect -f '{{.GraphDriver.Data.LowerDir}}' gd
	[[ $output == "$BOX_ROOT/cache/init/${img#sha256:}:$BOX_ROOT/layers/${diff#sha256:}" ]]
	run -0 box inspect -f '{{json .GraphDriver.Data}} {{.Size}} {{.VirtualSize}}' small
	# Docker's DiffSize: files and symlinks (their target's length), hard links once
	size=$(find "$BOX_ROOT/layers/${diff#sha256:}" ! -type d -printf '%i %s\n' | sort -u | awk '{ n += $2 } END { print n }')
	[[ $output == "{\"MergedDir\":\"\",\"UpperDir\":\"$BOX_ROOT/layers/${diff#sha256:}\",\"WorkDir\":\"\"} $size $size" ]]
	run -0 box images --format '{{.Size}}' small
	[[ $output == "$(awk -v s="$size" 'BEGIN { printf "%.3gMB\n", s / 1e6 }')" ]]
	box rm gd
}
