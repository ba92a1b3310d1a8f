#!/usr/bin/env bats
# ctr-oci: runc's command line over box's runtime. The lifecycle
# (create, start, state, kill, delete), run, exec, ps, list, hooks, the
# console socket, preserved fds, the sealed binary, and bad input with
# runc's words and exit codes.

load ../helpers

setup () {
	box_setup
	skip_unless_root
	R=$BATS_TEST_TMPDIR/oci-root
	export CTR_OCI_CACHE=$BATS_TEST_TMPDIR/oci-cache
	B=$BATS_TEST_TMPDIR/bundle
	# the containers' cgroups, under one parent teardown removes
	CG=boxoci-$(basename "$BATS_TEST_TMPDIR")-$$
	oci_bundle "$B"
}

teardown () {
	local c
	[[ -z ${RL-} ]] || rm -rf "$RL"
	for c in /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/*/"$CG"/*; do
		[[ -f $c/cgroup.procs ]] && xargs -r kill -KILL <"$c/cgroup.procs" 2>/dev/null
	done
	sleep 0.1
	find /sys/fs/cgroup/*/"$CG" -depth -type d -exec rmdir {} + 2>/dev/null || true
	box_teardown
}

# oci_bundle DIR: the small image's tree as DIR/rootfs, ctr-oci's default
# config without a terminal, a writable root and a cgroup under $CG
oci_bundle () {
	local dir=$1 m layer
	mkdir -p "$dir/rootfs"
	m=$(fixture_manifest_digest small)
	layer=$(jq -r '.layers[0].digest' "$FIXTURES/small/blobs/sha256/${m#sha256:}")
	tar -xzf "$FIXTURES/small/blobs/sha256/${layer#sha256:}" -C "$dir/rootfs"
	ctr-oci spec --bundle "$dir"
	cfg '.process.terminal = false | .root.readonly = false | .process.args = ["sh", "-c", "echo hi"]'
}

# cfg JQ-FILTER: edit $B/config.json
cfg () {
	jq "$1" "$B/config.json" >"$B/config.json.new"
	mv "$B/config.json.new" "$B/config.json"
}

# args CMD...: the process's args
args () {
	# (jq --args would take a "-c" for its own)
	cfg ".process.args = $(printf '%s\n' "$@" | jq -R . | jq -cs .) | .linux.cgroupsPath = \"/$CG/${ID:-c1}\""
}

oci () {
	ctr-oci --root "$R" "$@"
}

# bg ARGS...: a command whose container outlives it: its stdio not the
# pipe `run` reads to the end (the container would hold it open)
bg () {
	oci "$@" </dev/null >"$BATS_TEST_TMPDIR/bg.out" 2>&1 || {
		cat "$BATS_TEST_TMPDIR/bg.out"
		return 1
	}
}

status_of () {
	oci state "$1" | jq -r .status
}

@test "spec writes a default config.json once" {
	local d=$BATS_TEST_TMPDIR/spec
	mkdir "$d"
	run -0 ctr-oci spec --bundle "$d"
	jq -e '.process.args == ["sh"] and .root.path == "rootfs"' "$d/config.json"
	run -1 ctr-oci spec --bundle "$d"
	[[ $output == *"File config.json exists. Remove it first"* ]]
}

@test "create waits before the payload, start releases it, delete removes it" {
	args sh -c 'echo started >/started; exec sleep 60'
	bg create --bundle "$B" --pid-file "$BATS_TEST_TMPDIR/pid" c1
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[[ -d /proc/$pid ]]
	[[ $(status_of c1) == created ]]
	[[ ! -e $B/rootfs/started ]]
	oci state c1 | jq -e --arg p "$pid" --arg b "$B" \
		'.ociVersion and .id == "c1" and (.pid | tostring) == $p and .bundle == $b and .created'
	bg start c1
	for _ in $(seq 50); do [[ -e $B/rootfs/started ]] && break; sleep 0.05; done
	[[ -e $B/rootfs/started ]]
	[[ $(status_of c1) == running ]]
	# the container's PID 1 is the payload, in the cgroup asked for
	[[ $(cat /proc/"$pid"/comm) == sleep ]]
	grep -qx "$pid" /sys/fs/cgroup/memory/"$CG"/c1/cgroup.procs
	run -1 oci start c1
	[[ $output == *"cannot start an already running container"* ]]
	run -1 oci delete c1
	[[ $output == *"cannot delete container c1 that is not stopped: running"* ]]
	run -0 oci kill c1 KILL
	for _ in $(seq 50); do [[ $(status_of c1) == stopped ]] && break; sleep 0.05; done
	[[ $(status_of c1) == stopped ]]
	run -1 oci start c1
	[[ $output == *"cannot start a container that has stopped"* ]]
	run -0 oci delete c1
	[[ -z $(ls -A "$R") ]]
	[[ ! -d /sys/fs/cgroup/memory/$CG/c1 ]]
	run -1 oci state c1
	[[ $output == *"container does not exist"* ]]
}

