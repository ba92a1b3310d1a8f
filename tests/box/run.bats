#!/usr/bin/env bats
# box run end to end: attached exit codes as Docker's (0, 1, 125, 126, 127,
# 137), -d, --rm leaving nothing, option parsing (grouped short options,
# values that look like images), a missing image pulled from a registry,
# name conflicts, the default bridge network; run -d and rm -f killed at
# random moments.

load ../helpers
load ../fixtures/net

setup_file () { registry_start; }
teardown_file () { registry_stop; }

setup () {
	box_setup
	skip_unless_root
	net_setup
	store_add small docker.io/library/small:latest
}

teardown () {
	net_teardown
	box_teardown
}

# nothing of any container left: directories, names, mounts
nothing_left () {
	[[ -z $(ls "$BOX_ROOT/containers" 2>/dev/null) && -z $(ls "$BOX_ROOT/names" 2>/dev/null) ]] &&
		! grep -q "$BOX_ROOT/containers" /proc/self/mountinfo
}

@test "attached: output and exit codes are the container's" {
	run -0 box run --rm --network none small echo hello
	[[ $output == hello ]]
	run -3 box run --rm --network none small sh -c 'exit 3'
	run -1 box run --rm --network none small false
}

@test "attached: a container killed by a signal exits 128+n (box kill: 137)" {
	local pid rc=0
	box run --rm --name killme --network none small sleep 1000 3>&- &
	pid=$!
	for _ in $(seq 100); do [[ $(box ps -q) ]] && break; sleep 0.05; done
	run -0 box kill killme
	wait "$pid" || rc=$?
	[[ $rc == 137 ]]
}

@test "126 when the command cannot be executed, 127 when it is not found" {
	# docker run's reportError of a start: no "See" line, no container id
	run --separate-stderr -127 box run --rm --network none small nosuchcmd
	[[ -z $output && $stderr == 'box: Error response from daemon: exec: "nosuchcmd": executable file not found in $PATH.' ]]
	run --separate-stderr -126 box run --rm --network none small /etc
	[[ $stderr == 'box: Error response from daemon: exec: "/etc": permission denied.' ]]
	# -d: the id first, as docker run prints it before the start
	run --separate-stderr -127 box run -d --name gone --network none small nosuchcmd
	[[ $output =~ ^[0-9a-f]{64}$ && $stderr == 'box: Error response from daemon: exec: "nosuchcmd": executable file not found in $PATH.' ]]
	run -0 box inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}' gone
	[[ $output == 'created 127 exec: "nosuchcmd": executable file not found in $PATH' ]]
	box rm gone >/dev/null
	nothing_left
}

@test "125: the client's and the daemon's refusals in docker run's words; create's daemon ones exit 1" {
	run --separate-stderr -125 box run --rm --network none --restart always small true
	[[ $stderr == "box: Conflicting options: --restart and --rm."$'\n'"See 'box run --help'." ]]
	run --separate-stderr -125 box run --rm --network none --name bad/name small true
	[[ $stderr == "box: Error response from daemon: Invalid container name (bad/name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed."$'\n'"See 'box run --help'." ]]
	run --separate-stderr -1 box create --network none --name bad/name small true
	[[ $stderr == "Error response from daemon: Invalid container name (bad/name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed" ]]
	run --separate-stderr -125 box create --rm --network none --restart always small true
	[[ $stderr == "box: Conflicting options: --restart and --rm."$'\n'"See 'box create --help'." ]]
	# the log driver's options: Docker's daemon checks them at start, no "See" line
	run --separate-stderr -125 box run --rm --network none --log-opt max-size=x small true
	[[ $stderr == "box: Error response from daemon: failed to initialize logging driver: invalid size: 'x'." ]]
	# pflag's own: no prefix
	run --separate-stderr -125 box run --rm --network none --memory lots small true
	[[ $stderr == "invalid argument \"lots\" for \"-m, --memory\" flag: invalid size: 'lots'"$'\n'"See 'box run --help'." ]]
	nothing_left
}

@test "125: bad options, as docker run says and exits" {
	run --separate-stderr -125 box run --bogus small true
	[[ $stderr == *"unknown flag: --bogus"* ]]
	run --separate-stderr -1 box run -d -a stdout small true
	[[ $stderr == "Conflicting options: -a and -d" ]]
	run -1 box run --rm --network none
	nothing_left
	run -0 box run --help
	[[ ${lines[0]} == "Usage:  box run [OPTIONS] IMAGE [COMMAND] [ARG...]" ]]
}

@test "--privileged and --cap-add ALL run: the host's bounding set, no more" {
	run -0 box run --rm --network none --privileged small grep CapEff /proc/self/status
	[[ $output == "$(grep CapBnd /proc/self/status | sed s/Bnd/Eff/)" ]]
	run -0 box run --rm --network none --cap-add ALL small grep CapEff /proc/self/status
	[[ $output == "$(grep CapBnd /proc/self/status | sed s/Bnd/Eff/)" ]]
}

