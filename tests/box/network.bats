#!/usr/bin/env bats
# box network and --network end to end: real containers (box run) on the
# default bridge and on user networks; names, aliases, isolation, none and
# host, connect/disconnect, rm refusals, SIGKILL, no leaks over 100 runs.

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

cid () {
	box inspect -f '{{.Id}}' "$1" 2>/dev/null || readlink "$BOX_ROOT/names/$1"
}

ctr_ip () {
	jq -r ".Networks[\"$2\"].IPAddress" "$BOX_ROOT/containers/$(readlink "$BOX_ROOT/names/$1")/network.json"
}

@test "box network create, ls, inspect, rm" {
	run -0 box network create --subnet 10.211.0.0/24 --label env=test front
	id=$output
	run -0 box network ls
	[[ ${lines[0]} == "NETWORK ID     NAME      DRIVER    SCOPE" ]]
	[[ $output == *"${id:0:12}   front     bridge    local"* ]]
	run -0 box network inspect -f '{{.Name}} {{.Driver}} {{index .Labels "env"}}' front
	[[ $output == "front bridge test" ]]
	run -0 box network rm front
	[[ $output == front ]]
	run -1 box network rm front
	run -1 box network frobnicate
	[[ $output == *"Usage:  box network COMMAND"* ]]
}

@test "containers on a user network reach each other by name and alias; a later one is found by an earlier one" {
	box network create app
	# the earlier container looks for one that does not exist yet
	box run -d --name early --network app small \
		sh -c 'for i in $(seq 100); do wget -q -O- http://late/hostname && exit 0; sleep 0.1; done; exit 1'
	box run -d --name late --network app --network-alias www small httpd -f -p 80 -h /etc
	run -0 box wait early
	[[ $output == 0 ]]
	run -0 box run --rm --network app small wget -q -O- http://late/hostname
	[[ $output == "$(box inspect -f '{{.Config.Hostname}}' late)" ]]
	run -0 box run --rm --network app small wget -q -O- http://www/hostname
	run -0 box run --rm --network app --dns-option ndots:2 small cat /etc/resolv.conf
	[[ $output == "nameserver $(jq -r .IPAM.Config[0].Gateway "$BOX_ROOT/networks/app/config.json")"* ]]
	[[ $(grep -c nameserver <<<"$output") == 1 && $output == *"options ndots:2"* ]]
}

@test "the default bridge: eth0 with an address, a route out, Docker's /etc/hosts" {
	run -0 box run --rm --name b1 --add-host extra.local:10.1.2.3 small sh -c 'cat /proc/net/dev; cat /etc/hosts; ip route 2>/dev/null || cat /proc/net/route'
	[[ $output == *"eth0:"* && $output == *"lo:"* ]]
	[[ $output == *$'10.1.2.3\textra.local'* ]]
	[[ $output == *$'127.0.0.1\tlocalhost'* ]]
}

@test "--network container:NAME shares that container's network; --dns and --add-host" {
	box run -d --name web small httpd -f -p 80 -h /etc
	run -0 box run --rm --network container:web small wget -q -O- http://127.0.0.1/hostname
	[[ $output == "$(box inspect -f '{{.Config.Hostname}}' web)" ]]
	run -0 box run --rm --dns 10.0.0.53 --dns-search example.test --add-host gw.test:host-gateway small sh -c 'cat /etc/resolv.conf /etc/hosts'
	[[ $output == *"nameserver 10.0.0.53"* && $output == *"search example.test"* ]]
	gw=$(jq -r '.IPAM.Config[0].Gateway' "$BOX_ROOT/networks/bridge/config.json")
	[[ $output == *"$gw"$'\tgw.test'* ]]
}

@test "--network none has only lo; --network host sees the host's links" {
	run -0 box run --rm --network none small cat /proc/net/dev
	ifs=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' <<<"$output")
	[[ $ifs == lo ]]
	run -0 box run --rm --network host small cat /proc/net/dev
	mine=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/net/dev | sort)
	theirs=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' <<<"$output" | sort)
	[[ $theirs == "$mine" ]]
	[[ ! -e $BOX_ROOT/networks/bridge ]]
}

