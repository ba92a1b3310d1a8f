# fakectr.bash - containers made by hand, for the tests of the tools that
# read them (ctr-list, ctr-kill, ctr-rm, ctr-logs, ctr-wait); load after
# ../helpers: `load ../lib/fakectr`.
#
# A container directory as docs/ARCHITECTURE.md has it (config.json,
# create.json, state, log), and for a running one a fake supervisor that
# does what ctr-spawn -d does for the tools: holds containers/ID/lock while
# the payload lives, records running then exited in state (atomically),
# and reaps the payload. Its cwd is the container directory, so
# box_teardown kills it and its payload.
#
#   fake_ctr NAME [CREATED]          a created container; prints its id
#   fake_exited NAME CODE [CREATED]  one that ran and exited with CODE
#   fake_run NAME CMD...             one running CMD (sh -c words allowed)
#   fake_dir NAME                    its directory
#   fake_log NAME STREAM TEXT...     append full lines to its log

_fake_now () { date -u +%Y-%m-%dT%H:%M:%S.%NZ; }

fake_dir () {
	echo "$BOX_ROOT/containers/$(readlink "$BOX_ROOT/names/$1")"
}

# fake_ctr NAME [CREATED]: create.json with Docker's fields, a config.json
# whose process runs "sleep 1000", state "created"
fake_ctr () {
	local name=$1 created=${2:-$(_fake_now)} id dir
	id=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	dir=$BOX_ROOT/containers/$id
	mkdir -p "$dir" "$BOX_ROOT/names"
	jq -n --arg n "/$name" --arg c "$created" --arg img "sha256:$(printf %064d 7)" '{
		Name: $n, Created: $c, Image: $img, ImageRef: "small",
		Config: {Cmd: ["sleep", "1000"], Entrypoint: null, Labels: {app: $n[1:], tier: "web"},
			Image: "small", StopSignal: "SIGTERM"},
		HostConfig: {NetworkMode: "none", RestartPolicy: {Name: "no", MaximumRetryCount: 0},
			AutoRemove: false}}' >"$dir/create.json"
	jq -n '{ociVersion: "1.0.2", process: {args: ["sleep", "1000"], cwd: "/"},
		root: {path: "rootfs"}, mounts: []}' >"$dir/config.json"
	printf 'status=created\ncreated=%s\n' "$created" >"$dir/state"
	echo "sha256:$(printf %064d 7)" >"$dir/image"
	ln -s "$id" "$BOX_ROOT/names/$name"
	echo "$id"
}

fake_exited () {
	local name=$1 code=$2 id dir
	id=$(fake_ctr "$name" "${3-}")
	dir=$BOX_ROOT/containers/$id
	printf 'status=exited\nexit_code=%s\ncreated=%s\nstarted=%s\nfinished=%s\n' "$code" \
		"$(_fake_now)" "$(_fake_now)" "$(_fake_now)" >"$dir/state"
	echo "$id"
}

# fake_run NAME CMD...: returns once state says running (or exited)
fake_run () {
	local name=$1 id dir
	shift
	id=$(fake_ctr "$name")
	dir=$BOX_ROOT/containers/$id
	jq --args '.Config.Cmd = $ARGS.positional' "$@" <"$dir/create.json" >"$dir/create.json.new"
	mv "$dir/create.json.new" "$dir/create.json"
	# shellcheck disable=SC2016 # the supervisor's own script
	# the lock on an fd of the supervisor only, as ctr-spawn holds it (O_CLOEXEC)
	# and a child of init once this subshell ends, so that its end is reaped
	# at once (a zombie still has its /proc entry: it would read as alive)
	( (cd "$dir" && exec setsid sh -c '
		exec 9>>lock
		flock -x 9
		st () { awk "{ print \$22 }" "/proc/$1/stat"; }
		rec () { printf "%s" "$1" >state.tmp && mv state.tmp state; }
		"$@" </dev/null >>payload.out 2>&1 9>&- &
		pid=$!
		c=$(grep ^created= state)
		rec "status=running
pid=$pid
pid_start=$(st $pid)
monitor=$$
monitor_start=$(st $$)
$c
started=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
"
		wait $pid
		code=$?
		s=$(grep -v -e ^status= -e ^finished= -e ^exit_code= state)
		rec "status=exited
exit_code=$code
$s
finished=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
"' sh "$@") </dev/null >/dev/null 2>&1 3>&- & )
	# running, or already done for a payload that ends at once
	for _ in $(seq 500); do
		grep -qE '^status=(running|exited)' "$dir/state" 2>/dev/null && break
		sleep 0.01
	done
	grep -qE '^status=(running|exited)' "$dir/state" || return 1
	echo "$id"
}

# fake_log NAME STREAM TEXT...: one full CRI line per TEXT
fake_log () {
	local dir t
	dir=$(fake_dir "$1")
	t=$2
	shift 2
	for l in "$@"; do
		printf '%s %s F %s\n' "$(_fake_now)" "$t" "$l" >>"$dir/log"
	done
}
