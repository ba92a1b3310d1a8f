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
	# the programs where the user can run them: the checkout may be under
	# a directory only root may enter (a mktemp -d, /root)
	cp -a "$BOX_BUILD/bin" "$RL_DIR/bin"
	chmod 755 "$RL_DIR/bin"
	RL_BIN=$RL_DIR/bin
	# a range of its own, far above the ranges useradd hands out
	RL_SUB=$((1000000000 + ($$ % 10000) * 65536))
	useradd -M -d "$RL_DIR/home" -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$RL_USER"
	usermod --add-subuids "$RL_SUB-$((RL_SUB + 65535))" --add-subgids "$RL_SUB-$((RL_SUB + 65535))" "$RL_USER"
	mkdir -p "$RL_DIR/home"
	chown "$RL_USER:" "$RL_DIR/home"
	RL_UID=$(id -u "$RL_USER")
	# slirp4netns opens /dev/net/tun as the user: Debian's udev makes it
	# 0666, a machine without udev may have it 0600 (put back afterwards)
	RL_TUN_MODE=$(stat -c %a /dev/net/tun)
	[[ $RL_TUN_MODE == 666 ]] || chmod 666 /dev/net/tun
	export RL_USER RL_DIR RL_BIN RL_SUB RL_UID RL_TUN_MODE
}

teardown_file () {
	[[ -n ${RL_USER-} ]] || { registry_stop; return 0; }
	_rl_kill
	usermod --del-subuids "$RL_SUB-$((RL_SUB + 65535))" --del-subgids "$RL_SUB-$((RL_SUB + 65535))" "$RL_USER" 2>/dev/null || true
	userdel "$RL_USER" 2>/dev/null || true
	# the lines, whatever usermod and userdel did
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	rm -rf --one-file-system "$RL_DIR"
	[[ ${RL_TUN_MODE:-666} == 666 ]] || chmod "$RL_TUN_MODE" /dev/net/tun
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
	# a current directory the user may enter, as a user's shell has
	# (usr-ns keeps it, and refuses one the user cannot reach)
	cd "$RL_HOME"
	# the default state directory ($XDG_DATA_HOME/box), fresh for each test
	RL_XDG=$RL_HOME/xdg-$BATS_TEST_NUMBER
	RL_ROOT=$RL_XDG/box
	# devices named apart from any of the host's (they live in the user's
	# namespace, but a test must tell them from the host's)
	RL_PREFIX=rl$(($$ % 10000))
}

teardown () {
	[[ -z ${RL_ROOT-} ]] || as_user usr-ns --stop >/dev/null 2>&1 || true
	_rl_kill
	rl_undelegate
	[[ -z ${RL_NOBODY-} ]] || sed -i "/^nobody:$RL_NOBODY\$/d" /etc/subuid /etc/subgid
	[[ -z ${RL_FUSE_MODE-} ]] || chmod "$RL_FUSE_MODE" /dev/fuse
	# a server a failed test left (it would outlive bats)
	[[ -z ${srv-} ]] || kill "$srv" 2>/dev/null || true
}

# as_user CMD...: CMD as the test user, an environment as a login's
as_user () {
	runuser -u "$RL_USER" -- env -i HOME="$RL_HOME" USER="$RL_USER" LC_ALL=C TZ=UTC \
		PATH="$RL_BIN:/usr/sbin:/usr/bin:/sbin:/bin" XDG_DATA_HOME="$RL_XDG" BOX_NET_PREFIX="$RL_PREFIX" \
		${BOX_ROOTLESS_HOST_LOOPBACK:+BOX_ROOTLESS_HOST_LOOPBACK=$BOX_ROOTLESS_HOST_LOOPBACK} \
		${BOX_CGROUP2_MOUNT:+BOX_CGROUP2_MOUNT=$BOX_CGROUP2_MOUNT} \
		${BOX_CGROUP2_ROOT:+BOX_CGROUP2_ROOT=$BOX_CGROUP2_ROOT} \
		${BOX_IDMAP_LAYERS:+BOX_IDMAP_LAYERS=$BOX_IDMAP_LAYERS} "$@"
}

