#!/usr/bin/env bats
# ctr-spawn: run a bundle made by ctr-create; exit codes, stdio, signals,
# terminal, -d supervisor (log, state, lock, restart, RSS), --rm, cgroups,
# and the same bundle under crun seeing the same things.

load ../helpers

setup () {
	box_setup_small
}

teardown () {
	cgroup2_sweep
	box_teardown
	[[ -z ${LOOP-} ]] || losetup -d "$LOOP"
}

# mk [ctr-create flags] -- CMD...: a container on network none; sets ID, D
mk () {
	local flags=()
	while [[ $# -gt 0 && $1 != -- ]]; do
		flags+=("$1")
		shift
	done
	shift
	ID=$(ctr-create --network none "${flags[@]}" small "$@")
	[[ $ID =~ ^[0-9a-f]{64}$ ]]
	D=$BOX_ROOT/containers/$ID
}

state () {
	sed -n "s/^$1=//p" "$D/state"
}

# state_is KEY VALUE: for wait_for, which must re-read the file
state_is () {
	[[ $(state "$1") == "$2" ]]
}

# wait_for CMD...: up to 5 s
wait_for () {
	local i
	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

no_cgroup () {
	local c
	for c in memory cpu pids devices; do
		[[ ! -e /sys/fs/cgroup/$c/box/$ID ]] || return 1
	done
}

@test "usage and unknown containers" {
	run -2 ctr-spawn
	run --separate-stderr -0 ctr-spawn --help
	[[ $output == "usage: ctr-spawn [--root DIR] [-d] [--no-sync] CONTAINER" && -z $stderr ]]
	run --separate-stderr -3 ctr-spawn nope
	[[ $stderr == "ctr-spawn: No such container: nope" ]]
}

@test "exit codes pass through; state records running then exited" {
	mk -- sh -c 'exit 3'
	run -3 ctr-spawn "$ID"
	[[ $(state status) == exited && $(state exit_code) == 3 && -n $(state finished) && -n $(state started) ]]
	[[ $(state oom_killed) == 0 ]]
	mk -- true
	run -0 ctr-spawn "${ID:0:12}"
	mk --name web -- sh -c 'exit 0'
	run -0 ctr-spawn web
}

@test "a payload that cannot run: 127 not found, 126 not executable, as Docker says" {
	mk -- nosuch
	run --separate-stderr -127 ctr-spawn "$ID"
	[[ $stderr == "ctr-spawn: container ${ID:0:12}: exec: \"nosuch\": executable file not found in \$PATH" ]]
	[[ $(state status) == created && $(state exit_code) == 127 && $(state error) == *'executable file not found'* ]]
	no_cgroup
	mk -- /nosuch
	run --separate-stderr -127 ctr-spawn "$ID"
	[[ $stderr == *'exec: "/nosuch": stat /nosuch: No such file or directory' ]]
	mk -- /etc/passwd
	run --separate-stderr -126 ctr-spawn "$ID"
	[[ $stderr == *'exec: "/etc/passwd": permission denied' ]]
	mk -- /etc
	run -126 ctr-spawn "$ID"
}

@test "setup failures exit 125 and name the cause" {
	mk -- true
	jq '.mounts += [{"destination":"/x","type":"bind","source":"/nonexistent-box-src","options":["rbind"]}]' \
		"$D/config.json" >"$D/c" && mv "$D/c" "$D/config.json"
	run --separate-stderr -125 ctr-spawn "$ID"
	[[ $stderr == "ctr-spawn: container ${ID:0:12}: bind mount /nonexistent-box-src: No such file or directory" ]]
	no_cgroup
}

@test "stdout and stderr go to the caller's and to the log; stdin is /dev/null unless -i" {
	mk -- sh -c 'echo out; echo err >&2; cat; echo end'
	run --separate-stderr -0 ctr-spawn "$ID" <<<"ignored"
	[[ $output == $'out\nend' && $stderr == err ]]
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z stdout F out$' "$D/log"
	grep -Eq 'Z stderr F err$' "$D/log"
	grep -Eq 'Z stdout F end$' "$D/log"
	mk -i -- sh -c 'cat; echo end'
	run -0 ctr-spawn "$ID" <<<"piped in"
	[[ $output == $'piped in\nend' ]]
}

@test "signals are passed to the payload" {
	local out=$BATS_TEST_TMPDIR/out pid
	mk -- sh -c 'trap "echo got TERM; exit 7" TERM; trap "echo got USR1" USR1; echo ready; while :; do sleep 0.05; done'
	ctr-spawn "$ID" >"$out" 2>&1 &
	pid=$!
	wait_for grep -q ready "$out"
	kill -USR1 "$pid"
	wait_for grep -q 'got USR1' "$out"
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[[ $rc == 7 ]]
	grep -q 'got TERM' "$out"
}

@test "-t: a terminal, raw mode on the caller's, the payload's own session" {
	mk -t -- sh -c 'test -t 0 && test -t 1 && echo tty-ok; tty; stty size'
	run script -qec "stty cols 91 rows 33; ctr-spawn $ID" /dev/null
	[[ $status == 0 ]]
	[[ $output == *tty-ok* ]]
	[[ $output == *"/dev/console"* || $output == *"/dev/pts/"* ]]
	[[ $output == *"33 91"* ]]
	mk -t -- sh -c 'exit 5'
	run -5 script -qec "ctr-spawn $ID" /dev/null
	# -i -t with input that ends: the reader gets the terminal's EOF
	mk -i -t -- sh -c 'cat; echo end'
	run -0 timeout 10 ctr-spawn "$ID" <<<"hello"
	[[ $output == *hello* && $output == *end* ]]
}

@test "a running container cannot be started twice (exit 4); the lock is held while it lives" {
	local pid
	mk -- sleep 10
	ctr-spawn "$ID" &
	pid=$!
	wait_for state_is status running
	run ! flock -n "$D/lock" true
	run --separate-stderr -4 ctr-spawn "$ID"
	[[ $stderr == "ctr-spawn: container $ID is already running" ]]
	[[ $(state pid) -gt 0 && $(state monitor) == "$pid" ]]
	kill -KILL "$(state pid)"
	local rc=0
	wait "$pid" || rc=$?
	[[ $rc == 137 ]]
	flock -n "$D/lock" true
}

@test "-d: prints the id, a supervisor logs in CRI format and records the exit" {
	mk -- sh -c 'echo one; echo two >&2; printf part; sleep 0.3; exit 4'
	run --separate-stderr -0 ctr-spawn -d "$ID"
	[[ $output == "$ID" ]]
	[[ $(state status) == running && $(state monitor) -gt 0 && $(state pid) -gt 0 ]]
	run ! flock -n "$D/lock" true
	wait_for state_is status exited
	[[ $(state exit_code) == 4 ]]
	flock -n "$D/lock" true
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z stdout F one$' "$D/log"
	grep -Eq 'Z stderr F two$' "$D/log"
	grep -Eq 'Z stdout P part$' "$D/log"
	no_cgroup
}

@test "-d: an OOM kill is recorded (137, oom_killed=1); a terminal's output is logged as stdout" {
	mk -m 16m -- tail /dev/zero
	ctr-spawn -d "$ID"
	wait_for flock -n "$D/lock" true
	[[ $(state status) == exited && $(state exit_code) == 137 && $(state oom_killed) == 1 ]]
	no_cgroup
	mk -t -- sh -c 'tty; echo on-a-tty'
	ctr-spawn -d "$ID"
	wait_for state_is status exited
	grep -Eq 'Z stdout [FP] /dev/console' "$D/log"
	grep -Eq 'Z stdout [FP] on-a-tty' "$D/log"
}

@test "-d: a failed start reports the payload's error and code" {
	mk -- nosuch
	run --separate-stderr -127 ctr-spawn -d "$ID"
	[[ -z $output && $stderr == *'exec: "nosuch": executable file not found in $PATH' ]]
	no_cgroup
}

@test "-d: the supervisor's peak RSS is under 2 MB" {
	local hwm
	! ldd "$BOX_BUILD/bin/ctr-spawn" | grep -q libasan || skip "ASan's shadow memory is no supervisor's size"
	mk -- sleep 10
	ctr-spawn -d "$ID"
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$(state monitor)/status")
	echo "supervisor VmHWM: $hwm kB" >&2
	[[ $hwm -lt 2048 ]]
	kill -KILL "$(state pid)"
}

@test "-d: a supervisor killed with SIGKILL takes the container along; state settles as exited" {
	local mon pid
	mk -- sleep 30
	ctr-spawn -d "$ID"
	mon=$(state monitor) pid=$(state pid)
	kill -KILL "$mon"
	wait_for test ! -d "/proc/$pid"
	flock -n "$D/lock" true
	run --separate-stderr -1 ctr-exec "$ID" true
	[[ $stderr == "ctr-exec: Container $ID is not running" ]]
}

@test "-d: a killed supervisor: the first ps, wait or rm records the exit (255) and reaps the cgroups; no restart" {
	local mon pid
	mk --restart always -- sleep 30
	for finder in ps wait rm; do
		ctr-spawn -d "$ID"
		mon=$(state monitor) pid=$(state pid)
		kill -KILL "$mon"
		wait_for test ! -d "/proc/$pid"
		[[ $(state status) == running ]]
		case $finder in
		ps)
			run -0 ctr-list -a --format '{{.State}} {{.Status}}'
			[[ $output =~ ^exited\ Exited\ \(255\)\ (Less\ than\ a\ second|[0-9]+\ seconds?)\ ago$ ]]
			;;
		wait) run -0 ctr-wait "$ID" && [[ $output == 255 ]] ;;
		rm)
			run -0 ctr-rm "$ID"
			[[ ! -e $D ]]
			no_cgroup
			return 0
			;;
		esac
		# the state file says so too, and nothing else is left
		[[ $(state status) == exited && $(state exit_code) == 255 && $(state monitor) == 0 ]]
		no_cgroup
		# the restart policy was the supervisor's: no restart (ctr-spawn(1))
		sleep 0.3
		[[ $(state status) == exited ]]
	done
}

