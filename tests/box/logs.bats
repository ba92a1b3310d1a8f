#!/usr/bin/env bats
# box logs on a detached container: streams apart, -t, --tail, -f until
# the container stops.

load ../helpers

setup () {
	box_setup
	skip_unless_root
	store_add small docker.io/library/small:latest
}

teardown () { box_teardown; }

@test "logs: stdout and stderr apart, --tail, -t" {
	box run -d --name web --network none small sh -c 'echo one; echo two >&2; sleep 0.2; echo three' >/dev/null
	box wait web >/dev/null
	run --separate-stderr -0 box logs web
	[[ $output == $'one\nthree' && $stderr == two ]]
	run --separate-stderr -0 box logs --tail 1 web
	[[ $output == three && -z $stderr ]]
	run -0 box logs -t --tail 1 web
	[[ $output =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z\ three$ ]]
}

@test "logs -f: what comes, until the container stops" {
	box run -d --name web --network none small sh -c 'for i in 1 2 3; do echo line$i; sleep 0.3; done' >/dev/null
	run -0 timeout 20 box logs -f web
	[[ $output == $'line1\nline2\nline3' ]]
	run -0 box inspect -f '{{.State.Status}}' web
	[[ $output == exited ]]
}

@test "logs of a container never started: nothing; of a missing one: Docker's error" {
	box create --name idle --network none small true >/dev/null
	run -0 box logs idle
	[[ -z $output ]]
	run --separate-stderr -1 box logs nope
	[[ $stderr == "Error response from daemon: No such container: nope" ]]
}

@test "logs -f of a container that restarts ends with its run, not with the restart" {
	box run -d --name web --network none --restart always small sh -c 'echo hi; sleep 0.3' >/dev/null
	run -0 timeout 10 box logs -f web
	[[ ${lines[0]} == hi ]]
	# rm -f of a container between two runs: its supervisor gives up
	box rm -f web
	sleep 1
	[[ -z $(ls "$BOX_ROOT/containers") ]]
	! grep -q "$BOX_ROOT/containers" /proc/self/mountinfo
}