# rl_delegate: a cgroup2 hierarchy mounted at $RL_CG2 (this host's v1
# holds the controllers: it has the core files only), with a subtree
# $RL_DELEG delegated to the user as systemd delegates user@UID.service
# (the directory and the files of /sys/kernel/cgroup/delegate chowned),
# the user's processes in its init.scope (as_deleg); rl_undelegate
# removes it all
rl_delegate () {
	local d f
	RL_CG2=$RL_DIR/cg2-$BATS_TEST_NUMBER
	mkdir "$RL_CG2"
	mount -t cgroup2 none "$RL_CG2"
	RL_DELEG=$RL_CG2/rl-$$-$BATS_TEST_NUMBER
	for d in "$RL_DELEG" "$RL_DELEG/init.scope"; do
		mkdir "$d"
		# (those of the controllers the hierarchy lacks are absent)
		while read -r f; do
			[[ ! -e $d/$f ]] || chown "$RL_USER:" "$d/$f"
		done </sys/kernel/cgroup/delegate
		chown "$RL_USER:" "$d"
	done
	export BOX_CGROUP2_MOUNT=$RL_CG2
}

rl_undelegate () {
	[[ -n ${RL_DELEG-} ]] || return 0
	_rl_kill
	[[ ! -d $RL_DELEG ]] || find "$RL_DELEG" -depth -type d -exec rmdir {} + 2>/dev/null || true
	umount "$RL_CG2"
	rmdir "$RL_CG2"
}

# as_deleg CMD...: as_user CMD, from the delegated subtree's init.scope
as_deleg () {
	(echo "$BASHPID" >"$RL_DELEG/init.scope/cgroup.procs" && as_user "$@")
}

# lines with their blanks squeezed (a uid_map's columns)
rl_norm () {
	awk '{ $1 = $1; print }'
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
	[[ $(rl_norm <<<"$output") == "0 $RL_UID 1"$'\n'"1 $RL_SUB 65536" ]]
	# shellcheck disable=SC2016 # BOX_ROOT as usr-ns sets it
	run -0 as_user usr-ns -- sh -c 'id -u; echo "$BOX_ROOT"'
	[[ $output == "0"$'\n'"$RL_ROOT" ]]
	# the next call joins the same namespaces
	[[ $(as_user usr-ns --pid) == "$holder" ]]
	[[ $(as_user usr-ns -- readlink /proc/self/ns/user) == "$(readlink "/proc/$holder/ns/user")" ]]
	[[ $(as_user usr-ns -- readlink /proc/self/ns/mnt) == "$(readlink "/proc/$holder/ns/mnt")" ]]
}

@test "rootless: without XDG_DATA_HOME the state directory is ~/.local/share/box" {
	h=$RL_HOME/h-$BATS_TEST_NUMBER
	mkdir -p "$h"
	chown "$RL_USER:" "$h"
	run -0 runuser -u "$RL_USER" -- env -i HOME="$h" PATH="$RL_BIN:/usr/bin:/bin" box images -q
	[[ -f $h/.local/share/box/userns && -d $h/.local/share/box/images ]]
	run -0 runuser -u "$RL_USER" -- env -i HOME="$h" PATH="$RL_BIN:/usr/bin:/bin" usr-ns --stop
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
	[[ $(rl_norm <<<"$output") == "0"$'\n'"0 $RL_UID 1"$'\n'"1 $RL_SUB 65536" ]]
	[[ $(stat -c %u "$RL_HOME/vol-$BATS_TEST_NUMBER/made-by-root") == "$RL_UID" ]]
	# uid 1000 inside is the 1000th of the range
	[[ $(stat -c %u "$RL_HOME/vol-$BATS_TEST_NUMBER/d") == "$((RL_SUB + 999))" ]]
	# nothing stays mounted on the host: the overlay is the holder's
	run -1 grep -c "$RL_ROOT" /proc/self/mountinfo
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
	# the limits are ignored, one warning each, as rootless Podman: the
	# container runs
	run -0 --separate-stderr as_user box run --rm --network none -m 64m --cpus 1 --pids-limit 50 small echo ran
	[[ $output == ran ]]
	w="resource limits are not supported and ignored on rootless systems without a delegated cgroup v2 subtree"
	[[ $stderr == "ctr-create: warning: --memory: $w"$'\n'"ctr-create: warning: --cpus: $w"$'\n'"ctr-create: warning: --pids-limit: $w" ]]
	# what needs the container's cgroup says so, as rootless Podman
	run -1 as_user box pause rl2
	[[ $output == "Error response from daemon: Cannot pause container $id: pause is not supported for rootless containers without a delegated cgroup v2 subtree" ]]
	run -1 as_user box stats --no-stream rl2
	[[ $output == "Error response from daemon: stats is not supported in rootless mode without cgroups v2" ]]
	run -1 as_user box top rl2
	[[ $output == "Error response from daemon: top is not supported in rootless mode without cgroups v2" ]]
	run -0 as_user box rm -f rl2
}