@test "delete of a created container kills it; delete --force of a running one" {
	args sleep 60
	bg create --bundle "$B" c1
	pid=$(oci state c1 | jq .pid)
	run -0 oci delete c1
	[[ ! -d /proc/$pid ]] || [[ $(awk '/^State:/ {print $2}' /proc/"$pid"/status) == Z ]]
	ID=c2 args sleep 60
	bg create --bundle "$B" c2
	bg start c2
	run -0 oci delete --force c2
	run -1 oci state c2
	run -0 oci delete --force nope
}

@test "run: the payload's output and exit code; --detach" {
	args sh -c 'echo out; echo err >&2; exit 7'
	run --separate-stderr -7 oci run --bundle "$B" c1
	[[ $output == out && $stderr == err ]]
	run -1 oci state c1
	ID=c2 args sleep 60
	bg run --detach --bundle "$B" c2
	[[ $(status_of c2) == running ]]
	oci kill c2 9
}

@test "exec: args and --process, in the container's namespaces, exit code" {
	args sleep 60
	bg run -d --bundle "$B" c1
	run -0 oci exec c1 sh -c 'cat /proc/1/comm; echo "[$FOO]"; pwd; id -u'
	[[ ${lines[0]} == sleep && ${lines[1]} == "[]" && ${lines[2]} == / && ${lines[3]} == 0 ]]
	run -0 oci exec --env FOO=bar --cwd /tmp --user 1000:1000 c1 sh -c 'echo $FOO; pwd; id -u'
	[[ ${lines[0]} == bar && ${lines[1]} == /tmp && ${lines[2]} == 1000 ]]
	run -3 oci exec c1 sh -c 'exit 3'
	jq -n '{args: ["sh", "-c", "echo from process.json; exit 4"], cwd: "/", env: ["PATH=/bin"], user: {uid: 0, gid: 0}}' \
		>"$BATS_TEST_TMPDIR/p.json"
	run -4 oci exec --process "$BATS_TEST_TMPDIR/p.json" c1
	[[ $output == "from process.json" ]]
	bg exec -d --pid-file "$BATS_TEST_TMPDIR/epid" c1 sleep 30
	[[ -d /proc/$(cat "$BATS_TEST_TMPDIR/epid") ]]
	oci kill c1 9
	for _ in $(seq 50); do [[ $(status_of c1) == stopped ]] && break; sleep 0.05; done
	run -1 oci exec c1 true
	[[ $output == *"cannot exec in a stopped container"* ]]
}

@test "ps and list" {
	args sleep 60
	bg run -d --bundle "$B" c1
	pid=$(oci state c1 | jq .pid)
	run -0 oci ps --format json c1
	[[ $output == "[$pid]" ]]
	run -0 oci ps c1
	[[ ${lines[0]} == *PID* && ${lines[1]} == *" $pid "*sleep* ]]
	run -0 oci list
	[[ ${lines[0]} =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]]
	[[ ${lines[1]} =~ ^c1\ +$pid\ +running\ +$B\ + ]]
	run -0 oci list -q
	[[ $output == c1 ]]
	oci list --format json | jq -e '.[0].id == "c1" and .[0].status == "running"'
	run -0 ctr-oci --root "$BATS_TEST_TMPDIR/empty" list --format json
	[[ $output == null ]]
	oci kill --all c1 KILL
}

@test "seccomp: the filter applies to run and exec, compiled once into the cache" {
	args sh -c 'mkdir /x || echo denied'
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
	run -0 oci run --bundle "$B" c1
	[[ $output == *denied* && ! -e $B/rootfs/x ]]
	[[ $(ls "$CTR_OCI_CACHE"/cache/seccomp | wc -l) == 1 ]]
	ID=c2 args sleep 60
	bg run -d --bundle "$B" c2
	run -0 oci exec c2 sh -c 'mkdir /y || echo denied'
	[[ $output == *denied* ]]
	[[ $(ls "$CTR_OCI_CACHE"/cache/seccomp | wc -l) == 1 ]]
	oci delete -f c2
}

