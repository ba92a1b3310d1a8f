#!/usr/bin/env bats
# box stop: the stop signal, SIGKILL after -t, the argument printed, the
# exit recorded when it returns; a stopped container is not restarted by
# its restart policy.

load ../helpers

setup () {
	box_setup_small
}

teardown () { box_teardown; }

@test "stop: SIGTERM to a container that handles it; its exit recorded at once" {
	box run -d --name web --network none small sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done' >/dev/null
	run -0 box stop web
	[[ $output == web ]]
	run -0 box inspect -f '{{.State.Status}} {{.State.ExitCode}}' web
	[[ $output == "exited 7" ]]
	box rm web
}

@test "stop -t: SIGKILL when the stop signal is ignored (a shell as PID 1)" {
	local t0 t1
	box run -d --name web --network none small sh -c 'while :; do sleep 0.1; done' >/dev/null
	t0=$(date +%s%N)
	run -0 box stop -t 1 web
	t1=$(date +%s%N)
	(( t1 - t0 >= 1000000000 && t1 - t0 < 6000000000 ))
	run -0 box inspect -f '{{.State.ExitCode}}' web
	[[ $output == 137 ]]
	# stopping a stopped container is success
	run -0 box stop web
	box rm web
}

@test "--stop-signal of create is the stop signal" {
	box run -d --name web --network none --stop-signal USR1 small sh -c 'trap "exit 3" USR1; while :; do sleep 0.1; done' >/dev/null
	run -0 box stop web
	run -0 box inspect -f '{{.State.ExitCode}}' web
	[[ $output == 3 ]]
	box rm web
}

@test "a stopped container is not restarted by --restart always; a killed one is" {
	box run -d --name web --network none --restart always small sleep 1000 >/dev/null
	run -0 box kill web
	for _ in $(seq 100); do
		[[ $(box inspect -f '{{.RestartCount}} {{.State.Status}}' web) == "1 running" ]] && break
		sleep 0.1
	done
	run -0 box inspect -f '{{.RestartCount}} {{.State.Status}}' web
	[[ $output == "1 running" ]]
	run -0 box stop -t 0 web
	sleep 0.5
	run -0 box inspect -f '{{.State.Status}}' web
	[[ $output == exited ]]
	box rm -f web
}

@test "stop of a missing container: Docker's error, exit 1" {
	run --separate-stderr -1 box stop nope
	[[ $stderr == "Error response from daemon: No such container: nope" ]]
	# docker kill words a miss as a failed kill, and a bad signal its way
	run --separate-stderr -1 box kill nope
	[[ $stderr == "Error response from daemon: Cannot kill container: nope: No such container: nope" ]]
	run --separate-stderr -1 box kill -s NOPE nope
	[[ $stderr == "Error response from daemon: Invalid signal: NOPE" ]]
}

@test "stop -t that is not a number: pflag's error, its See line, exit 125" {
	run --separate-stderr -125 box stop -t x nope
	[[ $stderr == 'invalid argument "x" for "-t, --time" flag: strconv.ParseInt: parsing "x": invalid syntax'$'\n'"See 'box stop --help'." ]]
	run --separate-stderr -125 box stop -t 99999999999999999999 nope
	[[ $stderr == *'parsing "99999999999999999999": value out of range'$'\n'"See 'box stop --help'." ]]
	# base 0, as pflag's: 0x10 is a number
	run --separate-stderr -1 box stop -t 0x10 nope
	[[ $stderr == "Error response from daemon: No such container: nope" ]]
}
