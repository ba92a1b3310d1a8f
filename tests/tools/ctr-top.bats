#!/usr/bin/env bats
# ctr-top: the processes of a container's pids cgroup as ps prints them;
# on a fake container whose process the test puts in a pids cgroup.

load ../helpers
load ../fixtures/fakectr

setup () {
	box_setup
	skip_unless_root
}
teardown () { box_teardown; }

@test "usage: no container exits 2" {
	run -2 ctr-top
	run -2 ctr-top --bogus x
}

@test "only the cgroup's processes; ps options after CONTAINER are ps's" {
	local dir id pid
	fake_run web sleep 1000 >/dev/null
	dir=$(fake_dir web)
	id=$(basename "$dir")
	pid=$(sed -n 's/^pid=//p' "$dir/state")
	mkdir -p "/sys/fs/cgroup/pids/box/$id"
	echo "$pid" >"/sys/fs/cgroup/pids/box/$id/cgroup.procs"
	run -0 ctr-top web -o pid,args
	[[ $output == "PID                 COMMAND
$pid$(printf '%*s' $((20 - ${#pid})) '')sleep 1000" ]]
	run -0 ctr-top web
	[[ ${#lines[@]} == 2 && ${lines[0]} == UID* ]]
}

@test "a container that does not run: Docker's error, exit 1" {
	local id
	id=$(fake_exited old 0)
	run --separate-stderr -1 ctr-top old
	[[ $stderr == "Error response from daemon: Container $id is not running" ]]
}