@test "isolation: containers on two user networks cannot reach each other" {
	box network create left
	box network create right
	box run -d --name lweb --network left small httpd -f -p 80 -h /etc
	box run -d --name rweb --network right small httpd -f -p 80 -h /etc
	run -0 box run --rm --network left small wget -q -O- "http://$(ctr_ip lweb left)/hostname"
	# --init: as PID 1 wget would ignore timeout's SIGTERM (as in Docker)
	run box run --rm --init --network left small timeout 3 wget -q -O- "http://$(ctr_ip rweb right)/hostname"
	[[ $status != 0 ]]
	run box run --rm --init --network right small timeout 3 wget -q -O- "http://$(ctr_ip lweb left)/hostname"
	[[ $status != 0 ]]
	run box run --rm --init --network right small timeout 3 wget -q -O- http://lweb/hostname
	[[ $status != 0 ]]
}

@test "network rm refuses while a container is attached; box rm releases it" {
	id=$(box network create busy)
	box run -d --name c1 --network busy small sleep 100
	run -1 box network rm busy
	[[ $output == *"error while removing network: network busy id $id has active endpoints" ]]
	box rm -f c1
	run -0 box network rm busy
}

@test "network connect and disconnect on running containers" {
	box network create side
	box run -d --name web --network side small httpd -f -p 80 -h /etc
	box run -d --name cli small sleep 100
	run -0 box network connect --alias client side cli
	# its resolv.conf now names side's resolver (rewritten in place: it is
	# bind-mounted in the running container)
	run -0 box exec cli cat /etc/resolv.conf
	[[ $output == "nameserver $(jq -r .IPAM.Config[0].Gateway "$BOX_ROOT/networks/side/config.json")"* ]]
	run -0 box exec cli wget -q -O- http://web/hostname
	run -0 box run --rm --network side small nslookup client
	run -0 box network disconnect side cli
	run box exec cli timeout 3 wget -q -O- http://web/hostname
	[[ $status != 0 ]]
	run -1 box network disconnect side cli
}

@test "box rm after SIGKILL of the container and its supervisor removes everything" {
	box network create app
	before=$(net_counts)
	box run -d --name victim --network app -p "$(free_port):80" small httpd -f -p 80 -h /etc
	id=$(readlink "$BOX_ROOT/names/victim")
	. <(grep -E '^(pid|monitor)=' "$BOX_ROOT/containers/$id/state")
	kill -KILL "$monitor" "$pid"
	# until both are reaped: a zombie still counts as running
	for _ in $(seq 50); do
		[[ -e /proc/$pid || -e /proc/$monitor ]] || break
		sleep 0.1
	done
	run -0 box rm -f victim
	for _ in $(seq 30); do
		[[ $(net_counts) == "$before" ]] && break
		sleep 0.1
	done
	diff <(echo "$before") <(net_counts)
}

@test "nothing leaks across 100 run --rm and run -d/rm cycles" {
	box network create app
	box run --rm small true
	box run --rm --network app small true
	sleep 0.5
	before=$(net_counts)
	p=$(free_port)
	for i in $(seq 50); do
		box run --rm small true
		box run -d --name "c$i" --network app -p "$p:80" small sleep 100 >/dev/null
		box rm -f "c$i" >/dev/null
	done
	for _ in $(seq 50); do
		[[ $(net_counts) == "$before" ]] && break
		sleep 0.1
	done
	diff <(echo "$before") <(net_counts)
	[[ $(port_elements) == 0 ]]
}

@test "a container on two user networks finds names on both; disconnected from the first, it keeps a way out" {
	box network create n1
	box network create n2
	box run -d --name w1 --network n1 small httpd -f -p 80 -h /etc
	box run -d --name w2 --network n2 small httpd -f -p 80 -h /etc
	box run -d --name cli --network n1 small sleep 100
	box network connect n2 cli
	run -0 box exec cli wget -q -O- http://w1/hostname
	run -0 box exec cli wget -q -O- http://w2/hostname
	box network disconnect n1 cli
	# a default route (Destination 00000000), through n2 now
	run -0 box exec cli cat /proc/net/route
	[[ $(awk '$2 == "00000000" { print $1 }' <<<"$output") == eth1 ]]
	run -0 box exec cli wget -q -O- http://w2/hostname
	box network connect n1 cli
	run -0 box exec cli wget -q -O- http://w1/hostname
	run -0 box exec cli wget -q -O- http://w2/hostname
}

# up to 3 s for a published port to answer on the host
port_answers () {
	for _ in $(seq 30); do
		curl -s --max-time 1 "http://127.0.0.1:$1/hostname" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}