# restarting, with a wait of 1.6 s ahead (Docker's delays: 0.1, 0.2, ... s)
long_restart () {
	state_is status restarting && (($(state restart_count) >= 5))
}

@test "-d: waiting to restart, it reads Restarting (N) X ago as in Docker; stop and a killed supervisor end the wait" {
	mk --restart always -- sh -c 'exit 3'
	ctr-spawn -d "$ID"
	wait_for long_restart
	run -0 ctr-list --format '{{.State}} {{.Status}}'
	[[ $output =~ ^restarting\ Restarting\ \(3\)\ (Less\ than\ a\ second|[0-9]+\ seconds?)\ ago$ ]]
	run -0 ctr-list inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Restarting}} {{.State.ExitCode}} {{.State.Pid}}' "$ID"
	[[ $output == "restarting true true 3 0" ]]
	run -0 ctr-list --filter status=restarting -q
	[[ $output == "${ID:0:12}" ]]
	# stop: the wait is cut short, the exit recorded, the supervisor gone
	ctr-kill --stop "$ID"
	flock -n "$D/lock" true
	[[ $(state status) == exited && $(state exit_code) == 3 ]]
	# a supervisor killed while it waits: the last exit stands
	ctr-spawn -d "$ID"
	wait_for long_restart
	kill -KILL "$(state monitor)"
	run -0 ctr-list -a --format '{{.Status}}'
	[[ $output =~ ^Exited\ \(3\) ]]
	[[ $(state status) == exited && $(state exit_code) == 3 ]]
	# kill of a restarting container: Docker sends nothing, and no restart
	ctr-spawn -d "$ID"
	wait_for long_restart
	run -0 ctr-kill "$ID"
	wait_for flock -n "$D/lock" true
	[[ $(state status) == exited && -e $D/stopped ]]
}

