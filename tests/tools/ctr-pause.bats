#!/usr/bin/env bats
# ctr-pause: freezing and thawing a container's freezer cgroup (v1 here),
# Docker's errors, one argument's failure not stopping the others; on
# fake containers whose process the test puts in a freezer cgroup.

load ../helpers
load ../fixtures/fakectr

setup () {
	box_setup
	skip_unless_root
}
teardown () { box_teardown; }

# fake_freezer NAME: NAME's process in freezer/box/<id>, as ctr-spawn puts it
fake_freezer () {
	local dir id
	dir=$(fake_dir "$1")
	id=$(basename "$dir")
	mkdir -p "/sys/fs/cgroup/freezer/box/$id"
	sed -n 's/^pid=//p' "$dir/state" >"/sys/fs/cgroup/freezer/box/$id/cgroup.procs"
	echo "/sys/fs/cgroup/freezer/box/$id"
}

@test "usage: no container exits 2" {
	run -2 ctr-pause
	run -2 ctr-pause --unpause
	run -2 ctr-pause --bogus x
}

@test "under box: an unknown flag in Docker's words, 125; no container 1" {
	BOX_DOCKER=pause run --separate-stderr -125 ctr-pause --bogus x
	[[ $stderr == "unknown flag: --bogus"$'\n'"See 'box pause --help'." ]]
	BOX_DOCKER=unpause run --separate-stderr -125 ctr-pause --unpause -z x
	[[ $stderr == "unknown shorthand flag: 'z' in -z"$'\n'"See 'box unpause --help'." ]]
	BOX_DOCKER=pause run -1 ctr-pause
}

@test "pause freezes the cgroup, ctr-list says paused; --unpause thaws it" {
	local cg pid
	fake_run web sleep 1000 >/dev/null
	cg=$(fake_freezer web)
	pid=$(sed -n 's/^pid=//p' "$(fake_dir web)/state")
	run -0 ctr-pause web
	[[ $output == web ]]
	[[ $(cat "$cg/freezer.state") == FROZEN ]]
	grep -q '^State:.*[DS]' "/proc/$pid/status"
	run -0 ctr-list inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' web
	[[ $output == "paused true true" ]]
	run -0 ctr-list --format '{{.Status}}'
	[[ $output == "Up "*" (Paused)" ]]
	run -0 ctr-pause --unpause web
	[[ $output == web ]]
	[[ $(cat "$cg/freezer.state") == THAWED ]]
	run -0 ctr-list inspect -f '{{.State.Status}} {{.State.Paused}}' web
	[[ $output == "running false" ]]
}

@test "Docker's errors: not found, not running, already paused, not paused; the rest still done" {
	local id eid
	id=$(fake_run web sleep 1000)
	fake_freezer web >/dev/null
	eid=$(fake_exited old 0)
	run --separate-stderr -1 ctr-pause nope web old
	[[ $output == web ]]
	[[ $stderr == "Error response from daemon: No such container: nope
Error response from daemon: Container $eid is not running" ]]
	run --separate-stderr -1 ctr-pause web
	[[ $stderr == "Error response from daemon: Container $id is already paused" ]]
	run --separate-stderr -1 ctr-pause --unpause old web
	[[ $output == web ]]
	[[ $stderr == "Error response from daemon: Container $eid is not paused" ]]
	run --separate-stderr -1 ctr-pause --unpause web
	[[ $stderr == "Error response from daemon: Container $id is not paused" ]]
}

@test "kill of a paused container: the signal, then the thaw" {
	local cg
	fake_run web sleep 1000 >/dev/null
	cg=$(fake_freezer web)
	ctr-pause web
	run -0 ctr-kill web
	[[ $(cat "$cg/freezer.state") == THAWED ]]
	run -0 ctr-list inspect -f '{{.State.Status}} {{.State.ExitCode}}' web
	[[ $output == "exited 137" ]]
}
