#!/usr/bin/env bats
# The build corpus (tests/build/): each case built by df-build and checked
# on its image config (bt_summary) and its rootfs against small's
# (bt_delta): the case's expect.config and expect.tree, which are Docker's
# results (tests/system/build-docker.bats checks that they still are), but
# for the case's known-diff (man/df-build.1, DIFFERENCES).

load ../helpers
load ../build/lib

setup () {
	box_setup
	skip_unless_root
	store_add small docker.io/library/small:latest
}

teardown () {
	box_teardown
}

# built CASE: df-build's result is the expected one
built () {
	local t=$BATS_TEST_TMPDIR
	bt_build_box "$BOX_ROOT" "$1" "case-$1" >"$t/build.log" 2>&1 || {
		cat "$t/build.log"
		return 1
	}
	bt_result "$BOX_ROOT" "case-$1" "$t/box"
	bt_same "$1" "$BT_CASES/$1/expect" "$t/box"
}

@test "every case has its expectations and a test here" {
	local c listed
	listed=$(sed -n 's/^@test "\([a-z0-9-]*\)".*/\1/p' "$BATS_TEST_FILENAME")
	for c in $(bt_cases); do
		[[ -f $BT_CASES/$c/expect.config && -f $BT_CASES/$c/expect.tree ]] || {
			echo "case $c has no expect.config or expect.tree"
			return 1
		}
		grep -qx -- "$c" <<<"$listed" || {
			echo "case $c has no test here"
			return 1
		}
	done
}

@test "add" { built add; }
@test "add-archive" { built add-archive; }
@test "chmod" { built chmod; }
@test "copy" { built copy; }
@test "copy-from" { built copy-from; }
@test "copy-link" { built copy-link; }
@test "dockerignore" { built dockerignore; }
@test "entrypoint-cmd" { built entrypoint-cmd; }
@test "entrypoint-reset" { built entrypoint-reset; }
@test "env-expand" { built env-expand; }
@test "escape" { built escape; }
@test "flags" { built flags; }
@test "from-args" { built from-args; }
@test "healthcheck" { built healthcheck; }
@test "healthcheck-none" { built healthcheck-none; }
@test "heredoc" { built heredoc; }
@test "meta" { built meta; }
@test "onbuild" { built onbuild; }
@test "run-as" { built run-as; }
@test "run-forms" { built run-forms; }
@test "run-fs" { built run-fs; }
@test "run-mount" { built run-mount; }
@test "shell" { built shell; }
@test "target" { built target; }
@test "volume" { built volume; }
@test "workdir" { built workdir; }
