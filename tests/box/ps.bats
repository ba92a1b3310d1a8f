#!/usr/bin/env bats
# box ps on real containers: running ones, -a, -q, filters, formats.

load ../helpers

setup () {
	box_setup_small
}

teardown () { box_teardown; }

@test "ps: Docker's columns; running only unless -a; filters; json" {
	local up
	box run --name done --network none -l tier=batch small true
	up=$(box run -d --name up --network none -l tier=web small sleep 1000)
	run -0 box ps
	[[ ${lines[0]} =~ ^CONTAINER\ ID\ +IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]]
	[[ ${#lines[@]} == 2 && ${lines[1]} =~ ^${up:0:12}\ +small\ +\"sleep\ 1000\"\ .*\ Up\ .*\ up$ ]]
	run -0 box ps -a --format '{{.Names}} {{.State}}'
	[[ ${lines[*]} == "up running done exited" ]]
	run -0 box ps --filter label=tier=batch --filter status=exited -q
	[[ $output == "$(box inspect -f '{{.Id}}' done | cut -c1-12)" ]]
	run -0 box ps --format json
	[[ $(jq -r .Names <<<"$output") == up ]]
	run -0 box ps -a --filter ancestor=small -q
	[[ ${#lines[@]} == 2 ]]
	# before= naming no container: the daemon's answer
	run --separate-stderr -1 box ps -a --filter before=nope
	[[ -z $output && $stderr == "Error response from daemon: no such container nope" ]]
	box rm -f up done
}

@test "ps: a container whose supervisor was killed shows as exited, not Up" {
	local id mon
	id=$(box run -d --name web --network none small sleep 1000)
	mon=$(sed -n 's/^monitor=//p' "$BOX_ROOT/containers/$id/state")
	kill -KILL "$mon"
	# the payload dies with its supervisor (PR_SET_PDEATHSIG)
	for _ in $(seq 50); do [[ -z $(box ps -q) ]] && break; sleep 0.1; done
	run -0 box ps -q
	[[ -z $output ]]
	run -0 box ps -a --format '{{.Status}}'
	[[ $output == "Exited ("*")"* ]]
	box rm -f web
}

@test "ps --format: docker's look for .Size first (its error, --size turned on), then each row's" {
	box create --name p1 --network none small true >/dev/null
	box create --name p2 --network none small true >/dev/null
	run --separate-stderr -1 box ps -a --format 'table {{.Nope}}'
	[[ -z $output && $stderr == 'failed to execute template: template: :1:8: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type *formatter.ContainerContext' ]]
	# a field only a real row reaches: the formatter's words, nothing printed
	run --separate-stderr -1 box ps -a --format '{{.Names}}{{if eq .Names "p1"}}{{.Nope}}{{end}}'
	[[ -z $output && $stderr == 'template parsing error: template: :1:33: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type *formatter.ContainerContext' ]]
	run --separate-stderr -1 box ps -a -s --format '{{.Nope}}'
	[[ $stderr == 'template parsing error: '* ]]
	run -0 box ps -a --format '{{.Names}} {{.Size}}'
	[[ ${lines[0]} =~ ^p2\ [0-9.]+B\ \(virtual\ [0-9.]+[kM]B\)$ ]]
}
