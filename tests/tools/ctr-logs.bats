#!/usr/bin/env bats
# ctr-logs: the CRI log of a container (stdout and stderr apart, -t,
# --tail, --since/--until, partial lines) and -f, which follows with
# inotify and ends when the container stops.

load ../helpers
load ../fixtures/fakectr

setup () { box_setup; }
teardown () { box_teardown; }

# log NAME LINE...: raw CRI lines
log () {
	local d
	d=$(fake_dir "$1")
	shift
	printf '%s\n' "$@" >>"$d/log"
}

@test "usage and a missing container" {
	run -2 ctr-logs
	run -2 ctr-logs a b
	run -2 ctr-logs --tail x a
	run -2 ctr-logs --since yesterday a
	run --separate-stderr -1 ctr-logs nope
	[[ $stderr == "Error: No such container: nope" ]]
}

@test "a container never started has no output" {
	fake_ctr new >/dev/null
	run --separate-stderr -0 ctr-logs new
	[[ -z $output && -z $stderr ]]
	run -0 ctr-logs -f new
	[[ -z $output ]]
}

@test "stdout lines to stdout, stderr lines to stderr; partial lines joined" {
	fake_exited web 0 >/dev/null
	log web '2026-11-29T03:00:00.000000001Z stdout F one' \
		'2026-11-29T03:00:00.000000002Z stderr F oops' \
		'2026-11-29T03:00:00.000000003Z stdout P tw' \
		'2026-11-29T03:00:00.000000004Z stdout F o' \
		'2026-11-29T03:00:00.000000005Z stdout F ' \
		'2026-11-29T03:00:00.000000006Z stdout F with  two  spaces'
	run --separate-stderr -0 ctr-logs web
	[[ $output == $'one\ntwo\n\nwith  two  spaces' ]]
	[[ $stderr == oops ]]
}

@test "-t: each line after its time, as Docker prints it" {
	fake_exited web 0 >/dev/null
	log web '2026-11-29T03:00:00.123456789Z stdout F one' \
		'2026-11-29T03:00:01.000000000Z stdout P tw' \
		'2026-11-29T03:00:02.000000000Z stdout F o'
	run -0 ctr-logs -t web
	[[ $output == $'2026-11-29T03:00:00.123456789Z one\n2026-11-29T03:00:01.000000000Z two' ]]
}

@test "--tail N counts whole lines; all and negative mean everything" {
	fake_exited web 0 >/dev/null
	log web '2026-11-29T03:00:00.000000001Z stdout F 1' \
		'2026-11-29T03:00:00.000000002Z stdout P 2' \
		'2026-11-29T03:00:00.000000003Z stdout F 2' \
		'2026-11-29T03:00:00.000000004Z stderr F 3'
	run --separate-stderr -0 ctr-logs --tail 2 web
	[[ $output == 22 && $stderr == 3 ]]
	run -0 ctr-logs -n 0 web
	[[ -z $output ]]
	run --separate-stderr -0 ctr-logs --tail all web
	[[ $output == $'1\n22' && $stderr == 3 ]]
	run --separate-stderr -0 ctr-logs --tail -1 web
	[[ $output == $'1\n22' ]]
	run --separate-stderr -0 ctr-logs --tail 10 web
	[[ $output == $'1\n22' ]]
}

@test "--since and --until: times, Unix seconds, durations" {
	fake_exited web 0 >/dev/null
	log web '2026-11-29T03:00:00.000000000Z stdout F a' \
		'2026-11-29T03:00:10.000000000Z stdout F b' \
		'2026-11-29T03:00:20.000000000Z stdout F c'
	run -0 ctr-logs --since 2026-11-29T03:00:05Z web
	[[ $output == $'b\nc' ]]
	run -0 ctr-logs --until 2026-11-29T03:00:10Z web
	[[ $output == $'a\nb' ]]
	run -0 ctr-logs --since "$(date -d 2026-11-29T03:00:15Z +%s)" web
	[[ $output == c ]]
	run -0 ctr-logs --since 1h web
	[[ -z $output || $(date +%s) -lt $(date -d 2026-11-29T04:00:20Z +%s) ]]
	run -0 ctr-logs --until 1m web
	[[ $output == $'a\nb\nc' || $(date +%s) -lt $(date -d 2026-11-29T03:01:20Z +%s) ]]
}

@test "-f: follows the log as it grows and ends when the container stops" {
	local t0 t1
	# shellcheck disable=SC2016 # the payload's own script
	fake_run web sh -c 'for i in 1 2 3; do
		printf "%s stdout F line%s\n" "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" $i >>log; sleep 0.3; done
		printf "%s stderr F bye\n" "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" >>log' >/dev/null
	t0=$(date +%s%N)
	run --separate-stderr -0 timeout 10 ctr-logs -f web
	t1=$(date +%s%N)
	[[ $output == $'line1\nline2\nline3' && $stderr == bye ]]
	(( t1 - t0 >= 500000000 ))
	grep -qx status=exited "$(fake_dir web)/state"
}

