#!/usr/bin/env bats
# box pause, unpause: the freezer (v1 here; v2 on a cgroup2 hierarchy the
# test mounts), Paused in ps and inspect, and what Docker does with a
# paused container: exec refused, start refused, stop, kill and rm -f thaw
# it, rm without -f refused.

load ../helpers

setup () {
	box_setup_small
}

teardown () {
	if [[ -n ${CG2-} ]]; then
		_box_thaw_v2
		umount "$CG2" 2>/dev/null || true
	fi
	box_teardown
}

# a busy loop: its CPU time stops when the container is frozen
counter () {
	box run -d --name "$1" --network none small sh -c 'while :; do :; done'
}
# the CPU time of its process, in clock ticks (utime + stime)
count () {
	awk '{ print $14 + $15 }' "/proc/$(box inspect -f '{{.State.Pid}}' "$1")/stat"
}

@test "pause: frozen, Paused in ps and inspect; unpause: running again" {
	local id a b
	id=$(counter cc)
	run -0 box pause cc
	[[ $output == cc ]]
	[[ $(cat "/sys/fs/cgroup/freezer/box/$id/freezer.state") == FROZEN ]]
	a=$(count cc)
	sleep 0.3
	b=$(count cc)
	[[ $a == "$b" ]]
	run -0 box ps --format '{{.Names}}|{{.Status}}|{{.State}}'
	[[ $output =~ ^cc\|Up\ .*\ \(Paused\)\|paused$ ]]
	run -0 box inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Paused}}' cc
	[[ $output == "paused true true" ]]
	run -0 box ps --filter status=paused --format '{{.Names}}'
	[[ $output == cc ]]
	run -0 box ps --filter status=running --format '{{.Names}}'
	[[ $output == "" ]]
	run -0 box container unpause cc
	[[ $output == cc ]]
	a=$(count cc)
	sleep 0.3
	[[ $(count cc) -gt $a ]]
	run -0 box inspect -f '{{.State.Status}} {{.State.Paused}}' cc
	[[ $output == "running false" ]]
	run -0 box container pause "${id:0:12}"
	[[ $output == "${id:0:12}" ]]
}

@test "pause and unpause: Docker's errors, the other arguments still handled, exit 1" {
	local id cid
	id=$(box run -d --name ss --network none small sleep 1000)
	cid=$(box create --name idle --network none small true)
	run --separate-stderr -1 box pause ss nope ss
	[[ $output == ss ]]
	[[ $stderr == "Error response from daemon: No such container: nope
Error response from daemon: Container $id is already paused" ]]
	run --separate-stderr -1 box pause idle
	[[ $stderr == "Error response from daemon: Container $cid is not running" ]]
	run --separate-stderr -1 box unpause idle
	[[ $stderr == "Error response from daemon: Container $cid is not paused" ]]
	run -0 box unpause ss
	run --separate-stderr -1 box unpause ss
	[[ $stderr == "Error response from daemon: Container $id is not paused" ]]
	run --separate-stderr -1 box pause
	[[ $stderr == "\"box pause\" requires at least 1 argument."$'\n'"See 'box pause --help'."$'\n\n'"Usage:  box pause CONTAINER [CONTAINER...]"$'\n\n'"Pause all processes within one or more containers" ]]
	run --separate-stderr -1 box unpause
	[[ $stderr == "\"box unpause\" requires at least 1 argument."* ]]
	run --separate-stderr -125 box pause --nope ss
	[[ -z $output && $stderr == "unknown flag: --nope"$'\n'"See 'box pause --help'." ]]
	run --separate-stderr -125 box unpause --nope ss
	[[ $stderr == "unknown flag: --nope"$'\n'"See 'box unpause --help'." ]]
}

@test "a paused container: exec and start refused, rm refused without -f" {
	local id
	id=$(box run -d --name ss --network none small sleep 1000)
	box pause ss
	run --separate-stderr -1 box exec ss true
	[[ $stderr == "Error response from daemon: Container ss is paused, unpause the container before exec" ]]
	run --separate-stderr -1 box start ss
	[[ $stderr == *"cannot start a paused container, try unpause instead"* ]]
	[[ $stderr == *"Error: failed to start containers: ss" ]]
	run --separate-stderr -1 box rm ss
	[[ $stderr == "Error response from daemon: You cannot remove a paused container $id. Unpause and then stop the container before attempting removal or force remove" ]]
	run -0 box inspect -f '{{.State.Status}}' ss
	[[ $output == paused ]]
}

@test "stop, kill and rm -f of a paused container: the signal, then the thaw" {
	box run -d --name aa --network none small sh -c 'trap "exit 7" TERM; while :; do sleep 0.05; done'
	box pause aa
	run -0 box stop aa
	run -0 box inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Paused}}' aa
	[[ $output == "exited 7 false" ]]
	box run -d --name bb --network none small sleep 1000
	box pause bb
	run -0 box kill bb
	run -0 box inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Paused}}' bb
	[[ $output == "exited 137 false" ]]
	# a signal it ignores (pid 1) still thaws it
	box start bb
	box pause bb
	run -0 box kill -s HUP bb
	run -0 box inspect -f '{{.State.Status}} {{.State.Paused}}' bb
	[[ $output == "running false" ]]
	box pause bb
	run -0 box rm -f bb
	[[ $output == bb ]]
	run -1 box inspect bb
}

