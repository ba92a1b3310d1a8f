# helpers.bash - loaded by every .bats file: `load ../helpers`
#
# Pins the environment (git's t/test-lib.sh does the same), builds the image
# fixtures once per bats run, runs throwaway registries on 127.0.0.1 and
# cleans up what a test leaves (mounts, processes, files).
#
#   setup_file    { registry_start; registry_start_auth; }  (either, both)
#   teardown_file { registry_stop; }
#   setup         { box_setup; }
#   teardown      { box_teardown; }
#
# API (see each function's comment):
#   box_setup, box_teardown, fixtures, fixture_digest,
#   fixture_manifest_digest, fixture_image_id, store_add,
#   registry_start, registry_start_auth, registry_stop, registry_push,
#   registry_push_auth, fakereg_start, http_start, conformance_or_skip,
#   skip_unless_root
# Variables: BOX_BUILD BOX_ROOT DOCKER_CONFIG FIXTURES CONFORMANCE TESTS_DIR
#   REPO_DIR REGISTRY REGISTRY_DIR AUTH_REGISTRY AUTH_USER AUTH_PASS
#   AUTH_REGISTRY_DIR FAKE FAKEREG FAKEREG_PID HTTP_URL

bats_require_minimum_version 1.5.0

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$TESTS_DIR")
# conformance material shared between projects: /work/main/../shared/conformance
CONFORMANCE=$(realpath -m "$REPO_DIR/../shared/conformance")
export TESTS_DIR REPO_DIR CONFORMANCE

