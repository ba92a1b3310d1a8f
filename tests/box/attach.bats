#!/usr/bin/env bats
# box attach: a terminal joined to a running container through the attach
# socket its ctr-spawn serves (ctr-attach, ctr-spawn's attachsrv), -d or
# started attached (run without -d, start -a), as Docker 20.10's
# (taken from a dockerd run on this machine): the pty of a -d -it
# container, the output of a -d one, ctrl-p ctrl-q and --detach-keys,
# several attachers, --no-stdin, --sig-proxy, the exit code at the end.
# The terminal is a pty made by tests/fixtures/ptyrun.py.

load ../helpers

setup () {
	box_setup_small
}

teardown () { box_teardown; }

# ptyrun STEPS ARGS...: box ARGS on a pty; $output: repr of what it
# showed, then rc=N
ptyrun () {
	run -0 python3 "$TESTS_DIR/fixtures/ptyrun.py" "$1" box "${@:2}"
}

@test "-d -it: the pty's shell, ctrl-p ctrl-q leaves it running, exit ends attach with its code" {
	box run -d -it --name sh1 --network none small sh >/dev/null
	ptyrun '[(0.5, b"echo hi$((1+1))\r"), (b"hi2", b"\x10\x11")]' attach sh1
	[[ ${lines[0]} == *'hi2\r'* && ${lines[0]} == *'read escape sequence'* && ${lines[1]} == rc=1 ]]
	run -0 box inspect -f '{{.State.Status}}' sh1
	[[ $output == running ]]
	# a second attach; the shell's exit code is attach's
	ptyrun '[(0.5, b"exit 7\r")]' attach sh1
	[[ ${lines[1]} == rc=7 ]]
	run -0 box inspect -f '{{.State.Status}} {{.State.ExitCode}}' sh1
	[[ $output == "exited 7" ]]
	run -0 box events --since 0 --until 0s --filter event=attach --format '{{.Actor.Attributes.name}}'
	[[ $output == $'sh1\nsh1' ]]
}

@test "--detach-keys: another sequence, a broken one passed on whole" {
	box run -d -it --name sh2 --network none small sh >/dev/null
	# ctrl-a then x is no detach: both reach the shell (x echoes)
	ptyrun '[(0.5, b"\x01x\x03echo ok$((2+2))\r"), (b"ok4", b"\x01b")]' attach --detach-keys ctrl-a,b sh2
	[[ ${lines[0]} == *'ok4'* && ${lines[0]} == *'read escape sequence'* && ${lines[1]} == rc=1 ]]
	run -0 box inspect -f '{{.State.Status}}' sh2
	[[ $output == running ]]
	# the keys are the daemon's to check, after the client's terminal check
	run --separate-stderr -1 box attach --no-stdin --detach-keys ctrl-ab sh2
	[[ $stderr == "Error response from daemon: Invalid detach keys (ctrl-ab) provided" ]]
	run --separate-stderr -1 box attach --detach-keys ctrl-ab sh2 </dev/null
	[[ $stderr == "the input device is not a TTY" ]]
	# stdin not a terminal for a -t container: the client's refusal, in its words
	run --separate-stderr -1 box attach sh2 </dev/null
	[[ $stderr == "the input device is not a TTY" ]]
	box pause sh2 >/dev/null
	run --separate-stderr -1 box attach --no-stdin sh2
	[[ $stderr == "You cannot attach to a paused container, unpause it first" ]]
	box unpause sh2 >/dev/null
	run --separate-stderr -1 box attach sh2 sh2
	[[ $stderr == $'"box attach" requires exactly 1 argument.\nSee \'box attach --help\'.\n\nUsage:  box attach [OPTIONS] CONTAINER\n\nAttach local standard input, output, and error streams to a running container' ]]
	run --separate-stderr -125 box attach --nope sh2
	[[ $stderr == $'unknown flag: --nope\nSee \'box attach --help\'.' ]]
	run --separate-stderr -125 box attach --sig-proxy=maybe sh2
	[[ ${stderr_lines[0]} == 'invalid argument "maybe" for "--sig-proxy" flag: strconv.ParseBool: parsing "maybe": invalid syntax' ]]
	box rm -f sh2 >/dev/null
}

@test "-d: stdout and stderr apart, from now on, to several attachers; the exit code" {
	local a b rc=0
	box run -d --name out --network none small sh -c 'echo early; sleep 1; echo out; echo err >&2; exit 3' >/dev/null
	box attach out >"$BATS_TEST_TMPDIR/o1" 2>"$BATS_TEST_TMPDIR/e1" 3>&- &
	a=$!
	box attach out >"$BATS_TEST_TMPDIR/o2" 2>"$BATS_TEST_TMPDIR/e2" 3>&- &
	b=$!
	wait "$a" || rc=$?
	[[ $rc == 3 ]]
	rc=0
	wait "$b" || rc=$?
	[[ $rc == 3 ]]
	[[ $(cat "$BATS_TEST_TMPDIR/o1") == out && $(cat "$BATS_TEST_TMPDIR/e1") == err ]]
	[[ $(cat "$BATS_TEST_TMPDIR/o2") == out && $(cat "$BATS_TEST_TMPDIR/e2") == err ]]
	# the log has it all, as before
	run -0 box logs out
	[[ $output == $'early\nout\nerr' ]]
	run --separate-stderr -1 box attach out
	[[ $stderr == "You cannot attach to a stopped container, start it first" ]]
	run --separate-stderr -1 box attach nope
	[[ $stderr == "Error: No such container: nope" ]]
}