@test "a taken name: 125 with Docker's conflict message, the first container untouched" {
	local id
	id=$(box run -d --name web --network none small sleep 1000)
	run --separate-stderr -125 box run --name web --network none small true
	[[ $stderr == *"Conflict. The container name \"/web\" is already in use by container \"$id\". You have to remove (or rename) that container to be able to reuse that name."* ]]
	run -0 box ps -q --no-trunc
	[[ $output == "$id" ]]
	box rm -f web
}

@test "--rm leaves nothing behind, attached or detached" {
	run -0 box run --rm --network none small true
	nothing_left
	run -0 box run --rm -d --network none small sh -c 'sleep 0.2'
	run -0 box wait "$output"
	# the supervisor removes it after recording: wait for its lock, then look
	for _ in $(seq 50); do nothing_left && break; sleep 0.1; done
	nothing_left
}

@test "-d: the id, then ps, logs, stop, wait, rm" {
	local id
	id=$(box run -d --name web --network none small sh -c 'echo out; echo err >&2; trap "exit 0" TERM; while :; do sleep 0.1; done')
	[[ $id =~ ^[0-9a-f]{64}$ ]]
	run -0 box ps --format '{{.ID}} {{.Names}} {{.State}}'
	[[ $output == "${id:0:12} web running" ]]
	for _ in $(seq 50); do [[ -s $BOX_ROOT/containers/$id/log ]] && break; sleep 0.1; done
	run --separate-stderr -0 box logs web
	[[ $output == out && $stderr == err ]]
	run -0 box stop web
	[[ $output == web ]]
	run -0 box wait web
	[[ $output == 0 ]]
	run -0 box ps -a --format '{{.Status}}'
	[[ $output == "Exited (0) "*" ago" ]]
	run -0 box rm web
	nothing_left
}

@test "grouped short options: -dit is detached, values of -e/-p are not the image" {
	local id
	id=$(box run -dit -e A=1 -w /tmp --name web --network none small sh -c 'echo "$A $PWD"; sleep 1000')
	[[ $id =~ ^[0-9a-f]{64}$ ]]
	for _ in $(seq 50); do [[ -s $BOX_ROOT/containers/$id/log ]] && break; sleep 0.1; done
	run -0 box logs web
	[[ $output == "1 /tmp"* ]]
	run -0 box inspect -f '{{.Config.Tty}} {{.Config.OpenStdin}}' web
	[[ $output == "true true" ]]
	box rm -f web
	# an option value that names an image is not taken for IMAGE
	run -0 box run --rm --network none -e small small sh -c 'echo ${small-unset}'
	[[ $output == unset || $output == "" ]]
	run -0 box run --rm --network none --hostname small small hostname
	[[ $output == small ]]
}

@test "a missing image is pulled from the registry first (Docker's words on stderr)" {
	registry_push small "lib/small:1"
	run --separate-stderr -0 box run --rm --network none "$REGISTRY/lib/small:1" echo ran
	[[ $output == ran ]]
	[[ $stderr == *"Unable to find image '$REGISTRY/lib/small:1' locally"* ]]
	[[ $stderr == *"Status: Downloaded newer image for $REGISTRY/lib/small:1"* ]]
	run -0 box images --format '{{.Repository}}:{{.Tag}}'
	[[ $output == *"$REGISTRY/lib/small:1"* ]]
	# not in the registry either: 125
	run -125 box run --rm --network none "$REGISTRY/lib/nope:1" true
	nothing_left
}

@test "the default bridge network: attached by ctr-net, detached by rm" {
	local id
	id=$(box run -d --name web small sleep 1000)
	run -0 box inspect -f '{{.NetworkSettings.Networks.bridge.IPAddress}}' web
	[[ $output =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ -e $BOX_ROOT/containers/$id/netns ]]
	run -0 box rm -f web
	nothing_left
}

@test "every value option of ctr-create is skipped with its value to find IMAGE" {
	run -0 box run --rm --network none --cpu-quota 50000 --cpu-period 100000 \
		--memory-reservation 10m --oom-score-adj 100 --oom-kill-disable small echo ok
	[[ $output == ok ]]
	# what box reads is ctr-create's list, as make wrote it beside box
	run -0 ctr-create --value-flags
	# shellcheck disable=SC1091
	. "$BOX_BUILD/bin/create-value-flags"
	[[ $create_value_flags == $'\n'"$output"$'\n' ]]
}