@test "rootless: with a delegated cgroup v2 subtree the container has a cgroup in it; pause, stats, top" {
	# mounted before the holder's mount namespace is made, as
	# /sys/fs/cgroup is there from boot
	rl_delegate
	rl_small
	run -0 as_deleg box run -d --name rl3 --network none small sleep 100
	id=$output
	pid=$(sed -n 's/^pid=//p' "$RL_ROOT/containers/$id/state")
	# beside the user's processes, under the top of the delegation
	[[ $(cat "$RL_DELEG/box/$id/cgroup.procs") == "$pid" ]]
	grep -qx "0::/rl-$$-$BATS_TEST_NUMBER/box/$id" "/proc/$pid/cgroup"
	[[ $(stat -c %u "$RL_DELEG/box/$id") == "$RL_UID" ]]
	# pause and unpause through cgroup.freeze
	run -0 as_deleg box pause rl3
	[[ $(cat "$RL_DELEG/box/$id/cgroup.freeze") == 1 ]]
	grep -qx 'frozen 1' "$RL_DELEG/box/$id/cgroup.events"
	run -0 as_deleg box ps --format '{{.Names}} {{.Status}}'
	[[ $output == "rl3 Up "*" (Paused)" ]]
	run -0 as_deleg box unpause rl3
	[[ $(cat "$RL_DELEG/box/$id/cgroup.freeze") == 0 ]]
	run -0 as_deleg box exec rl3 echo thawed
	[[ $output == thawed ]]
	run -0 as_deleg box stats --no-stream --format '{{.Name}} {{.CPUPerc}}' rl3
	[[ $output =~ ^rl3\ [0-9]+\.[0-9]{2}%$ ]]
	run -0 as_deleg box top rl3
	[[ ${lines[0]} == "UID"*"PID"*"CMD" && ${lines[1]} == *" $pid "*"sleep 100" ]]
	# the subtree delegates none of the controllers a limit needs: the
	# container is not made, in crun's words (rootless Podman's error)
	run -125 as_deleg box run --rm --network none -m 64m small true
	[[ $output == *"--memory: the requested cgroup controller \`memory\` is not available"* ]]
	run -125 as_deleg box run --rm --network none --pids-limit 50 small true
	[[ $output == *"--pids-limit: the requested cgroup controller \`pids\` is not available"* ]]
	run -0 as_deleg box rm -f rl3
	[[ ! -e $RL_DELEG/box/$id ]]
}

@test "rootless: a limit whose controller the subtree has is written (a plain directory for the cgroup2 root)" {
	rl_small
	# the delegated subtree's stand-in: the user's plain directory, as
	# BOX_CGROUP2_ROOT is root's (no controller here is v2's)
	mkdir "$RL_HOME/cg-$BATS_TEST_NUMBER"
	chown "$RL_USER:" "$RL_HOME/cg-$BATS_TEST_NUMBER"
	BOX_CGROUP2_ROOT=$RL_HOME/cg-$BATS_TEST_NUMBER run -0 --separate-stderr as_user box run -d --name rl4 --network none -m 64m --pids-limit 50 --cpus 0.5 small sleep 100
	id=$output
	[[ -z $stderr ]]
	cg=$RL_HOME/cg-$BATS_TEST_NUMBER/box/$id
	[[ $(cat "$cg/memory.max") == 67108864 && $(cat "$cg/pids.max") == 50 && $(cat "$cg/cpu.max") == "50000 100000" ]]
	BOX_CGROUP2_ROOT=$RL_HOME/cg-$BATS_TEST_NUMBER run -0 as_user box rm -f rl4
	[[ ! -e $cg ]]
}

