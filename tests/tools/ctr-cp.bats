#!/usr/bin/env bats
# ctr-cp: usage, argument forms, and the tar it writes

load ../helpers

setup () {
	box_setup
	skip_unless_root
	store_add small docker.io/library/small:latest
	box create --name cc --network none small true >/dev/null
}

teardown () {
	box_teardown
}

@test "ctr-cp: usage, both sides or neither a container" {
	run -2 ctr-cp --root "$BOX_ROOT" onlyone
	[[ $output == usage:* ]]
	run -2 ctr-cp --root "$BOX_ROOT" cc:/a cc:/b
	[[ $output == *"copying between containers is not supported" ]]
	run -2 ctr-cp --root "$BOX_ROOT" /a ./b
	[[ $output == *"must specify at least one container source" ]]
	run -2 ctr-cp export --root "$BOX_ROOT"
}

@test "ctr-cp: a tar of SRC/. names the contents ./, of SRC its name; owners and modes kept" {
	ctr-cp --root "$BOX_ROOT" cc:/etc/. - | tar -t | grep -qx './passwd'
	ctr-cp --root "$BOX_ROOT" cc:/etc - | tar -t | grep -qx 'etc/passwd'
	mkdir -p "$BATS_TEST_TMPDIR/s"
	echo x >"$BATS_TEST_TMPDIR/s/f"
	chown 5:6 "$BATS_TEST_TMPDIR/s/f"
	chmod 4711 "$BATS_TEST_TMPDIR/s/f"
	ctr-cp --root "$BOX_ROOT" "$BATS_TEST_TMPDIR/s" cc:/
	ctr-cp --root "$BOX_ROOT" cc:/s - | tar -tvf - --numeric-owner | grep -q '^-rws--x--x 5/6 .* s/f$'
}

@test "ctr-cp: a compressed tar on stdin is extracted" {
	mkdir -p "$BATS_TEST_TMPDIR/z"
	echo gz >"$BATS_TEST_TMPDIR/z/g"
	tar -C "$BATS_TEST_TMPDIR" -cz z | ctr-cp --root "$BOX_ROOT" - cc:/tmp
	ctr-cp --root "$BOX_ROOT" cc:/tmp/z/g "$BATS_TEST_TMPDIR/out"
	[[ $(cat "$BATS_TEST_TMPDIR/out") == gz ]]
}

@test "ctr-cp: hard links stay links, directories keep their mtimes" {
	mkdir -p "$BATS_TEST_TMPDIR/h/d"
	echo one >"$BATS_TEST_TMPDIR/h/a"
	ln "$BATS_TEST_TMPDIR/h/a" "$BATS_TEST_TMPDIR/h/d/b"
	touch -d '2001-02-03 04:05:06' "$BATS_TEST_TMPDIR/h/d"
	ctr-cp --root "$BOX_ROOT" "$BATS_TEST_TMPDIR/h" cc:/
	r=$BOX_ROOT/containers/$(readlink "$BOX_ROOT"/names/cc)/rootfs
	[[ $(stat -c %i "$r/h/a") == $(stat -c %i "$r/h/d/b") ]]
	[[ $(stat -c %Y "$r/h/d") == $(stat -c %Y "$BATS_TEST_TMPDIR/h/d") ]]
	ctr-cp --root "$BOX_ROOT" cc:/h "$BATS_TEST_TMPDIR/back"
	[[ $(stat -c %i "$BATS_TEST_TMPDIR/back/a") == $(stat -c %i "$BATS_TEST_TMPDIR/back/d/b") ]]
	[[ $(stat -c %Y "$BATS_TEST_TMPDIR/back/d") == $(stat -c %Y "$BATS_TEST_TMPDIR/h/d") ]]
	ctr-cp export --root "$BOX_ROOT" cc | tar -tv | grep -q '^h.* h/d/b link to h/a$'
}