# --- the environment, pinned --------------------------------------------
_box_build=${BOX_BUILD:-$REPO_DIR/build}
for _v in $(compgen -e BOX_); do unset "$_v"; done
unset _v
BOX_BUILD=$(realpath -m "$_box_build")
unset _box_build
export BOX_BUILD
export LC_ALL=C TZ=UTC
unset LANG LANGUAGE DOCKER_HOST DOCKER_CONTEXT REGISTRY_AUTH_FILE
case ":$PATH:" in
*":$BOX_BUILD/bin:"*) ;;
*) PATH=$BOX_BUILD/bin:$PATH ;;
esac
export PATH
FIXTURES=${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/fixtures
export FIXTURES

# box_setup: a fresh state dir and docker config per test; fixtures built
box_setup () {
	export BOX_ROOT=$BATS_TEST_TMPDIR/root
	export DOCKER_CONFIG=$BATS_TEST_TMPDIR/docker
	export XDG_DATA_HOME=$BATS_TEST_TMPDIR/xdg-data
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg-run
	mkdir -p "$DOCKER_CONFIG" "$XDG_RUNTIME_DIR"
	_box_log_marks=$(_box_registry_logs | while read -r f; do
		echo "$f $(stat -c %s "$f")"
	done)
	fixtures
}

# the logs of this file's registries
_box_registry_logs () {
	local d
	for d in "${REGISTRY_DIR-}" "${AUTH_REGISTRY_DIR-}"; do
		[[ -n $d && -f $d/registry.log ]] && echo "$d/registry.log"
	done
	return 0
}

# after a failed test: what the registries logged during it
_box_show_registry_logs () {
	local f off log
	while read -r f off; do
		[[ -n $f ]] || continue
		log=$(tail -c +"$((off + 1))" "$f" | tail -n 40)
		[[ -n $log ]] && printf -- '--- %s (during this test, last 40 lines)\n%s\n' "$f" "$log"
	done <<<"${_box_log_marks-}"
	return 0
}

# box_teardown: kill what runs from the test dir, unmount, remove it
box_teardown () {
	local d=${BATS_TEST_TMPDIR:?}
	[[ -n ${BATS_TEST_COMPLETED-} ]] || _box_show_registry_logs
	_box_thaw
	_box_kill_under "$d"
	_box_rm_cgroups
	_box_umount_under "$d"
	# --one-file-system: never descend into a mount that would not go away
	rm -rf --one-file-system "$d" 2>/dev/null || true
	mkdir -p "$d" # bats removes it itself on retry
}

# _box_thaw: BOX_ROOT's paused containers thawed (box pause): a frozen
# process takes no SIGKILL until then
_box_thaw () {
	local d
	for d in "${BOX_ROOT:-/nonexistent}"/containers/*/; do
		[[ -w /sys/fs/cgroup/freezer/box/$(basename "$d")/freezer.state ]] || continue
		echo THAWED >"/sys/fs/cgroup/freezer/box/$(basename "$d")/freezer.state" 2>/dev/null || true
	done
	return 0
}

# _box_rm_cgroups: the cgroups of BOX_ROOT's containers, their processes
# killed first: what a killed supervisor or a failed test leaves behind
_box_rm_cgroups () {
	local d c
	for d in "${BOX_ROOT:-/nonexistent}"/containers/*/; do
		for c in /sys/fs/cgroup/*/box/"$(basename "$d")" /sys/fs/cgroup/box/"$(basename "$d")"; do
			[[ -d $c ]] || continue
			xargs -r kill -KILL <"$c/cgroup.procs" 2>/dev/null || true
			rmdir "$c" 2>/dev/null || true
		done
	done
	return 0
}

# cgroup2_mount: the host's cgroup2 hierarchy mounted at $CG2 for this
# test (this host's v1 lacks it), box's v2 root a directory of the test's
# own in it, since the hierarchy is the host's one
cgroup2_mount () {
	CG2=$BATS_TEST_TMPDIR/cg2
	mkdir -p "$CG2"
	mount -t cgroup2 none "$CG2"
	export BOX_CGROUP2_ROOT=$CG2/box-test-$$
	mkdir "$BOX_CGROUP2_ROOT"
}

# cgroup2_sweep: the cgroups cgroup2_mount's test left (killed, removed),
# before box_teardown unmounts the hierarchy
cgroup2_sweep () {
	local c
	[[ -n ${CG2-} ]] || return 0
	for c in "$BOX_CGROUP2_ROOT"/box/*/; do
		[[ -d $c ]] || continue
		echo 1 >"$c/cgroup.kill"
		for _ in $(seq 50); do
			rmdir "$c" 2>/dev/null && break
			sleep 0.1
		done
	done
	rmdir "$BOX_CGROUP2_ROOT/box" "$BOX_CGROUP2_ROOT" 2>/dev/null
	return 0
}

# the pids of this shell and its ancestors, which teardown must spare
_box_ancestors () {
	local p=$BASHPID
	while [[ -n $p && $p != 0 ]]; do
		echo "$p"
		p=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
	done
}

# _box_kill_under DIR: SIGKILL processes whose cwd, root or an open file is
# under DIR (a -d supervisor holds its container's lock open), and the
# processes of containers rooted there (see _box_contained_under)
_box_kill_under () {
	local dir=$1 pids spare p
	spare=" $(_box_ancestors | tr '\n' ' ') "
	pids=$(
		find /proc/[0-9]*/cwd /proc/[0-9]*/root /proc/[0-9]*/fd -maxdepth 1 \
			\( -lname "$dir/*" -o -lname "$dir" \) -print 2>/dev/null | cut -d/ -f3
		_box_contained_under "$dir"
	)
	pids=$(sort -u <<<"$pids")
	for p in $pids; do
		[[ $spare == *" $p "* ]] && continue
		kill -KILL "$p" 2>/dev/null || true
	done
	for p in $pids; do
		[[ $spare == *" $p "* ]] && continue
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			[[ -d /proc/$p ]] || break
			sleep 0.1
		done
	done
}

# _box_contained_under DIR: pids in another mount namespace whose root is
# a mount under DIR: after pivot_root /proc/PID/root reads "/", so compare
# the root's device and inode with our mounts under DIR, and look for DIR
# in the process's own "/" mount (a bind's source, overlay's upperdir=)
_box_contained_under () {
	local dir=$1 myns roots others
	myns=$(readlink /proc/self/ns/mnt)
	others=$(find /proc/[0-9]*/ns/mnt -maxdepth 0 -printf '%p %l\n' 2>/dev/null |
		awk -v me="$myns" '$2 != me { split($1, a, "/"); print a[3] }')
	[[ -n $others ]] || return 0
	# one stat and one awk for all of them: a fork per process costs seconds
	roots=$(_box_mounts_under "$dir" | xargs -r -d '\n' stat -c %d:%i 2>/dev/null)
	if [[ -n $roots ]]; then
		sed 's|.*|/proc/&/root|' <<<"$others" | xargs -r stat -L -c '%n %d:%i' 2>/dev/null |
			awk -v roots=" $(tr '\n' ' ' <<<"$roots") " 'index(roots, " " $2 " ") {
				split($1, a, "/"); print a[3] }'
	fi
	# grep -s goes on past a process that is gone (mawk would stop)
	sed 's|.*|/proc/&/mountinfo|' <<<"$others" | xargs -r grep -s -l -F -- "$dir/" |
		while read -r f; do
			awk -v d="$dir/" '$5 == "/" && index($0, d) { f = 1 } END { exit !f }' "$f" 2>/dev/null &&
				cut -d/ -f3 <<<"$f"
		done
	return 0
}