@test "rootless: --userns=auto and userns-remap take the user's namespace's ids; info says rootless and userns" {
	rl_small
	run -0 as_user box info --format '{{.SecurityOptions}}'
	[[ $output == "[name=seccomp,profile=default name=rootless]" ]]
	# the pool is the namespace's 65536 ids (1..), not root's ranges or 2^31 on
	run -125 as_user box run --rm --network none --userns=auto:size=65537 small true
	[[ $output == *"--userns=auto: no room for 65537 ids left in the pool of 65536"* ]]
	run -0 as_user box config userns-remap default
	# no boxremap: an ordinary user makes no user
	run -1 id boxremap
	run -0 as_user box info --format '{{.SecurityOptions}}'
	[[ $output == "[name=seccomp,profile=default name=userns name=rootless]" ]]
	# another's ranges are not the user's to map (nobody's, for the test)
	RL_NOBODY=$((RL_SUB + 65536)):65536
	echo "nobody:$RL_NOBODY" | tee -a /etc/subuid >>/etc/subgid
	run -0 as_user box config userns-remap nobody
	run -125 as_user box run --rm --network none small true
	sed -i "/^nobody:$RL_NOBODY\$/d" /etc/subuid /etc/subgid
	[[ $output == *"userns-remap nobody: range $((RL_SUB + 65536))-$((RL_SUB + 131071)): not in the user's namespace (/proc/self/uid_map)"* ]]
}

@test "rootless: two --userns=auto containers, disjoint ranges of the user's namespace, on the layers' copies" {
	rl_small
	run -0 as_user box run -d --name a1 --network none --userns=auto:size=1000 small sleep 100
	a1=$output
	run -0 as_user box run -d --name a2 --network none --userns=auto:size=1000 small sleep 100
	a2=$output
	# as the holder's namespace numbers them: 1.. (its 0 is the user)
	run -0 as_user box exec a1 cat /proc/self/uid_map /proc/self/gid_map
	[[ $(rl_norm <<<"$output") == "0 1 1000"$'\n'"0 1 1000" ]]
	run -0 as_user box exec a2 cat /proc/self/uid_map
	[[ $(rl_norm <<<"$output") == "0 1001 1000" ]]
	# root inside is a subordinate id on the host, neither the user nor
	# the holder's 0, and owns the image's files
	p1=$(sed -n 's/^pid=//p' "$RL_ROOT/containers/$a1/state")
	p2=$(sed -n 's/^pid=//p' "$RL_ROOT/containers/$a2/state")
	[[ $(awk '/^Uid:/ { print $2 }' "/proc/$p1/status") == "$RL_SUB" ]]
	[[ $(awk '/^Uid:/ { print $2 }' "/proc/$p2/status") == "$((RL_SUB + 1000))" ]]
	run -0 as_user box exec a2 sh -c 'id -u; stat -c %u /bin/sh; touch /made && stat -c %u /made'
	[[ $output == "0"$'\n'"0"$'\n'"0" ]]
	# the user's namespace may not idmap the host's file system: the
	# range's copies were made, without BOX_IDMAP_LAYERS asking
	[[ -n $(ls "$RL_ROOT/idcopies") ]]
	run -0 as_user box rm -f a1 a2
}

@test "rootless: userns-remap default maps containers onto the user's subordinate ids" {
	rl_small
	run -0 as_user box config userns-remap default
	run -0 as_user box run -d --network none small sleep 100
	id=$output
	run -0 as_user box exec "$id" sh -c 'cat /proc/self/uid_map; id -u; stat -c %u /bin/sh'
	[[ $(rl_norm <<<"$output") == "0 1 65536"$'\n'"0"$'\n'"0" ]]
	pid=$(sed -n 's/^pid=//p' "$RL_ROOT/containers/$id/state")
	[[ $(awk '/^Uid:/ { print $2 }' "/proc/$pid/status") == "$RL_SUB" ]]
	run -0 as_user box rm -f "$id"
	# the user's own name: its ranges, as the namespace numbers them
	run -0 as_user box config userns-remap "$RL_USER"
	run -0 as_user box run --rm --network none small cat /proc/self/uid_map
	[[ $(rl_norm <<<"$output") == "0 1 65536" ]]
}

