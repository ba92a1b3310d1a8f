#!/usr/bin/env bats
# The OCI runtime validation suite (opencontainers/runtime-tools'
# validation/) against ctr-oci and runc on this machine: every test runc
# passes, ctr-oci must pass too. Debian's runtime-tools package ships the
# library but not validation/, and this machine has no internet: the
# suite's source is material from outside the project, read from
# $RUNTIME_TOOLS_SRC (a checkout with its vendor/ directory, of a
# version Debian's Go builds: b1f58fe, Go 1.19), skipped, saying so, when
# absent.

load ../helpers

setup_file () {
	[[ -n ${RUNTIME_TOOLS_SRC-} && -d $RUNTIME_TOOLS_SRC/validation ]] || return 0
	command -v go >/dev/null || {
		echo "oci-validation: RUNTIME_TOOLS_SRC is given but go is not installed (golang-go)" >&2
		return 1
	}
	# built once, in a copy: the suite runs from its top (rootfs tarball,
	# runtimetest)
	VT=$BATS_FILE_TMPDIR/runtime-tools
	cp -a "$RUNTIME_TOOLS_SRC" "$VT"
	(cd "$VT" && GOFLAGS=-mod=vendor GOCACHE=$BATS_FILE_TMPDIR/gocache GOPATH=$BATS_FILE_TMPDIR/gopath \
		make runtimetest validation-executables) >"$BATS_FILE_TMPDIR/build.log" 2>&1 || {
		tail -20 "$BATS_FILE_TMPDIR/build.log" >&2
		return 1
	}
	export VT
}

setup () {
	[[ -n ${RUNTIME_TOOLS_SRC-} && -d $RUNTIME_TOOLS_SRC/validation ]] ||
		skip "runtime-tools' validation/ source absent (set RUNTIME_TOOLS_SRC)"
	box_setup
	skip_unless_root
	export CTR_OCI_CACHE=$BATS_TEST_TMPDIR/oci-cache
}

teardown () {
	[[ -n ${VT-} ]] && box_teardown
	return 0
}

# verdict RUNTIME TEST LOG: the validation test passes
verdict () {
	(cd "$VT" && RUNTIME=$1 timeout 60 "$2") >"$3" 2>&1 && ! grep -q '^not ok' "$3"
}

# verdicts RUNTIME OUT: "name ok|fail" per validation test, one after
# another (tests share fixed paths such as /sys/fs/cgroup/pids/cgrouptest).
# A failure is tried once more, said so: killsig signals the shell a few
# ms after start, which under load can be before it set its trap.
verdicts () {
	local t n log
	: >"$2"
	for t in "$VT"/validation/*/*.t; do
		n=$(basename "$t" .t)
		log=$BATS_TEST_TMPDIR/$(basename "$1")-$n.log
		if verdict "$1" "$t" "$log" || { echo "# $n failed under $(basename "$1"); once more" >&3 && verdict "$1" "$t" "$log"; }; then
			echo "$n ok" >>"$2"
		else
			echo "$n fail" >>"$2"
		fi
	done
}

@test "every validation test runc passes, ctr-oci passes" {
	verdicts "$(command -v runc)" "$BATS_TEST_TMPDIR/runc"
	verdicts "$(command -v ctr-oci)" "$BATS_TEST_TMPDIR/box"
	echo "# runc passes $(grep -c ' ok$' "$BATS_TEST_TMPDIR/runc") of $(wc -l <"$BATS_TEST_TMPDIR/runc")," \
		"ctr-oci $(grep -c ' ok$' "$BATS_TEST_TMPDIR/box")" >&3
	# both fail: listed, not counted against ctr-oci
	join "$BATS_TEST_TMPDIR/runc" "$BATS_TEST_TMPDIR/box" | awk '$2 == "fail" && $3 == "fail" { print "# both fail: " $1 }' >&3
	run join "$BATS_TEST_TMPDIR/runc" "$BATS_TEST_TMPDIR/box"
	regressions=$(awk '$2 == "ok" && $3 == "fail" { print $1 }' <<<"$output")
	for n in $regressions; do
		echo "--- $n (ctr-oci)"
		grep -B2 -A12 '^not ok' "$BATS_TEST_TMPDIR/ctr-oci-$n.log" | head -40
	done
	[[ -z $regressions ]]
}
