#!/usr/bin/env bats
# box volume, and volumes in box run: made on first use, filled from the
# image once, the local driver's tmpfs and bind options, never removed in
# use; rm -v, --rm and prune; and box volume against a private dockerd.

load ../helpers
load ../fixtures/net

setup () {
	box_setup_small
}

teardown () {
	if [[ -n ${PN-} && -e $PN/mnt ]]; then
		pn dockerd_stop
		privnet_teardown
	fi
	box_teardown
}

@test "box volume create, ls, inspect, rm" {
	run -0 box volume create --label app=web data
	[[ $output == data ]]
	run -0 box volume ls
	[[ $output == $'DRIVER    VOLUME NAME\nlocal     data' ]]
	run -0 box volume inspect -f '{{.Name}} {{.Labels.app}} {{.Mountpoint}}' data
	[[ $output == "data web $BOX_ROOT/volumes/data/_data" ]]
	run -0 box inspect --type volume -f '{{.Driver}}' data
	[[ $output == local ]]
	run -0 box inspect --type=volume -f '{{.Scope}}' data
	[[ $output == local ]]
	run -0 box volume rm data
	[[ $output == data ]]
	run --separate-stderr -1 box volume inspect data
	[[ $stderr == "Error: No such volume: data" ]]
	run --separate-stderr -1 box volume frob
	[[ $stderr == *"Usage:  box volume COMMAND"* ]]
}

@test "-v NAME:/path makes the volume and fills it from the image the first time only" {
	box run --rm --network none -v conf:/etc small sh -c 'echo mine >/etc/extra'
	[[ -f $BOX_ROOT/volumes/conf/_data/passwd && $(cat "$BOX_ROOT/volumes/conf/_data/extra") == mine ]]
	# not empty: never filled again, whatever the image holds there
	box run --rm --network none -v conf:/srv small true
	run -0 box run --rm --network none -v conf:/etc small cat /etc/extra
	[[ $output == mine ]]
	[[ ! -e $BOX_ROOT/volumes/conf/_data/srv ]]
	# one volume at two places of one container
	run -0 timeout 20 box run --rm --network none -v twice:/etc -v twice:/srv small cat /srv/passwd
	[[ $output == root:* ]]
	# made empty by box volume create: filled on its first use, as Docker's
	box volume create made >/dev/null
	run -0 box run --rm --network none -v made:/etc small cat /etc/passwd
	[[ $output == root:* && -f $BOX_ROOT/volumes/made/_data/passwd ]]
}

@test "containers made at once with one new volume: it is made and filled once, all of them use it" {
	local n pids=()
	for n in 1 2 3 4; do
		box create --name "c$n" --network none -v race:/etc small >"$BATS_TEST_TMPDIR/id$n" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	for n in 1 2 3 4; do
		[[ $(cat "$BATS_TEST_TMPDIR/id$n") =~ ^[0-9a-f]{64}$ ]]
	done
	[[ $(ls "$BOX_ROOT/volumes") == race ]]
	cmp "$BOX_ROOT/volumes/race/_data/passwd" "$BOX_ROOT/containers/$(cat "$BATS_TEST_TMPDIR/id1")/rootfs/etc/passwd"
	run --separate-stderr -1 box volume rm race
	[[ $(grep -o '[0-9a-f]\{64\}' <<<"$stderr" | sort) == "$(cat "$BATS_TEST_TMPDIR"/id? | sort)" ]]
}

@test "nocopy: -v NAME:/path:nocopy and --mount volume-nocopy leave the volume empty" {
	run -0 box run --rm --network none -v empty1:/home:nocopy small ls /home
	[[ -z $output && -z $(ls -A "$BOX_ROOT/volumes/empty1/_data") ]]
	box run --rm --network none --mount type=volume,src=empty2,dst=/home,volume-nocopy small true
	[[ -z $(ls -A "$BOX_ROOT/volumes/empty2/_data") ]]
	box run --rm --network none --mount type=volume,src=full,dst=/etc,readonly small true
	[[ -f $BOX_ROOT/volumes/full/_data/passwd ]]
}

