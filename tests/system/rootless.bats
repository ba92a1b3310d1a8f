#!/usr/bin/env bats
# rootless.bats - box run by an ordinary user with nothing set up but
# /etc/subuid and /etc/subgid (issue 15, Rootless; usr-ns(1))
#
# setup_file makes a user of its own (a unique name, subordinate ranges
# of its own), teardown_file removes it, its lines, its processes and its
# home even when a test failed. Each test runs box as that user (runuser),
# in a fresh state directory under the user's home.

load ../helpers

setup_file () {
	[[ $(id -u) == 0 ]] || skip "needs root (useradd)"
	command -v newuidmap >/dev/null || {
		echo "rootless.bats: newuidmap missing (Debian's uidmap: make deps)" >&2
		return 1
	}
	registry_start
	registry_push small rl/small:1
	RL_USER=bxrl$$
	# the home outside bats' own temp dirs (mode 0700, root's)
	RL_DIR=$(mktemp -d /tmp/box-rootless.XXXXXX)
	chmod 755 "$RL_DIR"
	# a range of its own, far above the ranges useradd hands out
	RL_SUB=$((1000000000 + ($$ % 10000) * 65536))
	useradd -M -d "$RL_DIR/home" -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$RL_USER"
	usermod --add-subuids "$RL_SUB-$((RL_SUB + 65535))" --add-subgids "$RL_SUB-$((RL_SUB + 65535))" "$RL_USER"
	mkdir -p "$RL_DIR/home"
	chown "$RL_USER:" "$RL_DIR/home"
	RL_UID=$(id -u "$RL_USER")
	export RL_USER RL_DIR RL_SUB RL_UID
}

teardown_file () {
	[[ -n ${RL_USER-} ]] || { registry_stop; return 0; }
	_rl_kill
	usermod --del-subuids "$RL_SUB-$((RL_SUB + 65535))" --del-subgids "$RL_SUB-$((RL_SUB + 65535))" "$RL_USER" 2>/dev/null || true
	userdel "$RL_USER" 2>/dev/null || true
	# the lines, whatever usermod and userdel did
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	rm -rf --one-file-system "$RL_DIR"
	registry_stop
}

