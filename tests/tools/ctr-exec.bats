#!/usr/bin/env bats
# ctr-exec: a command in a running container: its namespaces and cgroup,
# its env plus -e, -u, -w, the container's caps, no_new_privs and seccomp,
# exit codes, stdin, -t, -d, signals.

load ../helpers

setup () {
	box_setup_small
}

teardown () {
	box_teardown
}

# running [ctr-create flags]: a container that sleeps, started with -d; ID, D
running () {
	ID=$(ctr-create --network none -e FROM=ctr -e KEEP=1 "$@" small sleep 60)
	D=$BOX_ROOT/containers/$ID
	ctr-spawn -d "$ID" >/dev/null
}

wait_for () {
	local i
	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# the container's sleep and the exec'd one, both in its memory cgroup
two_in_cgroup () {
	[[ $(wc -l <"/sys/fs/cgroup/memory/box/$ID/cgroup.procs") == 2 ]]
}

@test "usage, unknown and stopped containers" {
	run -2 ctr-exec
	run -2 ctr-exec x
	run -0 ctr-exec --help
	[[ $output == "usage: ctr-exec "* ]]
	run --separate-stderr -3 ctr-exec nope true
	[[ $stderr == "ctr-exec: No such container: nope" ]]
	ID=$(ctr-create --network none small true)
	run --separate-stderr -1 ctr-exec "$ID" true
	[[ $stderr == "ctr-exec: Container $ID is not running" ]]
}

@test "joins the container's namespaces and cgroup" {
	running --hostname inner
	run -0 ctr-exec "$ID" sh -c 'hostname; ps -o pid,comm; cat /proc/self/cgroup | grep memory; echo $$ >/tmp/me; sleep 0.5'
	[[ ${lines[0]} == inner ]]
	[[ $output == *"1 sleep"* ]]
	[[ $output == *"4:memory:/"* || $output == *":memory:/"* ]]
	[[ $(readlink "/proc/$(sed -n 's/^pid=//p' "$D/state")/ns/mnt") != "$(readlink /proc/self/ns/mnt)" ]]
	ctr-exec "$ID" sleep 2 &
	local execpid=$!
	wait_for two_in_cgroup
	kill "$execpid"
	wait "$execpid" || true
}

@test "env is the container's plus -e; -u and -w" {
	running
	run -0 ctr-exec -e FROM=exec -e NEW=x "$ID" sh -c 'echo $FROM $KEEP $NEW; pwd; id -u'
	[[ $output == $'exec 1 x\n/srv\n0' ]]
	run -0 ctr-exec -u app -w /tmp "$ID" sh -c 'id; pwd; echo $HOME'
	[[ $output == $'uid=1000(app) gid=1000(app) groups=1000(app)\n/tmp\n/home/app' ]]
	run -0 ctr-exec -u 1234:55 "$ID" id
	[[ $output == "uid=1234 gid=55 groups=55" ]]
	run --separate-stderr -1 ctr-exec -u nobody-here "$ID" id
	[[ $stderr == *"unable to find user nobody-here"* ]]
	run -2 ctr-exec -w rel "$ID" true
}

@test "the container's capabilities, no_new_privs and seccomp" {
	running --security-opt no-new-privileges
	run -0 ctr-exec "$ID" grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status
	[[ $output == $'CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t1\nSeccomp:\t2' ]]
	run -0 ctr-exec "$ID" sh -c 'mount -t tmpfs none /mnt; echo rc=$?'
	[[ $output == *rc=[1-9]* ]]
}

@test "exit codes: the command's, 126, 127, 128+n" {
	running
	run -3 ctr-exec "$ID" sh -c 'exit 3'
	run --separate-stderr -127 ctr-exec "$ID" nosuch
	[[ $stderr == 'ctr-exec: exec: "nosuch": executable file not found in $PATH' ]]
	run -126 ctr-exec "$ID" /etc/passwd
	run -137 ctr-exec "$ID" sh -c 'kill -9 $$'
}

@test "stdin only with -i; -t gives a terminal" {
	running
	run -0 ctr-exec "$ID" sh -c 'cat; echo end' <<<"ignored"
	[[ $output == end ]]
	run -0 ctr-exec -i "$ID" sh -c 'cat; echo end' <<<"given"
	[[ $output == $'given\nend' ]]
	run -0 script -qec "ctr-exec -t $ID sh -c 'test -t 1 && echo tty-ok'" /dev/null
	[[ $output == *tty-ok* ]]
}

@test "-d leaves the command running and exits at once" {
	running
	run -0 ctr-exec -d "$ID" sh -c 'sleep 0.3; echo done >/tmp/marker'
	[[ -z $output ]]
	wait_for ctr-exec "$ID" test -e /tmp/marker
}

@test "signals are passed to the command" {
	local out=$BATS_TEST_TMPDIR/out pid rc=0
	running
	ctr-exec "$ID" sh -c 'trap "echo got; exit 9" TERM; echo ready; while :; do sleep 0.05; done' >"$out" &
	pid=$!
	wait_for grep -q ready "$out"
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	[[ $rc == 9 ]] && grep -q got "$out"
}
