#!/usr/bin/env bats
# ctr-oci under its real callers: containerd 1.6 (ctr and the runc v2
# shim, on a containerd of the test's own) and Podman with conmon, each
# compared with runc on the same image. Every test has its own
# containerd/Podman state, namespace and cgroup parent.

load ../helpers

setup () {
	box_setup
	skip_unless_root
	T=$BATS_TEST_TMPDIR
	NS=boxoci$$x${BATS_TEST_NUMBER}
	export CTR_OCI_CACHE=$T/oci-cache
	OCI=$(command -v ctr-oci)
	tar -C "$FIXTURES/small" -cf "$T/small.tar" .
}

teardown () {
	local c p
	[[ -n ${CTRD_PID-} ]] && containerd_stop
	for c in /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/*/"$NS"/*; do
		[[ -f $c/cgroup.procs ]] && xargs -r kill -KILL <"$c/cgroup.procs" 2>/dev/null
	done
	sleep 0.1
	find /sys/fs/cgroup/*/"$NS" -depth -type d -exec rmdir {} + 2>/dev/null || true
	for p in $(pgrep -f "conmon.*$T" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	box_teardown
}

# containerd_start: a containerd of our own (root, state, sockets under
# $T), without the CRI plugin; the small image imported into namespace $NS
containerd_start () {
	cat >"$T/containerd.toml" <<-EOF
		version = 2
		root = "$T/ctrd/root"
		state = "$T/ctrd/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$T/ctrd.sock"
		[ttrpc]
		  address = "$T/ctrd.sock.ttrpc"
		[debug]
		  address = "$T/ctrd-debug.sock"
		[metrics]
		  address = ""
	EOF
	containerd --config "$T/containerd.toml" >"$T/containerd.log" 2>&1 &
	CTRD_PID=$!
	for _ in $(seq 100); do
		ctr -a "$T/ctrd.sock" version >/dev/null 2>&1 && break
		sleep 0.1
	done
	c images import --base-name docker.io/library/small "$T/small.tar" >/dev/null
}

containerd_stop () {
	local t
	for t in $(c task ls -q 2>/dev/null); do
		c task kill -s KILL "$t" 2>/dev/null
		c task delete -f "$t" >/dev/null 2>&1
	done
	kill "$CTRD_PID" 2>/dev/null
	wait "$CTRD_PID" 2>/dev/null
	pkill -KILL -f "containerd-shim-runc-v2 -namespace $NS" 2>/dev/null || true
	umount -R "$T/ctrd/state" 2>/dev/null || true
	CTRD_PID=
}

# c ARGS...: ctr on our containerd, in our namespace
c () {
	ctr -a "$T/ctrd.sock" -n "$NS" "$@"
}

# crun_ RUNTIME ARGS...: ctr run with RUNTIME (ctr-oci or runc), its state
# under $T/rr-RUNTIME
crun_ () {
	local rt=$1
	shift
	c run --runc-binary "$rt" --runc-root "$T/rr-$(basename "$rt")" "$@"
}

@test "containerd: ctr run --rm, the output and the exit code as with runc" {
	containerd_start
	run --separate-stderr -3 crun_ "$OCI" --rm docker.io/library/small:latest t1 sh -c 'echo hello; id -u; exit 3'
	[[ $output == hello$'\n'0 ]]
	box_out=$output
	run --separate-stderr -3 crun_ runc --rm docker.io/library/small:latest t2 sh -c 'echo hello; id -u; exit 3'
	[[ $output == "$box_out" ]]
	# nothing left behind: the runtime's root, the cgroup
	[[ -z $(ls -A "$T/rr-ctr-oci/$NS" 2>/dev/null) ]]
	[[ ! -d /sys/fs/cgroup/memory/$NS/t1 ]]
}

@test "containerd: ctr run -t gets a terminal of the container's own" {
	containerd_start
	run -5 script -qec "ctr -a $T/ctrd.sock -n $NS run --runc-binary $OCI --runc-root $T/rr -t --rm \
		docker.io/library/small:latest t1 sh -c 'tty; exit 5'" /dev/null </dev/null
	[[ $output == *"/dev/pts/0"* ]]
}

@test "containerd: task exec, ps, pause, resume, metrics, kill, delete" {
	containerd_start
	crun_ "$OCI" -d docker.io/library/small:latest t1 sleep 60
	pid=$(c task ls | awk '$1 == "t1" { print $2 }')
	[[ $(c task ls | awk '$1 == "t1" { print $3 }') == RUNNING ]]
	run -2 c task exec --exec-id e1 t1 sh -c 'echo in exec; cat /proc/1/comm; exit 2'
	[[ $output == "in exec"$'\n'"sleep" ]]
	run -0 c task ps t1
	[[ $output == *"$pid"* ]]
	c task pause t1
	[[ $(c task ls | awk '$1 == "t1" { print $3 }') == PAUSED ]]
	run -0 ctr-oci --root "$T/rr-ctr-oci/$NS" state t1
	[[ $(jq -r .status <<<"$output") == paused ]]
	c task resume t1
	[[ $(c task ls | awk '$1 == "t1" { print $3 }') == RUNNING ]]
	run -0 c task metrics t1
	[[ $output == *memory.usage_in_bytes* ]]
	c task kill -s KILL t1
	for _ in $(seq 50); do [[ $(c task ls | awk '$1 == "t1" { print $3 }') == STOPPED ]] && break; sleep 0.1; done
	[[ $(c task ls | awk '$1 == "t1" { print $3 }') == STOPPED ]]
	c task delete t1
	c container rm t1
	[[ -z $(ls -A "$T/rr-ctr-oci/$NS" 2>/dev/null) ]]
}

@test "containerd: an OOM-killed task is reported" {
	containerd_start
	c events >"$T/events" 2>&1 &
	local ev=$!
	sleep 0.3
	run -137 crun_ "$OCI" --rm --memory-limit 16777216 docker.io/library/small:latest t1 \
		sh -c 'echo 0 >/proc/self/oom_score_adj; x=a; while :; do x=$x$x; done'
	for _ in $(seq 50); do grep -q /tasks/oom "$T/events" && break; sleep 0.1; done
	kill "$ev"
	grep -q /tasks/oom "$T/events"
}

# p RUNTIME ARGS...: podman with its own storage, cgroupfs, no network
p () {
	local rt=$1
	shift
	# box_setup's DOCKER_CONFIG has no config.json, which podman then wants
	env -u DOCKER_CONFIG podman --root "$T/pdm/root" --runroot "$T/pdm/run" --storage-driver overlay --cgroup-manager cgroupfs \
		--events-backend file --runtime "$rt" "$@"
}

# podman_load: the small image, as localhost/small:latest
podman_load () {
	p runc load -i "$T/small.tar" >/dev/null
	p runc tag localhost/latest:latest localhost/small:latest
}

# flags every podman run here needs: this host's hard NOFILE limit is below
# Podman's default 1048576, which runc and crun refuse as well
PODMAN_RUN=(--network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

@test "podman: run --rm, the output and the exit code as with runc" {
	podman_load
	run --separate-stderr -4 p "$OCI" run --rm "${PODMAN_RUN[@]}" --cgroup-parent "/$NS" localhost/small:latest \
		sh -c 'echo hi podman; cat /proc/1/comm; exit 4'
	box_out=$output
	[[ $output == "hi podman"$'\n'"sh" ]]
	run --separate-stderr -4 p runc run --rm "${PODMAN_RUN[@]}" --cgroup-parent "/$NS" localhost/small:latest \
		sh -c 'echo hi podman; cat /proc/1/comm; exit 4'
	[[ $output == "$box_out" ]]
}

@test "podman: run -d, exec (with a terminal), logs, stop, rm" {
	podman_load
	id=$(p "$OCI" run -d --name p1 "${PODMAN_RUN[@]}" --cgroup-parent "/$NS" localhost/small:latest \
		sh -c 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done')
	# podman gives a runtime it does not know no --root: ctr-oci's default
	[[ -f /run/ctr-oci/$id/state.json ]]
	run -0 p "$OCI" exec p1 sh -c 'echo exec ok; cat /proc/1/comm'
	[[ $output == "exec ok"$'\n'"sh" ]]
	run -0 p "$OCI" exec -t p1 tty
	[[ $output == /dev/pts/* ]]
	run -3 p "$OCI" exec p1 sh -c 'exit 3'
	run -0 p "$OCI" stop -t 5 p1
	run -0 p "$OCI" logs p1
	[[ $output == started$'\n'bye ]]
	[[ $(p "$OCI" inspect -f '{{.State.ExitCode}}' p1) == 0 ]]
	p "$OCI" rm p1
	[[ ! -e /run/ctr-oci/$id ]]
}

@test "podman: a container in a pod" {
	podman_load
	p "$OCI" pod create --infra=false --name pod1 >/dev/null
	run -0 p "$OCI" run --rm --pod pod1 "${PODMAN_RUN[@]}" localhost/small:latest sh -c 'echo in pod'
	[[ $output == "in pod" ]]
	p "$OCI" pod rm -f pod1 >/dev/null
}

@test "podman: --uidmap runs the container in a user namespace, as with runc" {
	podman_load
	run --separate-stderr -0 p "$OCI" run --rm "${PODMAN_RUN[@]}" --uidmap 0:300000:65536 --gidmap 0:300000:65536 \
		--cgroup-parent "/$NS" localhost/small:latest sh -c 'id -u; cat /proc/self/uid_map; ls -n /etc/passwd'
	box_out=$output
	[[ ${lines[0]} == 0 && $(echo "${lines[1]}" | tr -s ' ') == " 0 300000 65536" ]]
	# podman's chowned storage: the image's root is the container's
	[[ $(echo "${lines[2]}" | awk '{print $3}') == 0 ]]
	run --separate-stderr -0 p runc run --rm "${PODMAN_RUN[@]}" --uidmap 0:300000:65536 --gidmap 0:300000:65536 \
		--cgroup-parent "/$NS" localhost/small:latest sh -c 'id -u; cat /proc/self/uid_map; ls -n /etc/passwd'
	[[ $output == "$box_out" ]]
}
