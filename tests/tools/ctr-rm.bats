#!/usr/bin/env bats
# ctr-rm: docker rm (Docker's refusal of a running container, -f, -v),
# everything the container left removed (rootfs mount, cgroups, netns,
# anonymous volumes, directory, name), idempotent after an interruption.

load ../helpers
load ../fixtures/fakectr

setup () {
	box_setup
	CG=
}

teardown () {
	[[ -n $CG ]] && rmdir "$CG" 2>/dev/null
	box_teardown
}

@test "usage" {
	run -2 ctr-rm
	run -2 ctr-rm -x a
}

@test "rm: a stopped container goes with its name; the argument printed as given" {
	local id
	id=$(fake_exited old 0)
	run -0 ctr-rm "${id:0:5}"
	[[ $output == "${id:0:5}" ]]
	[[ ! -e $BOX_ROOT/containers/$id && ! -L $BOX_ROOT/names/old ]]
}

@test "rm: a running container is refused in Docker's words; -f kills and removes it" {
	local id pid
	id=$(fake_run web sleep 1000)
	pid=$(sed -n 's/^pid=//p' "$(fake_dir web)/state")
	run --separate-stderr -1 ctr-rm web
	[[ $stderr == "Error response from daemon: You cannot remove a running container $id. Stop the container before attempting removal or force remove" ]]
	[[ -d $BOX_ROOT/containers/$id ]]
	run -0 ctr-rm -f web
	[[ $output == web ]]
	[[ ! -e $BOX_ROOT/containers/$id && ! -L $BOX_ROOT/names/web ]]
	! kill -0 "$pid" 2>/dev/null
}

@test "rm: missing ones are errors (exit 1), the others still go" {
	fake_exited a 0 >/dev/null
	fake_exited b 0 >/dev/null
	run --separate-stderr -1 ctr-rm a nope b
	[[ ${lines[*]} == "a b" ]]
	[[ $stderr == "Error response from daemon: No such container: nope" ]]
	[[ -z $(ls "$BOX_ROOT/containers") ]]
}

@test "rm: idempotent after an interrupted removal (no state, no directory, a stale name)" {
	local id d
	id=$(fake_exited half 0)
	d=$(fake_dir half)
	rm "$d/state" "$d/config.json"
	run -0 ctr-rm half
	[[ ! -e $d && ! -L $BOX_ROOT/names/half ]]
	# the directory went, the name stayed
	id=$(fake_exited gone 0)
	rm -r "$BOX_ROOT/containers/$id"
	run -0 ctr-rm gone
	[[ ! -L $BOX_ROOT/names/gone ]]
}

@test "rm: the rootfs is unmounted first" {
	skip_unless_root
	local d
	fake_exited web 0 >/dev/null
	d=$(fake_dir web)
	mkdir -p "$d/rootfs" "$d/upper/etc"
	echo x >"$d/upper/etc/f"
	mount -t tmpfs tmpfs "$d/rootfs"
	echo y >"$d/rootfs/inside"
	run -0 ctr-rm web
	[[ ! -e $d ]]
	! grep -q " $d/rootfs " /proc/self/mountinfo
}

@test "rm: the container's cgroups go (v1 hierarchies and the cgroup2 root)" {
	skip_unless_root
	local id
	id=$(fake_exited web 0)
	export BOX_CGROUP2_ROOT=$BATS_TEST_TMPDIR/cg2
	mkdir -p "$BOX_CGROUP2_ROOT/box/$id"
	if [[ -d /sys/fs/cgroup/pids ]]; then
		mkdir -p /sys/fs/cgroup/pids/box
		CG=/sys/fs/cgroup/pids/box/$id
		mkdir "$CG"
		# a process left in it (an exec that outlived the container) is killed
		sleep 1000 &
		echo $! >"$CG/cgroup.procs"
	fi
	run -0 ctr-rm web
	[[ ! -e $BOX_CGROUP2_ROOT/box/$id ]]
	[[ -z $CG || ! -e $CG ]]
}

@test "rm -v: anonymous volumes go, named ones stay, one another container uses stays" {
	local d anon other
	fake_exited web 0 >/dev/null
	d=$(fake_dir web)
	anon=$(printf %064d 42)
	other=$(printf %064d 43)
	mkdir -p "$BOX_ROOT/volumes/$anon/_data" "$BOX_ROOT/volumes/named/_data" "$BOX_ROOT/volumes/$other/_data"
	# create.json's Mounts say which volumes a container uses
	jq --arg a "$anon" --arg o "$other" '.Mounts = [{Type: "volume", Name: $a, Destination: "/a"},
		{Type: "volume", Name: "named", Destination: "/n"}, {Type: "volume", Name: $o, Destination: "/o"}]' \
		"$d/create.json" >"$d/c" && mv "$d/c" "$d/create.json"
	fake_exited peer 0 >/dev/null
	jq --arg o "$other" '.Mounts = [{Type: "volume", Name: $o, Destination: "/o"}]' \
		"$(fake_dir peer)/create.json" >"$d.peer" && mv "$d.peer" "$(fake_dir peer)/create.json"
	cp -r "$d" "$BATS_TEST_TMPDIR/copy"
	run -0 ctr-rm web
	[[ -d $BOX_ROOT/volumes/$anon ]]
	# again, with -v
	mv "$BATS_TEST_TMPDIR/copy" "$d"
	ln -s "$(basename "$d")" "$BOX_ROOT/names/web"
	run -0 ctr-rm -v web
	[[ ! -e $BOX_ROOT/volumes/$anon && -d $BOX_ROOT/volumes/named/_data && -d $BOX_ROOT/volumes/$other/_data ]]
}