@test "a volume in use by any container, running or not, cannot be removed" {
	local a b
	box volume create shared >/dev/null
	a=$(box create --name stopped --network none -v shared:/data small true)
	b=$(box run -d --name running --network none -v shared:/data small sleep 1000)
	run --separate-stderr -1 box volume rm shared
	[[ $stderr == "Error response from daemon: remove shared: volume is in use - [$a $b]" || \
		$stderr == "Error response from daemon: remove shared: volume is in use - [$b $a]" ]]
	run -0 box volume ls -q --filter dangling=false
	[[ $output == shared ]]
	box rm -f running >/dev/null
	run --separate-stderr -1 box volume rm shared
	[[ $stderr == "Error response from daemon: remove shared: volume is in use - [$a]" ]]
	box rm stopped >/dev/null
	run -0 box volume rm shared
	[[ ! -e $BOX_ROOT/volumes/shared ]]
}

@test "type=tmpfs: each use mounts a tmpfs with o's options; nothing lands in _data" {
	box volume create -o type=tmpfs -o device=tmpfs -o o=size=1m,mode=1770 scratch >/dev/null
	run -0 box run --rm --network none -v scratch:/scratch small sh -c \
		'grep " /scratch " /proc/mounts; stat -c %a /scratch; echo x >/scratch/f && cat /scratch/f'
	[[ ${lines[0]} == "tmpfs /scratch tmpfs "*size=1024k* && ${lines[1]} == 1770 && ${lines[2]} == x ]]
	[[ -z $(ls -A "$BOX_ROOT/volumes/scratch/_data") ]]
	run -1 box run --rm --network none -v scratch:/scratch:ro small sh -c 'touch /scratch/g 2>&1'
	[[ $output == *"Read-only file system"* ]]
	# --mount's volume-opt makes such a volume too
	box run --rm --network none --mount 'type=volume,src=t2,dst=/t,volume-opt=type=tmpfs,volume-opt=device=tmpfs,"volume-opt=o=size=2m,uid=1000"' small true
	run -0 box volume inspect -f '{{json .Options}}' t2
	[[ $output == '{"device":"tmpfs","o":"size=2m,uid=1000","type":"tmpfs"}' ]]
}

@test "type=none,o=bind: the host directory is what the container sees, filled when empty" {
	local dir=$BATS_TEST_TMPDIR/host
	mkdir "$dir"
	box volume create -o type=none -o o=bind -o "device=$dir" hostdir >/dev/null
	box run --rm --network none -v hostdir:/etc small sh -c 'echo from-ctr >/etc/new'
	[[ $(cat "$dir/new") == from-ctr && -f $dir/passwd ]]
	[[ -z $(ls -A "$BOX_ROOT/volumes/hostdir/_data") ]]
	# the device must exist, in Docker's words
	box volume create -o type=none -o o=bind -o "device=$BATS_TEST_TMPDIR/nope" gone >/dev/null
	run --separate-stderr -125 box run --rm --network none -v gone:/etc small true
	[[ $stderr == *"volume gone: failed to mount local volume: mount $BATS_TEST_TMPDIR/nope:$BOX_ROOT/volumes/gone/_data, flags: 0x1000: No such file or directory"* ]]
}

@test "crun runs the bundle: its config.json carries the volume's own mount" {
	local id d
	box volume create -o type=tmpfs -o device=tmpfs -o o=size=1m tv >/dev/null
	id=$(box create --network none -v tv:/t -v named:/n small)
	d=$BOX_ROOT/containers/$id
	[[ $(jq -c '.mounts[] | select(.destination == "/t")' "$d/config.json") == '{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["size=1m"]}' ]]
	[[ $(jq -c '.mounts[] | select(.destination == "/n") | [.type, .source]' "$d/config.json") == "[\"bind\",\"$BOX_ROOT/volumes/named/_data\"]" ]]
	run -0 box inspect -f '{{json .Mounts}}' "$id"
	[[ $(jq -c 'map([.Type, .Name, .Source, .Destination])' <<<"$output") == "[[\"volume\",\"tv\",\"$BOX_ROOT/volumes/tv/_data\",\"/t\"],[\"volume\",\"named\",\"$BOX_ROOT/volumes/named/_data\",\"/n\"]]" ]]
	run -0 unshare --mount --propagation private sh -c \
		'umount /sys/fs/cgroup/unified 2>/dev/null; crun --root "$1" run -b "$2" "t$$" </dev/null' sh "$BATS_TEST_TMPDIR/crun" "$d"
	box rm "$id" >/dev/null
}

