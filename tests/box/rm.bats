#!/usr/bin/env bats
# box rm: Docker's refusal of a running container, -f, -v; nothing left.

load ../helpers

setup () {
	box_setup_small
}

teardown () { box_teardown; }

@test "rm: a running container is refused; -f kills and removes it; nothing is left" {
	local id
	id=$(box run -d --name web --network none small sleep 1000)
	run --separate-stderr -1 box rm web
	[[ $stderr == "Error response from daemon: You cannot remove a running container $id. Stop the container before attempting removal or force remove" ]]
	run -0 box rm -f web
	[[ $output == web ]]
	[[ ! -e $BOX_ROOT/containers/$id && ! -L $BOX_ROOT/names/web ]]
	! grep -q "$id" /proc/self/mountinfo
	! ls -d /sys/fs/cgroup/*/box/"$id" 2>/dev/null
}

@test "rm -v: the anonymous volume goes, a named one stays" {
	local anon
	box run --name web --network none -v /anon -v named:/named small true
	[[ -d $BOX_ROOT/volumes/named ]]
	run -0 box inspect -f '{{json .Mounts}}' web
	anon=$(jq -r '.[] | select(.Destination == "/anon") | .Name' <<<"$output")
	[[ $anon =~ ^[0-9a-f]{64}$ ]]
	[[ -d $BOX_ROOT/volumes/$anon ]]
	run -0 box rm -v web
	[[ ! -e $BOX_ROOT/volumes/$anon && -d $BOX_ROOT/volumes/named ]]
}

@test "rm: a missing container is Docker's error; the others go" {
	box create --name a1 --network none small true >/dev/null
	run --separate-stderr -1 box rm nope a1
	[[ $output == a1 && $stderr == "Error: No such container: nope" ]]
}