@test "rm: the network is detached with ctr-net detach; its failure keeps the container" {
	local d id
	id=$(fake_exited web 0)
	d=$(fake_dir web)
	echo '{"Networks": {"bridge": {}}}' >"$d/network.json"
	mkdir -p "$BATS_TEST_TMPDIR/fakebin"
	cat >"$BATS_TEST_TMPDIR/fakebin/ctr-net" <<-EOF
		#!/bin/sh
		echo "\$BOX_ROOT \$*" >>"$BATS_TEST_TMPDIR/net.log"
		[ -e "$BATS_TEST_TMPDIR/net.fail" ] && { echo "ctr-net: detach failed" >&2; exit 5; }
		exit 0
	EOF
	chmod +x "$BATS_TEST_TMPDIR/fakebin/ctr-net"
	touch "$BATS_TEST_TMPDIR/net.fail"
	PATH=$BATS_TEST_TMPDIR/fakebin:$PATH run --separate-stderr -1 ctr-rm web
	[[ $stderr == "ctr-net: detach failed"$'\n'"Error response from daemon: network: ctr-net detach failed (status 5)" ]]
	[[ -d $d ]]
	rm "$BATS_TEST_TMPDIR/net.fail"
	PATH=$BATS_TEST_TMPDIR/fakebin:$PATH run -0 ctr-rm web
	[[ ! -e $d ]]
	[[ $(tail -1 "$BATS_TEST_TMPDIR/net.log") == "$(realpath "$BOX_ROOT") detach $id" ]]
}

@test "rm: without ctr-net installed, a netns mount is undone all the same" {
	skip_unless_root
	local d bin
	fake_exited web 0 >/dev/null
	d=$(fake_dir web)
	touch "$d/netns"
	mount --bind /proc/self/ns/net "$d/netns"
	bin=$BATS_TEST_TMPDIR/only
	mkdir -p "$bin"
	ln -s "$BOX_BUILD/bin/ctr-rm" "$bin/ctr-rm"
	PATH=$bin run -0 ctr-rm web
	[[ ! -e $d ]]
}

@test "rm: a container waiting to restart is refused without -f (Docker's words); -f stops it and removes it" {
	local d
	fake_exited web 1 >/dev/null
	d=$(fake_dir web)
	jq '.HostConfig.RestartPolicy = {Name: "always", MaximumRetryCount: 0}' "$d/create.json" >"$d/c" && mv "$d/c" "$d/create.json"
	# a supervisor between two runs: the lock held, the state exited; it
	# gives up when the stopped marker appears
	(cd "$d" && exec flock lock sh -c 'while [ ! -e stopped ]; do sleep 0.05; done') 3>&- &
	for _ in $(seq 100); do flock -n "$d/lock" true || break; sleep 0.02; done
	run --separate-stderr -1 ctr-rm web
	[[ $stderr == "Error response from daemon: You cannot remove a restarting container $(basename "$d"). Stop the container before attempting removal or force remove" ]]
	[[ -d $d ]]
	run -0 timeout 10 ctr-rm -f web
	[[ ! -e $d ]]
}

# leftovers: entries of containers/ and names/, and mounts, under BOX_ROOT
leftovers () {
	ls -A "$BOX_ROOT/containers" "$BOX_ROOT/names" 2>/dev/null | grep -v -e '^$' -e ':$' || true
	findmnt -rn -o TARGET | grep -F "$BOX_ROOT/" || true
}

