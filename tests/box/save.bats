#!/usr/bin/env bats
# box save: images to a docker save / OCI archive, end to end through the
# wrapper, read back by skopeo and by box load.

load ../helpers

setup () {
	box_setup
	store_add small docker.io/library/small:latest
	A=$BATS_TEST_TMPDIR/a.tar
}

teardown () {
	box_teardown
}

@test "box save -o writes an archive docker-archive: and oci-archive: both read" {
	run -0 box save -o "$A" small
	[[ -z $output ]]
	skopeo inspect "docker-archive:$A" | jq -e '.Os == "linux"'
	skopeo inspect "oci-archive:$A" | jq -e '.Os == "linux"'
}

@test "box save to stdout, --format oci, and --root" {
	box save small >"$A"
	tar -tf "$A" | grep -qx manifest.json
	box --root "$BOX_ROOT" save --format oci small >"$A"
	! tar -tf "$A" | grep -qx manifest.json
	skopeo inspect "oci-archive:$A" >/dev/null
}

@test "box save then box load into another root keeps id and tag" {
	local id
	id=$(skopeo inspect --raw "oci:$BOX_ROOT/images:docker.io/library/small:latest" | jq -r .config.digest)
	box save -o "$A" small
	run -0 box --root "$BATS_TEST_TMPDIR/other" load -i "$A"
	[[ $output == "Loaded image: small:latest" ]]
	[[ $(skopeo inspect --raw "oci:$BATS_TEST_TMPDIR/other/images:docker.io/library/small:latest" | jq -r .config.digest) == "$id" ]]
}

@test "box save errors are Docker's: exit 1" {
	run --separate-stderr -1 box save -o "$A" nosuch
	[[ $stderr == "Error response from daemon: No such image: nosuch" ]]
	run -1 box save -o "$A"
	[[ ! -e $A ]]
}
