#!/usr/bin/env bats
# box wait: blocks until the container stops, prints its exit code.

load ../helpers

setup () {
	box_setup_small
}

teardown () { box_teardown; }

@test "wait: the exit code once the container ends; at once for a stopped one" {
	box run -d --name job --network none small sh -c 'sleep 0.5; exit 5' >/dev/null
	run -0 box wait job
	[[ $output == 5 ]]
	run -0 box ps -a --filter name=job --format '{{.Status}}'
	[[ $output == "Exited (5) "* ]]
	run -0 box wait job
	[[ $output == 5 ]]
	run --separate-stderr -1 box wait job nope
	[[ $output == 5 && $stderr == "Error response from daemon: No such container: nope" ]]
}