@test "update: runc's flags and a resources document change the cgroup" {
	args sleep 60
	bg run -d --bundle "$B" c1
	oci update --memory 64m --cpu-quota 50000 --cpu-period 100000 c1
	[[ $(cat /sys/fs/cgroup/memory/"$CG"/c1/memory.limit_in_bytes) == 67108864 ]]
	[[ $(cat /sys/fs/cgroup/cpu/"$CG"/c1/cpu.cfs_quota_us) == 50000 ]]
	echo '{"pids": {"limit": 42}}' | oci update --resources - c1
	[[ $(cat /sys/fs/cgroup/pids/"$CG"/c1/pids.max) == 42 ]]
	run -1 oci update --memory lots c1
	[[ $output == *"invalid value for memory"* ]]
	oci delete -f c1
	run -1 oci update --memory 64m c1
	[[ $output == *"container does not exist"* ]]
}

@test "events: --stats once, and an OOM kill reported" {
	args sleep 60
	bg run -d --bundle "$B" c1
	run -0 oci events --stats c1
	jq -e '.type == "stats" and .id == "c1" and .data.pids.current == 1 and .data.memory.usage.usage > 0
		and .data.cpu.usage.total > 0' <<<"$output"
	oci delete -f c1
	ID=c2 args sh -c 'sleep 0.5; x=a; while :; do x=$x$x; done'
	cfg '.linux.resources.memory = {limit: 16777216}'
	bg run -d --bundle "$B" c2
	run -0 oci events --interval 100ms c2
	grep -q '"type":"oom"' <<<"$output"
	run -1 oci events --stats c2
	[[ $output == *"is not running"* ]]
	run -1 oci checkpoint c2
	[[ $output == *"CRIU"* ]]
}