@test "rootless: build ., RUN in a container of the user's on the default network" {
	rl_small
	mkdir -p "$RL_HOME/ctx-$BATS_TEST_NUMBER"
	printf 'FROM small\nRUN echo built >/built && id -u >>/built && ip route | head -n 1 >>/built\nCMD ["cat", "/built"]\n' >"$RL_HOME/ctx-$BATS_TEST_NUMBER/Dockerfile"
	chown -R "$RL_USER:" "$RL_HOME/ctx-$BATS_TEST_NUMBER"
	# the current directory survives joining the holder's mount namespace
	run -0 as_user sh -c 'cd "$1" && box build -q -t rl/built .' sh "$RL_HOME/ctx-$BATS_TEST_NUMBER"
	run -0 as_user box run --rm --network none rl/built
	[[ $output == "built"$'\n'"0"$'\n'"default via 172.17.0.1 dev eth0"* ]]
}

@test "rootless: usr-ns --stop ends the holder; the next call makes another" {
	run -0 as_user box images -q
	old=$(as_user usr-ns --pid)
	run -0 as_user usr-ns --stop
	[[ ! -e /proc/$old || $(awk '/^State:/ { print $2 }' "/proc/$old/status") == Z ]]
	run -1 as_user usr-ns --pid
	run -0 as_user box images -q
	new=$(as_user usr-ns --pid)
	[[ $new != "$old" ]]
}

@test "rootless: a user without subordinate ids gets a one-uid namespace and a warning" {
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	run -0 --separate-stderr as_user usr-ns -- cat /proc/self/uid_map
	usermod --add-subuids "$RL_SUB-$((RL_SUB + 65535))" --add-subgids "$RL_SUB-$((RL_SUB + 65535))" "$RL_USER"
	[[ $(rl_norm <<<"$output") == "0 $RL_UID 1" ]]
	[[ $stderr == "usr-ns: warning: no subordinate ids for the user in /etc/subuid and /etc/subgid: containers get one uid" ]]
}

@test "rootless: usr-ns usage, and root runs the command as it is" {
	run -2 usr-ns
	[[ $output == "usage: usr-ns [--root DIR] [--] CMD [ARG...]"* ]]
	run -0 usr-ns -- sh -c 'id -u; echo "${BOX_ROOTLESS-unset}."'
	[[ $output == "0"$'\n'"." ]]
	# a stray BOX_ROOTLESS=1 in root's environment is no rootless
	BOX_ROOTLESS=1 run -0 ctr-stats --root "$BATS_TEST_TMPDIR/root" --no-stream
	[[ $output == "CONTAINER ID"* ]]
}

# a TCP server on the host's 127.0.0.1 answering LINE once per connection,
# its port in $port, its pid in $srv
rl_server () {
	port=$(_box_free_port)
	python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4)
while True:
    c, _ = s.accept()
    c.sendall(sys.argv[2].encode() + b"\n")
    c.close()' "$port" "$1" 3>&- &
	srv=$!
	for _ in $(seq 50); do
		python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

@test "rootless: the default network goes out through slirp4netns; the host's loopback only when allowed" {
	rl_small
	rl_server from-the-host
	# Podman's default: 10.0.2.2 is not the host's loopback
	run -1 as_user box run --rm small nc -w 2 10.0.2.2 "$port"
	as_user usr-ns --stop
	_rl_kill
	BOX_ROOTLESS_HOST_LOOPBACK=1 run -0 as_user box run --rm small sh -c "ip route; nc -w 5 10.0.2.2 $port"
	kill "$srv"
	[[ $output == "default via 172.17.0.1 dev eth0"*"from-the-host" ]]
	# the bridge is in the user's network namespace, not the host's
	run -1 ip link show "${RL_PREFIX}0"
	run -0 as_user usr-ns -- nsenter --net="$RL_ROOT/netns" ip -o link show "${RL_PREFIX}0"
	[[ -n $(as_user usr-ns --pid) ]]
}

