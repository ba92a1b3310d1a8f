#!/usr/bin/env bats
# box pull: what docker pull prints, against a real registry

load ../helpers

setup_file () {
	registry_start
	registry_push small small:latest
	registry_push multi multi:latest
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

@test "box pull prints Docker's lines, then the full reference" {
	local d ids
	d=$(fixture_digest multi)
	ids=$(jq -r '.layers[].digest[7:19]' "$FIXTURES/multi/blobs/sha256/${d#sha256:}")
	run -0 --separate-stderr box pull "$REGISTRY/multi"
	[[ ${lines[0]} == "Using default tag: latest" ]]
	[[ ${lines[1]} == "latest: Pulling from multi" ]]
	for id in $ids; do
		grep -qx "$id: Pulling fs layer" <<<"$output"
		grep -qx "$id: Download complete" <<<"$output"
		grep -qx "$id: Pull complete" <<<"$output"
	done
	[[ ${lines[-3]} == "Digest: $d" ]]
	[[ ${lines[-2]} == "Status: Downloaded newer image for $REGISTRY/multi:latest" ]]
	[[ ${lines[-1]} == "$REGISTRY/multi:latest" ]]
	[[ -z $stderr ]]
	# again: nothing to fetch, up to date
	run -0 box pull "$REGISTRY/multi:latest"
	[[ ${lines[0]} == "latest: Pulling from multi" ]]
	grep -qx "${ids%%$'\n'*}: Already exists" <<<"$output"
	[[ ${lines[-2]} == "Status: Image is up to date for $REGISTRY/multi:latest" ]]
}

@test "box pull -q prints only the reference; an index shows the index digest" {
	run -0 box pull -q "$REGISTRY/index"
	[[ $output == "$REGISTRY/index:latest" ]]
	run -0 box pull "$REGISTRY/index"
	[[ ${lines[-3]} == "Digest: $(fixture_digest index)" ]]
}

@test "box pull by digest" {
	local d
	d=$(fixture_digest small)
	run -0 box pull "$REGISTRY/small@$d"
	[[ ${lines[0]} == "$d: Pulling from small" ]]
	[[ ${lines[-1]} == "$REGISTRY/small@$d" ]]
}

@test "box pull --platform, and its errors" {
	run -0 box pull -q --platform linux/arm64 "$REGISTRY/index"
	run -1 --separate-stderr box pull --platform windows/amd64 "$REGISTRY/index"
	[[ $stderr == "Error: $REGISTRY/index:latest: no matching manifest for windows/amd64 in the manifest list entries (available: linux/amd64, linux/arm64)" ]]
	run -1 --separate-stderr box pull "$REGISTRY/nothere"
	[[ $stderr == "Error: $REGISTRY/nothere:latest: "* ]]
	# "Pulling from" once the registry gave a manifest, as Docker
	[[ $output == "Using default tag: latest" ]]
	run -1 box pull 'no spaces allowed'
}
