#!/usr/bin/env bats
# box exec: a command in a running container (ctr-exec), its exit status,
# -e, -w, -u; a stopped container refused.

load ../helpers

setup () {
	box_setup_small
}

teardown () { box_teardown; }

@test "exec runs in the container: its hostname, env, workdir, user; exit status passed" {
	local id
	id=$(box run -d --name web --network none -e FROM=ctr small sleep 1000)
	run -0 box exec web hostname
	[[ $output == "${id:0:12}" ]]
	run -0 box exec -e X=1 -w /tmp web sh -c 'echo "$FROM $X $PWD"'
	[[ $output == "ctr 1 /tmp" ]]
	run -0 box exec -u 65534 web id -u
	[[ $output == 65534 ]]
	run -3 box exec web sh -c 'exit 3'
	box rm -f web
}

@test "exec into a container that does not run fails" {
	box create --name idle --network none small true >/dev/null
	run ! box exec idle true
}

@test "exec: a command that cannot start, in runc's words as docker exec says it" {
	local runc='OCI runtime exec failed: exec failed: unable to start container process'
	box run -d --name web --network none small sleep 1000 >/dev/null
	run --separate-stderr -126 box exec web nope
	[[ $output == "$runc: exec: \"nope\": executable file not found in \$PATH: unknown"$'\r' && -z $stderr ]]
	run --separate-stderr -126 box exec web /etc
	[[ $output == "$runc: exec: \"/etc\": permission denied: unknown"$'\r' && -z $stderr ]]
	run --separate-stderr -1 box exec -d web nope
	[[ -z $output && $stderr == "Error response from daemon: $runc: exec: \"nope\": executable file not found in \$PATH: unknown" ]]
	run --separate-stderr -1 box exec -it web true </dev/null
	[[ $stderr == "the input device is not a TTY" ]]
	# ctr-exec's own words outside box
	run --separate-stderr -127 ctr-exec web nope
	[[ -z $output && $stderr == 'ctr-exec: exec: "nope": executable file not found in $PATH' ]]
	box rm -f web >/dev/null
}
