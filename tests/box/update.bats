#!/usr/bin/env bats
# box update (ctr-create --update): a running container's cgroup files and
# its create.json and config.json change together; a stopped one's files,
# which its next start applies; Docker's refusals, words and exit codes.

load ../helpers

setup () {
	box_setup_small
}

teardown () {
	box_teardown
}

cg () {
	cat "/sys/fs/cgroup/$1/box/$ID/$2"
}

res () {
	jq -c ".linux.resources.$1" "$BOX_ROOT/containers/$ID/config.json"
}

@test "a running container: cgroup files, HostConfig and config.json change; the names printed as given" {
	ID=$(box run -d --name up1 --network none -m 64m small sleep 60)
	run -0 box update --cpus 0.5 -m 128m --memory-swap 256m --memory-reservation 10m --pids-limit 50 \
		--cpuset-cpus 0 --cpuset-mems 0 -c 256 --restart on-failure:3 up1 "${ID:0:12}"
	[[ $output == $'up1\n'"${ID:0:12}" ]]
	[[ $(cg cpu cpu.cfs_quota_us) == 50000 && $(cg cpu cpu.cfs_period_us) == 100000 && $(cg cpu cpu.shares) == 256 ]]
	[[ $(cg memory memory.limit_in_bytes) == 134217728 && $(cg memory memory.soft_limit_in_bytes) == 10485760 ]]
	[[ $(cg memory memory.memsw.limit_in_bytes) == 268435456 ]]
	[[ $(cg pids pids.max) == 50 && $(cg cpuset cpuset.cpus) == 0 && $(cg cpuset cpuset.mems) == 0 ]]
	# the effect: the container cannot have more than 50 tasks now
	run box exec up1 sh -c 'for n in $(seq 60); do sleep 5 & done; wait'
	[[ $output == *"can't fork"* ]]
	[[ $(cg pids pids.events) == "max "[1-9]* ]]
	run -0 box inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpusetCpus}} {{.HostConfig.CpusetMems}} {{.HostConfig.CpuShares}} {{json .HostConfig.RestartPolicy}}' up1
	[[ $output == '500000000 134217728 268435456 10485760 50 0 0 256 {"Name":"on-failure","MaximumRetryCount":3}' ]]
	[[ $(res memory) == '{"limit":134217728,"swap":268435456,"reservation":10485760}' ]]
	[[ $(res cpu) == '{"shares":256,"quota":50000,"period":100000,"cpus":"0","mems":"0"}' ]]
	[[ $(res pids) == '{"limit":50}' ]]
	# unlimited again
	run -0 box update --pids-limit -1 up1
	[[ $(cg pids pids.max) == max && $(box inspect -f '{{json .HostConfig.PidsLimit}}' up1) == null ]]
	[[ $(res pids) == null ]]
	# swap unlimited again
	run -0 box update --memory-swap -1 -m 100m up1
	[[ $(cg memory memory.memsw.limit_in_bytes) == 9223372036854771712 && $(cg memory memory.limit_in_bytes) == 104857600 ]]
	[[ $(box inspect -f "{{.HostConfig.MemorySwap}}" up1) == -1 ]]
}

@test "a stopped container: its files change, and its next start has the new limits" {
	ID=$(box create --name up2 --network none small sleep 60)
	run -0 box update --cpu-quota 30000 --cpu-period 60000 --memory-swap 200m -m 100m up2
	[[ $output == up2 ]]
	[[ $(box inspect -f '{{.HostConfig.CpuQuota}} {{.HostConfig.CpuPeriod}} {{.HostConfig.Memory}}' up2) == "30000 60000 104857600" ]]
	box start up2 >/dev/null
	[[ $(cg cpu cpu.cfs_quota_us) == 30000 && $(cg cpu cpu.cfs_period_us) == 60000 ]]
	[[ $(cg memory memory.limit_in_bytes) == 104857600 ]]
}

