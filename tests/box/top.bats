#!/usr/bin/env bats
# box top: ps on the host, the processes of the container's cgroup kept,
# Docker's columns and alignment (tabwriter, minwidth 20, padding 3),
# ps options passed through, Docker's errors.

load ../helpers

setup () {
	box_setup_small
}

teardown () { box_teardown; }

@test "top: ps -ef of the container's processes, aligned as Docker" {
	local pid
	box run -d --name tt --network none small sh -c 'sleep 1000 & exec sleep 999' >/dev/null
	pid=$(box inspect -f '{{.State.Pid}}' tt)
	# the child is up once the cgroup holds two processes
	for _ in $(seq 100); do
		[[ $(wc -l <"/sys/fs/cgroup/pids/box/$(box inspect -f '{{.Id}}' tt)/cgroup.procs") == 2 ]] && break
		sleep 0.05
	done
	run -0 box top tt
	[[ ${#lines[@]} == 3 ]]
	[[ ${lines[0]} == "UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD" ]]
	[[ ${lines[1]} =~ ^root\ +$pid\ +[0-9]+\ +[0-9]+\ +[0-9:A-Za-z]+\ +\?\ +[0-9:]+\ +sleep\ 999$ ]]
	[[ ${lines[2]} == *" sleep 1000" ]]
	# cells padded to 20: PID starts at column 20
	[[ ${lines[1]:20:${#pid}} == "$pid" ]]
	run -0 box container top tt -o pid,comm
	[[ $output == "PID                 COMMAND
$pid$(printf '%*s' $((20 - ${#pid})) '')sleep
"*"sleep" ]]
	# an option ps refuses with -q (f): run again without, filtered here
	run -0 box top tt axf
	[[ ${lines[0]} == "PID                 TTY                 STAT                TIME                COMMAND" ]]
	[[ ${#lines[@]} == 3 && ${lines[2]} == *'\_ sleep 1000' ]]
	# an exec'd process is the container's too
	box exec -d tt sleep 998
	sleep 0.3
	run -0 box top tt -o pid,args
	[[ $output == *"sleep 998"* ]]
}

@test "top: Docker's errors, exit 1" {
	local id
	id=$(box create --name cr --network none small true)
	run --separate-stderr -1 box top cr
	[[ $stderr == "Error response from daemon: Container $id is not running" ]]
	run --separate-stderr -1 box top nope
	[[ $stderr == "Error response from daemon: No such container: nope" ]]
	box run -d --name tt --network none small sleep 1000 >/dev/null
	run --separate-stderr -1 box top tt -x bogus
	[[ $stderr == "Error response from daemon: ps: error: must set personality to get -x option" ]]
	run --separate-stderr -1 box top tt -o foo=PID
	[[ $stderr == 'Error response from daemon: specifying "foo=PID" is not allowed' ]]
	run --separate-stderr -1 box top tt -o comm
	[[ $stderr == "Error response from daemon: Couldn't find PID field in ps output" ]]
	run --separate-stderr -1 box top
	[[ ${stderr%%$'\n'*} == '"box top" requires at least 1 argument.' && $stderr == *"Usage:  box top CONTAINER [ps OPTIONS]"* ]]
	run --separate-stderr -125 box top --nope tt
	[[ -z $output && $stderr == "unknown flag: --nope"$'\n'"See 'box top --help'." ]]
}