# _box_mounts_under DIR: our mount points at or below DIR, deepest first
# (mountinfo escapes blanks as \040)
_box_mounts_under () {
	local dir=$1 m
	awk '{ print $5 }' /proc/self/mountinfo |
		while read -r m; do
			printf -v m '%b' "$m"
			case $m in "$dir" | "$dir"/*) echo "$m" ;; esac
		done | sort -r
}

# _box_umount_under DIR: lazily unmount every mount at or below DIR
_box_umount_under () {
	local m
	_box_mounts_under "$1" | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
}

# skip_unless_root: for tests that need real privileges
skip_unless_root () {
	[[ $(id -u) == 0 ]] || skip "needs root"
}

# conformance_or_skip [SUBPATH]: skip unless $CONFORMANCE[/SUBPATH] exists
conformance_or_skip () {
	local p=$CONFORMANCE${1:+/$1}
	[[ -e $p ]] || skip "conformance material absent at $p"
}

# --- fixtures ------------------------------------------------------------

# fixtures: build the OCI layouts small, multi, index into $FIXTURES once
# per bats run (flock: parallel bats jobs build once and wait)
fixtures () {
	if [[ ! -f $FIXTURES/.done ]]; then
		(
			flock 9
			[[ -f $FIXTURES/.done ]] && exit 0
			rm -rf "$FIXTURES.tmp"
			sh "$TESTS_DIR/fixtures/mkimage.sh" "$FIXTURES.tmp" >&2 || exit 1
			rm -rf "$FIXTURES"
			mv "$FIXTURES.tmp" "$FIXTURES"
			: >"$FIXTURES/.done"
		) 9>"$FIXTURES.lock" || {
			echo "helpers: building fixtures failed" >&2
			return 1
		}
	fi
	export FIXTURES
}

# _fixture_dir NAME|DIR: the layout's path ("small" -> $FIXTURES/small)
_fixture_dir () {
	case $1 in
	*/*) echo "$1" ;;
	*) echo "$FIXTURES/$1" ;;
	esac
}

# fixture_digest NAME: the digest "latest" points at in the fixture (the
# image index's digest for "index")
fixture_digest () {
	fixtures || return 1
	jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "latest")
		| .digest' "$(_fixture_dir "$1")/index.json"
}

# fixture_manifest_digest NAME [ARCH]: the image manifest's digest, an
# index resolved to linux/ARCH (default amd64)
fixture_manifest_digest () {
	local dir d blob
	fixtures || return 1
	dir=$(_fixture_dir "$1")
	d=$(fixture_digest "$1") || return 1
	blob=$dir/blobs/sha256/${d#sha256:}
	if [[ $(jq -r .mediaType "$blob") == application/vnd.oci.image.index.v1+json ]]; then
		d=$(jq -r --arg a "${2:-amd64}" '.manifests[] | select(.platform.os == "linux"
			and .platform.architecture == $a) | .digest' "$blob")
	fi
	[[ -n $d ]] && echo "$d"
}

# fixture_image_id NAME [ARCH]: the config digest, Docker's image id
fixture_image_id () {
	local d
	d=$(fixture_manifest_digest "$@") || return 1
	jq -r .config.digest "$(_fixture_dir "$1")/blobs/sha256/${d#sha256:}"
}

# store_add [--all] FIXTURE REF: put FIXTURE (a name or a layout dir) into
# $BOX_ROOT/images tagged REF (a full ref: docker.io/library/small:latest).
# An index is resolved to linux/amd64 unless --all is given.
store_add () {
	local all=
	if [[ $1 == --all ]]; then
		all=--all
		shift
	fi
	fixtures || return 1
	mkdir -p "$BOX_ROOT"
	skopeo copy -q $all --override-arch amd64 --override-os linux \
		"oci:$(_fixture_dir "$1"):latest" "oci:$BOX_ROOT/images:$2" >&2
}

# box_setup_small: box_setup for tests that run containers (root) over
# the small image, already in the store as small:latest.
box_setup_small () {
	box_setup
	skip_unless_root
	store_add small docker.io/library/small:latest
}

# --- registries ------------------------------------------------------------

# a free TCP port on 127.0.0.1 (the kernel picks it; a race is retried by
# the caller)
_box_free_port () {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 40000))
}

