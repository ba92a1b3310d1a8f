#!/usr/bin/env bats
# box diff (ctr-list diff): a container's changed files

load ../helpers

setup () {
	box_setup_small
}

teardown () {
	box_teardown
}

@test "box diff and box container diff: A, C, D lines; /etc/hosts not reported" {
	box run --name dd --network none small sh -c 'touch /new; rm /etc/group; echo x >/etc/hosts' >/dev/null
	run -0 box diff dd
	[[ $output == $'A /new\nC /etc\nD /etc/group' || $output == $'C /etc\nD /etc/group\nA /new' ]]
	run -0 box container diff dd
	[[ $output == $'C /etc\nD /etc/group\nA /new' ]]
	run --separate-stderr -1 box diff nope
	[[ $stderr == "Error response from daemon: No such container: nope" ]]
}
