#!/usr/bin/env bats
# box create: a container made, not started; failures exit 125 as docker
# create does; a missing image is pulled; box start runs it later.

load ../helpers

setup_file () { registry_start; }
teardown_file () { registry_stop; }

setup () {
	box_setup_small
}

teardown () { box_teardown; }

@test "create prints the id; the container is Created until started" {
	local id
	id=$(box create --name web --network none small echo hi)
	[[ $id =~ ^[0-9a-f]{64}$ ]]
	run -0 box ps -a --format '{{.ID}} {{.Names}} {{.Status}}'
	[[ $output == "${id:0:12} web Created" ]]
	run -0 box inspect -f '{{.State.Status}} {{.State.Running}} {{.State.StartedAt}}' web
	[[ $output == "created false 0001-01-01T00:00:00Z" ]]
	run -0 box start -a web
	[[ $output == hi ]]
	run -0 box ps -a --format '{{.Status}}'
	[[ $output == "Exited (0) "* ]]
}

@test "create: 125 for bad options, -d (a run option); 1 for a taken name, the daemon's answer" {
	box create --name web --network none small true >/dev/null
	run --separate-stderr -1 box create --name web --network none small true
	[[ $stderr == 'Error response from daemon: Conflict. The container name "/web" is already in use'* ]]
	run -125 box create -d --network none small true
	run -125 box create --memory lots small true
	run -0 box ps -aq
	[[ ${#lines[@]} == 1 ]]
}

@test "create pulls a missing image, once" {
	registry_push small lib/small:2
	run --separate-stderr -0 box create --network none "$REGISTRY/lib/small:2" true
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	[[ $stderr == *"Unable to find image '$REGISTRY/lib/small:2' locally"* ]]
	run --separate-stderr -0 box create --network none "$REGISTRY/lib/small:2" true
	[[ $stderr != *"Unable to find image"* ]]
}