@test "-d: restart policies, restart_count, and no restart after a stop" {
	mk --restart on-failure:2 -- sh -c 'exit 3'
	ctr-spawn -d "$ID"
	wait_for state_is restart_count 2
	wait_for state_is status exited
	wait_for flock -n "$D/lock" true
	[[ $(state exit_code) == 3 && $(state restart_count) == 2 ]]
	mk --restart always -- sh -c 'sleep 0.1'
	ctr-spawn -d "$ID"
	wait_for state_is restart_count 2
	ctr-kill --stop -t 1 "$ID"
	wait_for flock -n "$D/lock" true
	[[ -e $D/stopped && $(state status) == exited ]]
}

@test "--no-sync: the state is written without a sync, as for --rm" {
	mk -- sh -c 'exit 3'
	syncs_counted ctr-spawn "$ID" || (($? == 3))
	((SYNCS > 0))
	mk -- sh -c 'exit 3'
	syncs_counted ctr-spawn --no-sync "$ID" || (($? == 3))
	((SYNCS == 0))
	[[ $(state status) == exited && $(state exit_code) == 3 ]]
}

@test "--rm removes the container after it ends, attached and with -d" {
	mk --rm -- sh -c 'exit 2'
	run -2 ctr-spawn "$ID"
	[[ ! -e $D ]]
	mk --rm -- true
	ctr-spawn -d "$ID"
	wait_for test ! -e "$D"
	no_cgroup
}

