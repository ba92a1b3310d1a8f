#!/usr/bin/env bats
# ctr-rename: names/NEW, create.json's Name, names/OLD in that order, under
# the lock on names/; Docker's errors; usage.

load ../helpers
load ../fixtures/fakectr

setup () { box_setup; }
teardown () { box_teardown; }

@test "usage: not two arguments exits 2" {
	run -2 ctr-rename
	run -2 ctr-rename aa
	run -2 ctr-rename aa bb cc
}

@test "rename moves the name: symlinks and create.json" {
	local id dir
	id=$(fake_exited web 0)
	dir=$BOX_ROOT/containers/$id
	run -0 ctr-rename web api
	[[ -z $output ]]
	[[ $(readlink "$BOX_ROOT/names/api") == "$id" && ! -e $BOX_ROOT/names/web ]]
	[[ $(jq -r .Name "$dir/create.json") == /api ]]
	[[ -z $(find "$dir" "$BOX_ROOT/names" -name '*.tmp-*') ]]
	run -0 ctr-list -a --format '{{.Names}}'
	[[ $output == api ]]
}

@test "a name taken, the same name: Docker's errors, exit 1, nothing moved" {
	local id other
	id=$(fake_exited web 0)
	other=$(fake_exited db 0)
	run --separate-stderr -1 ctr-rename web db
	[[ $stderr == *"Conflict. The container name \"/db\" is already in use by container \"$other\"."* ]]
	run --separate-stderr -1 ctr-rename web web
	[[ $stderr == *"Renaming a container with the same name as its current name"* ]]
	[[ $(readlink "$BOX_ROOT/names/web") == "$id" && $(jq -r .Name "$BOX_ROOT/containers/$id/create.json") == /web ]]
}

@test "a rename waits for the lock on names/" {
	local id
	id=$(fake_exited web 0)
	mkdir -p "$BOX_ROOT/names"
	exec 8<"$BOX_ROOT/names"
	flock -x 8
	ctr-rename web api &
	sleep 0.3
	[[ $(readlink "$BOX_ROOT/names/web") == "$id" && ! -e $BOX_ROOT/names/api ]]
	flock -u 8
	exec 8<&-
	wait $!
	[[ $(readlink "$BOX_ROOT/names/api") == "$id" && ! -e $BOX_ROOT/names/web ]]
}
