#!/usr/bin/env bats
# box run's resource flags (issue 15): each one read back from the
# container's cgroup file and its effect observed, or refused with the flag
# and the reason when this host cannot apply it. This host is cgroup v1
# (blkio without BFQ: no weights); the v2 files are checked here and in
# tests/unit/cgroup.c against a directory standing in for the cgroup2 root
# ($BOX_CGROUP2_ROOT), since a cgroup2 mounted here gets no controllers
# while v1 holds them: what v2 does with them is not observed.

load ../helpers

setup () {
	box_setup_small
	LOOP=
	PARENT=
}

teardown () {
	local d
	if [[ -n $PARENT ]]; then
		for d in /sys/fs/cgroup/*/"$PARENT"; do
			[[ -d $d ]] || continue
			find "$d" -depth -mindepth 1 -type d -exec rmdir {} + 2>/dev/null || true
			rmdir "$d" 2>/dev/null || true
		done
	fi
	box_teardown
	[[ -z $LOOP ]] || losetup -d "$LOOP" 2>/dev/null || true
}

# run_d FLAGS... -- CMD...: a detached container on network none; sets ID
run_d () {
	local flags=()
	while [[ $1 != -- ]]; do
		flags+=("$1")
		shift
	done
	shift
	ID=$(box run -d --network none "${flags[@]}" small "$@")
	[[ $ID =~ ^[0-9a-f]{64}$ ]]
}

# cg CONTROLLER FILE: the container's v1 cgroup file
cg () {
	cat "/sys/fs/cgroup/$1/box/$ID/$2"
}

hc () {
	box inspect -f "{{json .HostConfig.$1}}" "$ID"
}

@test "--cpuset-cpus, --cpuset-mems: cpuset.cpus/mems, the CPUs the container may use; unavailable ones refused" {
	run_d --cpuset-cpus 1 --cpuset-mems 0 -- sleep 30
	[[ $(cg cpuset cpuset.cpus) == 1 && $(cg cpuset cpuset.mems) == 0 ]]
	run -0 box exec "$ID" grep Cpus_allowed_list /proc/self/status
	[[ $output == "Cpus_allowed_list:"*1 ]]
	[[ $(hc CpusetCpus) == '"1"' && $(hc CpusetMems) == '"0"' ]]
	box rm -f "$ID" >/dev/null
	run -125 box run --rm --network none --cpuset-cpus 0-63 small true
	[[ ${lines[0]} == "box: Error response from daemon: Requested CPUs are not available - requested 0-63, available: $(cat /sys/fs/cgroup/cpuset/cpuset.effective_cpus)." ]]
	run -125 box run --rm --network none --cpuset-mems 7 small true
	[[ ${lines[0]} == "box: Error response from daemon: Requested memory nodes are not available - requested 7, available: 0." ]]
	run -125 box run --rm --network none --cpuset-cpus 1-x small true
	[[ ${lines[0]} == "box: invalid value 1-x for cpuset cpus." ]]
}

@test "--memory-reservation: memory.soft_limit_in_bytes; --memory-swappiness: memory.swappiness" {
	run_d -m 64m --memory-reservation 32m --memory-swappiness 7 -- sleep 30
	[[ $(cg memory memory.soft_limit_in_bytes) == 33554432 ]]
	[[ $(cg memory memory.swappiness) == 7 ]]
	# seen from inside too: the container's own cgroup
	run -0 box exec "$ID" cat /sys/fs/cgroup/memory/memory.soft_limit_in_bytes /sys/fs/cgroup/memory/memory.swappiness
	[[ $output == $'33554432\n7' ]]
	[[ $(hc MemoryReservation) == 33554432 && $(hc MemorySwappiness) == 7 ]]
	run -125 box run --rm --network none --memory-swappiness 101 small true
	[[ ${lines[0]} == "box: Error response from daemon: Invalid value: 101, valid memory swappiness range is 0-100." ]]
	run -125 box run --rm --network none -m 8m --memory-reservation 16m small true
	[[ ${lines[0]} == "box: Error response from daemon: Minimum memory limit can not be less than memory reservation limit, see usage." ]]
}

@test "--oom-kill-disable: a container past its limit waits (under_oom) instead of being killed" {
	local hog='x=$(head -c 30000000 /dev/zero | tr "\0" a); echo survived'
	run_d -m 8m --memory-swap 8m --oom-kill-disable -- sh -c "$hog"
	[[ $(cg memory memory.oom_control) == *"oom_kill_disable 1"* ]]
	for _ in $(seq 100); do
		[[ $(cg memory memory.oom_control) == *"under_oom 1"* ]] && break
		sleep 0.1
	done
	[[ $(cg memory memory.oom_control) == *"under_oom 1"* ]]
	[[ $(box inspect -f '{{.State.Running}} {{.HostConfig.OomKillDisable}}' "$ID") == "true true" ]]
	box rm -f "$ID" >/dev/null
	# without it, the kernel kills it
	run -137 box run --name killed --network none -m 8m --memory-swap 8m small sh -c "$hog"
	[[ $(box inspect -f '{{.State.OOMKilled}}' killed) == true ]]
}

@test "--kernel-memory: refused with Docker's deprecation words" {
	run -125 box run --rm --network none --kernel-memory 8m small true
	[[ ${lines[0]} == "box: --kernel-memory: Specifying a kernel memory limit is deprecated and will be removed in a future release." ]]
}

@test "--cpus, --cpu-quota, --cpu-period, --cpu-shares: cpu.cfs_* and cpu.shares; a busy loop is throttled" {
	run_d --cpus 0.2 -c 512 -- sh -c 'while :; do :; done'
	[[ $(cg cpu cpu.cfs_quota_us) == 20000 && $(cg cpu cpu.cfs_period_us) == 100000 ]]
	[[ $(cg cpu cpu.shares) == 512 ]]
	sleep 0.5
	[[ $(awk '$1 == "nr_throttled" { print $2 }' "/sys/fs/cgroup/cpu/box/$ID/cpu.stat") -gt 0 ]]
	[[ $(hc NanoCpus) == 200000000 && $(hc CpuShares) == 512 ]]
	box rm -f "$ID" >/dev/null
	run_d --cpu-quota 30000 --cpu-period 60000 -- sleep 30
	[[ $(cg cpu cpu.cfs_quota_us) == 30000 && $(cg cpu cpu.cfs_period_us) == 60000 ]]
	[[ $(hc CpuQuota) == 30000 && $(hc CpuPeriod) == 60000 ]]
}

@test "--cpu-rt-runtime, --cpu-rt-period: cpu.rt_*; SCHED_FIFO works only with a real-time budget" {
	# the host's chrt, run inside the container's cgroups through a chroot
	local fifo=(--cap-add SYS_NICE -v /:/host:ro small chroot /host chrt -f 1 true)
	[[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]] || skip "kernel without CONFIG_RT_GROUP_SCHED"
	run -1 box run --rm --network none "${fifo[@]}"
	[[ $output == *"Operation not permitted"* ]]
	run -0 box run --rm --network none --cpu-rt-period 500000 --cpu-rt-runtime 10000 "${fifo[@]}"
	run_d --cpu-rt-period 500000 --cpu-rt-runtime 10000 -- sleep 30
	[[ $(cg cpu cpu.rt_period_us) == 500000 && $(cg cpu cpu.rt_runtime_us) == 10000 ]]
	[[ $(hc CpuRealtimePeriod) == 500000 && $(hc CpuRealtimeRuntime) == 10000 ]]
	# box/ holds what its containers need, and gives it back when they end
	[[ $(cat /sys/fs/cgroup/cpu/box/cpu.rt_runtime_us) -ge 20000 ]]
	box rm -f "$ID" >/dev/null
	run -125 box run --rm --network none --cpu-rt-period 1000 --cpu-rt-runtime 2000 small true
	[[ ${lines[0]} == "box: Error response from daemon: cpu real-time runtime cannot be higher than cpu real-time period." ]]
}

@test "--cgroup-parent: the container's cgroups under it, paused there, removed with the container" {
	local pid
	PARENT=boxtest-$$-$RANDOM
	run_d --cgroup-parent "$PARENT/sub" -m 32m -- sleep 30
	[[ -d /sys/fs/cgroup/memory/$PARENT/sub/$ID && -d /sys/fs/cgroup/cpu/$PARENT/sub/$ID ]]
	[[ $(cat "/sys/fs/cgroup/memory/$PARENT/sub/$ID/memory.limit_in_bytes") == 33554432 ]]
	pid=$(box inspect -f '{{.State.Pid}}' "$ID")
	grep -qx "4:memory:/$PARENT/sub/$ID\|[0-9]*:memory:/$PARENT/sub/$ID" "/proc/$pid/cgroup"
	[[ $(hc CgroupParent) == "\"$PARENT/sub\"" ]]
	# found there by pause and ps
	run -0 box pause "$ID"
	[[ $(cat "/sys/fs/cgroup/freezer/$PARENT/sub/$ID/freezer.state") == FROZEN ]]
	[[ $(box ps --format '{{.Status}}') == *"(Paused)" ]]
	run -0 box unpause "$ID"
	box rm -f "$ID" >/dev/null
	[[ ! -e /sys/fs/cgroup/memory/$PARENT/sub/$ID && ! -e /sys/fs/cgroup/cpu/$PARENT/sub/$ID ]]
	run -125 box run --rm --network none --cgroup-parent ../up small true
	[[ ${lines[0]} == "box: Error response from daemon: invalid cgroup parent: ../up." ]]
}

@test "--cgroupns: private shows the container's cgroup as /, host the host's path" {
	run -0 box run --rm --network none --cgroupns private small grep :memory: /proc/self/cgroup
	[[ $output == *":memory:/" ]]
	run -0 box run --name hostns --network none --cgroupns host small grep :memory: /proc/self/cgroup
	[[ $output == *":memory:/box/$(box inspect -f '{{.Id}}' hostns)" ]]
	[[ $(box inspect -f '{{.HostConfig.CgroupnsMode}}' hostns) == host ]]
}

@test "--cgroupns: dockerd's default, host on a v1 host; /sys/fs/cgroup shows the container's own cgroups" {
	[[ ! -e /sys/fs/cgroup/cgroup.controllers ]] || skip "a cgroup v2 host: private there, as dockerd"
	run -0 box run --name dflt --network none -m 48m small sh -c \
		'grep -c "^[0-9]*:[a-z][a-z,]*:/$" /proc/self/cgroup; grep :memory: /proc/self/cgroup
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes; ls /sys/fs/cgroup/memory/box 2>&1; true'
	# in each controller's hierarchy its own cgroup, that alone seen there
	[[ ${lines[0]} == 0 && ${lines[1]} == *":memory:/box/$(box inspect -f '{{.Id}}' dflt)" ]]
	[[ ${lines[2]} == 50331648 && ${lines[3]} == *"No such file or directory" ]]
	[[ $(box inspect -f '{{.HostConfig.CgroupnsMode}}' dflt) == host ]]
}

@test "--blkio-weight, --blkio-weight-device: refused where the kernel has no weight (no BFQ); values checked" {
	if [[ -e /sys/fs/cgroup/blkio/blkio.weight || -e /sys/fs/cgroup/blkio/blkio.bfq.weight ]]; then
		skip "this kernel has block I/O weights"
	fi
	run -125 box run --rm --network none --blkio-weight 300 small true
	[[ ${lines[0]} == "box: Error response from daemon: --blkio-weight: Your kernel does not support Block I/O weight or the cgroup is not mounted (no blkio.weight)." ]]
	run -125 box run --rm --network none --blkio-weight-device /dev/null:300 small true
	[[ ${lines[0]} == "box: Error response from daemon: --blkio-weight-device: Your kernel does not support Block I/O weight_device or the cgroup is not mounted (no blkio.weight_device)." ]]
	run -125 box run --rm --network none --blkio-weight 5 small true
	[[ ${lines[0]} == "box: Error response from daemon: Range of blkio weight is from 10 to 1000." ]]
	run -125 box run --rm --network none --blkio-weight-device /dev/null:5 small true
	[[ ${lines[0]} == 'invalid argument "/dev/null:5" for "--blkio-weight-device" flag: invalid weight for device: /dev/null:5' ]]
}

# a 64 MiB loop device for the throttle tests; sets LOOP, MAJMIN
make_loop () {
	truncate -s 64M "$BATS_TEST_TMPDIR/disk"
	LOOP=$(losetup -f --show "$BATS_TEST_TMPDIR/disk")
	MAJMIN=$(lsblk -dno MAJ:MIN "$LOOP" | tr -d ' ')
}

# dd_rate DD-ARGS...: dd in a container given $THROTTLE; how long it took
# (ns, measured from here: a container starts in well under 0.1 s)
dd_rate () {
	local s e
	s=$(date +%s%N)
	box run --rm --network none --device "$LOOP:/dev/xvda" "${THROTTLE[@]}" small dd "$@" 2>/dev/null
	e=$(date +%s%N)
	echo $((e - s))
}

@test "--device-write-bps, --device-read-bps: blkio.throttle.*; dd oflag=direct held to the rate" {
	local ns rate
	make_loop
	run_d --device-write-bps "$LOOP:1mb" --device-read-bps "$LOOP:2mb" -- sleep 30
	[[ $(cg blkio blkio.throttle.write_bps_device) == "$MAJMIN 1048576" ]]
	[[ $(cg blkio blkio.throttle.read_bps_device) == "$MAJMIN 2097152" ]]
	[[ $(hc BlkioDeviceWriteBps) == "[{\"Path\":\"$LOOP\",\"Rate\":1048576}]" ]]
	box rm -f "$ID" >/dev/null
	# 3 MiB at 1 MiB/s: 3 s, within 0.75x..1.25x of the rate
	THROTTLE=(--device-write-bps "$LOOP:1mb")
	ns=$(dd_rate if=/dev/zero of=/dev/xvda bs=64k count=48 oflag=direct)
	rate=$((3 * 1048576 * 1000000000 / ns))
	echo "write: $rate B/s in $ns ns" >&2
	((rate > 786432 && rate < 1310720))
	THROTTLE=(--device-read-bps "$LOOP:2mb")
	ns=$(dd_rate if=/dev/xvda of=/dev/null bs=64k count=96 iflag=direct)
	rate=$((6 * 1048576 * 1000000000 / ns))
	echo "read: $rate B/s in $ns ns" >&2
	((rate > 1572864 && rate < 2621440))
	# unthrottled, the same write is far faster
	THROTTLE=()
	ns=$(dd_rate if=/dev/zero of=/dev/xvda bs=64k count=48 oflag=direct)
	((ns < 1000000000))
}

@test "--device-write-iops, --device-read-iops: blkio.throttle.*_iops_device; dd held to the rate" {
	local ns iops
	make_loop
	run_d --device-write-iops "$LOOP:20" --device-read-iops "$LOOP:40" -- sleep 30
	[[ $(cg blkio blkio.throttle.write_iops_device) == "$MAJMIN 20" ]]
	[[ $(cg blkio blkio.throttle.read_iops_device) == "$MAJMIN 40" ]]
	[[ $(hc BlkioDeviceReadIOps) == "[{\"Path\":\"$LOOP\",\"Rate\":40}]" ]]
	box rm -f "$ID" >/dev/null
	# 60 writes at 20/s: 3 s
	THROTTLE=(--device-write-iops "$LOOP:20")
	ns=$(dd_rate if=/dev/zero of=/dev/xvda bs=4k count=60 oflag=direct)
	iops=$((60 * 1000000000 / ns))
	echo "write: $iops IO/s in $ns ns" >&2
	((iops >= 15 && iops <= 25))
	THROTTLE=(--device-read-iops "$LOOP:40")
	ns=$(dd_rate if=/dev/xvda of=/dev/null bs=4k count=120 iflag=direct)
	iops=$((120 * 1000000000 / ns))
	echo "read: $iops IO/s in $ns ns" >&2
	((iops >= 30 && iops <= 50))
}

@test "blkio flags: Docker's words for malformed values; a missing device" {
	run -125 box run --rm --network none --device-read-bps nope small true
	[[ ${lines[0]} == 'invalid argument "nope" for "--device-read-bps" flag: bad format: nope' ]]
	run -125 box run --rm --network none --device-write-bps sda:1mb small true
	[[ ${lines[0]} == 'invalid argument "sda:1mb" for "--device-write-bps" flag: bad format for device path: sda:1mb' ]]
	run -125 box run --rm --network none --device-read-iops /dev/sda:x small true
	[[ ${lines[0]} == 'invalid argument "/dev/sda:x" for "--device-read-iops" flag: invalid rate for device: /dev/sda:x. The correct format is <device-path>:<number>. Number must be a positive integer' ]]
	run -125 box run --rm --network none --device-write-bps /dev/nope:1mb small true
	[[ ${lines[0]} == "box: Error response from daemon: /dev/nope: No such file or directory." ]]
}

@test "cgroup v2 (a directory as its root, \$BOX_CGROUP2_ROOT): the files written, update too; v1-only flags refused" {
	export BOX_CGROUP2_ROOT=$BATS_TEST_TMPDIR/cg2
	local d
	mkdir -p "$BOX_CGROUP2_ROOT"
	run_d --cpuset-cpus 1 --cpuset-mems 0 --memory-reservation 32m --device-write-iops /dev/null:30 \
		--device-read-bps /dev/null:1mb -c 1024 -- sleep 30
	d=$BOX_CGROUP2_ROOT/box/$ID
	[[ $(cat "$d/cpuset.cpus") == 1 && $(cat "$d/cpuset.mems") == 0 && $(cat "$d/memory.low") == 33554432 ]]
	[[ $(cat "$d/cpu.weight") == 39 ]]
	# a plain file keeps the last line written: the iops throttle came after the bps one
	[[ $(cat "$d/io.max") == "1:3 wiops=30" ]]
	[[ $(cat "$BOX_CGROUP2_ROOT/box/cgroup.subtree_control") == "+memory +cpu +pids +cpuset +io" ]]
	run -0 box update --cpuset-cpus 0 -m 64m --memory-swap 96m "$ID"
	[[ $(cat "$d/cpuset.cpus") == 0 && $(cat "$d/memory.max") == 67108864 && $(cat "$d/memory.swap.max") == 33554432 ]]
	run -0 box update --memory-swap -1 -m 80m "$ID"
	[[ $(cat "$d/memory.max") == 83886080 && $(cat "$d/memory.swap.max") == max ]]
	box rm -f "$ID" >/dev/null
	[[ ! -e $d ]]
	for f in "--memory-swappiness 5" --oom-kill-disable "--cpu-rt-runtime 1000" "--cpu-rt-period 100000"; do
		# shellcheck disable=SC2086
		run -125 box run --rm --network none $f small true
		[[ ${lines[0]} == "box: Error response from daemon: ${f%% *}: not supported on cgroup v2 (no such control)." ]]
	done
}