@test "seccomp: flags, and SCMP_ACT_NOTIFY's listener handed to the agent at listenerPath" {
	local sock=$BATS_TEST_TMPDIR/agent.sock
	args sh -c 'mkdir /x; echo "rc=$?"'
	cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", flags: [\"SECCOMP_FILTER_FLAG_LOG\"],
		listenerPath: \"$sock\", listenerMetadata: \"meta1\",
		syscalls: [{names: [\"mkdir\", \"mkdirat\"], action: \"SCMP_ACT_NOTIFY\"}]}"
	# the agent: takes the fd, answers the first notification with ENOSPC
	python3 - "$sock" >"$BATS_TEST_TMPDIR/agent.out" <<-'EOF' &
		import fcntl, json, socket, struct, sys
		s = socket.socket(socket.AF_UNIX)
		s.bind(sys.argv[1]); s.listen(1)
		c, _ = s.accept()
		msg, fds, _, _ = socket.recv_fds(c, 4096, 1)
		st = json.loads(msg)
		print("state", st["fds"], st["metadata"], st["state"]["id"], flush=True)
		req = bytearray(80)
		fcntl.ioctl(fds[0], 0xc0502100, req)
		nid, pid, flags, nr = struct.unpack_from("QIIi", req)
		print("nr", nr, flush=True)
		fcntl.ioctl(fds[0], 0xc0182101, struct.pack("QqiI", nid, 0, -28, 0))
	EOF
	local agent=$!
	for _ in $(seq 50); do [[ -S $sock ]] && break; sleep 0.05; done
	run -0 oci run --bundle "$B" c1
	wait "$agent"
	[[ $output == *"No space left on device"*"rc=1"* ]]
	run cat "$BATS_TEST_TMPDIR/agent.out"
	[[ ${lines[0]} == "state ['seccompFd'] meta1 c1" ]]
	[[ ${lines[1]} =~ ^nr\ (83|258)$ ]]
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}'
	run -1 oci run --bundle "$B" c2
	[[ $output == *"SCMP_ACT_NOTIFY needs a listenerPath"* ]]
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_NOPE"]}'
	run -1 oci run --bundle "$B" c3
	[[ $output == *"flags: SECCOMP_FILTER_FLAG_NOPE: unknown"* ]]
}

@test "pause and resume: the freezer; delete -f of a paused container" {
	args sleep 60
	bg run -d --bundle "$B" c1
	run -1 oci resume c1
	[[ $output == *"container not paused"* ]]
	oci pause c1
	[[ $(status_of c1) == paused ]]
	[[ $(cat /sys/fs/cgroup/freezer/"$CG"/c1/freezer.state) == FROZEN ]]
	run -1 oci delete c1
	[[ $output == *"that is not stopped: paused"* ]]
	oci resume c1
	[[ $(status_of c1) == running ]]
	oci pause c1
	oci delete -f c1
	run -1 oci state c1
	run -1 oci pause c1
}

@test "hooks run in order with the state on stdin; poststop at delete" {
	local log=$BATS_TEST_TMPDIR/hooks.log h hooks='{}'
	for h in prestart createRuntime createContainer poststart poststop; do
		hooks=$(jq -c --arg h "$h" --arg log "$log" \
			'.[$h] = [{path: "/bin/sh", args: ["sh", "-c", "read -r s; echo \"\($h) $s\" >>\($log)"]}]' <<<"$hooks")
	done
	# startContainer runs in the container: its path and files are the container's
	hooks=$(jq -c '.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "cat >/start-state"]}]' <<<"$hooks")
	args sleep 60
	cfg ".hooks = $hooks"
	bg create --bundle "$B" c1
	run -0 cut -d' ' -f1 "$log"
	[[ $output == "prestart"$'\n'"createRuntime"$'\n'"createContainer" ]]
	pid=$(oci state c1 | jq .pid)
	grep "^createRuntime " "$log" | cut -d' ' -f2- | jq -e --arg p "$pid" '.id == "c1" and (.pid | tostring) == $p'
	bg start c1
	for _ in $(seq 50); do [[ -s $B/rootfs/start-state ]] && break; sleep 0.05; done
	jq -e '.id == "c1"' "$B/rootfs/start-state"
	run -0 cut -d' ' -f1 "$log"
	[[ ${lines[3]} == poststart ]]
	oci kill c1 KILL
	for _ in $(seq 50); do [[ $(status_of c1) == stopped ]] && break; sleep 0.05; done
	oci delete c1
	run -0 tail -n1 "$log"
	[[ $output == "poststop "* ]]
}

@test "a failing prestart hook fails the create and leaves nothing" {
	args sleep 60
	cfg '.hooks = {prestart: [{path: "/bin/false"}]}'
	run -1 oci create --bundle "$B" c1
	[[ $output == *"prestart hook /bin/false: exit status 1"* ]]
	run -1 oci state c1
	[[ ! -d /sys/fs/cgroup/memory/$CG/c1 ]]
}

@test "--console-socket: the master of a pty of the container's devpts" {
	local sock=$BATS_TEST_TMPDIR/console.sock
	args sh -c 'tty; echo typed: $(head -n1)'
	cfg '.process.terminal = true'
	python3 - "$sock" >"$BATS_TEST_TMPDIR/console.out" <<-'EOF' &
		import os, socket, sys
		s = socket.socket(socket.AF_UNIX)
		s.bind(sys.argv[1]); s.listen(1)
		c, _ = s.accept()
		msg, fds, _, _ = socket.recv_fds(c, 256, 1)
		print("name", msg.decode(), flush=True)
		m = fds[0]
		os.write(m, b"hello\n")
		out = b""
		while True:
		    try:
		        d = os.read(m, 1024)
		    except OSError:
		        break
		    if not d:
		        break
		    out += d
		print(out.decode().replace("\r", ""), flush=True)
	EOF
	local py=$!
	for _ in $(seq 50); do [[ -S $sock ]] && break; sleep 0.05; done
	bg create --bundle "$B" --console-socket "$sock" c1
	bg start c1
	wait "$py"
	run cat "$BATS_TEST_TMPDIR/console.out"
	[[ ${lines[0]} == "name /dev/pts/0" ]]
	[[ $output == *"/dev/pts/0"*"typed: hello"* ]]
	run -1 oci create --bundle "$B" c2
	[[ $output == *"cannot allocate tty if runc will detach without setting console socket"* ]]
}

@test "--preserve-fds passes the caller's fds 3..N" {
	args sh -c 'cat <&3; cat <&4'
	echo three >"$BATS_TEST_TMPDIR/three"
	echo four >"$BATS_TEST_TMPDIR/four"
	run -0 oci run --preserve-fds 2 --bundle "$B" c1 3<"$BATS_TEST_TMPDIR/three" 4<"$BATS_TEST_TMPDIR/four"
	[[ $output == three$'\n'four ]]
	ID=c2 args sh -c 'cat <&3'
	run -1 oci run --bundle "$B" c2 3<"$BATS_TEST_TMPDIR/three"
}

@test "the waiting process is a sealed copy, not the binary on disk" {
	args sleep 60
	bg create --bundle "$B" c1
	pid=$(oci state c1 | jq .pid)
	exe=$(readlink /proc/"$pid"/exe)
	[[ $exe == /memfd:* ]]
	[[ $(awk '/^Uid:/ {print $2}' /proc/"$pid"/status) == 0 ]]
	oci delete c1
}

@test "--systemd-cgroup maps slice:prefix:name onto systemd's cgroupfs path" {
	# each dash of a slice's name is a level: S.slice/S-b.slice
	local s=bxoci$$ d
	args sleep 60
	cfg ".linux.cgroupsPath = \"$s-b.slice:box:c1\""
	bg --systemd-cgroup run -d --bundle "$B" c1
	pid=$(oci state c1 | jq .pid)
	d=$s.slice/$s-b.slice/box-c1.scope
	grep -qx "$pid" "/sys/fs/cgroup/memory/$d/cgroup.procs"
	oci delete -f c1
	[[ ! -d /sys/fs/cgroup/memory/$d ]]
	rmdir /sys/fs/cgroup/*/"$s.slice/$s-b.slice" /sys/fs/cgroup/*/"$s.slice" 2>/dev/null || true
}

@test "personality, ioPriority and scheduler apply; intelRdt is refused" {
	args sh -c 'uname -m; grep ^policy /proc/self/sched; ionice'
	cfg '.linux.personality = {domain: "LINUX32"} | .process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 6}
		| .process.scheduler = {policy: "SCHED_BATCH", nice: 5}'
	run -0 oci run --bundle "$B" c1
	[[ ${lines[0]} == i686 ]]
	[[ ${lines[1]} =~ ^policy\ +:\ +3$ ]]
	[[ ${lines[2]} == "best-effort: prio 6" ]]
	cfg '.linux.intelRdt = {closID: "x"}'
	run -1 oci run --bundle "$B" c2
	[[ $output == *"linux.intelRdt: Intel RDT (resctrl) is not supported"* ]]
	cfg 'del(.linux.intelRdt) | .process.scheduler = {policy: "SCHED_NOPE"}'
	run -1 oci run --bundle "$B" c3
	[[ $output == *"process.scheduler.policy: SCHED_NOPE: unknown"* ]]
}

@test "PID and mount namespaces joined by path" {
	unshare --pid --mount --fork sleep 60 &
	local holder=$! ns
	for _ in $(seq 50); do ns=$(pgrep -P "$holder" sleep) && break; sleep 0.05; done
	args sh -c 'readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt'
	cfg "(.linux.namespaces |= map(select(.type != \"pid\" and .type != \"mount\")))
		+ {} | .linux.namespaces += [{type: \"pid\", path: \"/proc/$ns/ns/pid\"}, {type: \"mount\", path: \"/proc/$ns/ns/mnt\"}]"
	run -0 oci run --bundle "$B" c1
	[[ ${lines[0]} == "$(readlink /proc/"$ns"/ns/pid)" && ${lines[1]} == "$(readlink /proc/"$ns"/ns/mnt)" ]]
	kill "$holder"
}

@test "no mount namespace: runc's chroot, the mounts in ours until delete" {
	args sh -c 'readlink /proc/self/ns/mnt; ls /bin/busybox; exec sleep 60'
	cfg '.linux.namespaces |= map(select(.type != "mount"))'
	bg run -d --bundle "$B" c1
	pid=$(oci state c1 | jq .pid)
	[[ $(readlink /proc/"$pid"/ns/mnt) == "$(readlink /proc/self/ns/mnt)" ]]
	[[ $(readlink /proc/"$pid"/root) == "$B/rootfs" ]]
	grep -q " $B/rootfs/proc proc " /proc/self/mounts
	oci delete -f c1
	run ! grep -q " $B/rootfs" /proc/self/mounts
	# run: removed at its end too
	args true
	run -0 oci run --bundle "$B" c2
	run ! grep -q " $B/rootfs" /proc/self/mounts
}

@test "bad input: runc's words and exit codes, nothing made" {
	run -3 ctr-oci --root "$R" frobnicate
	[[ $output == *"No help topic for 'frobnicate'"* ]]
	run -1 oci list --bogus
	[[ $output == *"flag provided but not defined: --bogus"* ]]
	run -1 oci state nope
	[[ $output == *'level=error msg="container does not exist"'* ]]
	cfg '.process.args = "sh"'
	run -1 oci create --bundle "$B" c1
	[[ $output == *"process.args"* ]]
	[[ ! -e $R/c1 ]]
	args sleep 60
	bg create --bundle "$B" c1
	run -1 oci create --bundle "$B" c1
	[[ $output == *"container with id exists: c1"* ]]
	run -1 oci create --bundle "$B" 'bad/id'
	[[ $output == *"invalid id format"* ]]
	run -1 oci kill c1 NOPE
	[[ $output == *'unknown signal \"NOPE\"'* ]]
	oci delete c1
}

@test "--log --log-format json: errors as the shim reads them" {
	run -1 ctr-oci --root "$R" --log "$BATS_TEST_TMPDIR/log.json" --log-format json state nope
	[[ $output == "container does not exist" ]]
	jq -e '.level == "error" and .msg == "container does not exist" and .time' "$BATS_TEST_TMPDIR/log.json"
}

# userns HOSTID: a user namespace of the container's own, ids 0-65535
# mapped from HOSTID on; the rootfs owned by its root (as a chowned copy
# or an idmapped layer would be)
userns () {
	cfg ".linux.namespaces += [{type: \"user\"}]
		| .linux.uidMappings = [{containerID: 0, hostID: $1, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $1, size: 65536}]"
	chown -R "$1:$1" "$B/rootfs"
}

@test "user namespace: root inside is the mapped uid outside; devices bound; exec joins it" {
	local vol=$BATS_TEST_TMPDIR/vol pid epid
	mkdir -m 1777 "$vol"
	args sh -c 'touch /vol/made; exec sleep 60'
	userns 100000
	cfg ".mounts += [{destination: \"/vol\", type: \"bind\", source: \"$vol\", options: [\"rbind\"]}]"
	bg run -d --bundle "$B" c1
	pid=$(oci state c1 | jq .pid)
	[[ $(awk '/^Uid:/ {print $2}' /proc/"$pid"/status) == 100000 ]]
	[[ $(awk '/^Gid:/ {print $2}' /proc/"$pid"/status) == 100000 ]]
	[[ $(awk '{print $1, $2, $3}' /proc/"$pid"/uid_map) == "0 100000 65536" ]]
	[[ $(awk '{print $1, $2, $3}' /proc/"$pid"/gid_map) == "0 100000 65536" ]]
	for _ in $(seq 50); do [[ -e $vol/made ]] && break; sleep 0.05; done
	[[ $(stat -c %u:%g "$vol/made") == 100000:100000 ]]
	run -0 oci exec c1 sh -c 'id -u; id -g; cat /proc/self/uid_map; readlink /proc/self/ns/user; stat -c "%t,%T %u" /dev/null'
	[[ ${lines[0]} == 0 && ${lines[1]} == 0 ]]
	[[ $(echo "${lines[2]}" | awk '{print $1, $2, $3}') == "0 100000 65536" ]]
	[[ ${lines[3]} == "$(readlink /proc/"$pid"/ns/user)" ]]
	# the host's node, bound: mknod is refused in a user namespace
	[[ ${lines[4]} == "1,3 65534" ]]
	bg exec -d --pid-file "$BATS_TEST_TMPDIR/epid" c1 sleep 30
	epid=$(cat "$BATS_TEST_TMPDIR/epid")
	[[ $(awk '/^Uid:/ {print $2}' /proc/"$epid"/status) == 100000 ]]
	oci delete -f c1
}

@test "user namespace: create waits, start releases it; bad mappings name the key" {
	args sh -c 'id -u >/tmp/id; exec sleep 60'
	userns 100000
	cfg '.root.readonly = false'
	bg create --bundle "$B" c1
	[[ $(status_of c1) == created ]]
	bg start c1
	for _ in $(seq 50); do [[ -s $B/rootfs/tmp/id ]] && break; sleep 0.05; done
	[[ $(cat "$B/rootfs/tmp/id") == 0 && $(stat -c %u "$B/rootfs/tmp/id") == 100000 ]]
	oci delete -f c1
	cfg '.linux.uidMappings[0].size = 0'
	run -1 oci run --bundle "$B" c2
	[[ $output == *"config.json: linux.uidMappings[0].size: a count from 1 needed"* ]]
	cfg '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 10}, {containerID: 5, hostID: 200000, size: 10}]'
	run -1 oci run --bundle "$B" c2
	[[ $output == *"config.json: linux.uidMappings[1]: overlaps linux.uidMappings[0]"* ]]
	cfg '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] | del(.linux.gidMappings)'
	run -1 oci run --bundle "$B" c2
	[[ $output == *"config.json: linux.gidMappings: missing: a user namespace of its own needs it"* ]]
	cfg '.linux.namespaces |= map(select(.type != "user"))'
	run -1 oci run --bundle "$B" c2
	[[ $output == *"config.json: linux.uidMappings: given, but linux.namespaces has no user namespace"* ]]
	[[ -z $(ls -A "$R") ]]
}

@test "idmap: a bind mount idmapped with the container's maps shows the host's root as root" {
	local vol=$BATS_TEST_TMPDIR/vol
	mkdir "$vol"
	echo x >"$vol/f"
	args sh -c 'stat -c %u /idm/f /plain/f; touch /idm/new'
	userns 100000
	cfg ".mounts += [{destination: \"/idm\", type: \"bind\", source: \"$vol\", options: [\"bind\", \"idmap\"]},
		{destination: \"/plain\", type: \"bind\", source: \"$vol\", options: [\"bind\"]}]"
	run -0 oci run --bundle "$B" c1
	[[ ${lines[0]} == 0 && ${lines[1]} == 65534 ]]
	# made by the container's root, through the idmapped mount: the host's root
	[[ $(stat -c %u "$vol/new") == 0 ]]
	cfg '.mounts[-1].options = ["bind", "idmap"] | .mounts[-1].uidMappings = [{containerID: 0, hostID: 100000, size: 1}]'
	run -1 oci run --bundle "$B" c2
	[[ $output == *"idmap: both uidMappings and gidMappings needed"* ]]
	cfg '.mounts[-1] = {destination: "/t", type: "tmpfs", source: "tmpfs", options: ["idmap"]}'
	run -1 oci run --bundle "$B" c2
	[[ $output == *"config.json: mounts["*"] (/t): idmap: only bind mounts can be idmapped"* ]]
}

@test "timeOffsets: the time namespace's clocks are set before the payload enters it" {
	args sleep 60
	cfg '.linux.namespaces += [{type: "time"}] | .linux.timeOffsets = {monotonic: {secs: 3600, nanosecs: 5}, boottime: {secs: 864000}}'
	bg run -d --bundle "$B" c1
	run -0 oci exec c1 sh -c 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime; readlink /proc/self/ns/time'
	[[ $(echo "${lines[0]}" | tr -s ' ') == "monotonic 3600 5" && $(echo "${lines[1]}" | tr -s ' ') == "boottime 864000 0" ]]
	(( lines[2] >= 864000 + $(cut -d. -f1 /proc/uptime) - 5 ))
	# the payload itself, not only what exec joins
	[[ ${lines[3]} != "$(readlink /proc/self/ns/time)" ]]
	[[ ${lines[3]} == "$(readlink /proc/"$(oci state c1 | jq .pid)"/ns/time)" ]]
	oci delete -f c1
	cfg '.linux.timeOffsets = {realtime: {secs: 1}}'
	run -1 oci run --bundle "$B" c2
	[[ $output == *"config.json: linux.timeOffsets.realtime: unknown clock (monotonic, boottime)"* ]]
	cfg '.linux.timeOffsets = {monotonic: {secs: 1}} | .linux.namespaces |= map(select(.type != "time"))'
	run -1 oci run --bundle "$B" c2
	[[ $output == *"config.json: linux.timeOffsets: given, but linux.namespaces has no time namespace of its own"* ]]
}

# as_user CMD...: CMD as uid and gid 4242, no passwd entry, no groups
as_user () {
	setpriv --reuid 4242 --regid 4242 --clear-groups env CTR_OCI_CACHE="$RL/cache" PATH="$RL/bin:$PATH" "$@"
}

@test "--rootless: spec --rootless runs as an unprivileged user, without the cgroup it may not make" {
	# a directory that user can reach (the test's own is root's, 0700)
	RL=$(mktemp -d /tmp/ctr-oci-rootless.XXXXXX)
	chmod 755 "$RL"
	mkdir "$RL/b" "$RL/bin"
	# the program where that user can run it: the checkout may be under a
	# directory only root may enter (a mktemp -d, /root)
	cp "$(command -v ctr-oci)" "$RL/bin/"
	cp -a "$B/rootfs" "$RL/b/rootfs"
	chown -R 4242:4242 "$RL"
	as_user ctr-oci spec --rootless --bundle "$RL/b"
	jq '.process.terminal = false | .process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map; ls /sys/kernel >/dev/null && echo sys"]
		| .linux.cgroupsPath = "/'"$CG"'/r"' "$RL/b/config.json" >"$RL/c"
	mv "$RL/c" "$RL/b/config.json"
	jq -e '(.linux.namespaces | map(.type) | index("user") and (index("network") | not))
		and .linux.uidMappings == [{containerID: 0, hostID: 4242, size: 1}] and (.linux.resources | not)' \
		"$RL/b/config.json"
	run -0 as_user ctr-oci --root "$RL/state" run --bundle "$RL/b" r1
	[[ ${lines[0]} == 0 && $(echo "${lines[1]}" | tr -s ' ') == " 0 4242 1" && ${lines[2]} == sys ]]
	run -1 as_user ctr-oci --root "$RL/state" --rootless false run --bundle "$RL/b" r2
	[[ $output == *"Permission denied"* ]]
	jq '.linux.resources = {pids: {limit: 10}}' "$RL/b/config.json" >"$RL/c"
	mv "$RL/c" "$RL/b/config.json"
	run -1 as_user ctr-oci --root "$RL/state" run --bundle "$RL/b" r3
	[[ $output == *"cannot set limits: container could not join or create cgroup"* ]]
	[[ -z $(ls -A "$RL/state") ]]
}

@test "user namespace joined by path: the container's new namespaces belong to it; exec joins it" {
	local holder ns pid
	unshare --user sleep 60 &
	holder=$!
	for _ in $(seq 50); do ns=$(pgrep -P "$holder" sleep || echo "$holder") && [[ $(readlink /proc/"$ns"/ns/user) != "$(readlink /proc/self/ns/user)" ]] && break; sleep 0.05; done
	echo "0 100000 65536" >/proc/"$ns"/uid_map
	echo "0 100000 65536" >/proc/"$ns"/gid_map
	args sh -c 'readlink /proc/self/ns/user; id -u; echo $$; exec sleep 60'
	chown -R 100000:100000 "$B/rootfs"
	cfg ".linux.namespaces += [{type: \"user\", path: \"/proc/$ns/ns/user\"}]"
	bg run -d --bundle "$B" c1
	pid=$(oci state c1 | jq .pid)
	[[ $(readlink /proc/"$pid"/ns/user) == "$(readlink /proc/"$ns"/ns/user)" ]]
	[[ $(awk '/^Uid:/ {print $2}' /proc/"$pid"/status) == 100000 ]]
	# its mount and PID namespaces were made inside it: proc mounted, PID 1
	run -0 oci exec c1 sh -c 'readlink /proc/self/ns/user; id -u; cat /proc/1/comm'
	[[ ${lines[0]} == "$(readlink /proc/"$ns"/ns/user)" && ${lines[1]} == 0 && ${lines[2]} == sleep ]]
	oci delete -f c1
	kill "$holder"
}

@test "user namespace without a network namespace: the host's sysfs bound, as crun" {
	args sh -c 'ls /sys/class/net | grep -qx lo && echo sys; grep " /sys " /proc/self/mounts | cut -d" " -f2,3'
	userns 100000
	cfg '.linux.namespaces |= map(select(.type != "network"))'
	run -0 oci run --bundle "$B" c1
	[[ ${lines[0]} == sys && ${lines[1]} == "/sys sysfs" ]]
}

@test "--no-pivot: the root moved over / and chrooted into" {
	args sh -c 'ls /bin/busybox; readlink /proc/1/root; cut -d" " -f4,5 /proc/self/mountinfo | grep " /$"'
	run -0 oci run --no-pivot --bundle "$B" c1
	[[ ${lines[0]} == /bin/busybox && ${lines[1]} == / && ${lines[2]} == "$B/rootfs /" ]]
}
