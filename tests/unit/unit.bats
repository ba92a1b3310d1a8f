#!/usr/bin/env bats
# The C unit tests, one program per module of lib/ or of a tool, named
# after it (tests/unit/*.c, built into $BOX_BUILD/unit/): each prints TAP;
# any "not ok", a missing or short plan, or a non-zero exit fails.

load ../helpers

setup () {
	box_setup
}

teardown () {
	box_teardown
}

# check_tap PROGRAM: run it, check its TAP
check_tap () {
	local prog=$1 plan n bad
	run "$prog"
	plan=$(grep -E '^1\.\.[0-9]+$' <<<"$output" | head -1)
	n=$(grep -cE '^(not )?ok [0-9]+' <<<"$output" || true)
	bad=$(grep -cE '^not ok ' <<<"$output" || true)
	if [[ $status != 0 || -z $plan || ${plan#1..} != "$n" || $bad != 0 || $n == 0 ]]; then
		printf '%s: exit %s, plan "%s", %s tests, %s failed\n%s\n' \
			"${prog##*/}" "$status" "$plan" "$n" "$bad" "$output" >&2
		return 1
	fi
}

@test "every tests/unit/*.c is built" {
	local src missing=
	for src in "$TESTS_DIR"/unit/*.c; do
		[[ -x $BOX_BUILD/unit/$(basename "$src" .c) ]] || missing+=" ${src##*/}"
	done
	[[ -z $missing ]] || {
		echo "not built in $BOX_BUILD/unit (make build O=...):$missing" >&2
		false
	}
}

@test "every tests/unit/*.c is named after the module it tests" {
	local src n stray=
	for src in "$TESTS_DIR"/unit/*.c; do
		n=$(basename "$src" .c)
		compgen -G "$REPO_DIR/lib/*/$n.h" >/dev/null || compgen -G "$REPO_DIR/tools/*/$n.h" >/dev/null ||
			stray+=" ${src##*/}"
	done
	[[ -z $stray ]] || {
		echo "no module lib/*/NAME.h or tools/*/NAME.h for:$stray" >&2
		false
	}
}

@test "every unit test program passes" {
	local src prog failed= ran=0
	# by source: a program left in the build directory by a test since
	# renamed or removed is not run
	for src in "$TESTS_DIR"/unit/*.c; do
		prog=$BOX_BUILD/unit/$(basename "$src" .c)
		[[ -x $prog ]] || continue
		ran=$((ran + 1))
		check_tap "$prog" || failed+=" ${prog##*/}"
	done
	[[ $ran -gt 0 ]] || {
		echo "no unit test programs in $BOX_BUILD/unit" >&2
		false
	}
	[[ -z $failed ]] || {
		echo "failed:$failed" >&2
		false
	}
}

@test "check_tap catches a failing, a lying and a crashing program" {
	local t=$BATS_TEST_TMPDIR
	printf '#!/bin/sh\necho "ok 1 - a"\necho "not ok 2 - b"\necho 1..2\nexit 1\n' >"$t/fail"
	printf '#!/bin/sh\necho "ok 1 - a"\necho 1..3\n' >"$t/short"
	printf '#!/bin/sh\necho "ok 1 - a"\nkill -SEGV $$\n' >"$t/crash"
	printf '#!/bin/sh\necho "ok 1 - a"\necho 1..1\n' >"$t/good"
	chmod +x "$t"/fail "$t"/short "$t"/crash "$t"/good
	run ! check_tap "$t/fail"
	run ! check_tap "$t/short"
	run ! check_tap "$t/crash"
	check_tap "$t/good"
}
