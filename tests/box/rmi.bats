#!/usr/bin/env bats
# box rmi: docker rmi's lines and rules, blobs collected

load ../helpers

setup () {
	box_setup
	store_add small docker.io/library/small:latest
	store_add multi docker.io/library/multi:latest
}

teardown () {
	box_teardown
}

blobs () { ls "$BOX_ROOT/images/blobs/sha256" | sort; }

@test "box rmi untags, then deletes and frees the image's own blobs" {
	local id keep
	id=$(skopeo inspect --raw "oci:$BOX_ROOT/images:docker.io/library/small:latest" | jq -r .config.digest)
	box tag small again
	run -0 box rmi small
	[[ $output == "Untagged: small:latest" ]]
	run -0 box rmi again
	[[ $output == "Untagged: again:latest"$'\n'"Deleted: $id" ]]
	# exactly multi's blobs are left
	keep=$(skopeo inspect --raw "oci:$BOX_ROOT/images:docker.io/library/multi:latest" |
		jq -r '.config.digest, .layers[].digest' | cut -d: -f2)
	keep=$( (echo "$keep"; jq -r '.manifests[].digest' "$BOX_ROOT/images/index.json" | cut -d: -f2) | sort)
	[[ $(blobs) == "$keep" ]]
	run -0 skopeo inspect "oci:$BOX_ROOT/images:docker.io/library/multi:latest"
}

@test "box rmi refuses an image a container uses; -f overrides" {
	local id
	id=$(skopeo inspect --raw "oci:$BOX_ROOT/images:docker.io/library/small:latest" | jq -r .config.digest)
	mkdir -p "$BOX_ROOT/containers/c0ffee0000000000000000000000000000000000000000000000000000000001"
	echo "$id" >"$BOX_ROOT/containers/c0ffee0000000000000000000000000000000000000000000000000000000001/image"
	run --separate-stderr -1 box rmi small
	[[ $stderr == "Error response from daemon: conflict: unable to remove repository reference \"small\" (must force) - container c0ffee000000 is using its referenced image ${id:7:12}" ]]
	run -0 box rmi -f small
	[[ ${lines[1]} == "Deleted: $id" ]]
}

@test "box rmi refuses the image of a real container (box create, box run -d) until it is removed" {
	skip_unless_root
	local id cid
	id=$(skopeo inspect --raw "oci:$BOX_ROOT/images:docker.io/library/small:latest" | jq -r .config.digest)
	cid=$(box create --network none small true)
	run --separate-stderr -1 box rmi "${id:7:12}"
	[[ $stderr == "Error response from daemon: conflict: unable to delete ${id:7:12} (must be forced) - image is being used by stopped container ${cid:0:12}" ]]
	box rm "$cid"
	cid=$(box run -d --network none small sleep 1000)
	run --separate-stderr -1 box rmi -f "${id:7:12}"
	[[ $stderr == "Error response from daemon: conflict: unable to delete ${id:7:12} (cannot be forced) - image is being used by running container ${cid:0:12}" ]]
	box rm -f "$cid"
	run -0 box rmi small
	[[ ${lines[1]} == "Deleted: $id" ]]
}

@test "box rmi nosuch exits 1, in Docker's words" {
	run --separate-stderr -1 box rmi nosuch
	[[ $stderr == "Error: No such image: nosuch" ]]
}