@test "rootless: -p HOSTPORT:5353/udp answers on 127.0.0.1 and [::1]; -p 127.0.0.1:P:80 only there" {
	rl_small
	port=$(_box_free_port)
	run -0 as_user box run -d --name dns -p "$port:5353/udp" small sleep 1000
	id=$(as_user box inspect -f '{{.Id}}' dns)
	# busybox nc has no -u: python in the container's network namespace
	cp "$TESTS_DIR/fixtures/udp.py" "$RL_DIR/udp.py"
	chmod 0755 "$RL_DIR/udp.py"
	for peer in 127.0.0.1 ::1; do
		(cd "$RL_DIR" && as_user usr-ns -- nsenter --net="$RL_ROOT/containers/$id/netns" \
			timeout 10 python3 "$RL_DIR/udp.py" serve 5353 </dev/null >"$BATS_TEST_TMPDIR/udp.out" 2>&1 &)
		sleep 0.5
		run -0 python3 "$TESTS_DIR/fixtures/udp.py" send "$peer" "$port" "hello-$peer"
		[[ $output == "pong hello-$peer" ]]
	done
	run -0 as_user box rm -f dns
	[[ -z $(ss -Hulnp "sport = :$port") ]]
	# a host address: that one alone
	port=$(_box_free_port)
	run -0 as_user box run -d --name lo -p "127.0.0.1:$port:80" small sh -c 'while :; do echo hello-lo | nc -l -p 80; done'
	for _ in $(seq 50); do
		out=$(python3 -c 'import socket, sys; print(socket.create_connection(("127.0.0.1", int(sys.argv[1]))).makefile().readline().strip())' "$port" 2>/dev/null) && [[ $out == hello-lo ]] && break
		sleep 0.1
	done
	[[ $out == hello-lo ]]
	[[ $(ss -Htln "sport = :$port") == *"127.0.0.1:$port "* && $(ss -Htln "sport = :$port" | wc -l) == 1 ]]
	run -0 as_user box rm -f lo
}

@test "rootless: -p HOSTPORT:80 is reachable on 127.0.0.1 and [::1]; ports below 1024 refused" {
	rl_small
	port=$(_box_free_port)
	run -0 as_user box run -d --name web -p "$port:80" small sh -c 'while :; do echo hello-from-web | nc -l -p 80; done'
	run -0 as_user box port web
	[[ $output == "80/tcp -> 0.0.0.0:$port" ]]
	for _ in $(seq 50); do
		out=$(python3 -c 'import socket, sys; print(socket.create_connection(("127.0.0.1", int(sys.argv[1]))).makefile().readline().strip())' "$port" 2>/dev/null) && [[ $out == hello-from-web ]] && break
		sleep 0.1
	done
	[[ $out == hello-from-web ]]
	# the host's port is slirp4netns's, which the user runs
	ss -Htlnp "sport = :$port" | grep -q slirp4netns
	# and on the host's IPv6 too, as rootless Podman's: a relay of the
	# user's on [::] (slirp4netns forwards IPv4 alone) to slirp4netns
	out=$(python3 -c 'import socket, sys; print(socket.create_connection(("::1", int(sys.argv[1]))).makefile().readline().strip())' "$port")
	[[ $out == hello-from-web ]]
	relay=$(ss -Htlnp "sport = :$port" | sed -n 's/^LISTEN .*\[::\]:[0-9]* .*pid=\([0-9]*\),.*/\1/p')
	[[ $(awk '/^Uid:/ { print $2 }' "/proc/$relay/status") == "$RL_UID" ]]
	# a second container cannot take the port, on either
	run -125 as_user box run --rm -p "$port:80" small true
	[[ $output == *"port is already allocated"* ]]
	# released at stop, both, and published again at start
	run -0 as_user box stop -t 1 web
	[[ -z $(ss -Htln "sport = :$port") ]]
	run -0 as_user box start web
	for _ in $(seq 50); do
		out=$(python3 -c 'import socket, sys; print(socket.create_connection(("::1", int(sys.argv[1]))).makefile().readline().strip())' "$port" 2>/dev/null) && [[ $out == hello-from-web ]] && break
		sleep 0.1
	done
	[[ $out == hello-from-web ]]
	run -0 as_user box rm -f web
	# gone with the container
	[[ -z $(ss -Htln "sport = :$port") ]]
	run -125 as_user box run --rm -p 80:80 small true
	[[ $output == *"cannot expose privileged port 80, choose a larger port number (>= 1024)"* ]]
	# a port the host's IPv6 side has taken: refused, the IPv4 side undone
	port=$(_box_free_port)
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(("::1", int(sys.argv[1])))
s.listen(1)
print("up", flush=True)
time.sleep(30)' "$port" >"$BATS_TEST_TMPDIR/v6" 3>&- &
	v6=$!
	for _ in $(seq 50); do [[ -s $BATS_TEST_TMPDIR/v6 ]] && break; sleep 0.1; done
	run -125 as_user box run --rm -p "$port:80" small true
	kill "$v6"
	[[ $output == *"Bind for :::$port failed: port is already allocated"* ]]
	[[ -z $(ss -Htln "sport = :$port" | grep -v '\[::1\]') ]]
}