@test "ctr-create --value-flags lists the flags ctr-create wants a value for, and only those" {
	local f values all
	run -0 ctr-create --value-flags
	values=$'\n'$output$'\n'
	run -0 ctr-create --flags
	all=("${lines[@]}")
	[[ ${#all[@]} -gt 70 && $values == *$'\n-e\n--env\n'* ]]
	for f in "${all[@]}"; do
		run -2 --separate-stderr ctr-create "$f"
		if [[ $values == *$'\n'"$f"$'\n'* ]]; then
			[[ $stderr == "ctr-create: flag needs an argument: "* ]] || { echo "$f is listed: $stderr"; false; }
		else
			[[ $stderr == 'ctr-create: "create" requires at least 1 argument' ]] || { echo "$f is not: $stderr"; false; }
		fi
	done
	# the man page's flags are the ones ctr-create takes, all of them (--no-sync,
	# df-build's, is left out of --flags as --root is)
	run -0 sh -c "sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' '$REPO_DIR/man/ctr-create.1' | grep '^\.It' |
		grep -o 'Fl -*[A-Za-z][a-z-]*' | sed 's/^Fl /-/' | sort -u"
	[[ $(printf '%s\n' "${all[@]}" --root --no-sync --help --flags --value-flags | sort -u) == "$output" ]]
}

@test "without the list make writes, box asks ctr-create for it" {
	local d=$BATS_TEST_TMPDIR/libexec
	mkdir -p "$d"
	cp "$BOX_BUILD/bin/box-sh-setup" "$d/"
	BOX_LIBEXEC=$d run -0 box run --rm --network none -e A=1 --name web -w / small echo ok
	[[ $output == ok ]]
}

# truthful: every container ps -a lists is whole (its directory, its name
# pointing at it), and nothing half made or half removed is left to list
truthful () {
	local name id
	while read -r name id; do
		[[ -d $BOX_ROOT/containers/$id && $(readlink "$BOX_ROOT/names/$name") == "$id" ]] || return 1
	done < <(box ps -a --no-trunc --format '{{.Names}} {{.ID}}')
	! ls "$BOX_ROOT/containers" 2>/dev/null | grep -q '\.tmp-'
}

# kill_at MS CMD...: run CMD in a session of its own, SIGKILL all of it
# (box and the programs it runs) after MS milliseconds, and return once
# all of it is gone (a supervisor has a session of its own: it stays)
kill_at () {
	local ms=$1
	shift
	setsid "$@" </dev/null >/dev/null 2>&1 3>&- &
	local pid=$!
	sleep "0.$(printf %03d "$ms")"
	kill -KILL -- "-$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		pgrep -s "$pid" >/dev/null || break
		sleep 0.02
	done
}

@test "run -d and rm -f killed at random moments: ps is truthful, rm -f reaches what is left, nothing stays" {
	local i
	for i in $(seq 20); do
		kill_at $((RANDOM % 120)) box run -d --name "k$i" --network none small sleep 100
		truthful
		run box rm -f "k$i"
		[[ $status == 0 || $output == "Error response from daemon: No such container: k$i" ]]
		nothing_left
	done
	for i in $(seq 20); do
		box run -d --name "r$i" --network none small sleep 100 >/dev/null
		kill_at $((RANDOM % 60)) box rm -f "r$i"
		truthful
		run box rm -f "r$i"
		[[ $status == 0 || $output == "Error response from daemon: No such container: r$i" ]]
		nothing_left
	done
}

@test "--pull always|missing|never and -q, as docker run and create take them" {
	registry_push small "lib/small:1"
	# never: the daemon's words, nothing pulled
	run --separate-stderr -125 box run --rm --network none --pull never "$REGISTRY/lib/small:1" true
	[[ $stderr == "box: Error response from daemon: No such image: $REGISTRY/lib/small:1."$'\n'"See 'box run --help'." ]]
	run -3 img-list inspect -f . "$REGISTRY/lib/small:1"
	# docker create: the daemon's answer as any verb's, exit 1
	run --separate-stderr -1 box create --pull=never "$REGISTRY/lib/small:1"
	[[ $stderr == "Error response from daemon: No such image: $REGISTRY/lib/small:1" ]]
	# -q: pulled without a word, stdout is the container's alone
	run --separate-stderr -0 box run --rm --network none -q "$REGISTRY/lib/small:1" echo ran
	[[ $output == ran && -z $stderr ]]
	# always: pulled though it is here; the pull's lines on stderr
	run --separate-stderr -0 box run --rm --network none --pull always "$REGISTRY/lib/small:1" echo ran
	[[ $output == ran ]]
	[[ $stderr == *"Status: Image is up to date for $REGISTRY/lib/small:1"* && $stderr != *"Unable to find"* ]]
	# -q in a group, with create: the id alone on stdout
	run --separate-stderr -0 box create -tq --pull always "$REGISTRY/lib/small:1"
	[[ $output =~ ^[0-9a-f]{64}$ && -z $stderr ]]
	# a pull that fails is the run's failure, even for an image that is here
	run --separate-stderr -125 box run --rm --network none --pull always small true
	[[ $stderr == *"Error"*"docker.io/library/small:latest: "* ]]
	# Docker's client refuses another policy (from 23.0; 20.10 takes any
	# word), in its reportError's words
	run --separate-stderr -125 box run --pull sometimes small true
	[[ ${stderr_lines[0]} == "box: invalid pull option: 'sometimes': must be one of \"always\", \"missing\" or \"never\"." ]]
	[[ ${stderr_lines[1]} == "See 'box run --help'." ]]
	run --separate-stderr -125 box create --pull=sometimes small
	[[ ${stderr_lines[0]} == "box: invalid pull option: 'sometimes'"* ]]
}