@test "endpoints live from start to exit, as Docker's: none while created or stopped, ports bound only then" {
	p=$(free_port)
	a=$(box create --name pa -p "$p:80" small httpd -f -p 80 -h /etc)
	# a second container may ask for the same port: it is taken at start
	b=$(box create --name pb -p "$p:80" small httpd -f -p 80 -h /etc)
	[[ ! -e $BOX_ROOT/containers/$a/netns && ! -e $BOX_ROOT/containers/$a/network.json ]]
	run -0 box network inspect -f '{{len .Containers}}' bridge
	[[ $output == 0 ]]
	box start pa
	run -0 box network inspect -f '{{len .Containers}}' bridge
	[[ $output == 1 ]]
	port_answers "$p"
	run -1 box start pb
	[[ $output == *"driver failed programming external connectivity on endpoint pb ("*"): Bind for 0.0.0.0:$p failed: port is already allocated"* ]]
	[[ ! -e $BOX_ROOT/containers/$b/netns ]]
	box stop -t 1 pa
	[[ ! -e $BOX_ROOT/containers/$a/netns ]]
	run -0 box network inspect -f '{{len .Containers}}' bridge
	[[ $output == 0 ]]
	run -0 box port pa
	[[ -z $output ]]
	# stopped, it keeps what Docker's config keeps: the network's id
	[[ $(box inspect -f '{{.NetworkSettings.Networks.bridge.NetworkID}} {{.NetworkSettings.IPAddress}}' pa) == "$(box network inspect -f '{{.Id}}' bridge) " ]]
	box start pb
	port_answers "$p"
	# one that ends by itself lets go too, before its exit is reported
	s=$(box run -d --name short small sleep 0.3)
	box wait short
	[[ ! -e $BOX_ROOT/containers/$s/netns ]]
	run -0 box network inspect -f '{{len .Containers}}' bridge
	[[ $output == 1 ]]
	box rm -f pa pb short
}

@test "a connect of a created container is kept across stops; a restart policy keeps the network between restarts" {
	box network create side
	c=$(box create --name cn small sleep 100)
	run -0 box network connect --alias cc side cn
	[[ ! -e $BOX_ROOT/containers/$c/netns ]]
	[[ $(box inspect -f '{{json .NetworkSettings.Networks.side.Aliases}}' cn) == "[\"cc\",\"${c:0:12}\"]" ]]
	box start cn
	run -0 box exec cn ip -o -4 addr show eth1
	[[ $output == *"inet $(ctr_ip cn side)/"* ]]
	box stop -t 1 cn
	box start cn
	run -0 box exec cn ip -o -4 addr show eth1
	run -0 box run --rm --network side small nslookup cc
	box network disconnect side cn
	box stop -t 1 cn
	box start cn
	run ! box exec cn ip link show eth1
	box rm -f cn
	r=$(box run -d --name rp --restart always small sh -c 'sleep 0.3; exit 1')
	for _ in $(seq 50); do
		[[ $(box inspect -f '{{.RestartCount}}' rp) -ge 2 ]] && break
		sleep 0.1
	done
	[[ $(box inspect -f '{{.RestartCount}}' rp) -ge 2 ]]
	[[ -e $BOX_ROOT/containers/$r/netns ]]
	box stop -t 1 rp
	[[ ! -e $BOX_ROOT/containers/$r/netns ]]
	run -0 box network inspect -f '{{len .Containers}}' bridge
	[[ $output == 0 ]]
	box rm -f rp
}

@test "a -d container whose supervisor was killed: the first to find it releases its network" {
	p=$(free_port)
	id=$(box run -d --name lost -p "$p:80" small sleep 1000)
	mon=$(sed -n 's/^monitor=//p' "$BOX_ROOT/containers/$id/state")
	kill -KILL "$mon"
	for _ in $(seq 50); do [[ -z $(box ps -q) ]] && break; sleep 0.1; done
	run -0 box ps -q
	[[ -z $output ]]
	[[ ! -e $BOX_ROOT/containers/$id/netns ]]
	run -0 box network inspect -f '{{len .Containers}}' bridge
	[[ $output == 0 ]]
	# its port is free again
	box run -d --name again -p "$p:80" small httpd -f -p 80 -h /etc
	port_answers "$p"
	box rm -f lost again
}
