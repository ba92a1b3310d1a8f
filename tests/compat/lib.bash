# lib.bash - the differential suite's engine: the same command run by
# docker (a private dockerd) and by box, compared after normalisation.
#
# A case file (tests/compat/cases/NAME.case) holds one case a line:
#
#   MARK[/FILTER] ARGS...     # comment
#
# ARGS are read as bash words (quotes; $COMPAT_DIR is tests/compat/files,
# the files cases need, $COMPAT_TMP a directory for the files they write)
# and run as `docker ARGS` and `box ARGS`, stdin /dev/null. MARK is
# what the case is expected to be, the suite fails when it is anything
# else (COMPAT_UPDATE=1 rewrites the marks from what was measured):
#   =  identical: the same exit code, stdout and stderr once normalised
#   ~  wording-only: the same exit code and stdout, stderr differs
#   !  different: a difference not fixed yet (README's status says which)
#   d  different, deliberately: the comment names the man page that says
#      so (`# man/ctr-list.1`), which must exist
#   +  set-up: run on both sides, not compared, must succeed on both
# FILTER (a function compat_f_FILTER below) is applied to both stdouts
# before comparing: keys (every key path of a JSON document), sort (the
# lines sorted), tail3 (the last three lines).
#
# The sides: docker is /usr/bin/docker (Debian's docker.io, 20.10) on a
# dockerd of the suite's own (data-root, exec-root, socket and a network
# and mount namespace of its own, cgroups under a parent of its own); box
# runs in a network and mount namespace of its own too, so that both
# default bridges can be 172.17.0.0/16. Both have small:latest and
# multi:latest (the fixtures) and nothing else; compat_reset puts them
# back to that between case files.

COMPAT_DOCKER=${COMPAT_DOCKER:-/usr/bin/docker}

# compat_dir: the directory of the file's dockerd and namespaces
compat_dir () { echo "$BATS_FILE_TMPDIR/compat"; }

# dk ARGS, bx ARGS: the command on one side (a minute at most)
dk () {
	timeout 60 "$COMPAT_DOCKER" -H "unix://$(compat_dir)/dk/sock" "$@"
}

bx () {
	local d
	d=$(compat_dir)
	timeout 60 nsenter --net="$d/bx/ns/net" --mount="$d/bx/ns/mnt" box "$@"
}

# compat_netns DIR: DIR/ns/net and DIR/ns/mnt, a network and mount
# namespace whose /sys is fresh (its devices) with the host's cgroup
# mounts kept (containers need them)
compat_netns () {
	local d=$1
	mkdir -p "$d/ns" "$d/cg"
	mount --bind "$d/ns" "$d/ns"
	mount --make-private "$d/ns"
	touch "$d/ns/net" "$d/ns/mnt"
	# shellcheck disable=SC2016 # the inner sh expands them
	unshare --net="$d/ns/net" --mount="$d/ns/mnt" --propagation private sh -c '
		mount --rbind /sys/fs/cgroup "$1" && mount -t sysfs sysfs /sys &&
		mount --move "$1" /sys/fs/cgroup && ip link set lo up' sh "$d/cg"
}

# compat_env: box's state dir and docker's config, for each test (helpers
# unsets BOX_* as it loads)
compat_env () {
	export BOX_ROOT DOCKER_CONFIG COMPAT_DIR=$TESTS_DIR/compat/files COMPAT_TMP
	BOX_ROOT=$(compat_dir)/bx/root
	DOCKER_CONFIG=$(compat_dir)/docker-config
	COMPAT_TMP=$(compat_dir)/tmp
	mkdir -p "$DOCKER_CONFIG" "$COMPAT_TMP"
}

