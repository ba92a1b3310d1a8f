#!/usr/bin/env bats
# box export (ctr-cp export): a container's filesystem as a tar

load ../helpers

setup () {
	box_setup_small
}

teardown () {
	box_teardown
}

@test "box export: the whole filesystem with the container's changes, -o and stdout" {
	box run --name ex --network none small sh -c 'echo changed >/made; rm /etc/group' >/dev/null
	box export ex >"$BATS_TEST_TMPDIR/a.tar"
	tar -tf "$BATS_TEST_TMPDIR/a.tar" >"$BATS_TEST_TMPDIR/list"
	grep -qx made "$BATS_TEST_TMPDIR/list"
	grep -qx etc/passwd "$BATS_TEST_TMPDIR/list"
	grep -qx 'etc/' "$BATS_TEST_TMPDIR/list"
	! grep -qx etc/group "$BATS_TEST_TMPDIR/list"
	! grep -q '^\./\|^/' "$BATS_TEST_TMPDIR/list"
	[[ $(tar -xOf "$BATS_TEST_TMPDIR/a.tar" made) == changed ]]
	box container export -o "$BATS_TEST_TMPDIR/b.tar" ex
	cmp <(tar -tf "$BATS_TEST_TMPDIR/b.tar") "$BATS_TEST_TMPDIR/list"
	run --separate-stderr -1 box export nope
	[[ $stderr == "Error response from daemon: No such container: nope" ]]
}

@test "box export refuses a terminal" {
	box create --name ex --network none small true >/dev/null
	run -1 script -qec "$BOX_BUILD/bin/box --root $BOX_ROOT export ex" /dev/null
	[[ $output == *"cowardly refusing to save to a terminal. Use the -o flag or redirect"* ]]
}
