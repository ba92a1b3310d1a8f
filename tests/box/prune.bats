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