@test "-d -i: stdin through the pipe, --no-stdin keeps it out, its end leaves the container's open" {
	box run -d -i --name cat1 --network none small cat >/dev/null
	printf 'one\n' | timeout -s KILL 5 box attach cat1 >"$BATS_TEST_TMPDIR/o" 3>&- &
	local att=$!
	for _ in $(seq 50); do grep -q one "$BATS_TEST_TMPDIR/o" && break; sleep 0.1; done
	[[ $(cat "$BATS_TEST_TMPDIR/o") == one ]]
	printf 'two\n' | timeout -s KILL 2 box attach --no-stdin cat1 >"$BATS_TEST_TMPDIR/o2" || true
	[[ ! -s $BATS_TEST_TMPDIR/o2 ]]
	# stdin's end was no end of the container's stdin: cat runs on
	run -0 box inspect -f '{{.State.Status}}' cat1
	[[ $output == running ]]
	# (a bare wait would wait for bats' own timeout watchdog too)
	wait "$att" || true
	run -0 box stop -t 1 cat1
}

@test "--sig-proxy: a signal to attach goes to the container; =false: not" {
	local pid rc=0
	box run -d --name trap --network none small sh -c 'trap "echo got; exit 5" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	for _ in $(seq 50); do [[ $(box logs trap) == ready ]] && break; sleep 0.1; done
	box attach --sig-proxy=false trap >"$BATS_TEST_TMPDIR/o0" 3>&- &
	pid=$!
	sleep 0.5
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	[[ $rc == 143 ]]
	run -0 box inspect -f '{{.State.Status}}' trap
	[[ $output == running ]]
	box attach trap >"$BATS_TEST_TMPDIR/o" 3>&- &
	pid=$!
	sleep 0.5
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[[ $rc == 5 ]]
	[[ $(cat "$BATS_TEST_TMPDIR/o") == got ]]
	run -0 box events --since 0 --until 0s --filter event=kill --format '{{.Actor.Attributes.signal}}'
	[[ $output == 15 ]]
}

@test "the attach socket lives with the supervisor" {
	local id
	id=$(box run -d --name sv --network none small sleep 1000)
	[[ -S $BOX_ROOT/containers/$id/attach ]]
	box stop -t 0 sv >/dev/null
	[[ ! -e $BOX_ROOT/containers/$id/attach ]]
	run -0 box attach --help
	[[ ${lines[0]} == "Usage:  box attach [OPTIONS] CONTAINER" ]]
}

@test "a container started attached: attach gets its output from now on and its exit code; -i: input from both" {
	local r a rc=0
	box run --name fg --network none small sh -c 'echo early; sleep 1; echo out; echo err >&2; exit 4' \
		>"$BATS_TEST_TMPDIR/ro" 2>"$BATS_TEST_TMPDIR/re" 3>&- &
	r=$!
	for _ in $(seq 50); do [[ $(box logs fg 2>/dev/null) == early ]] && break; sleep 0.1; done
	box attach fg >"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e" 3>&- &
	a=$!
	wait "$a" || rc=$?
	[[ $rc == 4 ]]
	rc=0
	wait "$r" || rc=$?
	[[ $rc == 4 ]]
	[[ $(cat "$BATS_TEST_TMPDIR/o") == out && $(cat "$BATS_TEST_TMPDIR/e") == err ]]
	[[ $(cat "$BATS_TEST_TMPDIR/ro") == $'early\nout' && $(cat "$BATS_TEST_TMPDIR/re") == err ]]
	run -0 box logs fg
	[[ $output == $'early\nout\nerr' ]]

	# -i: the input of run and of attach both reach it; the end of run's
	# input ends the container's (Docker's StdinOnce)
	mkfifo "$BATS_TEST_TMPDIR/in"
	box run -i --name fgi --network none small cat <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/ro" 3>&- &
	r=$!
	exec 4>"$BATS_TEST_TMPDIR/in"
	echo one >&4
	for _ in $(seq 50); do [[ $(box logs fgi 2>/dev/null) == one ]] && break; sleep 0.1; done
	{ echo two; sleep 1; } | box attach fgi >"$BATS_TEST_TMPDIR/o" 3>&- 4>&- &
	a=$!
	for _ in $(seq 50); do [[ $(box logs fgi 2>/dev/null) == $'one\ntwo' ]] && break; sleep 0.1; done
	exec 4>&-
	rc=0
	wait "$r" || rc=$?
	[[ $rc == 0 ]]
	rc=0
	wait "$a" || rc=$?
	[[ $rc == 0 ]]
	[[ $(cat "$BATS_TEST_TMPDIR/ro") == $'one\ntwo' && $(cat "$BATS_TEST_TMPDIR/o") == two ]]
}

@test "a container started attached with -it: attach shares its pty" {
	local r
	box create -it --name fgt --network none small sh >/dev/null
	# start -a -i on a pty of ours that types nothing for 3 s, then exit
	python3 "$TESTS_DIR/fixtures/ptyrun.py" '[(3, b"exit 6\r")]' box start -a -i fgt >"$BATS_TEST_TMPDIR/ro" 3>&- &
	r=$!
	for _ in $(seq 50); do [[ -S $BOX_ROOT/containers/$(box inspect -f '{{.Id}}' fgt)/attach ]] && break; sleep 0.1; done
	ptyrun '[(0.5, b"echo hi$((3+4))\r"), (b"hi7", b"\x10\x11")]' attach fgt
	[[ ${lines[0]} == *'hi7\r'* && ${lines[0]} == *'read escape sequence'* && ${lines[1]} == rc=1 ]]
	wait "$r"
	cat "$BATS_TEST_TMPDIR/ro"
	[[ $(cat "$BATS_TEST_TMPDIR/ro") == *hi7* && $(cat "$BATS_TEST_TMPDIR/ro") == *rc=6* ]]
	run -0 box logs fgt
	[[ $output == *hi7* ]]
}