@test "Docker's refusals: conflicts with what the container has, nothing changed" {
	local before
	ID=$(box run -d --name up3 --network none --cpus 0.5 -m 64m small sleep 60)
	before=$(cat "$BOX_ROOT/containers/$ID/create.json" "$BOX_ROOT/containers/$ID/config.json")
	run -1 box update --cpu-quota 20000 up3
	[[ $output == "Error response from daemon: Cannot update container $ID: Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set" ]]
	run -1 box update -m 512m up3
	[[ $output == "Error response from daemon: Cannot update container $ID: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time" ]]
	[[ $(cat "$BOX_ROOT/containers/$ID/create.json" "$BOX_ROOT/containers/$ID/config.json") == "$before" ]]
	[[ $(cg cpu cpu.cfs_quota_us) == 50000 && $(cg memory memory.limit_in_bytes) == 67108864 ]]
	ID=$(box create --rm --name up4 --network none small true)
	run -1 box update --restart always up4
	[[ $output == "Error response from daemon: Cannot update container $ID: Restart policy cannot be updated because AutoRemove is enabled for the container" ]]
	run -1 box update --restart nope up4
	[[ $output == "Error response from daemon: invalid restart policy 'nope'" ]]
	run -1 box update --restart always:3 up4
	[[ $output == "Error response from daemon: maximum retry count cannot be used with restart policy 'always'" ]]
	run -1 box update --restart on-failure:x up4
	[[ $output == "maximum retry count must be an integer" ]]
	run -1 box update -m 1k up4
	[[ $output == "Error response from daemon: Minimum memory limit allowed is 6MB" ]]
}

@test "a value the daemon refuses, several containers: one refusal each, a missing one named in its turn" {
	box create --name up7 --network none small true >/dev/null
	box create --name up8 --network none small true >/dev/null
	run -1 box update --restart nope nope1 up7 up8
	[[ $output == "Error response from daemon: No such container: nope1
Error response from daemon: invalid restart policy 'nope'
Error response from daemon: invalid restart policy 'nope'" ]]
	run -1 box update -m 1m up7 nope1
	[[ $output == "Error response from daemon: Minimum memory limit allowed is 6MB
Error response from daemon: No such container: nope1" ]]
	[[ $(box inspect -f '{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}' up7) == "0 no" ]]
}

@test "a limit the host cannot apply: refused, the files as they were" {
	local before
	[[ ! -e /sys/fs/cgroup/blkio/blkio.weight && ! -e /sys/fs/cgroup/blkio/box/blkio.weight ]] ||
		skip "this kernel has block I/O weights"
	ID=$(box run -d --name up5 --network none small sleep 60)
	before=$(cat "$BOX_ROOT/containers/$ID/create.json" "$BOX_ROOT/containers/$ID/config.json")
	run -1 box update --blkio-weight 300 up5
	[[ $output == "Error response from daemon: Cannot update container $ID: --blkio-weight: Your kernel does not support Block I/O weight or the cgroup is not mounted (no blkio.weight)" ]]
	[[ $(cat "$BOX_ROOT/containers/$ID/create.json" "$BOX_ROOT/containers/$ID/config.json") == "$before" ]]
	run -1 box update --kernel-memory 10m up5
	[[ ${lines[0]} == "--kernel-memory: Specifying a kernel memory limit is deprecated and will be removed in a future release." ]]
}

@test "usage: no flag, a flag docker update lacks, a bad value, a missing container among good ones" {
	box create --name up6 --network none small true >/dev/null
	run -1 box update up6
	[[ $output == "you must provide one or more flags when using this command" ]]
	run -125 box update --name x up6
	[[ $output == $'unknown flag: --name\nSee \'box update --help\'.' ]]
	run -125 box update --cpus x up6
	[[ ${lines[0]} == 'invalid argument "x" for "--cpus" flag: failed to parse x as a rational number' ]]
	run -125 box update --memory-swappiness 10 up6
	[[ ${lines[0]} == "unknown flag: --memory-swappiness" ]]
	run -1 box update --pids-limit 9 nope up6
	[[ $output == $'Error response from daemon: No such container: nope\nup6' ]]
	[[ $(box inspect -f '{{.HostConfig.PidsLimit}}' up6) == 9 ]]
	run -0 box update --help
	[[ ${lines[0]} == "Usage:  box update [OPTIONS] CONTAINER [CONTAINER...]" ]]
	run -0 box container update -c 100 up6
	[[ $output == up6 ]]
}

@test "--restart of a running container: its supervisor follows the new policy at the next exit" {
	ID=$(box run -d --name up7 --network none small sh -c 'sleep 1; exit 3')
	run -0 box update --restart always up7
	for _ in $(seq 100); do
		[[ $(box inspect -f '{{.RestartCount}}' up7) -ge 1 ]] && break
		sleep 0.1
	done
	[[ $(box inspect -f '{{.RestartCount}}' up7) -ge 1 ]]
	# and back: the next exit is the last
	run -0 box update --restart no up7
	run -0 box wait up7
	[[ $output == 3 ]]
	sleep 1.5
	[[ $(box inspect -f '{{.State.Status}}' up7) == exited ]]
}
