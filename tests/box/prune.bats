#!/usr/bin/env bats
# box container prune, image prune, system prune: Docker's questions,
# sections and total; what each removes and what it keeps (running
# containers, used images and networks); a failed pull's partial blobs.

load ../helpers
load ../fixtures/net

setup () {
	box_setup
	skip_unless_root
	net_setup
	store_add small docker.io/library/small:latest
	store_add multi docker.io/library/multi:latest
}

teardown () {
	net_teardown
	box_teardown
}

cid () { readlink "$BOX_ROOT/names/$1"; }

# a partial download no pull holds
partial () {
	mkdir -p "$BOX_ROOT/tmp/ingest"
	head -c 8192 /dev/zero >"$BOX_ROOT/tmp/ingest/$(printf %064d 1)"
}

@test "box container prune: stopped ones go, a running one stays; the question" {
	local a web
	box run --name done --network none small true
	a=$(cid done)
	web=$(box run -d --name web --network none small sleep 1000)
	run --separate-stderr -0 box container prune <<<"n"
	# (bats drops the question's trailing space)
	[[ $stderr == $'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N]' ]]
	[[ -z $output && -d $BOX_ROOT/containers/$a ]]
	run -0 box container prune -f
	[[ $output == "Deleted Containers:"$'\n'"$a"$'\n\nTotal reclaimed space: '* ]]
	[[ ! -e $BOX_ROOT/containers/$a && -d $BOX_ROOT/containers/$web ]]
	run -0 box container prune -f --filter label=nope
	[[ $output == "Total reclaimed space: 0B" ]]
	run -0 box container ls
}

@test "box image prune: dangling ones and partial downloads; -a every unused image" {
	local small
	small=$(box inspect -f '{{.Id}}' small)
	box create --name user --network none multi true >/dev/null
	partial
	run -0 box image prune -f
	[[ $output == "Total reclaimed space: 8.192kB" ]]
	[[ -z $(ls -A "$BOX_ROOT/tmp/ingest") ]]
	run -0 box image prune -a -f
	[[ $output == "Deleted Images:"$'\n'"untagged: small:latest"$'\n'"deleted: $small"$'\n\nTotal reclaimed space: '* ]]
	run -0 box images --format '{{.Repository}}'
	[[ $output == multi ]]
}

@test "box system prune -a -f: containers, networks, images, partial downloads; one total" {
	local a
	box network create unused >/dev/null
	box run --name done --network none small true
	a=$(cid done)
	partial
	run --separate-stderr -0 box system prune -a <<<"no"
	[[ $stderr == $'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all images without at least one container associated to them\n  - all build cache\n\nAre you sure you want to continue? [y/N]' ]]
	[[ -z $output && -d $BOX_ROOT/containers/$a ]]
	run -0 box system prune -f -a
	[[ $output == "Deleted Containers:"$'\n'"$a"$'\n\n'"Deleted Networks:"$'\n'"unused"$'\n\n'"Deleted Images:"$'\n'* ]]
	[[ $output == *"untagged: small:latest"* && $output == *"untagged: multi:latest"* ]]
	[[ $output == *$'\n\nTotal reclaimed space: '[1-9]*MB ]]
	[[ -z $(ls -A "$BOX_ROOT/containers") && -z $(ls -A "$BOX_ROOT/tmp/ingest") ]]
	[[ $(jq '.manifests | length' "$BOX_ROOT/images/index.json") == 0 ]]
	run -0 box system prune -f
	[[ $output == "Total reclaimed space: 0B" ]]
	run --separate-stderr -0 box system prune <<<"n"
	[[ $stderr == $'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images\n  - all dangling build cache\n\nAre you sure you want to continue? [y/N]' ]]
}

# a dangling image with LABEL d=1 and the given labels; its id on stdout
dangling () {
	printf 'FROM small\nLABEL d=1 %s\n' "$*" | box build -q --network none -
}

@test "box image prune --filter: label=, label!= (all of them), until=, dangling=false" {
	local a b ab c old
	a=$(dangling a=1)
	b=$(dangling b=2)
	ab=$(dangling a=1 b=2)
	c=$(dangling c=3)
	run -0 box image prune -f --filter label=b=2 --filter 'label!=a'
	[[ $output == "Deleted Images:"$'\n'"deleted: $b"$'\n\nTotal reclaimed space: '* ]]
	run -0 box image prune -f --filter label=a --filter label=b
	[[ $output == "Deleted Images:"$'\n'"deleted: $ab"$'\n\n'* ]]
	# label!= excludes what matches every one of them: here nothing
	run -0 box image prune -f --filter 'label!=a' --filter 'label!=c' --filter label=d
	[[ $output == "Deleted Images:"$'\n'"deleted: "* && $output == *$a* && $output == *$c* ]]
	[[ -z $(box images -q --filter dangling=true) ]]
	# until=: the fixtures are years old, a new image is not
	a=$(dangling a=2)
	old=$(box inspect -f '{{.Id}}' small)
	box create --name user --network none multi true >/dev/null
	run -0 box image prune -f --filter until=1h
	[[ $output == "Total reclaimed space: 0B" ]]
	run -0 box image prune -a -f --filter label=nope --filter until=1h
	[[ $output == "Total reclaimed space: 0B" ]]
	run -0 box image prune -a -f --filter 'label!=d' --filter until=1h
	[[ $output == "Deleted Images:"$'\n'"untagged: small:latest"$'\n'"deleted: $old"$'\n\n'* ]]
	store_add small docker.io/library/small:latest
	run -0 box image prune -f --filter dangling=false --filter until=1h
	[[ $output == "Deleted Images:"$'\n'"untagged: small:latest"$'\n'"deleted: $old"$'\n\n'* ]]
	run -0 box image prune -f --filter "until=$(date -d '+1 min' +%s)" --filter label=a=2
	[[ $output == "Deleted Images:"$'\n'"deleted: $a"$'\n\n'* ]]
}