@test "rm killed at any step (BOX_TEST_CRASH): the next ps, rm or create finds the truth, and nothing is left" {
	skip_unless_root
	local p d id
	for p in rm-detached rm-unmounted rm-retired rm-unnamed; do
		# ps after the kill: a whole container (not yet retired) or none,
		# never a nameless one or a name of nothing
		id=$(fake_exited web 0)
		d=$(fake_dir web)
		mkdir -p "$d/rootfs" "$d/upper"
		mount -t tmpfs tmpfs "$d/rootfs"
		BOX_TEST_CRASH=$p run -137 ctr-rm web
		run -0 ctr-list -a --format '{{.ID}} {{.Names}}'
		case $p in
		rm-detached | rm-unmounted)
			[[ $output == "${id:0:12} web" ]]
			run -0 ctr-rm web
			;;
		*) [[ -z $output ]] ;;
		esac
		[[ -z $(leftovers) ]]
		# rm -f after the kill: it reaches whatever is left by its name; once
		# the name went, there is no container (and the rest is reaped)
		fake_exited web 0 >/dev/null
		BOX_TEST_CRASH=$p run -137 ctr-rm web
		if [[ $p == rm-unnamed ]]; then
			run --separate-stderr -1 ctr-rm -f web
			[[ $stderr == "Error response from daemon: No such container: web" ]]
		else
			run -0 ctr-rm -f web
			[[ $output == web ]]
		fi
		[[ -z $(leftovers) ]]
		# by id: nothing is found (it is no container any more), nothing left
		id=$(fake_exited web 0)
		BOX_TEST_CRASH=$p run -137 ctr-rm web
		if [[ $p == rm-retired || $p == rm-unnamed ]]; then
			run --separate-stderr -1 ctr-rm "$id"
			[[ $stderr == "Error response from daemon: No such container: $id" ]]
		else
			run -0 ctr-rm "$id"
		fi
		[[ -z $(leftovers) ]]
	done
}

@test "--prune: stopped containers go, running ones stay; Docker's output" {
	local a b web
	a=$(fake_exited a 0)
	b=$(fake_ctr b)
	web=$(fake_run web sleep 1000)
	mkdir -p "$BOX_ROOT/containers/$a/upper"
	head -c 1500 /dev/zero >"$BOX_ROOT/containers/$a/upper/f"
	run -0 ctr-rm --prune -f
	[[ ${lines[0]} == "Deleted Containers:" ]]
	[[ $(printf '%s\n' "${lines[@]:1:2}" | sort) == "$(printf '%s\n' "$a" "$b" | sort)" ]]
	[[ $output == *$'\n\nTotal reclaimed space: 1.5kB' ]]
	[[ -d $BOX_ROOT/containers/$web && ! -e $BOX_ROOT/containers/$a && ! -L $BOX_ROOT/names/b ]]
	run -0 ctr-rm --prune -f
	[[ $output == "Total reclaimed space: 0B" ]]
}

@test "--prune asks Docker's question; no keeps everything, y removes" {
	local a
	a=$(fake_exited a 0)
	run --separate-stderr -0 ctr-rm --prune <<<"n"
	# (bats drops the question's trailing space)
	[[ $stderr == $'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N]' ]]
	[[ -z $output && -d $BOX_ROOT/containers/$a ]]
	run --separate-stderr -0 ctr-rm --prune <<<" y "
	[[ $output == "Deleted Containers:"$'\n'"$a"$'\n\n'"Total reclaimed space: 0B" ]]
}

@test "--prune --filter label=, label!= and until=; --bytes-fd prints the section and the bytes" {
	local a b old
	a=$(fake_exited a 0)
	b=$(fake_exited b 0)
	jq '.Config.Labels.keep = "1"' "$(fake_dir b)/create.json" >"$BATS_TEST_TMPDIR/c" && mv "$BATS_TEST_TMPDIR/c" "$(fake_dir b)/create.json"
	old=$(fake_exited old 0)
	sed -i 's/^created=.*/created=2020-01-01T00:00:00.000000000Z/' "$(fake_dir old)/state"
	run -0 ctr-rm --prune -f --filter until=2021-01-01T00:00:00Z
	[[ $output == "Deleted Containers:"$'\n'"$old"$'\n\n'"Total reclaimed space: 0B" ]]
	run -0 ctr-rm --prune -f --filter label!=keep --bytes-fd 3 3>"$BATS_TEST_TMPDIR/bytes"
	[[ $output == "Deleted Containers:"$'\n'"$a" ]]
	[[ $(cat "$BATS_TEST_TMPDIR/bytes") == 0 ]]
	[[ -d $BOX_ROOT/containers/$b ]]
	# label!= keeps only what has every one of them, as the daemon reads it
	run -0 ctr-rm --prune -f --filter label!=keep --filter label!=other
	[[ $output == "Deleted Containers:"$'\n'"$b"$'\n\n'* ]]
	run --separate-stderr -1 ctr-rm --prune -f --filter nope=1
	[[ $stderr == "ctr-rm: Invalid filter 'nope'" ]]
	run --separate-stderr -1 ctr-rm --prune -f --filter until=1h --filter until=2h
	[[ $stderr == "ctr-rm: more than one until filter specified" ]]
	# the question first: the daemon checks the filters
	run -0 ctr-rm --prune --filter nope=1 </dev/null
	run -2 ctr-rm --prune --filter nope
	run -2 ctr-rm --prune x
	run -2 ctr-rm --bytes-fd 3 x
}