# _box_registry NAME [USER PASS]: start docker-registry in
# $BATS_FILE_TMPDIR/NAME; sets _reg_addr
_box_registry () {
	local name=$1 user=${2-} pass=${3-} dir port pid code auth=
	dir=$BATS_FILE_TMPDIR/$name
	mkdir -p "$dir/storage"
	if [[ -n $user ]]; then
		htpasswd -Bbc "$dir/htpasswd" "$user" "$pass" 2>/dev/null || return 1
		auth="auth:
  htpasswd:
    realm: box-test
    path: $dir/htpasswd"
	fi
	for _ in 1 2 3 4 5; do # a port taken meanwhile: try another
		port=$(_box_free_port)
		cat >"$dir/config.yml" <<-EOF
			version: 0.1
			log:
			  level: info
			storage:
			  filesystem:
			    rootdirectory: $dir/storage
			  delete:
			    enabled: true
			  maintenance:
			    uploadpurging:
			      enabled: false
			http:
			  addr: 127.0.0.1:$port
			  secret: box-test-secret
			$auth
		EOF
		# setsid and closed fds: bats waits for fd 3, and a stray registry
		# must not hold the test's output open
		setsid docker-registry serve "$dir/config.yml" \
			</dev/null >>"$dir/registry.log" 2>&1 3>&- &
		pid=$!
		echo "$pid" >>"$BATS_FILE_TMPDIR/registry.pids"
		_box_registry_watchdog "$pid"
		for _ in $(seq 100); do
			sleep 0.1
			# dead: the port was taken meanwhile (and whoever has it may
			# never answer)
			kill -0 "$pid" 2>/dev/null || break
			code=$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' \
				"http://127.0.0.1:$port/v2/" 2>/dev/null)
			if [[ $code == 200 || $code == 401 ]]; then
				_reg_addr=127.0.0.1:$port
				_reg_dir=$dir
				return 0
			fi
		done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	echo "helpers: docker-registry did not start; its log:" >&2
	cat "$dir/registry.log" >&2
	return 1
}

# stop the registry when the bats run ends, even if teardown_file never runs
_box_registry_watchdog () {
	local reg=$1 owner=${BATS_ROOT_PID:-$$}
	# its own session, so that a signal to bats' process group spares it
	# shellcheck disable=SC2016 # sh expands them
	setsid sh -c 'while kill -0 "$1" && kill -0 "$2"; do sleep 2; done; kill "$2"' \
		sh "$owner" "$reg" </dev/null >/dev/null 2>&1 3>&- &
}

# registry_start: a plain registry; exports REGISTRY=127.0.0.1:PORT and
# REGISTRY_DIR (config.yml, registry.log, storage/)
registry_start () {
	_box_registry registry || return 1
	export REGISTRY=$_reg_addr REGISTRY_DIR=$_reg_dir
}

# registry_start_auth: a registry with htpasswd basic auth; exports
# AUTH_REGISTRY, AUTH_USER, AUTH_PASS, AUTH_REGISTRY_DIR
registry_start_auth () {
	export AUTH_USER=boxuser AUTH_PASS=boxpass-$RANDOM
	_box_registry registry-auth "$AUTH_USER" "$AUTH_PASS" || return 1
	export AUTH_REGISTRY=$_reg_addr AUTH_REGISTRY_DIR=$_reg_dir
}