@test "box image prune --filter: Docker's errors, nothing removed" {
	local a
	a=$(dangling a=1)
	run --separate-stderr -125 box image prune -f --filter nope
	[[ $stderr == 'invalid argument "nope" for "--filter" flag: bad format of filter (expected name=value)'$'\n'* ]]
	run --separate-stderr -1 box image prune -f --filter nope=1
	[[ $stderr == "Error response from daemon: Invalid filter 'nope'" ]]
	run --separate-stderr -1 box image prune -f --filter reference=small
	[[ $stderr == "Error response from daemon: Invalid filter 'reference'" ]]
	run --separate-stderr -1 box image prune -f --filter until=x
	[[ $stderr == 'Error response from daemon: failed to parse value as time or duration: "x"' ]]
	run --separate-stderr -1 box image prune -f --filter until=1h --filter until=2h
	[[ $stderr == "Error response from daemon: more than one until filter specified" ]]
	# the question comes first, as the daemon checks the filters
	run --separate-stderr -0 box image prune --filter nope=1 <<<"n"
	[[ $stderr == "WARNING! This will remove all dangling images."* ]]
	[[ $(box images -q --no-trunc --filter dangling=true) == "$a" ]]
}

@test "box system prune --filter: each part gets the filters; the question names them" {
	local keep gone img
	keep=$(box create --network none --label keep=1 small true)
	gone=$(box create --network none small true)
	box network create --label keep=1 kn >/dev/null
	box network create gn >/dev/null
	img=$(dangling a=1)
	run --separate-stderr -0 box system prune --filter 'label!=keep' --filter until=1h --filter label=d <<<"n"
	[[ $stderr == *$'  - all dangling build cache\n\n  Items to be pruned will be filtered with:\n  - label!=keep\n  - label=d\n  - until=1h\n\nAre you sure you want to continue? [y/N]' ]]
	[[ -z $output ]]
	# label!=keep: the containers and networks without it; the image has none
	run -0 box system prune -f --filter 'label!=keep'
	[[ $output == "Deleted Containers:"$'\n'"$gone"$'\n\n'"Deleted Networks:"$'\n'"gn"$'\n\n'"Deleted Images:"$'\n'"deleted: $img"$'\n\n'* ]]
	[[ -n $(box ps -aq --filter "id=$keep") ]]
	run -0 box network ls -q --filter name=kn
	[[ -n $output ]]
}

@test "box system prune --filter: Docker's errors; the first part to refuse ends it" {
	local c
	c=$(box create --network none small true)
	run --separate-stderr -125 box system prune -f --filter nope
	[[ $stderr == 'invalid argument "nope" for "--filter" flag: bad format of filter (expected name=value)'$'\n'* ]]
	run --separate-stderr -125 box system prune -f --filter
	[[ $stderr == "flag needs an argument: --filter"$'\n'* ]]
	run --separate-stderr -1 box system prune -f --volumes --filter until=1h
	[[ $stderr == 'ERROR: The "until" filter is not supported with "--volumes"' ]]
	run --separate-stderr -1 box system prune -f --filter dangling=true
	[[ $stderr == "Error response from daemon: Invalid filter 'dangling'" ]]
	[[ -n $(box ps -aq) ]]
	# the build cache takes durations only: the rest is pruned by then
	run --separate-stderr -1 box system prune -f --filter until=2020-01-01T00:00:00Z
	[[ $stderr == "Error response from daemon: failed to prune build cache: \"until\" filter expects a duration (e.g., '24h'): time: unknown unit \"-\" in duration \"2020-01-01T00:00:00Z\"" ]]
	[[ $output != *"Total reclaimed space"* ]]
	run -0 box system prune -f --volumes --filter label=nope
	[[ $output == "Total reclaimed space: 0B" ]]
	[[ -n $(box ps -aq) ]]
	# a minute from now: a Go duration may be negative
	run -0 box system prune -f --filter until=-1m
	[[ $output == "Deleted Containers:"$'\n'"$c"$'\n\n'* ]]
}
