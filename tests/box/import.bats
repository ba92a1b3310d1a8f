#!/usr/bin/env bats
# box import (img-import): a tar as a one-layer image; export | import

load ../helpers

setup () {
	box_setup
	skip_unless_root
	store_add small docker.io/library/small:latest
}

teardown () {
	box_teardown
}

@test "box export | box import: the round trip runs, with the container's change" {
	box run --name ex --network none small sh -c 'echo round >/trip' >/dev/null
	run -0 --separate-stderr sh -c "box export ex | box import - trip:1"
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
	id=$output
	run -0 box images -q --no-trunc trip:1
	[[ $output == "$id" ]]
	run -0 box run --rm --network none trip:1 cat /trip
	[[ $output == round ]]
	run -0 box history --no-trunc --format '{{.Comment}}' trip:1
	[[ $output == "Imported from -" ]]
}

@test "box image import: a compressed file, -m, untagged" {
	mkdir -p "$BATS_TEST_TMPDIR/r"
	echo hi >"$BATS_TEST_TMPDIR/r/hello"
	tar -C "$BATS_TEST_TMPDIR/r" -cJf "$BATS_TEST_TMPDIR/r.tar.xz" .
	run -0 box image import -m "my message" "$BATS_TEST_TMPDIR/r.tar.xz"
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
	run -0 box history --format '{{.Comment}}' "${output#sha256:}"
	[[ $output == "my message" ]]
}

@test "box import: not a tar, a missing file, URL and -c said loudly" {
	echo 'not a tar at all' >"$BATS_TEST_TMPDIR/x"
	run --separate-stderr -1 box import "$BATS_TEST_TMPDIR/x"
	[[ $stderr == "Error response from daemon: archive/tar: invalid tar header" ]]
	run --separate-stderr -1 box import "$BATS_TEST_TMPDIR/nope"
	[[ $stderr == "open $BATS_TEST_TMPDIR/nope: no such file or directory" ]]
	run --separate-stderr -1 box import http://127.0.0.1:1/x.tar
	[[ $stderr == *"import from a URL: not implemented" ]]
	run --separate-stderr -1 box import -c 'CMD ["x"]' "$BATS_TEST_TMPDIR/x"
	[[ $stderr == *"import --change: not implemented" ]]
	[[ -z $(ls "$BOX_ROOT/tmp" 2>/dev/null) ]]
}