# compat_start: both sides up, the fixtures loaded into both. Fails with
# dockerd's last lines when it does not answer within 20 s.
compat_start () {
	local d
	d=$(compat_dir)
	[[ -x $COMPAT_DOCKER ]] || {
		echo "compat: $COMPAT_DOCKER not found (apt-get install docker.io)" >&2
		return 1
	}
	command -v dockerd >/dev/null || {
		echo "compat: dockerd not found (apt-get install docker.io)" >&2
		return 1
	}
	fixtures || return 1
	mkdir -p "$d/dk" "$d/bx"
	compat_env
	store_add small docker.io/library/small:latest || return 1
	store_add multi docker.io/library/multi:latest || return 1
	compat_netns "$d/dk" && compat_netns "$d/bx" || return 1
	(cd "$d/dk" && exec nsenter --net="$d/dk/ns/net" --mount="$d/dk/ns/mnt" dockerd \
		--data-root "$d/dk/data" --exec-root "$d/dk/x" --pidfile "$d/dk/pid" \
		-H "unix://$d/dk/sock" --cgroup-parent "$(basename "$BATS_FILE_TMPDIR")-dk" \
		</dev/null >"$d/dk/log" 2>&1 3>&- &)
	for _ in $(seq 200); do
		dk info >/dev/null 2>&1 && break
		sleep 0.1
	done
	dk info >/dev/null 2>&1 || {
		tail -n 3 "$d/dk/log" >&2
		return 1
	}
	img-save small multi | dk load -q >/dev/null
}

