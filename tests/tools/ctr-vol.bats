#!/usr/bin/env bats
# ctr-vol: volumes as docker volume has them: create, ls, inspect, rm,
# prune; Docker's JSON and words; a volume in use is never removed.

load ../helpers

setup () {
	box_setup_small
}

teardown () { box_teardown; }

# a container (created, not run) that uses volume $1 at /v; its id in $id
user () {
	run --separate-stderr -0 ctr-create --network none -v "$1:/v" small
	id=$output
}

@test "usage: no command, an unknown one, too many names" {
	run --separate-stderr -2 ctr-vol
	[[ $stderr == "usage: ctr-vol [--root DIR] create"* ]]
	run -2 ctr-vol frob
	run -2 ctr-vol create a b
	run -2 ctr-vol rm
	run -2 ctr-vol inspect
}

@test "create: a name, an anonymous one (64 hex), --name; an existing one is kept as it is" {
	run -0 ctr-vol create data
	[[ $output == data && -d $BOX_ROOT/volumes/data/_data ]]
	[[ ! -e $BOX_ROOT/volumes/data/volume.json ]]
	run -0 ctr-vol create
	[[ $output =~ ^[0-9a-f]{64}$ && -d $BOX_ROOT/volumes/$output/_data ]]
	run -0 ctr-vol create --name other --label a=b
	[[ $output == other ]]
	run -0 ctr-vol create other --label c=d
	[[ $output == other ]]
	[[ $(jq -c .Labels "$BOX_ROOT/volumes/other/volume.json") == '{"a":"b"}' ]]
	[[ -z $(ls "$BOX_ROOT/volumes" | grep tmp) ]]
}

@test "create: Docker's refusals, nothing made" {
	run --separate-stderr -1 ctr-vol create --name a b
	[[ $stderr == "ctr-vol: conflicting options: cannot specify a volume-name through both --name and as a positional arg" ]]
	run --separate-stderr -1 ctr-vol create 'a/b'
	[[ $stderr == 'Error response from daemon: create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path' ]]
	run --separate-stderr -1 ctr-vol create x
	[[ $stderr == 'Error response from daemon: create x: volume name is too short, names should be at least two alphanumeric characters' ]]
	run --separate-stderr -1 ctr-vol create -o foo=bar vv
	[[ $stderr == 'Error response from daemon: create vv: invalid option: "foo"' ]]
	run --separate-stderr -1 ctr-vol create -o type=tmpfs -o o=size=1m vv
	[[ $stderr == 'Error response from daemon: create vv: missing required option: "device"' ]]
	run --separate-stderr -1 ctr-vol create -o type=tmpfs -o device=tmpfs -o size=1m vv
	[[ $stderr == 'Error response from daemon: create vv: quota size requested but no quota support' ]]
	run --separate-stderr -1 ctr-vol create -d foo vv
	[[ $stderr == 'Error response from daemon: create vv: error looking up volume plugin foo: plugin "foo" not found' ]]
	[[ -z $(ls -A "$BOX_ROOT/volumes" 2>/dev/null) ]]
}

@test "inspect: Docker's JSON; labels and options as given, null without" {
	ctr-vol create plain >/dev/null
	ctr-vol create --label a=b --label c -o type=tmpfs -o device=tmpfs -o o=size=1m,uid=1000 tv >/dev/null
	run --separate-stderr -0 ctr-vol inspect plain tv
	[[ $(jq -c '.[0] | keys' <<<"$output") == '["CreatedAt","Driver","Labels","Mountpoint","Name","Options","Scope"]' ]]
	[[ $(jq -c '.[0] | [.Driver, .Labels, .Mountpoint, .Name, .Options, .Scope]' <<<"$output") == \
		"[\"local\",null,\"$BOX_ROOT/volumes/plain/_data\",\"plain\",null,\"local\"]" ]]
	[[ $(jq -c '.[1] | [.Labels, .Options]' <<<"$output") == '[{"a":"b","c":""},{"device":"tmpfs","o":"size=1m,uid=1000","type":"tmpfs"}]' ]]
	# CreatedAt: RFC 3339 in local time, seconds, as Docker's
	[[ $(jq -r '.[0].CreatedAt' <<<"$output") =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$ ]]
	run -0 ctr-vol inspect -f '{{.Name}} {{.Driver}} {{.Labels.a}}' tv
	[[ $output == "tv local b" ]]
}

@test "inspect: a missing volume is Docker's error, the others still print" {
	ctr-vol create plain >/dev/null
	run --separate-stderr -1 ctr-vol inspect -f '{{.Name}}' nope plain
	[[ $stderr == "Error: No such volume: nope" && $output == plain ]]
}

@test "ls: Docker's table in natural order, -q, --format" {
	ctr-vol create 10x >/dev/null
	ctr-vol create 9x >/dev/null
	ctr-vol create --label k=v bb >/dev/null
	mkdir "$BOX_ROOT/volumes/half.tmp-1"
	run -0 ctr-vol ls
	[[ $output == $'DRIVER    VOLUME NAME\nlocal     9x\nlocal     10x\nlocal     bb' ]]
	run -0 ctr-vol ls -q
	[[ $output == $'9x\n10x\nbb' ]]
	run -0 ctr-vol ls --format '{{json .}}' -f label=k
	[[ $output == "{\"Driver\":\"local\",\"Labels\":\"k=v\",\"Links\":\"N/A\",\"Mountpoint\":\"$BOX_ROOT/volumes/bb/_data\",\"Name\":\"bb\",\"Scope\":\"local\",\"Size\":\"N/A\"}" ]]
	run -0 ctr-vol ls --format 'table {{.Name}}\t{{.Labels}}' -f name='^1'
	[[ $output == $'VOLUME NAME   LABELS\n10x           ' ]]
}