@test "cgroups: limits written, the cgroup removed when the container ends" {
	local pid
	mk -m 64m --pids-limit 33 --cpus 0.5 -- sleep 10
	ctr-spawn "$ID" &
	pid=$!
	wait_for state_is status running
	[[ $(cat "/sys/fs/cgroup/memory/box/$ID/memory.limit_in_bytes") == 67108864 ]]
	[[ $(cat "/sys/fs/cgroup/pids/box/$ID/pids.max") == 33 ]]
	[[ $(cat "/sys/fs/cgroup/cpu/box/$ID/cpu.cfs_quota_us") == 50000 ]]
	grep -qx "$(state pid)" "/sys/fs/cgroup/memory/box/$ID/cgroup.procs"
	kill -KILL "$(state pid)"
	wait "$pid" || true
	no_cgroup
}

@test "cgroup v2: the eBPF device program denies what the rules deny (a cgroup2 hierarchy mounted here)" {
	cgroup2_mount
	truncate -s 1M "$BATS_TEST_TMPDIR/disk"
	LOOP=$(losetup -f --show "$BATS_TEST_TMPDIR/disk")
	# in the v2 cgroup alone: no v1 devices cgroup stands in for the program
	mk -- sleep 10
	run -0 ctr-spawn -d "$ID"
	grep -qx "0::/box-test-$$/box/$ID" "/proc/$(state pid)/cgroup"
	grep -qx '[0-9]*:devices:/' "/proc/$(state pid)/cgroup"
	ctr-kill "$ID"
	mk -- sh -c 'mknod /dev/sda b 8 0 && echo made; head -c1 /dev/sda
		mknod /dev/l c 1 11; head -c1 /dev/l; head -c1 /dev/zero | wc -c'
	# (stdout and stderr come through pipes of their own: apart, as Docker's)
	run --separate-stderr -0 ctr-spawn "$ID"
	[[ $output == $'made\n1' && $stderr == $'head: /dev/sda: Operation not permitted\nhead: /dev/l: Operation not permitted' ]]
	[[ ! -e $BOX_CGROUP2_ROOT/box/$ID ]]
	mk --device "$LOOP:/dev/xvda:r" -- sh -c 'head -c1 /dev/xvda | wc -c; echo x >/dev/xvda'
	run -1 ctr-spawn "$ID"
	[[ $output == $'1\nsh: can\'t create /dev/xvda: Operation not permitted' ]]
	# --privileged: nothing denied, no program
	mk --privileged -- sh -c "head -c1 $LOOP | wc -c"
	run -0 ctr-spawn "$ID"
	[[ $output == 1 ]]
}

@test "seccomp from config.json: errnoRet and argument conditions; one cached filter per profile" {
	mk -- sh -c 'mkdir /srv/x; echo mkdir=$?; uname -s; echo uname=$?'
	run -0 ctr-spawn "$ID"
	[[ $output == *mkdir=0* && $output == *Linux* ]]
	[[ $(ls "$BOX_ROOT/cache/seccomp" | wc -l) == 1 ]]
	mk -- sh -c 'mkdir /srv/x; echo mkdir=$?; uname -s; kill -0 $$; echo k0=$?; kill -CONT $$; echo kc=$?'
	# Docker's allow rules lose these names; the new rules say what they get
	jq '.linux.seccomp.syscalls |= map(if .action == "SCMP_ACT_ALLOW" then
		.names -= ["mkdir", "mkdirat", "uname", "kill"] else . end)
	    | .linux.seccomp.syscalls += [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
		{"names": ["uname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
		{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
		 "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]},
		{"names": ["kill"], "action": "SCMP_ACT_ALLOW",
		 "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_NE"}]}]' \
		"$D/config.json" >"$D/c" && mv "$D/c" "$D/config.json"
	run -0 ctr-spawn "$ID"
	[[ $output == *"Permission denied"* && $output == *mkdir=1* && $output != *Linux* ]]
	[[ $output == *k0=1* && $output == *kc=0* ]]
	[[ $(ls "$BOX_ROOT/cache/seccomp" | wc -l) == 2 ]]
	run -0 ctr-spawn "$ID"
	[[ $(ls "$BOX_ROOT/cache/seccomp" | wc -l) == 2 ]]
}

