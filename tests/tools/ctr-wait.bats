#!/usr/bin/env bats
# ctr-wait: blocks on the container's lock until the exit is recorded,
# prints each exit code in argument order (docker wait).

load ../helpers
load ../fixtures/fakectr

setup () { box_setup; }
teardown () { box_teardown; }

@test "usage" {
	run -2 ctr-wait
	run -2 ctr-wait --bogus x
}

@test "a stopped container: its exit code at once; a created one: 0" {
	fake_exited old 3 >/dev/null
	fake_ctr new >/dev/null
	run -0 ctr-wait old new
	[[ ${lines[*]} == "3 0" ]]
}

@test "a running container: waits for its end, then its code" {
	local t0 t1
	fake_run web sh -c 'sleep 0.5; exit 7' >/dev/null
	t0=$(date +%s%N)
	run -0 ctr-wait web
	t1=$(date +%s%N)
	[[ $output == 7 ]]
	(( t1 - t0 >= 300000000 ))
	# the state says so once ctr-wait returned
	grep -qx status=exited "$(fake_dir web)/state"
}

@test "several: in argument order; a missing one is Docker's error, exit 1" {
	fake_run a sh -c 'sleep 0.3; exit 1' >/dev/null
	fake_run b sh -c 'exit 2' >/dev/null
	run --separate-stderr -1 ctr-wait a nope b
	[[ ${lines[*]} == "1 2" ]]
	[[ $stderr == "Error response from daemon: No such container: nope" ]]
}

@test "a supervisor killed with SIGKILL: its lock goes, the container reads as lost (255)" {
	local mon
	fake_run web sleep 1000 >/dev/null
	mon=$(sed -n 's/^monitor=//p' "$(fake_dir web)/state")
	(sleep 0.3; kill -KILL "$mon") 3>&- &
	run -0 ctr-wait web
	[[ $output == 255 ]]
}