@test "anonymous volumes go with rm -v and --rm; named ones never" {
	local anon
	box run --rm --network none -v /anon -v keep:/keep small true
	run -0 box volume ls -q
	[[ $output == keep ]]
	box run --name web --network none -v /anon -v keep:/keep small true
	anon=$(box inspect web | jq -r '.[0].Mounts[] | select(.Destination == "/anon") | .Name')
	[[ $anon =~ ^[0-9a-f]{64}$ && -d $BOX_ROOT/volumes/$anon ]]
	box rm web >/dev/null
	[[ -d $BOX_ROOT/volumes/$anon ]]
	box run --name web2 --network none -v /anon2 small true
	box rm -v web2 >/dev/null
	run -0 box volume ls -q
	[[ $output == "$anon"$'\n'keep ]]
}

@test "box system prune --volumes: unused volumes go, in its section and total" {
	local a
	box volume create free >/dev/null
	head -c 2000000 /dev/zero >"$BOX_ROOT/volumes/free/_data/big"
	box volume create used >/dev/null
	a=$(box create --name keeper --network none -v used:/u small true)
	run --separate-stderr -0 box system prune --volumes <<<"n"
	[[ $stderr == $'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all volumes not used by at least one container\n  - all dangling images\n  - all dangling build cache\n\nAre you sure you want to continue? [y/N]' ]]
	[[ -d $BOX_ROOT/volumes/free ]]
	# the stopped container goes first: its volume is unused then
	run -0 box system prune -f --volumes
	[[ $output == "Deleted Containers:"$'\n'"$a"$'\n\n'"Deleted Volumes:"$'\n'"free"$'\n'"used"$'\n\n'"Total reclaimed space: 2MB" ]]
	run -0 box volume ls -q
	[[ -z $output ]]
}

dk () { docker -H "unix://$BATS_TEST_TMPDIR/dockerd/sock" "$@"; }

# both: the same command through box and dk, stdout and stderr together
both () {
	local b d
	b=$(box "$@" 2>&1) || true
	d=$(dk "$@" 2>&1) || true
	[[ $b == "$d" ]] || { printf 'box:    %s\ndocker: %s\n' "$b" "$d" >&2; return 1; }
}

@test "box volume says what a private dockerd says for the same steps" {
	local bid did ddata=$BATS_TEST_TMPDIR/dockerd/data/volumes
	command -v dockerd >/dev/null || skip "dockerd is not installed (apt-get install docker.io)"
	privnet_setup
	run pn dockerd_start
	[[ $status == 0 ]] || skip "dockerd cannot start here: $output"
	box save small | dk load >/dev/null
	both volume create plain
	both volume create --label a=b --label c labelled
	both volume create -o type=tmpfs -o device=tmpfs -o o=size=1m tv
	both volume create -o type=none -o o=bind -o "device=$BATS_TEST_TMPDIR" bv
	both volume create plain --label ignored=1
	both volume ls
	both volume ls -q --filter label=a --filter dangling=true
	both volume inspect -f '{{.Name}}|{{.Driver}}|{{.Scope}}|{{json .Labels}}|{{json .Options}}' plain labelled tv bv
	# the daemon's refusals
	both volume create -o foo=bar v2
	both volume create -o type=tmpfs -o o=size=1m v3
	both volume create 'a/b'
	both volume create x
	both volume ls --filter dangling=maybe
	# in use by a created container, filled from the image
	bid=$(box create --network none -v used:/etc small)
	did=$(dk create --network none -v used:/etc small)
	[[ $(box volume rm used 2>&1) == "Error response from daemon: remove used: volume is in use - [$bid]" ]]
	[[ $(dk volume rm used 2>&1) == "Error response from daemon: remove used: volume is in use - [$did]" ]]
	diff <(cd "$BOX_ROOT/volumes/used/_data" && ls | grep -v -e hostname -e hosts -e resolv.conf -e mtab) \
		<(cd "$ddata/used/_data" && ls | grep -v -e hostname -e hosts -e resolv.conf -e mtab)
	both volume ls -q --filter dangling=false
	# prune: the unused ones made without options, their bytes
	head -c 102400 /dev/zero >"$BOX_ROOT/volumes/plain/_data/big"
	head -c 102400 /dev/zero >"$ddata/plain/_data/big"
	both volume prune -f --filter label=a
	both volume prune -f
	both volume ls
	box rm "$bid" >/dev/null
	dk rm "$did" >/dev/null
	both volume rm used tv bv
	both volume ls
}