@test "a network namespace given by path is joined" {
	local ns=$BATS_TEST_TMPDIR/netns
	touch "$ns"
	unshare --net="$ns" true
	nsenter --net="$ns" ip link add boxtest0 type veth peer name boxtest1
	mk -- ip -o link
	jq --arg p "$ns" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
		"$D/config.json" >"$D/c" && mv "$D/c" "$D/config.json"
	run -0 ctr-spawn "$ID"
	[[ $output == *boxtest0* ]]
	mk -- ip -o link
	run -0 ctr-spawn "$ID"
	[[ $output != *boxtest0* && $output == *"lo:"* ]]
	umount "$ns"
}

@test "a rootfs that is not mounted (after a reboot) is mounted again" {
	mk -- cat /etc/passwd
	umount "$D/rootfs"
	run -0 ctr-spawn "$ID"
	[[ $output == *root:* ]]
	mountpoint -q "$D/rootfs"
}

@test "the same bundle under ctr-spawn and crun: the process sees the same" {
	command -v crun >/dev/null || skip "crun not installed"
	mk -m 48m --pids-limit 40 -e A=b -w /tmp -u 1000:1000 --hostname boxy -- sh -c '
		id; grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status; hostname; env | sort; pwd
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
		awk "{ print \$5 }" /proc/self/mountinfo | sort; cat /proc/self/cgroup; ls /dev | sort'
	run -0 ctr-spawn "$ID"
	local ours=$output
	run -0 unshare --mount --propagation private sh -c \
		'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun run -b "$1" "box-test-$2"' sh "$D" "${ID:0:12}"
	[[ $ours == *"uid=1000(app)"* && $ours == *boxy* && $ours == *50331648* ]]
	diff <(echo "$ours") <(echo "$output")
}

# full_root SIZE: BOX_ROOT on a tmpfs of SIZE of its own, with the small
# image (box_teardown unmounts it with the rest of the test's directory)
full_root () {
	export BOX_ROOT=$BATS_TEST_TMPDIR/full
	mkdir -p "$BOX_ROOT"
	mount -t tmpfs -o "size=$1,mode=0700" tmpfs "$BOX_ROOT"
	store_add small docker.io/library/small:latest
}

@test "-d on a full disk: the exit and status are recorded; the lost log says so in State.Error and in a last line" {
	full_root 24m
	# the disk full until the end: the state rewritten in its own block,
	# the log's loss in State.Error
	mk -- sh -c 'dd if=/dev/zero of=/fill bs=64k 2>/dev/null; i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i + 1)); done; exit 0'
	ctr-spawn -d "$ID"
	wait_for flock -n "$D/lock" true
	[[ $(state status) == exited && $(state exit_code) == 0 ]]
	run -0 ctr-list inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}' "$ID"
	[[ $output == "exited 0 log incomplete: the container's output could not all be written: No space left on device" ]]
	ctr-rm "$ID"
	# room again before the end (the container frees it): a last log line
	mk -- sh -c 'echo first; dd if=/dev/zero of=/fill bs=64k 2>/dev/null; i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i + 1)); done; rm /fill; exit 0'
	ctr-spawn -d "$ID"
	wait_for flock -n "$D/lock" true
	[[ $(state status) == exited && $(state exit_code) == 0 ]]
	[[ $(head -1 "$D/log") == *" stdout F first" ]]
	[[ $(tail -1 "$D/log") == *" stderr F log incomplete: the container's output could not all be written: No space left on device" ]]
	[[ $(state error) == "log incomplete: "* ]]
}
