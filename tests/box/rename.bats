#!/usr/bin/env bats
# box rename: the name, create.json's Name and the names/ symlinks moved
# together; the container's DNS name on its user networks follows (ctr-net);
# Docker's errors and exit codes.

load ../helpers
load ../fixtures/net

setup () {
	box_setup
	skip_unless_root
	net_setup
	store_add small docker.io/library/small:latest
}

teardown () {
	net_teardown
	box_teardown
}

@test "rename: ps, inspect, names/ and the old name free again" {
	local id
	id=$(box create --name old --network none small true)
	run -0 box rename old new
	[[ -z $output ]]
	run -0 box ps -a --format '{{.Names}}'
	[[ $output == new ]]
	run -0 box inspect -f '{{.Name}} {{.Id}}' new
	[[ $output == "/new $id" ]]
	[[ $(readlink "$BOX_ROOT/names/new") == "$id" && ! -e $BOX_ROOT/names/old ]]
	[[ $(jq -r .Name "$BOX_ROOT/containers/$id/create.json") == /new ]]
	run -1 box inspect old
	# the old name is free; a leading / is Docker's and allowed
	box create --name old --network none small true >/dev/null
	run -0 box container rename "${id:0:12}" /third
	run -0 box inspect -f '{{.Name}}' third
	[[ $output == /third ]]
	# rm removes the new name
	run -0 box rm third
	[[ ! -e $BOX_ROOT/names/third ]]
}

@test "rename: Docker's errors, exit 1, nothing changed" {
	local id other
	id=$(box create --name aa --network none small true)
	other=$(box create --name bb --network none small true)
	run --separate-stderr -1 box rename aa bb
	[[ $stderr == "Error response from daemon: Error when allocating new name: Conflict. The container name \"/bb\" is already in use by container \"$other\". You have to remove (or rename) that container to be able to reuse that name.
Error: failed to rename container named aa" ]]
	run --separate-stderr -1 box rename aa aa
	[[ $stderr == "Error response from daemon: Renaming a container with the same name as its current name
Error: failed to rename container named aa" ]]
	run --separate-stderr -1 box rename nope cc
	[[ $stderr == "Error response from daemon: No such container: nope
Error: failed to rename container named nope" ]]
	run --separate-stderr -1 box rename aa 'b d'
	[[ $stderr == "Error response from daemon: Error when allocating new name: Invalid container name (/b d), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed
Error: failed to rename container named aa" ]]
	run --separate-stderr -1 box rename aa ''
	[[ $stderr == "Error: Neither old nor new names may be empty" ]]
	run --separate-stderr -1 box rename aa
	[[ ${stderr%%$'\n'*} == '"box rename" requires exactly 2 arguments.' ]]
	[[ $(readlink "$BOX_ROOT/names/aa") == "$id" && $(readlink "$BOX_ROOT/names/bb") == "$other" ]]
	[[ $(jq -r .Name "$BOX_ROOT/containers/$id/create.json") == /aa ]]
}

@test "rename of a running container on a user network: its DNS name follows" {
	box network create side
	box run -d --name web --network side small httpd -f -p 80 -h /etc >/dev/null
	run -0 box run --rm --network side small nslookup web
	run -0 box rename web api
	run -0 box run --rm --network side small nslookup api
	run box run --rm --network side small nslookup web
	[[ $status != 0 ]]
	run -0 box inspect -f '{{json .NetworkSettings.Networks.side.DNSNames}}' api
	[[ $output == "[\"api\",\"$(box inspect -f '{{.Id}}' api | cut -c1-12)\"]" ]]
	run -0 box exec api true
	run -0 box stop -t 1 api
	run -0 box start api
	run -0 box run --rm --network side small nslookup api
}

@test "a rename that died half-way: its leftover old name is taken over" {
	local id
	id=$(box create --name aa --network none small true)
	# what a rename killed after it rewrote create.json leaves: both names
	ln -s "$id" "$BOX_ROOT/names/zz"
	run -0 box create --name zz --network none small true
	[[ $(readlink "$BOX_ROOT/names/zz") != "$id" ]]
	run -0 box inspect -f '{{.Name}}' aa
	[[ $output == /aa ]]
}
