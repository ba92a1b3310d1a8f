#!/usr/bin/env bats
# ctr-stats: the figures of a fake container's cgroups (made by the test),
# the zeros of one that does not run, usage and errors.

load ../helpers
load ../fixtures/fakectr

setup () {
	box_setup
	skip_unless_root
}
teardown () { box_teardown; }

@test "usage: a bad flag exits 2" {
	run -2 ctr-stats --bogus
	run -2 ctr-stats --format
}

@test "the pids and memory cgroups' figures; a stopped container all zero" {
	local dir id pid c
	fake_run web sleep 1000 >/dev/null
	fake_exited old 0 >/dev/null
	dir=$(fake_dir web)
	id=$(basename "$dir")
	pid=$(sed -n 's/^pid=//p' "$dir/state")
	for c in pids memory cpuacct; do
		mkdir -p "/sys/fs/cgroup/$c/box/$id"
		echo "$pid" >"/sys/fs/cgroup/$c/box/$id/cgroup.procs"
	done
	echo 32M >"/sys/fs/cgroup/memory/box/$id/memory.limit_in_bytes"
	run -0 ctr-stats --no-stream --format '{{.Name}}|{{.MemUsage}}|{{.PIDs}}|{{.NetIO}}' web old
	[[ ${lines[0]} =~ ^web\|[0-9.]+[KM]?i?B\ /\ 32MiB\|1\|0B\ /\ 0B$ ]]
	[[ ${lines[1]} == "old|0B / 0B|0|0B / 0B" ]]
	# --all lists both, newest first; without it, the running one
	run -0 ctr-stats --no-stream -a --format '{{.Name}}'
	[[ $output == "old
web" ]]
	run -0 ctr-stats --no-stream --format '{{.Name}}'
	[[ $output == web ]]
}