# registry_stop: stop every registry this file started
registry_stop () {
	local f=$BATS_FILE_TMPDIR/registry.pids pid
	[[ -f $f ]] || return 0
	while read -r pid; do
		kill "$pid" 2>/dev/null || continue
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	done <"$f"
	rm -f "$f"
}

# http_start DIR: DIR served on 127.0.0.1 (tests/fixtures/httpd.py) at
# $HTTP_URL; box_teardown ends it (its output is in the test's directory)
http_start () {
	local port=''
	python3 "$TESTS_DIR/fixtures/httpd.py" "$1" >"$BATS_TEST_TMPDIR/httpd.log" 2>&1 3>&- &
	for _ in $(seq 100); do
		port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$BATS_TEST_TMPDIR/httpd.log")
		[[ -n $port ]] && break
		sleep 0.1
	done
	[[ -n $port ]] || { cat "$BATS_TEST_TMPDIR/httpd.log" >&2; return 1; }
	HTTP_URL=http://127.0.0.1:$port
}

# registry_push FIXTURE REPO:TAG: copy the fixture to $REGISTRY/REPO:TAG
# (every platform of an index), digests kept
registry_push () {
	fixtures || return 1
	skopeo copy -q --all --preserve-digests --dest-tls-verify=false \
		"oci:$(_fixture_dir "$1"):latest" "docker://$REGISTRY/$2" >&2
}

# registry_push_auth FIXTURE REPO:TAG: the same to $AUTH_REGISTRY
registry_push_auth () {
	fixtures || return 1
	skopeo copy -q --all --preserve-digests --dest-tls-verify=false \
		--dest-creds "$AUTH_USER:$AUTH_PASS" \
		"oci:$(_fixture_dir "$1"):latest" "docker://$AUTH_REGISTRY/$2" >&2
}

# fakereg_start: tests/fixtures/fakereg.py (crafted documents, Bearer tokens)
# serving $BATS_TEST_TMPDIR/fake; exports FAKE, FAKEREG=127.0.0.1:PORT and
# FAKEREG_PID, which the test's teardown kills
fakereg_start () {
	FAKE=$BATS_TEST_TMPDIR/fake
	mkdir -p "$FAKE/manifests" "$FAKE/blobs"
	setsid python3 "$TESTS_DIR/fixtures/fakereg.py" "$FAKE" "$FAKE/port" </dev/null >"$FAKE/log" 2>&1 3>&- &
	FAKEREG_PID=$!
	for _ in $(seq 50); do
		[[ -f $FAKE/port ]] && break
		sleep 0.1
	done
	FAKEREG=127.0.0.1:$(cat "$FAKE/port")
	export FAKE FAKEREG FAKEREG_PID
}

# syncs_counted CMD...: run CMD with its fsync, fdatasync and syncfs calls
# counted (by a preload made here: the calls leave no other trace), the
# count in SYNCS; CMD's status is returned
syncs_counted () {
	local so=$BATS_TEST_TMPDIR/syncs.so st=0
	if [[ ! -f $so ]]; then
		cc -shared -fPIC -o "$so" -x c - <<-'C' || return 1
			#define _GNU_SOURCE
			#include <fcntl.h>
			#include <stdlib.h>
			#include <sys/syscall.h>
			#include <unistd.h>
			static void note (void)
			{
				const char *log = getenv ("SYNCS_LOG");
				int fd = log ? open (log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) : -1;
				if (fd >= 0 && write (fd, "sync\n", 5) >= 0)
					close (fd);
			}
			int fsync (int fd) { note (); return (int)syscall (SYS_fsync, fd); }
			int fdatasync (int fd) { note (); return (int)syscall (SYS_fdatasync, fd); }
			int syncfs (int fd) { note (); return (int)syscall (SYS_syncfs, fd); }
		C
	fi
	: >"$BATS_TEST_TMPDIR/syncs.log"
	SYNCS_LOG=$BATS_TEST_TMPDIR/syncs.log LD_PRELOAD=$so "$@" || st=$?
	SYNCS=$(wc -l <"$BATS_TEST_TMPDIR/syncs.log")
	return "$st"
}
