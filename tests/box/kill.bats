#!/usr/bin/env bats
# box kill: SIGKILL or -s SIGNAL; Docker's error for a container that does
# not run.

load ../helpers

setup () {
	box_setup_small
}

teardown () { box_teardown; }

@test "kill: 137 recorded when it returns; -s sends another signal" {
	box run -d --name web --network none small sleep 1000 >/dev/null
	run -0 box kill web
	[[ $output == web ]]
	run -0 box inspect -f '{{.State.Status}} {{.State.ExitCode}}' web
	[[ $output == "exited 137" ]]
	box run -d --name hup --network none small sh -c 'trap "exit 9" HUP; while :; do sleep 0.1; done' >/dev/null
	run -0 box kill -s HUP hup
	run -0 box wait hup
	[[ $output == 9 ]]
}

@test "kill of a container that does not run: Docker's error, exit 1" {
	local id
	id=$(box create --name idle --network none small true)
	run --separate-stderr -1 box kill idle
	[[ $stderr == "Error response from daemon: Cannot kill container: idle: Container $id is not running" ]]
	run --separate-stderr -1 box kill -s NOSUCH idle
}