# every process of the test user (the holder, supervisors, containers,
# slirp4netns), by pid: their namespaces and mounts go with them
_rl_kill () {
	local f pid
	for f in /proc/[0-9]*/status; do
		pid=${f#/proc/}
		pid=${pid%/status}
		awk -v u="$RL_UID" '/^Uid:/ { exit !($2 == u) }' "$f" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	done
	return 0
}

setup () {
	fixtures
	RL_HOME=$RL_DIR/home
	# the default state directory ($XDG_DATA_HOME/box), fresh for each test
	RL_XDG=$RL_HOME/xdg-$BATS_TEST_NUMBER
	RL_ROOT=$RL_XDG/box
}

teardown () {
	[[ -z ${RL_ROOT-} ]] || as_user usr-ns --stop >/dev/null 2>&1 || true
	_rl_kill
}

# as_user CMD...: CMD as the test user, an environment as a login's
as_user () {
	runuser -u "$RL_USER" -- env -i HOME="$RL_HOME" USER="$RL_USER" LC_ALL=C TZ=UTC \
		PATH="$BOX_BUILD/bin:/usr/sbin:/usr/bin:/sbin:/bin" XDG_DATA_HOME="$RL_XDG" "$@"
}

# the small image in the user's store, as the user would pull it
rl_small () {
	as_user box pull -q "$REGISTRY/rl/small:1" >/dev/null
	as_user box tag "$REGISTRY/rl/small:1" small
}

@test "rootless: the state directory is \$XDG_DATA_HOME/box, in a namespace kept across calls" {
	run -0 as_user box images -q
	[[ -d $RL_ROOT/images ]]
	[[ $(stat -c %u "$RL_ROOT") == "$RL_UID" ]]
	holder=$(as_user usr-ns --pid)
	[[ $(awk '/^Uid:/ { print $2 }' "/proc/$holder/status") == "$RL_UID" ]]
	# 0 is the user, 1.. the subordinate range
	run -0 as_user usr-ns -- cat /proc/self/uid_map
	[[ $(echo $output | tr -s ' ') == "0 $RL_UID 1 1 $RL_SUB 65536" ]]
	run -0 as_user usr-ns -- sh -c 'id -u; echo "$BOX_ROOT"'
	[[ $output == "0"$'\n'"$RL_ROOT" ]]
	# the next call joins the same namespaces
	[[ $(as_user usr-ns --pid) == "$holder" ]]
	[[ $(as_user usr-ns -- readlink /proc/self/ns/user) == "$(readlink "/proc/$holder/ns/user")" ]]
	[[ $(as_user usr-ns -- readlink /proc/self/ns/mnt) == "$(readlink "/proc/$holder/ns/mnt")" ]]
}

@test "rootless: --root names another state directory, with a holder of its own" {
	run -0 as_user box --root "$RL_HOME/other-$BATS_TEST_NUMBER" images -q
	[[ -f $RL_HOME/other-$BATS_TEST_NUMBER/userns ]]
	[[ ! -e $RL_ROOT ]]
	BOX_ROOT=$RL_HOME/other-$BATS_TEST_NUMBER as_user usr-ns --stop
}

@test "rootless: pull from a registry on 127.0.0.1, run, root inside is the user outside" {
	rl_small
	run -0 as_user box images --format '{{.Repository}}:{{.Tag}}'
	[[ $output == *small:latest* ]]
	mkdir "$RL_HOME/vol-$BATS_TEST_NUMBER"
	chown "$RL_USER:" "$RL_HOME/vol-$BATS_TEST_NUMBER"
	run -0 as_user box run --rm --network none -v "$RL_HOME/vol-$BATS_TEST_NUMBER:/v" small \
		sh -c 'id -u; cat /proc/self/uid_map; echo x >/v/made-by-root; mkdir /v/d; chown 1000 /v/d'
	[[ $(echo "$output" | tr -s ' ' | sed 's/^ //') == "0"$'\n'"0 $RL_UID 1"$'\n'"1 $RL_SUB 65536" ]]
	[[ $(stat -c %u "$RL_HOME/vol-$BATS_TEST_NUMBER/made-by-root") == "$RL_UID" ]]
	# uid 1000 inside is the 1000th of the range
	[[ $(stat -c %u "$RL_HOME/vol-$BATS_TEST_NUMBER/d") == "$((RL_SUB + 999))" ]]
	# nothing stays mounted on the host: the overlay is the holder's
	! grep -q "$RL_ROOT" /proc/self/mountinfo
}

@test "rootless: run -d, ps, exec, stop, rm" {
	rl_small
	run -0 as_user box run -d --name rl1 --network none small sleep 100
	id=$output
	run -0 as_user box ps --format '{{.Names}} {{.Status}}'
	[[ $output == "rl1 Up"* ]]
	run -0 as_user box exec rl1 sh -c 'echo in; id -u'
	[[ $output == "in"$'\n'"0" ]]
	# the container's pid 1 is a process of the range's root: the user
	pid=$(sed -n 's/^pid=//p' "$RL_ROOT/containers/$id/state")
	[[ $(awk '/^Uid:/ { print $2 }' "/proc/$pid/status") == "$RL_UID" ]]
	run -0 as_user box stop -t 1 rl1
	[[ $output == rl1 ]]
	run -0 as_user box ps -a --format '{{.Names}} {{.Status}}'
	[[ $output == "rl1 Exited"* ]]
	run -0 as_user box rm rl1
	run -0 as_user box ps -aq
	[[ -z $output ]]
	[[ ! -e $RL_ROOT/containers/$id ]]
}

@test "rootless: no cgroup is made without a delegated cgroup v2 subtree" {
	rl_small
	run -0 as_user box run -d --name rl2 --network none small sleep 100
	id=$output
	for c in /sys/fs/cgroup/*/box/"$id" /sys/fs/cgroup/box/"$id"; do
		[[ ! -e $c ]]
	done
	run -0 as_user box rm -f rl2
}

@test "rootless: build, RUN in a container of the user's" {
	rl_small
	mkdir -p "$RL_HOME/ctx-$BATS_TEST_NUMBER"
	printf 'FROM small\nRUN echo built >/built && id -u >>/built\nCMD ["cat", "/built"]\n' >"$RL_HOME/ctx-$BATS_TEST_NUMBER/Dockerfile"
	chown -R "$RL_USER:" "$RL_HOME/ctx-$BATS_TEST_NUMBER"
	run -0 as_user box build -q --network none -t rl/built "$RL_HOME/ctx-$BATS_TEST_NUMBER"
	run -0 as_user box run --rm --network none rl/built
	[[ $output == "built"$'\n'"0" ]]
}

@test "rootless: usr-ns --stop ends the holder; the next call makes another" {
	run -0 as_user box images -q
	old=$(as_user usr-ns --pid)
	run -0 as_user usr-ns --stop
	! kill -0 "$old" 2>/dev/null || [[ $(awk '/^State:/ { print $2 }' "/proc/$old/status") == Z ]]
	run -1 as_user usr-ns --pid
	run -0 as_user box images -q
	new=$(as_user usr-ns --pid)
	[[ $new != "$old" ]]
}

@test "rootless: a user without subordinate ids gets a one-uid namespace and a warning" {
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	run -0 --separate-stderr as_user usr-ns -- cat /proc/self/uid_map
	usermod --add-subuids "$RL_SUB-$((RL_SUB + 65535))" --add-subgids "$RL_SUB-$((RL_SUB + 65535))" "$RL_USER"
	[[ $(echo $output | tr -s ' ') == "0 $RL_UID 1" ]]
	[[ $stderr == "usr-ns: warning: no subordinate ids for the user in /etc/subuid and /etc/subgid: containers get one uid" ]]
}

@test "rootless: usr-ns usage, and root runs the command as it is" {
	run -2 usr-ns
	[[ $output == "usage: usr-ns [--root DIR] [--] CMD [ARG...]"* ]]
	run -0 usr-ns -- sh -c 'id -u; echo "${BOX_ROOTLESS-unset}."'
	[[ $output == "0"$'\n'"." ]]
}
