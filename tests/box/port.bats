#!/usr/bin/env bats
# box port and -p/-P end to end: published tcp and udp ports reached from
# the host, random ports, a port taken twice.

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

@test "-p HOSTPORT:80: the host fetches it on 127.0.0.1; box port and box ps show it" {
	p=$(free_port)
	box run -d --name web -p "$p:80" small httpd -f -p 80 -h /etc
	for _ in $(seq 30); do curl -s "http://127.0.0.1:$p/hostname" >/dev/null && break; sleep 0.1; done
	run -0 curl -s --max-time 5 "http://127.0.0.1:$p/hostname"
	[[ $output == "$(box inspect -f '{{.Config.Hostname}}' web)" ]]
	run -0 box port web
	[[ $output == "80/tcp -> 0.0.0.0:$p"$'\n'"80/tcp -> :::$p" ]]
	run -0 box port web 80/tcp
	[[ $output == "0.0.0.0:$p"$'\n'":::$p" ]]
	run -1 box port web 81
	[[ $output == *"No public port '81/tcp' published for web" ]]
	# the port as a number: 080 is 80, as nat.NewPort reads it
	run -0 box port web 080
	[[ $output == "0.0.0.0:$p"$'\n'":::$p" ]]
	run -0 box ps --format '{{.Ports}}'
	[[ $output == "0.0.0.0:$p->80/tcp, :::$p->80/tcp" ]]
}

# the relay of [::]:PORT to the container's IPv4 address (docker-proxy's
# part in Docker 20.10), in the state directory while the container runs
relay6_pid () {
	sed -n 's/^pid=//p' "$BOX_ROOT/networks/.ports/tcp6-$1" 2>/dev/null
}

# PID runs (a zombie does not: the relay's parent is gone, and whoever
# inherits it may not reap)
running () {
	[[ -e /proc/$1/stat ]] && [[ $(awk '{ print $3 }' "/proc/$1/stat") != Z ]]
}

@test "-p HOSTPORT:80 on a host with IPv6: [::1]:HOSTPORT reaches the container, the relay goes at stop and rm" {
	ip -6 addr show dev lo | grep -q 'inet6 ::1/128' || {
		echo "this host's lo has no ::1: the test needs IPv6" >&2
		return 1
	}
	p=$(free_port)
	box run -d --name web6 -p "$p:80" small httpd -f -p 80 -h /etc
	for _ in $(seq 30); do curl -s "http://[::1]:$p/hostname" >/dev/null && break; sleep 0.1; done
	run -0 curl -s --max-time 5 "http://[::1]:$p/hostname"
	[[ $output == "$(box inspect -f '{{.Config.Hostname}}' web6)" ]]
	run -0 box inspect -f '{{json .NetworkSettings.Ports}}' web6
	[[ $output == '{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"'"$p"'"},{"HostIp":"::","HostPort":"'"$p"'"}]}' ]]
	pid=$(relay6_pid "$p")
	[[ -n $pid ]]
	running "$pid"
	box stop -t 0 web6
	run -1 running "$pid"
	[[ ! -e $BOX_ROOT/networks/.ports/tcp6-$p ]]
	run curl -s --max-time 2 "http://[::1]:$p/hostname"
	[[ $status != 0 ]]
	box start web6
	pid=$(relay6_pid "$p")
	[[ -n $pid ]]
	running "$pid"
	for _ in $(seq 30); do curl -s "http://[::1]:$p/hostname" >/dev/null && break; sleep 0.1; done
	run -0 curl -s --max-time 5 "http://[::1]:$p/hostname"
	box rm -f web6
	run -1 running "$pid"
	[[ ! -e $BOX_ROOT/networks/.ports/tcp6-$p ]]
}

@test "-p with a host address, 0.0.0.0 too: no relay on [::], as Docker" {
	p=$(free_port)
	q=$(free_port)
	box run -d --name v4only -p "127.0.0.1:$p:80" -p "0.0.0.0:$q:81" small sleep 100
	run -0 box port v4only
	[[ $output == "80/tcp -> 127.0.0.1:$p"$'\n'"81/tcp -> 0.0.0.0:$q" ]]
	[[ ! -e $BOX_ROOT/networks/.ports/tcp6-$p && ! -e $BOX_ROOT/networks/.ports/tcp6-$q ]]
}