@test "rootless: a named network, containers reach each other by name" {
	rl_small
	run -0 as_user box network create rlnet
	run -0 as_user box run -d --name peer --network rlnet small sh -c 'while :; do echo from-peer | nc -l -p 7000; done'
	run -0 as_user box run --rm --network rlnet small sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 peer 7000 && exit 0; sleep 0.2; done; exit 1'
	[[ $output == from-peer ]]
	run -0 as_user box network ls --format '{{.Name}}'
	[[ $output == *rlnet* ]]
	run -0 as_user box rm -f peer
	run -0 as_user box network rm rlnet
}

@test "rootless: fuse-overlayfs (BOX_OVERLAY=fuse): the container's root, kept across stop and start, gone with rm" {
	command -v fuse-overlayfs >/dev/null || {
		echo "fuse-overlayfs missing (Debian's fuse-overlayfs: make deps)" >&2
		return 1
	}
	# fuse-overlayfs opens /dev/fuse as the user: Debian's udev makes it
	# 0666, a machine without udev may have it 0600 (put back in teardown)
	RL_FUSE_MODE=$(stat -c %a /dev/fuse)
	chmod 666 /dev/fuse
	rl_small
	run -0 as_user env BOX_OVERLAY=fuse box run -d --name fu --network none small sleep 300
	id=$output
	[[ -e $RL_ROOT/containers/$id/fuse-overlayfs ]]
	run -0 as_user box exec fu awk '$5 == "/" { print $(NF - 2) }' /proc/self/mountinfo
	[[ $output == fuse.fuse-overlayfs ]]
	# the image's files are root's; what root writes, a user of the range may read
	run -0 as_user box exec fu sh -c 'echo kept >/kept && mkdir /d && chown 1000 /d && stat -c %u /etc/passwd'
	[[ $output == 0 ]]
	run -0 as_user box exec -u 1000 fu sh -c 'cat /kept && touch /d/mine && stat -c %u /d/mine'
	[[ $output == "kept"$'\n'"1000" ]]
	# a file deleted from a layer stays deleted
	run -0 as_user box exec fu rm /bin/true
	run -0 as_user box stop -t 0 fu
	# started again without the variable: the bundle is fuse-overlayfs's
	run -0 as_user box start fu
	run -0 as_user box exec fu sh -c 'cat /kept; test -e /bin/true || echo deleted'
	[[ $output == "kept"$'\n'"deleted" ]]
	run -0 as_user box exec fu awk '$5 == "/" { print $(NF - 2) }' /proc/self/mountinfo
	[[ $output == fuse.fuse-overlayfs ]]
	pgrep -u "$RL_UID" -f "fuse-overlayfs .*$id" >/dev/null
	# a commit reads fuse-overlayfs's upper: its whiteouts, not its marks
	run -0 as_user box commit fu fucommitted
	run -0 as_user box run --rm --network none fucommitted sh -c 'cat /kept; test -e /bin/true || echo deleted; ls -a /bin | grep -c "^\.wh\." || :'
	[[ $output == "kept"$'\n'"deleted"$'\n'"0" ]]
	# on overlayfs of the user's namespace (its user.* marks): a directory
	# removed and made again is empty
	run -0 as_user box run --rm --network none fucommitted sh -c 'ls -A /d; rm -rf /d && mkdir /d && ls -A /d | wc -l'
	[[ $output == "mine"$'\n'"0" ]]
	run -0 as_user box rm -f fu
	[[ ! -e $RL_ROOT/containers/$id ]]
	# its daemon ends with its mount
	for _ in $(seq 50); do pgrep -u "$RL_UID" -f "fuse-overlayfs .*$id" >/dev/null || break; sleep 0.1; done
	run -1 pgrep -u "$RL_UID" -f "fuse-overlayfs .*$id"
}
