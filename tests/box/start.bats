#!/usr/bin/env bats
# box start: detached by default, printing each argument; -a attached with
# the container's exit status; Docker's error for the ones that fail.

load ../helpers

setup () {
	box_setup_small
}

teardown () { box_teardown; }

@test "start prints each argument as given and runs them in the background" {
	local a
	a=$(box create --name one --network none small sleep 1000)
	box create --name two --network none small sleep 1000 >/dev/null
	run -0 box start "${a:0:8}" two
	[[ ${lines[*]} == "${a:0:8} two" ]]
	run -0 box ps --format '{{.Names}}'
	[[ ${lines[*]} == "two one" ]]
	# one that runs already counts as started, as docker start has it
	run --separate-stderr -0 box start two
	[[ $output == two && -z $stderr ]]
	box rm -f one two
}

@test "start -a: attached, with the container's exit status; a stopped container starts again" {
	box create --name job --network none small sh -c 'echo ran; exit 4' >/dev/null
	run -4 box start -a job
	[[ $output == ran ]]
	run -4 box start -a job
	run -0 box inspect -f '{{.State.ExitCode}}' job
	[[ $output == 4 ]]
	# Docker's client refuses it, in its words, exit 1
	run --separate-stderr -1 box start -a job job
	[[ $stderr == "you cannot start and attach multiple containers at once" ]]
	# the runs are in the log, as Docker's
	run -0 box logs job
	[[ $output == $'ran\nran' ]]
}

@test "start -a of a running container: attached to it from then on, its exit status" {
	box run -d --name live --network none small sh -c 'echo early; sleep 2; echo out; echo err >&2; exit 3' >/dev/null
	run --separate-stderr -3 box start -a live
	[[ $output == out && $stderr == err ]]
	run -0 box inspect -f '{{.State.ExitCode}} {{.RestartCount}}' live
	[[ $output == "3 0" ]]
}

@test "start of a missing container: Docker's summary line, exit 1" {
	box create --name good --network none small sleep 1000 >/dev/null
	run --separate-stderr -1 box start nope good
	[[ $output == good ]]
	[[ $stderr == "Error response from daemon: No such container: nope"$'\n'"Error: failed to start containers: nope" ]]
	box rm -f good
}

@test "start of a container whose command is missing: the daemon's answer, no id, exit 1" {
	box create --name bad --network none small nosuchcmd >/dev/null
	run --separate-stderr -1 box start bad
	[[ -z $output ]]
	[[ $stderr == 'Error response from daemon: exec: "nosuchcmd": executable file not found in $PATH'$'\n''Error: failed to start containers: bad' ]]
	box rm -f bad
}
