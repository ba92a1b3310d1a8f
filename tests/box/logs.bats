#!/usr/bin/env bats
# box logs: streams apart, -t, --tail, -f until the container stops; the
# output of a container run attached (run without -d, start -a) is logged too.

load ../helpers

setup () {
	box_setup_small
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
	[[ $stderr == "Error: No such container: nope" ]]
	run --separate-stderr -1 box logs --since nope idle
	[[ $stderr == 'invalid value for "since": failed to parse value as time or duration: "nope"' ]]
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

@test "--log-opt max-size and max-file: the log rotates as Docker's; logs reads the files in order" {
	local d id
	id=$(box run -d --name web --network none --log-opt max-size=1k --log-opt max-file=3 small seq 1 500)
	box wait web >/dev/null
	d=$BOX_ROOT/containers/$id
	# log, log.1, log.2: each rotated one passed 1000 bytes by less than a record
	[[ -f $d/log && -f $d/log.1 && -f $d/log.2 && ! -e $d/log.3 ]]
	(($(stat -c %s "$d/log.1") >= 1000 && $(stat -c %s "$d/log.1") < 1050))
	(($(stat -c %s "$d/log.2") >= 1000 && $(stat -c %s "$d/log.2") < 1050))
	(($(stat -c %s "$d/log") < 1050))
	# what is left is the end of the output, in order
	run -0 box logs web
	[[ ${lines[-1]} == 500 && ${#lines[@]} -gt 50 && $output == "$(seq "${lines[0]}" 500)" ]]
	run -0 box logs --tail 3 web
	[[ $output == $'498\n499\n500' ]]
	run -0 box inspect -f '{{json .HostConfig.LogConfig}}' web
	[[ $output == '{"Type":"json-file","Config":{"max-file":"3","max-size":"1k"}}' ]]
}

@test "--log-opt max-size alone: one file that starts again; local: five files" {
	local id
	id=$(box run -d --network none --log-opt max-size=1k small seq 1 500)
	box wait "$id" >/dev/null
	[[ ! -e $BOX_ROOT/containers/$id/log.1 ]]
	(($(stat -c %s "$BOX_ROOT/containers/$id/log") < 1050))
	run -0 box logs "$id"
	[[ ${lines[-1]} == 500 && $output == "$(seq "${lines[0]}" 500)" ]]
	# local: Docker's max-file 5 by default
	id=$(box run -d --network none --log-driver local --log-opt max-size=1k small seq 1 500)
	box wait "$id" >/dev/null
	[[ -f $BOX_ROOT/containers/$id/log.4 && ! -e $BOX_ROOT/containers/$id/log.5 ]]
	run -0 box logs --tail 1 "$id"
	[[ $output == 500 ]]
}

@test "--log-driver none: no log; logs fails with Docker's words" {
	local id
	id=$(box run -d --network none --log-driver none small echo hi)
	box wait "$id" >/dev/null
	[[ ! -e $BOX_ROOT/containers/$id/log ]]
	run --separate-stderr -1 box logs "$id"
	[[ -z $output && $stderr == "Error response from daemon: configured logging driver does not support reading" ]]
}

@test "log drivers and options Docker refuses, and those box does not have, are refused at create" {
	local args msg
	# the docker client's own check
	run --separate-stderr -125 box create --network none --log-driver none --log-opt max-size=1m small true
	[[ $stderr == "box: invalid logging opts for driver none."$'\nSee \'box create --help\'.' ]]
	# the daemon's (at start in Docker, at create in box): its answer, exit 1
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086 # the flags, split
		run --separate-stderr -1 box create --network none $args small true
		[[ $stderr == "Error response from daemon: $msg" ]] || { echo "$args: $stderr" >&2; false; }
	done <<-'EOF2'
		--log-driver syslog|logging driver syslog is not supported: box keeps the log itself (json-file, local or none)
		--log-driver fluentd|logging driver fluentd is not supported: box keeps the log itself (json-file, local or none)
		--log-driver nope|error looking up logging plugin nope: plugin "nope" not found
		--log-opt foo=bar|unknown log opt 'foo' for json-file log driver
		--log-driver local --log-opt tag=x|unknown log opt 'tag' for log driver local
		--log-opt max-size=abc|failed to initialize logging driver: invalid size: 'abc'
		--log-opt max-size=0|failed to initialize logging driver: max-size must be a positive number
		--log-opt max-size=1m --log-opt max-file=0|failed to initialize logging driver: max-file cannot be less than 1
		--log-opt max-size=1m --log-opt max-file=x|failed to initialize logging driver: strconv.Atoi: parsing "x": invalid syntax
	EOF2
	[[ -z $(ls "$BOX_ROOT/containers") ]]
}

# log_figures ID OUTPUT: "RATIO PARTIALS RECORDS" of the container's log
# against OUTPUT bytes of output
log_figures () {
	local d=$BOX_ROOT/containers/$1
	awk -v out="$2" '{ n++; if ($3 == "P") p++; bytes += length($0) + 1 }
		END { printf "%.4f %d %d\n", bytes / out, p, n }' "$d"/log*
}

@test "the log is the output plus the CRI header of each line, no more: no line cut in two" {
	local id n=10485760 ratio p recs
	# lines of 100 bytes, written in 4 KiB blocks that cut lines: each line one F record
	id=$(box run -d --network none small sh -c "yes 012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678 | head -c $n")
	box wait "$id" >/dev/null
	read -r ratio p recs < <(log_figures "$id" "$n")
	echo "lines: ratio $ratio, $p partial of $recs records" >&2
	# 40 bytes of header for 100 of output; a partial record only where the payload
	# stalled mid-line (a loaded machine)
	((recs <= n / 100 + 10 && p <= 10))
	[[ $(box logs "$id" | wc -c) == "$n" ]]
	# no newline at all: records of 16 KiB, not one per read
	id=$(box run -d --network none small sh -c "head -c $n /dev/zero | tr '\\0' x")
	box wait "$id" >/dev/null
	read -r ratio p recs < <(log_figures "$id" "$n")
	echo "no newline: ratio $ratio, $p partial of $recs records" >&2
	((recs <= n / 16384 + 10))
	[[ $(box logs "$id" | wc -c) == "$n" ]]
}

@test "run attached: the output on our stdout and stderr and in the log, streams apart" {
	run --separate-stderr -3 box run --name att --network none small sh -c 'echo out1; echo err1 >&2; printf part; exit 3'
	[[ $output == $'out1\npart' && $stderr == err1 ]]
	run --separate-stderr -0 box logs att
	[[ $output == $'out1\npart' && $stderr == err1 ]]
	# start -a appends its run, as Docker's does (the piece of a line
	# without its newline joins the next, as in Docker's log)
	run --separate-stderr -3 box start -a att
	[[ $output == $'out1\npart' && $stderr == err1 ]]
	[[ $(box logs att 2>/dev/null) == $'out1\npartout1\npart' ]]
	[[ $(box logs att 2>&1 >/dev/null) == $'err1\nerr1' ]]
	# --log-driver none: the terminal has it, no log
	run -0 box run --name quiet --log-driver none --network none small echo hi
	[[ $output == hi ]]
	[[ ! -e $BOX_ROOT/containers/$(box inspect -f '{{.Id}}' quiet)/log ]]
}

@test "run -t attached: the pty's output logged as stdout; -i: our stdin reaches it, and its end" {
	run -0 python3 "$TESTS_DIR/fixtures/ptyrun.py" '[]' box run -t --name tty1 --network none small sh -c 'echo ttyout; echo ttyerr >&2'
	[[ ${lines[0]} == *'ttyout\r'*'ttyerr\r'* && ${lines[1]} == rc=0 ]]
	run --separate-stderr -0 box logs tty1
	[[ $output == $'ttyout\r\nttyerr\r' && $stderr == "" ]]
	run --separate-stderr -0 box run -i --name in1 --network none small sh -c 'cat; echo done >&2' <<<"from stdin"
	[[ $output == "from stdin" && $stderr == done ]]
	run -0 box logs in1
	[[ $output == $'from stdin\ndone' ]]
}

@test "run attached: a reader gone ends the container's writes as it did before" {
	# (not the container's pid 1, which no SIGPIPE kills)
	run -0 timeout 10 bash -c "box run --rm --network none small sh -c 'while :; do echo y; done | cat' | head -n 2"
	[[ $output == $'y\ny' ]]
}
