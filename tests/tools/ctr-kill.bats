#!/usr/bin/env bats
# ctr-kill: docker kill (signals by name or number, Docker's errors) and
# docker stop (the stop signal, the timeout then SIGKILL, the stopped
# marker, returning once the exit is recorded), on fake containers.

load ../helpers
load ../fixtures/fakectr

setup () { box_setup; }
teardown () { box_teardown; }

state_of () { sed -n "s/^$2=//p" "$(fake_dir "$1")/state"; }

@test "usage: no container, a bad signal or timeout exit 2" {
	run -2 ctr-kill
	run --separate-stderr -2 ctr-kill -s FOO x
	[[ $stderr == "ctr-kill: invalid signal: FOO" ]]
	run -2 ctr-kill -s 0 x
	run --separate-stderr -2 ctr-kill --stop -t soon x
	[[ $stderr == "ctr-kill: invalid argument \"soon\" for \"-t, --time\" flag: strconv.ParseInt: parsing \"soon\": invalid syntax" ]]
	# -t belongs to --stop
	run -2 ctr-kill -t 1 x
}

@test "kill: SIGKILL by default, the argument printed, the exit recorded when it returns" {
	fake_run web sleep 1000 >/dev/null
	run -0 ctr-kill web
	[[ $output == web ]]
	[[ $(state_of web status) == exited && $(state_of web exit_code) == 137 ]]
	[[ ! -e $(fake_dir web)/stopped ]]
}

@test "kill -s: names with or without SIG, any case, and numbers" {
	local s
	for s in USR1 SIGUSR1 usr1 10; do
		fake_run "w$s" sh -c 'trap "exit 42" USR1; while :; do sleep 0.05; done' >/dev/null
		run -0 ctr-kill -s "$s" "w$s"
		[[ $output == "w$s" ]]
		run -0 ctr-wait "w$s"
		[[ $output == 42 ]]
	done
}

@test "kill: a container that does not run, or does not exist, is Docker's error (exit 1); the others are killed" {
	local id
	id=$(fake_exited old 0)
	fake_run web sleep 1000 >/dev/null
	run --separate-stderr -1 ctr-kill old nope web
	[[ $output == web ]]
	[[ ${stderr_lines[0]} == "Error response from daemon: Cannot kill container: old: Container $id is not running" ]]
	[[ ${stderr_lines[1]} == "Error response from daemon: Cannot kill container: nope: No such container: nope" ]]
	[[ $(state_of web exit_code) == 137 ]]
}

@test "kill: a recycled pid is never signalled" {
	local d
	fake_ctr ghost >/dev/null
	d=$(fake_dir ghost)
	sleep 1000 &
	printf 'status=running\npid=%d\npid_start=1\nstarted=2026-01-01T00:00:00Z\n' $! >"$d/state"
	run --separate-stderr -1 ctr-kill ghost
	[[ $stderr == *"is not running" ]]
	kill -0 $!
	kill $!
}

@test "stop: the stop signal, the stopped marker, the exit recorded; the argument as given" {
	local id
	id=$(fake_run web sleep 1000)
	run -0 ctr-kill --stop "${id:0:7}"
	[[ $output == "${id:0:7}" ]]
	[[ -e $(fake_dir web)/stopped ]]
	# sleep dies of SIGTERM: 128+15
	[[ $(state_of web status) == exited && $(state_of web exit_code) == 143 ]]
}

@test "stop: Config.StopSignal from create.json, -s overrides it" {
	local d
	fake_run web sh -c 'trap "exit 11" USR1; trap "exit 12" USR2; while :; do sleep 0.05; done' >/dev/null
	d=$(fake_dir web)
	jq '.Config.StopSignal = "SIGUSR1"' "$d/create.json" >"$d/c" && mv "$d/c" "$d/create.json"
	run -0 ctr-kill --stop web
	[[ $(state_of web exit_code) == 11 ]]
	fake_run two sh -c 'trap "exit 11" USR1; trap "exit 12" USR2; while :; do sleep 0.05; done' >/dev/null
	run -0 ctr-kill --stop -s USR2 two
	[[ $(state_of two exit_code) == 12 ]]
}

@test "stop: SIGKILL after the timeout (-t, else Config.StopTimeout)" {
	local d t0 t1
	fake_run web sh -c 'trap "" TERM; while :; do sleep 0.05; done' >/dev/null
	t0=$(date +%s%N)
	run -0 ctr-kill --stop -t 1 web
	t1=$(date +%s%N)
	[[ $(state_of web exit_code) == 137 ]]
	(( t1 - t0 >= 1000000000 && t1 - t0 < 5000000000 ))
	fake_run two sh -c 'trap "" TERM; while :; do sleep 0.05; done' >/dev/null
	d=$(fake_dir two)
	jq '.Config.StopTimeout = 0' "$d/create.json" >"$d/c" && mv "$d/c" "$d/create.json"
	t0=$(date +%s%N)
	run -0 ctr-kill --stop two
	t1=$(date +%s%N)
	[[ $(state_of two exit_code) == 137 ]]
	(( t1 - t0 < 1000000000 ))
}

@test "stop: a stopped or never started container is success; a missing one is not" {
	fake_exited old 0 >/dev/null
	fake_ctr new >/dev/null
	run --separate-stderr -1 ctr-kill --stop old new nope
	[[ ${lines[*]} == "old new" ]]
	[[ $stderr == "Error response from daemon: No such container: nope" ]]
}
