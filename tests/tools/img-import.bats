#!/usr/bin/env bats
# img-import: the layer and config it stores

load ../helpers

setup () {
	box_setup
}

teardown () {
	box_teardown
}

@test "img-import: a gzip layer whose diff_id is the tar's digest; usage" {
	mkdir -p "$BATS_TEST_TMPDIR/r"
	echo hi >"$BATS_TEST_TMPDIR/r/hello"
	tar -C "$BATS_TEST_TMPDIR/r" -cf "$BATS_TEST_TMPDIR/r.tar" .
	sum=$(sha256sum <"$BATS_TEST_TMPDIR/r.tar" | cut -d' ' -f1)
	run -0 img-import --root "$BOX_ROOT" - imp:t <"$BATS_TEST_TMPDIR/r.tar"
	id=${output#sha256:}
	cfg=$BOX_ROOT/images/blobs/sha256/$id
	[[ $(jq -r '.rootfs.diff_ids[0]' "$cfg") == "sha256:$sum" ]]
	[[ $(jq -r '.history[0].comment' "$cfg") == "Imported from -" ]]
	[[ $(jq -c .config "$cfg") == '{}' ]]
	run -2 img-import --root "$BOX_ROOT"
	[[ $output == usage:* ]]
}

@test "img-import URL: downloaded as dockerd does, said on stdout; a failed GET in Docker's words, nothing stored" {
	mkdir -p "$BATS_TEST_TMPDIR/r" "$BATS_TEST_TMPDIR/www"
	echo hi >"$BATS_TEST_TMPDIR/r/hello"
	tar -C "$BATS_TEST_TMPDIR/r" -czf "$BATS_TEST_TMPDIR/www/r.tgz" .
	sum=$(gzip -dc "$BATS_TEST_TMPDIR/www/r.tgz" | sha256sum | cut -d' ' -f1)
	http_start "$BATS_TEST_TMPDIR/www"
	run -0 img-import --root "$BOX_ROOT" "$HTTP_URL/r.tgz" imp:url
	[[ ${lines[0]} == "Downloading from $HTTP_URL/r.tgz" && ${lines[1]} == sha256:* && ${#lines[@]} == 2 ]]
	cfg=$BOX_ROOT/images/blobs/sha256/${lines[1]#sha256:}
	[[ $(jq -r '.rootfs.diff_ids[0]' "$cfg") == "sha256:$sum" ]]
	[[ $(jq -r '.history[0].comment' "$cfg") == "Imported from $HTTP_URL/r.tgz" ]]
	run -0 img-list --root "$BOX_ROOT" --format '{{.Repository}}:{{.Tag}}'
	[[ $output == imp:url ]]
	before=$(ls -R "$BOX_ROOT/images")
	run --separate-stderr -1 img-import --root "$BOX_ROOT" "$HTTP_URL/nope.tgz" imp:nope
	[[ $output == "" ]]
	[[ $stderr == "Error response from daemon: failed to GET $HTTP_URL/nope.tgz with status 404 File not found: <!DOCTYPE HTML>"* ]]
	[[ $(ls -R "$BOX_ROOT/images") == "$before" && -z $(ls -A "$BOX_ROOT/tmp") ]]
	# a server that is not there
	run --separate-stderr -1 img-import --root "$BOX_ROOT" http://127.0.0.1:1/r.tgz
	[[ $stderr == "Error response from daemon: failed to GET http://127.0.0.1:1/r.tgz: "* ]]
	# what is not http(s) is a file, as docker import's client takes it
	run --separate-stderr -1 img-import --root "$BOX_ROOT" ftp://x/r.tgz
	[[ $stderr == "open ftp://x/r.tgz: no such file or directory" ]]
}