compat_stop () {
	local d pid c
	d=$(compat_dir)
	compat_reset >/dev/null 2>&1
	pid=$(cat "$d/dk/pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	for _ in $(seq 100); do
		[[ -n $pid && -e /proc/$pid ]] || break
		sleep 0.1
	done
	[[ -z $pid ]] || kill -KILL "$pid" 2>/dev/null || true
	_box_kill_under "$BATS_FILE_TMPDIR"
	_box_rm_cgroups
	umount "$d/dk/ns/net" "$d/dk/ns/mnt" "$d/bx/ns/net" "$d/bx/ns/mnt" 2>/dev/null
	umount -l "$d/dk/ns" "$d/bx/ns" 2>/dev/null
	for c in /sys/fs/cgroup/*/"$(basename "$BATS_FILE_TMPDIR")-dk" /sys/fs/cgroup/"$(basename "$BATS_FILE_TMPDIR")-dk"; do
		[[ -d $c ]] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	return 0
}

# compat_reset: each side back to the two fixtures and nothing else
compat_reset () {
	local side img
	for side in dk bx; do
		# shellcheck disable=SC2046 # the ids, one word each
		[[ -z $($side ps -aq) ]] || $side rm -f $($side ps -aq) >/dev/null
		$side network prune -f >/dev/null
		$side volume prune -f >/dev/null
		for img in $($side images --format '{{.Repository}}:{{.Tag}}'); do
			# <none>: the dangling ones, which image prune removes
			case $img in small:latest | multi:latest | '<none>:<none>') ;; *) $side rmi -f "$img" >/dev/null ;; esac
		done
		$side image prune -f >/dev/null
	done
}

# compat_norm: what differs between any two runs, masked: ids, digests,
# times, durations, sizes, addresses, pids; the program's name; column
# padding (widths follow the masked values)
compat_norm () {
	sed -E \
		-e 's/\bdocker([^.a-z_-]|$)/box\1/g' \
		-e 's/[0-9a-f]{64}/<ID>/g' \
		-e 's/\b[0-9a-f]{12}\b/<ID>/g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?( UTC)?/<TIME>/g' \
		-e 's/(Less than a second|About a minute|About an hour|[0-9]+ (seconds?|minutes?|hours?|days?|weeks?|months?|years?))( ago)?/<AGO>/g' \
		-e 's/\b[0-9]+(\.[0-9]+)? ?(B|kB|KB|MB|GB|KiB|MiB|GiB)\b/<SIZE>/g' \
		-e 's/"(Size|VirtualSize|Pid|SizeRw|SizeRootFs)": *[0-9]+/"\1": <N>/g' \
		-e 's/\b([0-9]{1,3}\.){3}[0-9]{1,3}\b/<IP>/g' \
		-e 's/\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b/<MAC>/g' \
		-e 's/ {2,}/  /g' -e 's/ +$//'
}

# every key path of a JSON document, array indexes as []
compat_f_keys () {
	jq -r '[paths | map(if type == "number" then "[]" else . end) | join(".")] | unique[]' 2>&1
}

compat_f_sort () { sort; }

# the last three lines: what a case's own commands logged after the set-up's
compat_f_tail3 () { tail -n 3; }

# compat_side SIDE FILTER OUT ARGS...: OUT.rc, OUT.out, OUT.err
compat_side () {
	local side=$1 filter=$2 out=$3 rc=0
	shift 3
	"$side" "$@" </dev/null >"$out.out.raw" 2>"$out.err.raw" || rc=$?
	echo "$rc" >"$out.rc"
	if [[ -n $filter ]]; then
		"compat_f_$filter" <"$out.out.raw" >"$out.out.f"
		mv "$out.out.f" "$out.out.raw"
	fi
	compat_norm <"$out.out.raw" >"$out.out"
	compat_norm <"$out.err.raw" >"$out.err"
}

# compat_class DIR: = ~ or ! for DIR/dk.* against DIR/bx.*
compat_class () {
	local t=$1
	if ! cmp -s "$t/dk.rc" "$t/bx.rc" || ! cmp -s "$t/dk.out" "$t/bx.out"; then
		echo '!'
	elif ! cmp -s "$t/dk.err" "$t/bx.err"; then
		echo '~'
	else
		echo '='
	fi
}

# compat_file CASEFILE: every case of the file, after a reset; prints one
# result a line (MARK-EXPECTED MARK-MEASURED FILE:LINE ARGS) to
# $COMPAT_RESULTS, the differences to stdout; fails when a measured class
# is not the expected one, or a set-up failed
compat_file () {
	local f=$1 name line n=0 mark filter rest expected got t fails=0 ref
	local -a args updates=()
	name=$(basename "$f" .case)
	compat_reset
	while IFS= read -r line || [[ -n $line ]]; do
		n=$((n + 1))
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		mark=${line%% *}
		rest=${line#* }
		filter=''
		[[ $mark == */* ]] && filter=${mark#*/}
		expected=${mark%%/*}
		# a comment (" # ...") is not the command's
		eval "args=(${rest%% # *})"
		t=$BATS_TEST_TMPDIR/$name.$n
		mkdir -p "$t"
		compat_side dk "$filter" "$t/dk" "${args[@]}"
		compat_side bx "$filter" "$t/bx" "${args[@]}"
		if [[ $expected == + ]]; then
			if [[ $(cat "$t/dk.rc") != 0 || $(cat "$t/bx.rc") != 0 ]]; then
				echo "$name:$n: set-up failed: $rest"
				cat "$t/dk.err.raw" "$t/bx.err.raw"
				fails=$((fails + 1))
			fi
			continue
		fi
		got=$(compat_class "$t")
		if [[ $expected == d ]]; then
			ref=$(sed -n 's/.*# *\(man\/[a-z0-9_.-]*\.[1-8]\).*/\1/p' <<<"$rest")
			if [[ -z $ref || ! -f $REPO_DIR/$ref ]]; then
				echo "$name:$n: a deliberate difference names no man page: $rest"
				fails=$((fails + 1))
			fi
			[[ $got == = ]] && {
				echo "$name:$n: marked deliberate, but identical: $rest"
				fails=$((fails + 1))
			}
		elif [[ $expected != "$got" ]]; then
			echo "$name:$n: expected $expected, got $got: $rest"
			fails=$((fails + 1))
		fi
		if [[ $got != = ]]; then
			echo "--- $name:$n $got: $rest"
			echo "exit: docker $(cat "$t/dk.rc"), box $(cat "$t/bx.rc")"
			diff -u --label docker "$t/dk.out" --label box "$t/bx.out" | head -30
			diff -u --label docker-stderr "$t/dk.err" --label box-stderr "$t/bx.err" | head -10
		fi
		[[ -z ${COMPAT_RESULTS-} ]] ||
			printf '%s\t%s\t%s:%d\t%s\n' "$expected" "$got" "$name" "$n" "$rest" >>"$COMPAT_RESULTS"
		if [[ ${COMPAT_UPDATE-} == 1 && $expected != d && $expected != "$got" ]]; then
			updates+=(-e "${n}s/^./$got/")
		fi
	done <"$f"
	[[ ${#updates[@]} == 0 ]] || sed -i "${updates[@]}" "$f"
	return "$((fails > 0))"
}
