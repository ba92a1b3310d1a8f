#!/usr/bin/env bats
# box load: docker save archives, OCI archives and layouts, end to end
# through the wrapper.

load ../helpers

setup () {
	box_setup
}

teardown () {
	box_teardown
}

@test "box load -i a busybox OCI layout and the same as an archive on stdin" {
	conformance_or_skip images
	local d=$CONFORMANCE/images/latest-glibc-amd64
	run -0 box load -i "$d"
	[[ $output == "Loaded image: busybox:1.38.0-glibc" ]]
	tar -C "$d" -cf "$BATS_TEST_TMPDIR/a.tar" oci-layout index.json blobs
	run -0 box --root "$BATS_TEST_TMPDIR/r2" load <"$BATS_TEST_TMPDIR/a.tar"
	[[ $output == "Loaded image: busybox:1.38.0-glibc" ]]
	skopeo inspect "oci:$BATS_TEST_TMPDIR/r2/images:docker.io/library/busybox:1.38.0-glibc" >/dev/null
}

@test "box load of docker save archives, -q accepted" {
	conformance_or_skip layers/tarball/testdata
	run -0 box load -q -i "$CONFORMANCE/layers/tarball/testdata/test_bundle.tar"
	[[ $output == $'Loaded image: test_image_2:latest\nLoaded image: test_image_1:latest' ]]
}

@test "box load refuses the invalid archives, exit 1 as Docker, store unchanged" {
	conformance_or_skip layers/tarball/testdata
	local f
	for f in no_manifest null_manifest; do
		run --separate-stderr -1 box load -i "$CONFORMANCE/layers/tarball/testdata/$f.tar"
		[[ $stderr == "Error response from daemon: $CONFORMANCE/layers/tarball/testdata/$f.tar: "* ]]
		[[ $(wc -l <<<"$stderr") == 1 ]]
	done
	[[ $(jq '.manifests | length' "$BOX_ROOT/images/index.json") == 0 ]]
	[[ -z $(ls "$BOX_ROOT/images/blobs/sha256") ]]
}

@test "box load -i of a file that is not there: the client's open error, as Go says it" {
	run --separate-stderr -1 box load -i "$BATS_TEST_TMPDIR/nope.tar"
	[[ -z $output && $stderr == "open $BATS_TEST_TMPDIR/nope.tar: no such file or directory" ]]
	run --separate-stderr -1 box load -i "$BATS_TEST_TMPDIR"
	[[ $stderr != "open "* ]]
}

@test "box load of an untagged layout prints the image id" {
	run -0 box load -i "$FIXTURES/multi"
	[[ $output == "Loaded image ID: sha256:"* ]]
}