@test "[::]:HOSTPORT taken by another program: the run fails with Docker's words, nothing left" {
	p=$(free_port)
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(("::", int(sys.argv[1])))
s.listen()
print("up", flush=True)
time.sleep(30)' "$p" >"$BATS_TEST_TMPDIR/l6.out" 2>&1 3>&- &
	lpid=$!
	for _ in $(seq 50); do grep -q up "$BATS_TEST_TMPDIR/l6.out" && break; sleep 0.1; done
	# the default bridge made before: it stays
	box run --rm small true
	before=$(net_counts)
	run box run -d --name taken6 -p "$p:80" small sleep 100
	kill "$lpid"
	[[ $status == 125 ]]
	[[ $output == *"driver failed programming external connectivity on endpoint taken6 ("*"): Error starting userland proxy: listen tcp6 [::]:$p: bind: address already in use"* ]]
	diff <(echo "$before") <(net_counts)
	[[ ! -e $BOX_ROOT/networks/.ports/tcp-$p && ! -e $BOX_ROOT/networks/.ports/tcp6-$p ]]
}

@test "-p 80 and -P pick free host ports" {
	box run -d --name pa -p 80 small httpd -f -p 80 -h /etc
	box run -d --name pb -P small httpd -f -p 80 -h /etc
	for c in pa pb; do
		run -0 box port "$c" 80
		[[ $output =~ ^0\.0\.0\.0:([0-9]+)$'\n':::([0-9]+)$ ]]
		p=${BASH_REMATCH[1]}
		[[ ${BASH_REMATCH[2]} == "$p" ]]
		for _ in $(seq 30); do curl -s "http://127.0.0.1:$p/" >/dev/null && break; sleep 0.1; done
		run -0 curl -s --max-time 5 "http://127.0.0.1:$p/hostname"
	done
}

@test "udp: a published udp port carries datagrams both ways, on [::] too" {
	p=$(free_port)
	box run -d --name udp1 -p "$p:5353/udp" small sleep 100
	id=$(readlink "$BOX_ROOT/names/udp1")
	# busybox nc has no -u: python in the container's network namespace
	(cd "$BATS_TEST_TMPDIR" && nsenter --net="$BOX_ROOT/containers/$id/netns" \
		timeout 10 python3 "$TESTS_DIR/fixtures/udp.py" serve 5353 </dev/null >"$BATS_TEST_TMPDIR/udp.out" 2>&1 &)
	sleep 0.3
	run -0 python3 "$TESTS_DIR/fixtures/udp.py" send 127.0.0.1 "$p" hello-udp
	[[ $output == "pong hello-udp" ]]
	# on [::] too, through the relay (docker-proxy's part in Docker)
	run -0 box port udp1
	[[ $output == "5353/udp -> 0.0.0.0:$p"$'\n'"5353/udp -> :::$p" ]]
	(cd "$BATS_TEST_TMPDIR" && nsenter --net="$BOX_ROOT/containers/$id/netns" \
		timeout 10 python3 "$TESTS_DIR/fixtures/udp.py" serve 5353 </dev/null >"$BATS_TEST_TMPDIR/udp.out" 2>&1 &)
	sleep 0.3
	run -0 python3 "$TESTS_DIR/fixtures/udp.py" send ::1 "$p" hello-udp6
	[[ $output == "pong hello-udp6" ]]
	pid=$(sed -n 's/^pid=//p' "$BOX_ROOT/networks/.ports/udp6-$p")
	[[ -n $pid ]]
	running "$pid"
	box rm -f udp1
	run -1 running "$pid"
	[[ ! -e $BOX_ROOT/networks/.ports/udp6-$p ]]
}

@test "a host port published twice: the second run fails naming it and leaves no network behind" {
	p=$(free_port)
	box run -d --name first -p "$p:80" small httpd -f -p 80 -h /etc
	before=$(net_counts)
	run box run -d --name second -p "$p:80" small httpd -f -p 80 -h /etc
	[[ $status != 0 ]]
	[[ $output == *"Bind for 0.0.0.0:$p failed: port is already allocated"* ]]
	[[ $(net_counts) == "$before" ]]
	if [[ -e $BOX_ROOT/names/second ]]; then
		id=$(readlink "$BOX_ROOT/names/second")
		[[ ! -e $BOX_ROOT/containers/$id/netns ]]
	fi
}

@test "port CTR PORT that is no port: the docker CLI's strconv words, exit 1" {
	box create --name pn --network none small true >/dev/null
	run --separate-stderr -1 box port pn nope
	[[ $stderr == 'strconv.ParseUint: parsing "nope": invalid syntax' ]]
	run --separate-stderr -1 box port pn 65536/udp
	[[ $stderr == 'strconv.ParseUint: parsing "65536": value out of range' ]]
	run --separate-stderr -1 box port pn 90-80
	[[ $stderr == 'Invalid range specified for the Port: 90-80' ]]
	run --separate-stderr -1 box port pn 80/nope
	[[ $stderr == "Error: No public port '80/nope' published for pn" ]]
	run --separate-stderr -1 box port pn /tcp
	[[ $stderr == "Error: No public port '/tcp' published for pn" ]]
	run -0 box port pn ''
	[[ -z $output ]]
	# the container first, as Docker's
	run --separate-stderr -1 box port nope nope
	[[ $stderr == "Error: No such container: nope" ]]
}
