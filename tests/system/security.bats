#!/usr/bin/env bats
# Real isolation, checked from inside containers that ctr-create made with
# Docker's defaults and ctr-spawn ran: one @test per property of issue 4.
# tests/fixtures/probe.c (static, mounted read-only at /t) tries the privileged
# calls busybox has no applet for.

load ../helpers

setup () {
	box_setup
	skip_unless_root
	store_add small docker.io/library/small:latest
}

teardown () {
	box_teardown
	[[ -z ${LOOP-} ]] || losetup -d "$LOOP"
}

# inside [ctr-create flags] -- CMD...: run CMD in a new container; run's
# status and output; D is its directory. stdout and stderr come apart
# (pipes of their own, as Docker's): a script whose lines are checked in
# order merges them itself (exec 2>&1)
inside () {
	local flags=() id
	while [[ $# -gt 0 && $1 != -- ]]; do
		flags+=("$1")
		shift
	done
	shift
	id=$(ctr-create --network none -v "$BOX_BUILD/tests:/t:ro" "${flags[@]}" small "$@") || return 1
	D=$BOX_ROOT/containers/$id
	run ctr-spawn "$id"
}

@test "host processes are invisible: ps shows pid 1 only" {
	inside -- ps -o pid,comm
	[[ $status == 0 ]]
	[[ $output == $'PID   COMMAND\n    1 ps' ]]
}

@test "mount fails" {
	inside -- sh -c 'exec 2>&1; mount -t tmpfs none /mnt; echo rc=$?; /t/probe mount'
	[[ $output == *rc=[1-9]* && ${lines[-1]} == EPERM ]]
}

@test "unshare fails" {
	inside -- sh -c 'exec 2>&1; unshare -m true; echo rc=$?; /t/probe unshare'
	[[ $output == *rc=[1-9]* && ${lines[-1]} == EPERM ]]
}

@test "keyctl fails" {
	inside -- /t/probe keyctl
	[[ $status == 0 && $output == EPERM ]]
}

@test "module loading fails" {
	inside -- sh -c 'exec 2>&1; insmod /t/probe; echo rc=$?; /t/probe init_module'
	[[ $output == *rc=[1-9]* && ${lines[-1]} == EPERM ]]
}

@test "reboot fails" {
	inside -- /t/probe reboot
	[[ $status == 0 && $output == EPERM ]]
}

@test "/proc/kcore reads nothing, /proc/keys is masked" {
	inside -- sh -c 'exec 2>&1; cat /proc/kcore 2>/dev/null | wc -c; cat /proc/keys | wc -c; awk "\$5 == \"/proc/keys\"" /proc/self/mountinfo | wc -l'
	[[ $status == 0 && $output == $'0\n0\n1' ]]
}

@test "writing /proc/sys fails" {
	inside -- sh -c 'exec 2>&1; echo box >/proc/sys/kernel/hostname'
	[[ $status != 0 && $output == *"Read-only file system"* ]]
	[[ $(cat /proc/sys/kernel/hostname) != box ]]
}

@test "the old root is unreachable" {
	mkdir -p "$BATS_TEST_TMPDIR/marker-outside"
	inside -- sh -c "exec 2>&1; ls -d '$BATS_TEST_TMPDIR' 2>&1; awk '\$5 == \"/\"' /proc/self/mountinfo | wc -l; ls /proc/1/root/ | grep -c marker; cd /..; pwd; ls"
	[[ ${lines[0]} == *"No such file or directory"* ]]
	[[ ${lines[1]} == 1 && ${lines[2]} == 0 && ${lines[3]} == / ]]
	[[ $output == *srv* && $output != *marker-outside* ]]
}

@test "capabilities are Docker's default set" {
	inside -- grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status
	[[ $status == 0 ]]
	[[ $output == $'CapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb' ]]
	inside --privileged -- grep '^CapEff' /proc/self/status
	[[ $output != *a80425fb* ]]
}

@test "a memory limit kills a hog with 137 and oom_killed=1" {
	inside -m 16m -- tail /dev/zero
	[[ $status == 137 ]]
	grep -qx oom_killed=1 "$D/state"
	grep -qx exit_code=137 "$D/state"
}

@test "a pids limit stops a fork bomb; the host stays fine" {
	# the bomb's shell dies on its first failed fork; its sleeps stay
	inside --pids-limit 20 -- sh -c 'exec 2>&1; (i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); done) 2>/tmp/err
		read n </sys/fs/cgroup/pids/pids.current; read m </sys/fs/cgroup/pids/pids.events
		echo "$n $m"; kill -9 -1; wait; cat /tmp/err'
	[[ $status == 0 ]]
	[[ ${lines[0]} =~ ^(19|20)\ max\ [1-9] ]]
	[[ ${lines[1]} == *"can't fork"* ]]
	# the host forks as before
	run -0 sh -c 'true & wait'
}

@test "files written into a read-only rootfs fail" {
	inside --read-only -- sh -c 'exec 2>&1; touch /srv/x; echo rc=$?; touch /tmp/x; echo tmp=$?'
	[[ $output == *"Read-only file system"* && $output == *rc=1* && $output == *tmp=1* ]]
	inside -- sh -c 'exec 2>&1; touch /srv/x && echo writable'
	[[ $output == writable ]]
}

@test "a -v mount marked :ro is read-only" {
	local src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src"
	echo data >"$src/f"
	inside -v "$src:/data:ro" -- sh -c 'exec 2>&1; cat /data/f; echo x >/data/f; echo rc=$?; touch /data/new; echo rc=$?'
	[[ ${lines[0]} == data && $output == *"Read-only file system"* ]]
	[[ $(grep -c 'rc=1' <<<"$output") == 2 ]]
	[[ $(cat "$src/f") == data && ! -e $src/new ]]
	inside -v "$src:/data" -- sh -c 'exec 2>&1; echo y >/data/f'
	[[ $(cat "$src/f") == y ]]
}

@test "no new privileges: a setuid binary does not raise the uid" {
	inside -u 1000 --security-opt no-new-privileges -- grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
	[[ $output == *$'NoNewPrivs:\t1'* && $output == *$'Seccomp:\t2'* ]]
}

# a loop device over a file of the test's, in LOOP; teardown detaches it
loop_make () {
	truncate -s 1M "$BATS_TEST_TMPDIR/disk"
	LOOP=$(losetup -f --show "$BATS_TEST_TMPDIR/disk")
	[[ -b $LOOP ]]
}

@test "devices: Docker's rules; mknod of any device works, opening one off the list fails" {
	inside -- sh -c 'exec 2>&1; cat /sys/fs/cgroup/devices/devices.list; mknod /dev/sda b 8 0 && echo made
		head -c1 /dev/sda; echo rc=$?; mknod /dev/fuse c 10 229 && cat /dev/fuse; echo fuse=$?
		head -c1 /dev/full | wc -c'
	[[ $status == 0 ]]
	# what devices.list shows in a Docker 20.10 container (runc 1.1) on this
	# host, sorted as runc writes it (box keeps the order applied)
	[[ $(head -12 <<<"$output" | sort | paste -sd,) == 'b *:* m,c *:* m,c 10:200 rwm,c 136:* rwm,c 1:3 rwm,c 1:5 rwm,c 1:7 rwm,c 1:8 rwm,c 1:9 rwm,c 5:0 rwm,c 5:1 rwm,c 5:2 rwm' ]]
	[[ ${lines[12]} == made && ${lines[13]} == "head: /dev/sda: Operation not permitted" && ${lines[14]} == rc=1 ]]
	[[ ${lines[15]} == "cat: can't open '/dev/fuse': Operation not permitted" && ${lines[16]} == fuse=1 ]]
	[[ ${lines[17]} == 1 ]]
}

@test "--device of a loop device: read and write; :r reads only; unlisted it cannot be opened" {
	loop_make
	inside --device "$LOOP:/dev/xvda" -- sh -c 'exec 2>&1; echo hello | dd of=/dev/xvda conv=notrunc 2>/dev/null
		echo w=$?; head -c5 /dev/xvda; echo'
	[[ $status == 0 && $output == $'w=0\nhello' ]]
	[[ $(head -c5 "$BATS_TEST_TMPDIR/disk") == hello ]]
	inside --device "$LOOP:/dev/xvda:r" -- sh -c 'exec 2>&1; ls -l /dev/xvda; echo bye | dd of=/dev/xvda 2>&1; echo w=$?
		head -c5 /dev/xvda; echo'
	[[ ${lines[0]} == "brw-------"*" 7, "*" /dev/xvda" ]]
	[[ ${lines[1]} == "dd: can't open '/dev/xvda': Operation not permitted" && ${lines[2]} == w=1 ]]
	[[ ${lines[3]} == hello && $(head -c5 "$BATS_TEST_TMPDIR/disk") == hello ]]
	# the same device without --device: made, it does not open
	inside -- sh -c "exec 2>&1; mknod /dev/l b $(stat -c '%t %T' "$LOOP" | xargs printf '%d %d'); head -c5 /dev/l"
	[[ $status == 1 && $output == "head: /dev/l: Operation not permitted" ]]
}

@test "--privileged: the host's devices, mount works, every capability the host has" {
	loop_make
	inside --privileged -- sh -c "exec 2>&1; head -c5 $LOOP | wc -c; ls -l /dev/kmsg /dev/net/tun | wc -l
		cat /sys/fs/cgroup/devices/devices.list; mkdir /m && mount -t tmpfs t /m && echo mounted
		grep -E '^(CapEff|Seccomp):' /proc/self/status; grep ' /sys ' /proc/self/mounts"
	[[ $status == 0 ]]
	[[ ${lines[0]} == 5 && ${lines[1]} == 2 && ${lines[2]} == "a *:* rwm" && ${lines[3]} == mounted ]]
	[[ ${lines[4]} == "$(grep '^CapBnd' /proc/self/status | sed 's/Bnd/Eff/')" && ${lines[5]} == $'Seccomp:\t0' ]]
	[[ ${lines[6]} == "sysfs /sys sysfs rw,"* ]]
	echo data >"$BATS_TEST_TMPDIR/disk"
	inside --privileged -- head -c4 "$LOOP"
	[[ $status == 0 && $output == data ]]
}

@test "--cap-add ALL: the host's bounding set, no more" {
	local bnd
	bnd=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	inside --cap-add ALL -- grep -E '^Cap(Eff|Bnd):' /proc/self/status
	[[ $status == 0 && $output == $'CapEff:\t'"$bnd"$'\nCapBnd:\t'"$bnd" ]]
}

# --- the runtime binary out of reach (CVE-2019-5736) ---------------------
# tests/fixtures/exeprobe runs in a -d container for 6 s: every process that
# shows up in its PID namespace with a host binary as /proc/PID/exe is
# opened, kept and reopened for writing, as the original exploit did. The
# box programs that join the container meanwhile must never be reachable,
# and no binary may change.

# probe_start [box run flags]: the probe's container, once it scans
probe_start () {
	local i
	OUT=$BATS_TEST_TMPDIR/probe
	mkdir -p "$OUT"
	sha256sum "$BOX_BUILD"/bin/* >"$BATS_TEST_TMPDIR/sums"
	P=$(box run -d --network none -v "$BOX_BUILD/tests:/t:ro" -v "$OUT:/out" "$@" small /t/exeprobe /out 6)
	for i in $(seq 50); do
		[[ -e $OUT/ready ]] && return 0
		sleep 0.1
	done
	echo "the probe did not start" >&2
	return 1
}

# probe_check: after the probe's scan, nothing of box's was writable
probe_check () {
	local i
	for i in $(seq 150); do
		[[ -e $OUT/seen ]] && break
		sleep 0.1
	done
	[[ -e $OUT/seen ]] || { echo "the probe did not finish" >&2; return 1; }
	if [[ -e $OUT/writable ]] && grep -E "$BOX_BUILD|/ctr-|/img-|memfd" "$OUT/writable" >&2; then
		echo "a box binary was writable from the container" >&2
		return 1
	fi
	sha256sum -c --quiet "$BATS_TEST_TMPDIR/sums"
}

@test "box exec: the container cannot reach ctr-exec's binary" {
	probe_start
	for i in $(seq 30); do
		run box exec "$P" true
	done
	probe_check
	# nothing at all of the host's: the exec'd process was never dumpable
	[[ ! -e $OUT/writable && $(cat "$OUT/seen") == 0 ]]
}

@test "box exec into a container with CAP_SYS_PTRACE: ctr-exec runs sealed" {
	probe_start --cap-add SYS_PTRACE
	for i in $(seq 30); do
		run box exec "$P" true
	done
	probe_check
	# what it reached was the sealed copy, never the file on disk
	[[ ! -e $OUT/writable && $(cat "$OUT/sealed") == *box-sealed* ]]
}

@test "box run --pid host: a container there cannot reach ctr-spawn's binary" {
	probe_start --pid host
	for i in $(seq 20); do
		run -0 box run --rm --network none --pid host small true
	done
	probe_check
}

@test "box run -d with restarts: the supervisor's starts stay out of reach" {
	probe_start --pid host
	run -0 box run -d --network none --pid host --restart on-failure:30 small false
	sleep 4
	probe_check
}

# --- the state directory is private to its owner ---------------------------

@test "another user reads nothing of the state directory: env, config, logs" {
	local d
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
	# every directory above the state directory open to all, as /var/lib is
	d=$BOX_ROOT
	while d=$(dirname "$d") && [[ $d != / ]]; do
		chmod o+x "$d"
	done
	id=$(box run -d --network none -e DB_PASSWORD=s3cret small echo logged)
	run -0 box wait "$id"
	run -0 box logs "$id"
	[[ $output == logged ]]
	[[ $(stat -c %a "$BOX_ROOT") == 700 ]]
	for f in config.json create.json state log; do
		[[ $(stat -c %a "$BOX_ROOT/containers/$id/$f") == 600 ]]
		run setpriv --reuid=65534 --regid=65534 --clear-groups cat "$BOX_ROOT/containers/$id/$f"
		[[ $status != 0 && $output != *s3cret* && $output != *logged* ]]
	done
	run setpriv --reuid=65534 --regid=65534 --clear-groups grep -rs s3cret "$BOX_ROOT"
	[[ $status != 0 && -z $output ]]
	# what the container's own users read through its bind mounts stays readable
	[[ $(stat -c %a "$BOX_ROOT/containers/$id/hosts") == 644 ]]
	run -0 box run --rm --network none -u 65534 small cat /etc/hosts
}

@test "a state directory an older box left open to all is made private" {
	mkdir -p "$BOX_ROOT"
	chmod 755 "$BOX_ROOT"
	run -0 box ps -a
	[[ $(stat -c %a "$BOX_ROOT") == 700 ]]
}

# --- the caller's files stay on the host's side ------------------------------
# A redirected file or directory reaches the container as a pipe: reopening
# /proc/self/fd/N there gives the pipe, never the host's file.

@test "box run: a redirected stdout file cannot be truncated from inside" {
	local f=$BATS_TEST_TMPDIR/victim
	echo precious >"$f"
	box run --rm --network none small sh -c ': >/proc/self/fd/1; echo new; echo err >&2' >>"$f" 2>>"$f"
	[[ $(cat "$f") == $'precious\nnew\nerr' || $(cat "$f") == $'precious\nerr\nnew' ]]
}

@test "box run -i: a directory as stdin does not open the host's tree" {
	run -0 box run --rm -i --network none small sh -c 'ls /proc/self/fd/0/ 2>&1; readlink /proc/self/fd/0' </
	[[ $output == *"Not a directory"* && $output == *pipe:* && $output != *boot* ]]
}

@test "box run -i: a file as stdin is read through a pipe, whole" {
	seq 100000 >"$BATS_TEST_TMPDIR/in"
	run -0 box run --rm -i --network none small sh -c 'wc -l; readlink /proc/self/fd/0' <"$BATS_TEST_TMPDIR/in"
	[[ ${lines[0]} == *100000 && ${lines[1]} == pipe:* ]]
}

@test "box exec: a redirected stdout file cannot be truncated from inside" {
	local f=$BATS_TEST_TMPDIR/victim id
	id=$(box run -d --network none small sleep 60)
	echo precious >"$f"
	box exec "$id" sh -c ': >/proc/self/fd/1; echo new' >>"$f"
	[[ $(cat "$f") == $'precious\nnew' ]]
	box rm -f "$id"
}
