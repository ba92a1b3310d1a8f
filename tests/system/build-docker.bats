#!/usr/bin/env bats
# Docker is the reference: every case of the build corpus (tests/build/)
# that Docker's classic builder understands is built by a dockerd of this
# file's own (its data-root, exec-root and socket, in a network and mount
# namespace of its own) and by df-build; the image configs (bt_summary) and
# the root filesystems (treelist.py) must be equal. The differences
# documented in man/df-build.1 (DIFFERENCES) are the only ones bt_summary
# leaves out. Docker builds every case once, in setup_file.
#
# BT_WRITE_EXPECT=1 writes Docker's results as the cases' expect.config
# and expect.tree (what tests/box/build-corpus.bats checks df-build
# against), for a new case; review them before committing.

load ../helpers
load ../fixtures/net
load ../build/lib
load ../fixtures/dockerd

# every case Docker's classic builder understands: built as docker-CASE,
# all of them loaded into the file's box root; a failed build leaves
# CASE.failed with Docker's output
setup_file () {
	[[ $(id -u) == 0 ]] || skip "needs root"
	command -v dockerd >/dev/null || skip "dockerd is not installed (apt-get install docker.io)"
	export DKROOT=$BATS_FILE_TMPDIR/root
	fixtures
	BOX_ROOT=$DKROOT store_add small docker.io/library/small:latest
	dk_start || skip "dockerd cannot start here"
	img-save --root "$DKROOT" docker.io/library/small:latest | docker_ load -q >/dev/null
	local c flags tags=()
	for c in $(bt_cases); do
		[[ -f $BT_CASES/$c/buildkit-only ]] && continue
		mapfile -t flags < <(bt_flags "$c")
		if DOCKER_BUILDKIT=0 docker_ build -t "docker-$c" "${flags[@]}" "$BT_CASES/$c" \
			>"$BATS_FILE_TMPDIR/$c.log" 2>&1; then
			tags+=("docker-$c")
		else
			mv "$BATS_FILE_TMPDIR/$c.log" "$BATS_FILE_TMPDIR/$c.failed"
		fi
	done
	docker_ save "${tags[@]}" | img-load -q --root "$DKROOT" >/dev/null
}

teardown_file () {
	dk_stop
	_box_umount_under "$BATS_FILE_TMPDIR"
}

setup () {
	box_setup
}

teardown () {
	box_teardown
}

# same CASE: Docker's image and df-build's have the same summary and tree
# but for the case's known-diff; Docker's are the case's expectations
same () {
	local c=$1 t=$BATS_TEST_TMPDIR
	if [[ -f $BATS_FILE_TMPDIR/$c.failed ]]; then
		echo "docker build of $c failed:"
		cat "$BATS_FILE_TMPDIR/$c.failed"
		return 1
	fi
	bt_build_box "$DKROOT" "$c" "box-$c" >"$t/build.log" 2>&1 || {
		cat "$t/build.log"
		return 1
	}
	bt_result "$DKROOT" "docker-$c" "$t/docker"
	bt_result "$DKROOT" "box-$c" "$t/box"
	if [[ ${BT_WRITE_EXPECT-} == 1 ]]; then
		cp "$t/docker.config" "$BT_CASES/$c/expect.config"
		cp "$t/docker.tree" "$BT_CASES/$c/expect.tree"
		bt_diff "$t/docker" "$t/box" >"$BT_CASES/$c/known-diff.new"
		[[ -s $BT_CASES/$c/known-diff.new ]] || rm "$BT_CASES/$c/known-diff.new"
	fi
	# Docker's result is what the case expects (tests/box/build-corpus.bats)
	bt_diff "$BT_CASES/$c/expect" "$t/docker" >"$t/drift"
	[[ ! -s $t/drift ]] || {
		echo "case $c: Docker's result is no longer the case's expect.config, expect.tree:"
		cat "$t/drift"
		return 1
	}
	bt_same "$c" "$t/docker" "$t/box"
}

@test "every case is compared here, or says why the classic builder cannot build it" {
	local c listed
	listed=$(sed -n 's/^@test "\([a-z0-9-]*\)".*/\1/p' "$BATS_TEST_FILENAME")
	for c in $(bt_cases); do
		[[ -f $BT_CASES/$c/buildkit-only ]] && continue
		grep -qx -- "$c" <<<"$listed" || {
			echo "case $c has no test here"
			return 1
		}
	done
}

@test "add" { same add; }
@test "add-archive" { same add-archive; }
@test "copy" { same copy; }
@test "copy-from" { same copy-from; }
@test "dockerignore" { same dockerignore; }
@test "entrypoint-cmd" { same entrypoint-cmd; }
@test "entrypoint-reset" { same entrypoint-reset; }
@test "env-expand" { same env-expand; }
@test "escape" { same escape; }
@test "flags" { same flags; }
@test "from-args" { same from-args; }
@test "healthcheck" { same healthcheck; }
@test "healthcheck-none" { same healthcheck-none; }
@test "meta" { same meta; }
@test "onbuild" { same onbuild; }
@test "run-as" { same run-as; }
@test "run-as: its containers behave as Docker's: user, workdir, arguments, health" {
	local set opts args d b
	bt_build_box "$DKROOT" run-as box-run-as >/dev/null
	# OPTIONS | ARGUMENTS
	for set in "|" "| one two" "-u 0 -w / |" "--entrypoint pwd |" "-u 65534 | x" "--entrypoint id |" \
		"-u app --entrypoint id |" "-u 1000:0 --group-add nogroup --entrypoint id |"; do
		read -ra opts <<<"${set%%|*}"
		read -ra args <<<"${set#*|}"
		d=$(docker_ run --rm --network none "${opts[@]}" docker-run-as "${args[@]}")
		b=$(BOX_ROOT=$DKROOT box run --rm --network none "${opts[@]}" box-run-as "${args[@]}")
		echo "run $set: docker '$d', box '$b'"
		[[ -n $d && $d == "$b" ]]
	done
	# both find their health check's file in the WORKDIR, as the USER
	docker_ run -d --network none -e SLEEP=60 --name dk-health docker-run-as >/dev/null
	BOX_ROOT=$DKROOT box run -d --network none -e SLEEP=60 --name box-health box-run-as >/dev/null
	for _ in $(seq 50); do
		d=$(docker_ inspect -f '{{.State.Health.Status}}' dk-health)
		b=$(BOX_ROOT=$DKROOT box inspect box-health | jq -r '.[0].State.Health.Status')
		[[ $d == healthy && $b == healthy ]] && break
		sleep 0.2
	done
	docker_ rm -f dk-health >/dev/null
	BOX_ROOT=$DKROOT box rm -f box-health >/dev/null
	echo "health: docker $d, box $b"
	[[ $d == healthy && $b == healthy ]]
}

@test "run-forms" { same run-forms; }
@test "run-fs" { same run-fs; }
@test "shell" { same shell; }
@test "target" { same target; }
@test "volume" { same volume; }
@test "workdir" { same workdir; }
