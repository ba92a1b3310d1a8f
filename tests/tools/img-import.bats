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