# the v2 freezer (cgroup.freeze) on the cgroup2 hierarchy, mounted here:
# the container's processes moved into box/<id> in it, $BOX_CGROUP2_ROOT
# pointing at it
_box_thaw_v2 () {
	local f
	for f in "$CG2"/box/*/cgroup.freeze; do
		[[ -e $f ]] && echo 0 >"$f"
	done
	return 0
}

@test "pause on cgroup v2: cgroup.freeze, frozen as cgroup.events says" {
	local id p a
	[[ -e /sys/fs/cgroup/cgroup.controllers ]] || grep -q cgroup2 /proc/filesystems
	id=$(counter cc)
	CG2=$BATS_TEST_TMPDIR/cg2
	mkdir -p "$CG2"
	mount -t cgroup2 none "$CG2"
	mkdir -p "$CG2/box/$id"
	for p in $(cat "/sys/fs/cgroup/pids/box/$id/cgroup.procs"); do
		echo "$p" >"$CG2/box/$id/cgroup.procs"
	done
	export BOX_CGROUP2_ROOT=$CG2
	run -0 box pause cc
	grep -qx 'frozen 1' "$CG2/box/$id/cgroup.events"
	[[ $(cat "$CG2/box/$id/cgroup.freeze") == 1 ]]
	a=$(count cc)
	sleep 0.3
	[[ $(count cc) == "$a" ]]
	run -0 box inspect -f '{{.State.Status}} {{.State.Paused}}' cc
	[[ $output == "paused true" ]]
	run -0 box unpause cc
	grep -qx 'frozen 0' "$CG2/box/$id/cgroup.events"
	sleep 0.2
	[[ $(count cc) -gt $a ]]
	box pause cc
	run -0 box rm -f cc
	[[ ! -e $CG2/box/$id ]]
}

@test "a container under --cgroup-parent: paused, shown, killed and thawed in its own cgroup" {
	local id
	id=$(box run -d --name cp --cgroup-parent clia-parent --network none small sleep 1000)
	run -0 box pause cp
	[[ $(cat "/sys/fs/cgroup/freezer/clia-parent/$id/freezer.state") == FROZEN ]]
	run -0 box inspect -f '{{.State.Status}}' cp
	[[ $output == paused ]]
	run -0 box stats --no-stream --format '{{.PIDs}}' cp
	[[ $output == 1 ]]
	run -0 box top cp -o pid,comm
	[[ ${lines[1]} == *sleep ]]
	run -0 box rm -f cp
	[[ ! -e /sys/fs/cgroup/freezer/clia-parent/$id ]]
	rmdir /sys/fs/cgroup/*/clia-parent 2>/dev/null || true
}
