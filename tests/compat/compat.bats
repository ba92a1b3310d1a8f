#!/usr/bin/env bats
# Docker is the reference: each case file of cases/ is run by docker (a
# dockerd of this file's own) and by box, and every case must be what its
# mark says (see lib.bash): identical, wording-only, a known difference or
# a deliberate one documented in a man page. `make compat` prints the
# score; COMPAT_UPDATE=1 rewrites the marks from what was measured.

load ../helpers
load lib

setup_file () {
	[[ $(id -u) == 0 ]] || skip "needs root"
	compat_start
}

teardown_file () {
	compat_stop
	_box_umount_under "$BATS_FILE_TMPDIR"
}

setup () {
	compat_env
}

@test "every case file has its test here" {
	local f listed
	listed=$(sed -n 's/^@test "\([a-z0-9-]*\)".*/\1/p' "$BATS_TEST_FILENAME")
	for f in "$TESTS_DIR"/compat/cases/*.case; do
		grep -qx -- "$(basename "$f" .case)" <<<"$listed" || {
			echo "$f has no test here"
			return 1
		}
	done
}

@test "cli" { compat_file "$TESTS_DIR/compat/cases/cli.case"; }
@test "ps" { compat_file "$TESTS_DIR/compat/cases/ps.case"; }
@test "images" { compat_file "$TESTS_DIR/compat/cases/images.case"; }
@test "inspect" { compat_file "$TESTS_DIR/compat/cases/inspect.case"; }
@test "template" { compat_file "$TESTS_DIR/compat/cases/template.case"; }
@test "life" { compat_file "$TESTS_DIR/compat/cases/life.case"; }
@test "objects" { compat_file "$TESTS_DIR/compat/cases/objects.case"; }
@test "more" { compat_file "$TESTS_DIR/compat/cases/more.case"; }
@test "sysdf" { compat_file "$TESTS_DIR/compat/cases/sysdf.case"; }
@test "stats" { compat_file "$TESTS_DIR/compat/cases/stats.case"; }
@test "top" { compat_file "$TESTS_DIR/compat/cases/top.case"; }
@test "attach" { compat_file "$TESTS_DIR/compat/cases/attach.case"; }
@test "events" { compat_file "$TESTS_DIR/compat/cases/events.case"; }
@test "fidelity" { compat_file "$TESTS_DIR/compat/cases/fidelity.case"; }
@test "cli2" { compat_file "$TESTS_DIR/compat/cases/cli2.case"; }
@test "ports" { compat_file "$TESTS_DIR/compat/cases/ports.case"; }
@test "prune" { compat_file "$TESTS_DIR/compat/cases/prune.case"; }

# docker search asks the registry the term names: the same fake registry
# answers on 127.0.0.1:5000 in each side's network namespace
@test "search" {
	local d side pids=() rc=0
	d=$(compat_dir)
	for side in dk bx; do
		nsenter --net="$d/$side/ns/net" python3 "$TESTS_DIR/compat/files/search-server.py" 5000 2>/dev/null &
		pids+=($!)
	done
	for _ in $(seq 50); do
		nsenter --net="$d/bx/ns/net" curl -fs http://127.0.0.1:5000/v1/_ping >/dev/null &&
			nsenter --net="$d/dk/ns/net" curl -fs http://127.0.0.1:5000/v1/_ping >/dev/null && break
		sleep 0.1
	done
	compat_file "$TESTS_DIR/compat/cases/search.case" || rc=$?
	kill "${pids[@]}"
	return "$rc"
}