@test "-f --tail 1: the last line, then what comes" {
	# shellcheck disable=SC2016
	fake_run web sh -c 'printf "%s stdout F old1\n%s stdout F old2\n" x x >>log; sleep 0.5
		printf "2026-11-29T03:00:00Z stdout F new\n" >>log' >/dev/null
	run -0 timeout 10 ctr-logs -f --tail 1 web
	[[ $output == $'old2\nnew' ]]
}

# rotated NAME FILE LINE...: raw CRI lines into one of its rotated files
rotated () {
	local d
	d=$(fake_dir "$1")
	printf '%s\n' "${@:3}" >>"$d/$2"
}

@test "rotated files are read oldest first: log.2, log.1, log; --tail counts across them" {
	fake_exited web 0 >/dev/null
	rotated web log.2 '2026-11-29T03:00:00.000000001Z stdout F 1' '2026-11-29T03:00:00.000000002Z stdout F 2'
	rotated web log.1 '2026-11-29T03:00:00.000000003Z stdout F 3' '2026-11-29T03:00:00.000000004Z stderr F 4'
	log web '2026-11-29T03:00:00.000000005Z stdout P 5' '2026-11-29T03:00:00.000000006Z stdout F 5'
	run --separate-stderr -0 ctr-logs web
	[[ $output == $'1\n2\n3\n55' && $stderr == 4 ]]
	run --separate-stderr -0 ctr-logs --tail 3 web
	[[ $output == $'3\n55' && $stderr == 4 ]]
	run --separate-stderr -0 ctr-logs --tail 4 web
	[[ $output == $'2\n3\n55' && $stderr == 4 ]]
	# between the two renames of a rotation there is no log: log.1 is read
	rm "$(fake_dir web)/log"
	run --separate-stderr -0 ctr-logs web
	[[ $output == $'1\n2\n3' && $stderr == 4 ]]
}

@test "--tail of a log of tens of MB reads from the end: a few MB of memory" {
	local d peak
	fake_exited web 0 >/dev/null
	d=$(fake_dir web)
	awk 'BEGIN { x = sprintf("%60s", ""); gsub(/ /, "x", x)
		for (i = 0; i < 500000; i++) printf "2026-11-29T03:34:45.%09dZ stdout F line %d %s\n", i, i, x }' >"$d/log"
	(( $(stat -c %s "$d/log") > 50000000 ))
	# the peak RSS of ctr-logs (kB), its output in $BATS_TEST_TMPDIR/out
	peak=$(python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "w"), check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$BATS_TEST_TMPDIR/out" ctr-logs --tail 5 web)
	[[ $(cat "$BATS_TEST_TMPDIR/out") == "$(printf 'line %d xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n' 499995 499996 499997 499998 499999)" ]]
	(( peak < 20000 )) || { echo "ctr-logs --tail 5 of 50 MB: peak RSS $peak kB" >&2; false; }
	# all of it, in bounded memory too
	peak=$(python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "w"), check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$BATS_TEST_TMPDIR/out" ctr-logs web)
	[[ $(wc -l <"$BATS_TEST_TMPDIR/out") == 500000 ]]
	(( peak < 20000 )) || { echo "ctr-logs of 50 MB: peak RSS $peak kB" >&2; false; }
}

@test "-f follows the log across a rotation" {
	local t='2026-11-29T03:00:00.000000000Z'
	# what the supervisor does: log -> log.1, a new log renamed into place
	fake_run web sh -c "printf '$t stdout F a\n' >>log; sleep 0.5
		mv log log.1; printf '$t stdout F b\n' >log.new; mv log.new log; sleep 0.5
		printf '$t stdout F c\n' >>log; mv log log.1; printf '$t stdout F d\n' >log.new; mv log.new log" >/dev/null
	run -0 timeout 10 ctr-logs -f web
	[[ $output == $'a\nb\nc\nd' ]]
}

@test "a container logged to none: Docker's error" {
	local d
	d=$(fake_dir "$(fake_exited web 0 >/dev/null; echo web)")
	jq '.HostConfig.LogConfig = {Type: "none", Config: {}}' "$d/create.json" >"$d/create.json.new"
	mv "$d/create.json.new" "$d/create.json"
	run --separate-stderr -1 ctr-logs web
	[[ -z $output && $stderr == "Error response from daemon: configured logging driver does not support reading" ]]
	run --separate-stderr -1 ctr-logs -f web
	[[ $stderr == "Error response from daemon: configured logging driver does not support reading" ]]
}
