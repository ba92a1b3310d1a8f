#!/usr/bin/env bats
# box restart: a stop, then a start, each argument printed as given;
# stop and wait of containers with a restart policy, as Docker.

load ../helpers

setup () {
	box_setup_small
}

teardown () { box_teardown; }

# field NAME TEMPLATE
field () { box inspect -f "$2" "$1"; }

# until NAME TEMPLATE VALUE: the field has the value, 20 s at most
until_field () {
	local _t
	for _t in $(seq 200); do
		[[ $(field "$1" "$2") == "$3" ]] && return 0
		sleep 0.1
	done
	field "$1" "$2" >&2
	return 1
}

# until_jq NAME TEST: TEST (jq, on the inspect object) holds, 20 s at most
until_jq () {
	local _t
	for _t in $(seq 200); do
		box inspect "$1" | jq -e ".[0] | $2" >/dev/null && return 0
		sleep 0.1
	done
	box inspect "$1" | jq -c '.[0] | {State, RestartCount}' >&2
	return 1
}

@test "restart: a running container runs again, a stopped or created one starts; names as given" {
	local pid started
	box run -d --name web --network none small sleep 1000 >/dev/null
	box create --name made --network none small sleep 1000 >/dev/null
	box run -d --name done --network none small sleep 1000 >/dev/null
	box stop -t 0 done >/dev/null
	pid=$(field web '{{.State.Pid}}')
	started=$(field web '{{.State.StartedAt}}')
	run -0 box restart -t 0 web made done
	[[ $output == $'web\nmade\ndone' ]]
	for c in web made done; do
		[[ $(field "$c" '{{.State.Status}}') == running ]]
	done
	[[ $(field web '{{.State.Pid}}') != "$pid" && $(field web '{{.State.StartedAt}}') != "$started" ]]
	# by id prefix too, printed as given
	run -0 box restart -t 0 "$(box ps -q --filter name=web)"
	[[ $output == "$(box ps -q --filter name=web)" ]]
}

@test "restart: a missing container is Docker's error, the others still restarted, exit 1" {
	box run -d --name web --network none small sleep 1000 >/dev/null
	run --separate-stderr -1 box restart -t 0 nope web
	[[ $output == web && $stderr == "Error response from daemon: No such container: nope" ]]
	[[ $(field web '{{.State.Status}}') == running ]]
}

@test "restart -t: SIGKILL after the timeout for a container ignoring SIGTERM; -s the signal" {
	box run -d --name web --network none small sh -c 'while :; do sleep 0.1; done' >/dev/null
	run -0 box restart --time=0 web
	[[ $output == web ]]
	[[ $(field web '{{.State.Status}}') == running ]]
	box run -d --name usr --network none small sh -c 'trap "exit 0" USR1; while :; do sleep 0.1; done' >/dev/null
	run -0 box restart -s USR1 -t 30 usr
	[[ $(field usr '{{.State.Status}}') == running ]]
}

@test "restart: usage errors as Docker's" {
	run --separate-stderr -1 box restart
	[[ $stderr == *"requires at least 1 argument"* ]]
	run --separate-stderr -125 box restart -t x web
	[[ $stderr == 'invalid argument "x" for "-t, --time" flag: strconv.ParseInt: parsing "x": invalid syntax'$'\n'"See 'box restart --help'." ]]
	run --separate-stderr -125 box restart --bogus web
	[[ ${stderr_lines[0]} == "unknown flag: --bogus" && ${stderr_lines[1]} == "See 'box restart --help'." ]]
	run --separate-stderr -125 box restart -t
	[[ $stderr == *"flag needs an argument: -t" ]]
}

@test "restart of a --restart always container: it runs, and its policy applies again" {
	box run -d --name loop --network none --restart always small sh -c 'sleep 0.2; exit 3' >/dev/null
	until_field loop '{{.RestartCount}}' 1
	box stop -t 0 loop >/dev/null
	[[ $(field loop '{{.State.Status}}') == exited ]]
	run -0 box restart -t 0 loop
	[[ $output == loop ]]
	# restarted by its policy again after an exit: the count goes on
	until_jq loop '.RestartCount >= 3'
}

@test "stop of a --restart always container stops it for good, its supervisor gone" {
	local id
	id=$(box run -d --name loop --network none --restart always small sh -c 'sleep 0.2; exit 3')
	until_field loop '{{.RestartCount}}' 1
	run -0 box stop -t 0 loop
	[[ $output == loop ]]
	[[ $(field loop '{{.State.Status}}') == exited ]]
	# nobody holds the lock: no supervisor is left to start it again
	flock -n "$BOX_ROOT/containers/$id/lock" true
	# stopped while it waited to restart: the same
	box start loop >/dev/null
	until_field loop '{{.State.Status}}' restarting
	run -0 box stop loop
	[[ $(field loop '{{.State.Status}}') == exited ]]
	flock -n "$BOX_ROOT/containers/$id/lock" true
}

@test "wait of a --restart always container: its next exit, while it starts again; a stop's exit" {
	box run -d --name loop --network none --restart always small sh -c 'sleep 0.3; exit 5' >/dev/null
	run -0 box wait loop
	[[ $output == 5 ]]
	# the policy starts it again: wait returned without its supervisor's lock
	until_jq loop '.RestartCount >= 1'
	box run -d --name term --network none --restart always small sh -c 'trap "exit 9" TERM; while :; do sleep 0.1; done' >/dev/null
	box wait term >"$BATS_TEST_TMPDIR/code" 3>&- &
	local waiter=$!
	until_field term '{{.State.Status}}' running
	box stop term >/dev/null
	wait "$waiter"
	[[ $(cat "$BATS_TEST_TMPDIR/code") == 9 ]]
	# a stopped one: its code at once
	run -0 box wait term
	[[ $output == 9 ]]
}
