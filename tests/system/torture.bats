#!/usr/bin/env bats
# torture: SIGKILL at a random point of each operation that changes the
# state directory, 20 times each (TORTURE_TRIALS). After each kill the
# store stays valid for skopeo and umoci, ps -a, images and network ls
# tell the truth and work, and the operation run again completes. At the
# end, removing what the test made leaves no mount, link, nft table,
# cgroup directory or temporary file behind.

load ../helpers
load ../fixtures/net

TRIALS=${TORTURE_TRIALS:-20}
REF=docker.io/library/small:latest

setup_file () {
	registry_start
	registry_push small torture/small:1
}

teardown_file () {
	registry_stop
}

setup () {
	box_setup
	skip_unless_root
	net_setup
	store_add small "$REF"
}

teardown () {
	net_teardown
	box_teardown
}

# (loops count with n, not i: bats' run -N clobbers a global i)

# kill_randomly CMD...: CMD in a session of its own, the whole session
# SIGKILLed 0 to 80 ms later (or after it ended: then nothing happens)
kill_randomly () {
	setsid "$@" </dev/null >/dev/null 2>&1 &
	local pid=$!
	sleep "$(printf '0.%03d' $((RANDOM % 80)))"
	kill -KILL -- "-$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# the state directory after a kill: readable by the peers, and every
# listing works and names only what exists
truthful () {
	local id
	skopeo inspect "oci:$BOX_ROOT/images:$REF" >/dev/null || return 1
	umoci stat --image "$BOX_ROOT/images:$REF" >/dev/null || return 1
	box images >/dev/null || return 1
	box network ls >/dev/null || return 1
	for id in $(box ps -aq --no-trunc); do
		[[ -d $BOX_ROOT/containers/$id ]] || { echo "ps lists $id, which has no directory" >&2; return 1; }
		box inspect "$id" >/dev/null || return 1
	done
	for id in "$BOX_ROOT"/containers/*/; do
		[[ -d $id ]] || continue
		id=$(basename "$id")
		box ps -aq --no-trunc | grep -qx "$id" || { echo "container $id is not in ps -a" >&2; return 1; }
	done
}

# nothing of box's left once everything made was removed
nothing_left () {
	local id
	# prune takes stopped containers only, as Docker's: the running ones
	# (box run -d ... true may not have exited yet) are stopped first
	for id in $(box ps -q --no-trunc); do
		box kill "$id" >/dev/null 2>&1 || true
		box wait "$id" >/dev/null 2>&1 || true
	done
	box system prune -f -a >/dev/null || return 1
	if [[ -n $(box ps -aq) ]]; then
		echo "containers left: $(box ps -a)" >&2
		return 1
	fi
	if [[ -n $(ls -A "$BOX_ROOT/tmp/ingest" 2>/dev/null) ]]; then
		echo "partial downloads left: $(ls -A "$BOX_ROOT/tmp/ingest")" >&2
		return 1
	fi
	if grep -q " $BOX_ROOT/" /proc/self/mountinfo; then
		echo "mounts left:" >&2
		grep " $BOX_ROOT/" /proc/self/mountinfo >&2
		return 1
	fi
	if ip -o link | grep -q ": $BOX_NET_PREFIX"; then
		echo "links left: $(ip -o link | grep ": $BOX_NET_PREFIX")" >&2
		return 1
	fi
	if nft list tables 2>/dev/null | grep -q " $BOX_NET_PREFIX"; then
		echo "nft tables left: $(nft list tables | grep " $BOX_NET_PREFIX")" >&2
		return 1
	fi
	if compgen -G "/sys/fs/cgroup/*/box/*" >/dev/null; then
		for id in /sys/fs/cgroup/*/box/*/; do
			[[ -e $BOX_ROOT/containers/$(basename "$id") ]] && { echo "cgroup left: $id" >&2; return 1; }
		done
	fi
	if [[ -n $(find "$BOX_ROOT" -name '*.tmp-*' -print -quit) ]]; then
		echo "temporary files left: $(find "$BOX_ROOT" -name '*.tmp-*')" >&2
		return 1
	fi
}

@test "torture: pull" {
	local n
	for _ in $(seq "$TRIALS"); do
		box rmi -f "$REGISTRY/torture/small:1" >/dev/null 2>&1 || true
		kill_randomly box pull -q "$REGISTRY/torture/small:1"
		truthful
		run -0 box pull -q "$REGISTRY/torture/small:1"
	done
	skopeo inspect "oci:$BOX_ROOT/images:$REGISTRY/torture/small:1" >/dev/null
	nothing_left
}

@test "torture: load" {
	local tar=$BATS_TEST_TMPDIR/small.tar n
	run -0 box save -o "$tar" "$REF"
	for _ in $(seq "$TRIALS"); do
		kill_randomly box load -q -i "$tar"
		truthful
		run -0 box load -q -i "$tar"
	done
	nothing_left
}

@test "torture: unpack" {
	local b=$BATS_TEST_TMPDIR/bundle n
	for _ in $(seq "$TRIALS"); do
		rm -rf "$BOX_ROOT/layers"
		kill_randomly img-unpack -q "$REF" "$b"
		truthful
		umount "$b/rootfs" 2>/dev/null || true
		rm -rf "$b"
		run -0 img-unpack -q "$REF" "$b"
		umount "$b/rootfs"
		rm -rf "$b"
	done
	nothing_left
}

@test "torture: run -d" {
	local n
	for n in $(seq "$TRIALS"); do
		kill_randomly box run -d --network none --name "t$n" small sleep 60
		truthful
		box rm -f "t$n" >/dev/null 2>&1 || true
		run -0 box run -d --network none --name "t$n" small sleep 60
		run -0 box rm -f "t$n"
	done
	nothing_left
}

@test "torture: rm -f" {
	local id n
	for n in $(seq "$TRIALS"); do
		id=$(box run -d --network none --name "t$n" small sleep 60)
		kill_randomly box rm -f "$id"
		truthful
		box rm -f "$id" >/dev/null 2>&1 || true
		run -0 box run -d --network none --name "t$n" small true
	done
	nothing_left
}

@test "torture: network create and rm" {
	local n
	for n in $(seq "$TRIALS"); do
		kill_randomly box network create "n$n"
		truthful
		box network rm "n$n" >/dev/null 2>&1 || true
		run -0 box network create "n$n"
		kill_randomly box network rm "n$n"
		truthful
		box network rm "n$n" >/dev/null 2>&1 || true
		run -0 box network create "n$n"
		run -0 box network rm "n$n"
	done
	nothing_left
}

@test "torture: the -d supervisor" {
	local id sv n
	for n in $(seq "$TRIALS"); do
		id=$(box run -d --network none --restart always small sleep 60)
		sleep "$(printf '0.%03d' $((RANDOM % 80)))"
		sv=$(sed -n 's/^monitor=//p' "$BOX_ROOT/containers/$id/state")
		[[ -n $sv ]] && kill -KILL "$sv" 2>/dev/null
		truthful
		run -0 box rm -f "$id"
	done
	nothing_left
}
