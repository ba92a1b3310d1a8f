#!/usr/bin/env bats
# box compose: create, scale, images, port, cp, commit, export, wait,
# push; ps --filter/--status, logs --no-log-prefix, run --build; and the
# commands still not built, which say so.

load ../helpers
load ../fixtures/net
load ../fixtures/compose

setup_file () { registry_start; }
teardown_file () { registry_stop; }

setup () { compose_setup app; }

teardown () { compose_teardown; }

state () { box inspect -f '{{.State.Status}}' "$1"; }

@test "create makes the containers without starting them; scale converges a service to N" {
	printf 'services:\n  a:\n    image: small\n    command: sleep 1000\n  b:\n    image: small\n    command: sleep 1000\n' >compose.yaml
	run -0 box compose create
	[[ $(state app-a-1) == created && $(state app-b-1) == created ]]
	run -2 box compose create -d
	run -0 box compose start
	[[ $(state app-a-1) == running ]]
	run -0 box compose scale a=3
	[[ $(state app-a-3) == running ]]
	run -0 box compose ps -q a
	[[ ${#lines[@]} == 3 ]]
	run -0 box compose scale a=1 b=0
	run -0 box compose ps --services
	[[ $output == a ]]
	run -0 box compose ps -q a
	[[ ${#lines[@]} == 1 ]]
	run -2 box compose scale a
	[[ $output == *"invalid scale specifier: a"* ]]
}

@test "ps --filter status= and --status; logs --no-log-prefix" {
	printf 'services:\n  up:\n    image: small\n    command: sleep 1000\n  done:\n    image: small\n    command: echo finished\n' >compose.yaml
	run -0 box compose up -d
	box wait app-done-1 >/dev/null
	run -0 box compose ps --filter status=exited --format json
	[[ $(jq -r .Name <<<"$output") == app-done-1 ]]
	run -0 box compose ps --status running -q
	[[ $output == $(box inspect -f '{{.Id}}' app-up-1) ]]
	run -2 box compose ps --filter name=x
	[[ $output == *'invalid filter "name"'* ]]
	run -2 box compose ps --status nonsense
	run -0 box compose logs --no-log-prefix done
	[[ $output == finished ]]
	run -0 box compose logs done
	[[ $output == "done-1  | finished" ]]
}

@test "images: CONTAINER, REPOSITORY, TAG, IMAGE ID, SIZE as Compose prints them; -q; json" {
	printf 'services:\n  a:\n    image: small\n    command: sleep 1000\n' >compose.yaml
	run -0 box compose up -d
	id=$(box inspect -f '{{.Image}}' app-a-1)
	id=${id#sha256:}
	size=$(box image inspect -f '{{.Size}}' small)
	run -0 box compose images
	[[ ${lines[0]} == "CONTAINER           REPOSITORY          TAG                 IMAGE ID            SIZE" ]]
	[[ ${lines[1]} == "app-a-1             small               latest              ${id:0:12}        "* ]]
	run -0 box compose images -q
	[[ $output == "$id" ]]
	run -0 box compose images --format json
	[[ $(jq -r '.[0].Size' <<<"$output") == "$size" && $(jq -r '.[0].ContainerName' <<<"$output") == app-a-1 ]]
}

@test "port, cp both ways, commit, export of a service's container; a service not running is named" {
	port=$(free_port)
	printf 'services:\n  a:\n    image: small\n    command: sleep 1000\n    ports: ["127.0.0.1:%s:80"]\n' "$port" >compose.yaml
	run -0 box compose up -d
	run -0 box compose port a 80
	[[ $output == "127.0.0.1:$port" ]]
	echo hello >f.txt
	run -0 box compose cp f.txt a:/tmp/f.txt
	run -0 box exec app-a-1 cat /tmp/f.txt
	[[ $output == hello ]]
	run -0 box compose cp a:/tmp/f.txt back.txt
	[[ $(cat back.txt) == hello ]]
	run -2 box compose cp f.txt g.txt
	[[ $output == *"unknown copy direction"* ]]
	run -0 box compose commit a committed:v1
	run -0 box run --rm committed:v1 cat /tmp/f.txt
	[[ $output == hello ]]
	run -0 box compose export -o fs.tar a
	tar -tf fs.tar | grep -qx 'tmp/f.txt'
	run -3 box compose port --index 2 a 80
	[[ $output == *'service "a" is not running'* ]]
}

@test "ports: ranges, a range of host ports for one target, an IPv6 host address, as -p takes them" {
	p=$(free_range 5)
	printf 'services:\n  a:\n    image: small\n    command: sleep 1000\n    ports: ["127.0.0.1:%s-%s:80-81", "%s-%s:90", "[::1]:%s:91/udp"]\n' \
		"$p" "$((p + 1))" "$((p + 2))" "$((p + 3))" "$((p + 4))" >compose.yaml
	run -0 box compose config --format json
	[[ $(jq -c '[.services.a.ports[] | [.host_ip, .published, .target, .protocol]]' <<<"$output") == '[["127.0.0.1","'$p'",80,"tcp"],["127.0.0.1","'$((p + 1))'",81,"tcp"],[null,"'$((p + 2))-$((p + 3))'",90,"tcp"],["::1","'$((p + 4))'",91,"udp"]]' ]]
	run -0 box compose up -d
	run -0 box inspect -f '{{json .HostConfig.PortBindings}}' app-a-1
	[[ $output == '{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"'$p'"}],"81/tcp":[{"HostIp":"127.0.0.1","HostPort":"'$((p + 1))'"}],"90/tcp":[{"HostIp":"","HostPort":"'$((p + 2))-$((p + 3))'"}],"91/udp":[{"HostIp":"::1","HostPort":"'$((p + 4))'"}]}' ]]
	run -0 box compose port a 81
	[[ $output == "127.0.0.1:$((p + 1))" ]]
	run -0 box compose port a 90
	[[ $output == "0.0.0.0:$((p + 2))" ]]
	run -0 box compose port --protocol udp a 91
	[[ $output == "::1:$((p + 4))" ]]
}

@test "wait: each container's exit, the last one's code; --down-project takes the project down after" {
	printf 'services:\n  a:\n    image: small\n    command: sh -c "sleep 0.3; exit 3"\n  b:\n    image: small\n    command: sleep 1000\n' >compose.yaml
	run -0 box compose up -d
	id=$(box inspect -f '{{.Id}}' app-a-1)
	run -3 box compose wait a
	[[ $output == "container \"$id\" exited with status code 3" ]]
	box compose up -d >/dev/null 2>&1
	box compose stop -t 0 b >/dev/null 2>&1
	run -3 box compose wait --down-project a b
	[[ -z $(box ps -aq --filter label=com.docker.compose.project=app) ]]
}

@test "run --build builds the service's image first; push sends the images of services that build" {
	mkdir ctx
	printf 'FROM small\nRUN echo one >/v\n' >ctx/Dockerfile
	printf 'services:\n  a:\n    build: ./ctx\n    image: %s/compose/a:v1\n' "$REGISTRY" >compose.yaml
	run -0 box compose run --rm -T a cat /v
	[[ $output == *one* ]]
	printf 'FROM small\nRUN echo two >/v\n' >ctx/Dockerfile
	run -0 box compose run --rm -T a cat /v
	[[ $output == *one* ]]
	run -0 box compose run --build --rm -T a cat /v
	[[ $output == *two* ]]
	run -0 box compose push
	run -0 skopeo inspect --tls-verify=false "docker://$REGISTRY/compose/a:v1"
	printf 'services:\n  a:\n    build: ./ctx\n    image: 127.0.0.1:1/nowhere:v1\n' >compose.yaml
	run -1 box compose push
	run -0 box compose push --ignore-push-failures
}

@test "pause and unpause freeze and thaw the services' running containers" {
	printf 'services:\n  a:\n    image: small\n    command: sleep 1000\n  b:\n    image: small\n    command: sleep 1000\n' >compose.yaml
	run -0 box compose up -d
	run -0 box compose pause a
	[[ $output == "Container app-a-1  Paused" ]]
	[[ $(box inspect -f '{{.State.Paused}}' app-a-1) == true && $(box inspect -f '{{.State.Paused}}' app-b-1) == false ]]
	run -0 box compose ps a
	[[ $output == *"(Paused)"* ]]
	run -0 box compose pause
	[[ $output == "Container app-b-1  Paused" ]]
	run -0 box compose unpause
	[[ ${lines[*]} == "Container app-a-1  Unpaused Container app-b-1  Unpaused" ]]
	[[ $(box inspect -f '{{.State.Paused}}' app-a-1) == false ]]
	run -0 box exec app-a-1 true
}

@test "events: the project's container events, Compose's lines and --json; one-off containers left out" {
	printf 'services:\n  a:\n    image: small\n    command: sleep 1000\n  b:\n    image: small\n    command: sleep 1000\n' >compose.yaml
	t0=$(date +%s)
	run -0 box compose up -d
	run -0 box compose stop -t 0 a
	run -0 box compose run --rm -T b true
	box run --rm small true
	id=$(box inspect -f '{{.Id}}' app-a-1)
	run -0 box compose events --json --since "$t0" --until "$(($(date +%s) + 1))" a
	[[ $output == *'"action":"start"'* && $output == *'"action":"die"'* ]]
	run -0 jq -r 'select(.action == "create") | "\(.service) \(.id) \(.type) \(.attributes.name) \(.attributes.image)"' <<<"$output"
	[[ $output == "a $id container app-a-1 small" ]]
	run -0 box compose events --since "$t0" --until "$(($(date +%s) + 1))"
	[[ $output == *" container create $id (image=small, name=app-a-1"* ]]
	[[ $output == *"name=app-b-1"* && $output != *"-run-"* ]]
	[[ ${lines[0]} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}\ container\  ]]
}

@test "top: the services' processes as one table, SERVICE and # first, CMD last" {
	printf 'services:\n  a:\n    image: small\n    command: sleep 1001\n    scale: 2\n  b:\n    image: small\n    command: sleep 1002\n' >compose.yaml
	run -0 box compose up -d
	run -0 box compose top
	[[ ${lines[0]} =~ ^SERVICE\ \ \#\ \ \ UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]]
	((${#lines[@]} == 4))
	[[ ${lines[1]} =~ ^a\ +1\ +root\ +[0-9]+\ .*\ sleep\ 1001$ ]]
	[[ ${lines[2]} =~ ^a\ +2\ .*\ sleep\ 1001$ ]]
	[[ ${lines[3]} =~ ^b\ +1\ .*\ sleep\ 1002$ ]]
	pid=$(box top app-b-1 | awk 'NR == 2 { print $2 }')
	run -0 box compose top b
	((${#lines[@]} == 2))
	[[ ${lines[1]} == *" $pid "* ]]
	run -0 box compose stop -t 0
	run -0 box compose top
	[[ -z $output ]]
}

@test "attach: the service's container, its output from now on and its exit code" {
	printf 'services:\n  a:\n    image: small\n    command: sh -c "echo early; sleep 1; echo out; echo err >&2; exit 3"\n    scale: 2\n' >compose.yaml
	run -0 box compose up -d
	local rc=0
	box compose attach --index 2 a >"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e" 3>&- || rc=$?
	[[ $rc == 3 ]]
	[[ $(cat "$BATS_TEST_TMPDIR/o") == out && $(cat "$BATS_TEST_TMPDIR/e") == err ]]
	run --separate-stderr -1 box compose attach a
	[[ $stderr == "ctr-attach: You cannot attach to a stopped container, start it first" ]]
	run --separate-stderr -3 box compose attach --index 3 a
	[[ $stderr == 'compose-up: service "a" is not running' ]]
}

@test "the commands not built say so" {
	printf 'services:\n  a:\n    image: small\n' >compose.yaml
	local cmd
	for cmd in watch; do
		run --separate-stderr -1 box compose "$cmd"
		[[ $stderr == "compose-up: $cmd: not implemented" ]]
	done
	run --separate-stderr -1 box compose exec --privileged a true
	[[ $stderr == "compose-up: exec --privileged: not implemented" ]]
}