@test "ls --filter: dangling, name, label, driver; Docker's refusals" {
	ctr-vol create used >/dev/null
	ctr-vol create --label k=v free >/dev/null
	user used
	run -0 ctr-vol ls -q -f dangling=true
	[[ $output == free ]]
	run -0 ctr-vol ls -q -f dangling=0
	[[ $output == used ]]
	run -0 ctr-vol ls -q -f label=k=v -f driver=local
	[[ $output == free ]]
	run -0 ctr-vol ls -q -f label=k=w
	[[ -z $output ]]
	run -0 ctr-vol ls -q -f name=ee -f name=us
	[[ $output == $'free\nused' ]]
	run --separate-stderr -1 ctr-vol ls -f dangling=maybe
	[[ $stderr == "Error response from daemon: Invalid filter 'dangling=[maybe]'" ]]
	run --separate-stderr -1 ctr-vol ls -f colour=red
	[[ $stderr == "Error response from daemon: Invalid filter 'colour'" ]]
}

@test "rm: a volume in use by a container, running or not, is refused in Docker's words" {
	ctr-vol create data >/dev/null
	user data
	run --separate-stderr -1 ctr-vol rm data
	[[ $stderr == "Error response from daemon: remove data: volume is in use - [$id]" ]]
	run --separate-stderr -1 ctr-vol rm -f data
	[[ $stderr == "Error response from daemon: remove data: volume is in use - [$id]" ]]
	[[ -d $BOX_ROOT/volumes/data/_data ]]
	ctr-rm "$id" >/dev/null
	run -0 ctr-vol rm data
	[[ $output == data && ! -e $BOX_ROOT/volumes/data ]]
}

@test "rm: missing ones are errors (-f: not), the others still go" {
	ctr-vol create aa >/dev/null
	ctr-vol create bb >/dev/null
	run --separate-stderr -1 ctr-vol rm aa nope
	[[ $output == aa && $stderr == "Error: No such volume: nope" ]]
	run --separate-stderr -0 ctr-vol rm nope -f bb
	[[ $output == $'nope\nbb' && -z $stderr ]]
	[[ -z $(ls -A "$BOX_ROOT/volumes") ]]
}

@test "rm waits for the shared lock a container being made holds" {
	ctr-vol create data >/dev/null
	# flock -s on the volume's directory, as ctr-create holds it
	local held=$BATS_TEST_TMPDIR/held
	flock -s "$BOX_ROOT/volumes/data" sh -c ': >"$1"; sleep 2' sh "$held" 3>&- &
	local holder=$!
	for _ in $(seq 100); do [[ -e $held ]] && break; sleep 0.1; done
	[[ -e $held ]]
	run -124 timeout -k 5 0.5 ctr-vol rm data
	[[ -d $BOX_ROOT/volumes/data ]]
	wait "$holder"
	run -0 ctr-vol rm data
}

@test "prune: Docker's question; unused volumes without options go; in use, with options, filtered out stay" {
	ctr-vol create used >/dev/null
	ctr-vol create free >/dev/null
	ctr-vol create --label keep=1 labelled >/dev/null
	ctr-vol create -o type=tmpfs -o device=tmpfs opts >/dev/null
	head -c 102400 /dev/zero >"$BOX_ROOT/volumes/free/_data/big"
	user used
	run --separate-stderr -0 ctr-vol prune <<<"n"
	[[ $stderr == $'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N]' ]]
	[[ -z $output && -d $BOX_ROOT/volumes/free ]]
	run -0 ctr-vol prune -f --filter 'label!=keep'
	[[ $output == $'Deleted Volumes:\nfree\n\nTotal reclaimed space: 102.4kB' ]]
	run -0 ctr-vol prune -f --filter label=keep
	[[ $output == $'Deleted Volumes:\nlabelled\n\nTotal reclaimed space: 0B' ]]
	# several label= all match; several label!= refuse what has them all
	ctr-vol create --label a=1 va >/dev/null
	ctr-vol create --label a=1 --label b=2 vab >/dev/null
	run -0 ctr-vol ls -q -f label=a -f label=b
	[[ $output == vab ]]
	run -0 ctr-vol prune -f --filter 'label!=a' --filter 'label!=b'
	[[ $output == $'Deleted Volumes:\nva\n\nTotal reclaimed space: 0B' ]]
	run -0 ctr-vol prune -f --filter label=a --filter label=b
	[[ $output == $'Deleted Volumes:\nvab\n\nTotal reclaimed space: 0B' ]]
	run -0 ctr-vol prune -f
	[[ $output == "Total reclaimed space: 0B" ]]
	run -0 ctr-vol ls -q
	[[ $output == $'opts\nused' ]]
	run --separate-stderr -1 ctr-vol prune -f --filter dangling=true
	[[ $stderr == "Error response from daemon: Invalid filter 'dangling'" ]]
}

@test "prune --bytes-fd: the section alone, the bytes on the fd" {
	ctr-vol create free >/dev/null
	head -c 1000 /dev/zero >"$BOX_ROOT/volumes/free/_data/k"
	run -0 ctr-vol prune -f --bytes-fd 3 3>"$BATS_TEST_TMPDIR/bytes"
	[[ $output == $'Deleted Volumes:\nfree' && $(cat "$BATS_TEST_TMPDIR/bytes") == 1000 ]]
}

@test "what a killed maker or remover left goes; a live one's stays" {
	mkdir -p "$BOX_ROOT/volumes/dead.tmp-999999/_data" "$BOX_ROOT/volumes/live.tmp-$$/_data"
	run -0 ctr-vol ls -q
	[[ -z $output && ! -e $BOX_ROOT/volumes/dead.tmp-999999 && -d $BOX_ROOT/volumes/live.tmp-$$ ]]
}
