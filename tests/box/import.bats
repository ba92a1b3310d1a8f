#!/usr/bin/env bats
# box import (img-import): a tar as a one-layer image; export | import

load ../helpers

setup () {
	box_setup_small
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

@test "box import -c: commit's changes on an empty config" {
	box create --name ex --network none small true >/dev/null
	run -0 --separate-stderr sh -c "box export ex | box import -c 'CMD [\"cat\", \"/etc/passwd\"]' -c 'ENV A=b' - withcmd"
	run -0 box inspect -f '{{json .Config.Cmd}} {{json .Config.Env}}' withcmd
	[[ $output == '["cat","/etc/passwd"] ["A=b"]' ]]
	run -0 box run --rm --network none withcmd
	[[ $output == *root* ]]
}

@test "box import: not a tar, a missing file, an unreachable URL, a bad change refused" {
	echo 'not a tar at all' >"$BATS_TEST_TMPDIR/x"
	run --separate-stderr -1 box import "$BATS_TEST_TMPDIR/x"
	[[ $stderr == "Error response from daemon: archive/tar: invalid tar header" ]]
	run --separate-stderr -1 box import "$BATS_TEST_TMPDIR/nope"
	[[ $stderr == "open $BATS_TEST_TMPDIR/nope: no such file or directory" ]]
	run --separate-stderr -1 box import http://127.0.0.1:1/x.tar
	[[ $stderr == "Error response from daemon: failed to GET http://127.0.0.1:1/x.tar: "* ]]
	run --separate-stderr -1 box import -c 'RUN true' - </dev/null
	[[ $stderr == "Error response from daemon: run is not a valid change command" ]]
	[[ -z $(ls "$BOX_ROOT/tmp" 2>/dev/null) ]]
}

@test "box import URL: a tar served on 127.0.0.1, tagged, run" {
	mkdir -p "$BATS_TEST_TMPDIR/www"
	box export "$(box create --network none small)" | gzip >"$BATS_TEST_TMPDIR/www/root.tgz"
	http_start "$BATS_TEST_TMPDIR/www"
	run -0 box import -c 'CMD ["echo", "served"]' "$HTTP_URL/root.tgz" fromurl:1
	[[ ${lines[0]} == "Downloading from $HTTP_URL/root.tgz" && ${lines[1]} == sha256:* ]]
	run -0 box run --rm --network none fromurl:1
	[[ $output == served ]]
	run -0 box history --format '{{.Comment}}' fromurl:1
	[[ $output == "Imported from $HTTP_URL/root.tgz" ]]
}
