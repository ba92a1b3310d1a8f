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

# listen6 ADDR PORT: another program listening on [ADDR]:PORT (IPv6
# alone) for 30 s, its pid in lpid, once it listens
listen6 () {
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen()
print("up", flush=True)
time.sleep(30)' "$1" "$2" >"$BATS_TEST_TMPDIR/l6.out" 2>&1 3>&- &
	lpid=$!
	for _ in $(seq 50); do grep -q up "$BATS_TEST_TMPDIR/l6.out" && break; sleep 0.1; done
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
	listen6 :: "$p"
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

# wait_http URL: the URL answers within 3 s
wait_http () {
	for _ in $(seq 30); do curl -s --max-time 1 "$1" >/dev/null && return 0; sleep 0.1; done
	return 1
}

@test "-p A-C:80-82: each host port reaches its container port; port, ps and inspect as Docker's" {
	p=$(free_range 3)
	box run -d --name rng -p "$p-$((p + 2)):80-82" small \
		sh -c "httpd -p 80 -h /etc; httpd -p 81 -h /etc; httpd -f -p 82 -h /etc"
	wait_http "http://127.0.0.1:$((p + 2))/hostname"
	run -0 curl -s --max-time 5 "http://127.0.0.1:$p/hostname"
	[[ $output == "$(box inspect -f '{{.Config.Hostname}}' rng)" ]]
	run -0 curl -s --max-time 5 "http://127.0.0.1:$((p + 1))/hostname"
	[[ $output == "$(box inspect -f '{{.Config.Hostname}}' rng)" ]]
	run -0 curl -s --max-time 5 "http://[::1]:$((p + 2))/hostname"
	run -0 box port rng 81
	[[ $output == "0.0.0.0:$((p + 1))"$'\n'":::$((p + 1))" ]]
	run -0 box inspect -f '{{json .HostConfig.PortBindings}}' rng
	[[ $output == '{"80/tcp":[{"HostIp":"","HostPort":"'$p'"}],"81/tcp":[{"HostIp":"","HostPort":"'$((p + 1))'"}],"82/tcp":[{"HostIp":"","HostPort":"'$((p + 2))'"}]}' ]]
	run -0 box inspect -f '{{json .Config.ExposedPorts}}' rng
	[[ $output == '{"80/tcp":{},"81/tcp":{},"82/tcp":{}}' ]]
	# Docker 20.10's ps collapses a range only where host and container
	# ports are the same: here one mapping each
	run -0 box ps --format '{{.Ports}}'
	[[ $output == "0.0.0.0:$p->80/tcp, :::$p->80/tcp, 0.0.0.0:$((p + 1))->81/tcp, :::$((p + 1))->81/tcp, 0.0.0.0:$((p + 2))->82/tcp, :::$((p + 2))->82/tcp" ]]
	box rm -f rng
	for q in $p $((p + 1)) $((p + 2)); do
		[[ ! -e $BOX_ROOT/networks/.ports/tcp-$q && ! -e $BOX_ROOT/networks/.ports/tcp6-$q ]]
	done
}

@test "-p A-B:80: the first free port of the range; none free: Docker's words, nothing kept" {
	p=$(free_range 2)
	box run -d --name h1 -p "$p-$((p + 1)):80" small httpd -f -p 80 -h /etc
	box run -d --name h2 -p "$p-$((p + 1)):80" small httpd -f -p 80 -h /etc
	run -0 box port h1 80
	[[ $output == "0.0.0.0:$p"$'\n'":::$p" ]]
	run -0 box port h2 80
	[[ $output == "0.0.0.0:$((p + 1))"$'\n'":::$((p + 1))" ]]
	wait_http "http://127.0.0.1:$((p + 1))/hostname"
	run -0 curl -s --max-time 5 "http://127.0.0.1:$((p + 1))/hostname"
	[[ $output == "$(box inspect -f '{{.Config.Hostname}}' h2)" ]]
	# the binding keeps the range, the settings the port taken
	run -0 box inspect -f '{{json .HostConfig.PortBindings}}|{{json .NetworkSettings.Ports}}' h2
	[[ $output == '{"80/tcp":[{"HostIp":"","HostPort":"'$p-$((p + 1))'"}]}|{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"'$((p + 1))'"},{"HostIp":"::","HostPort":"'$((p + 1))'"}]}' ]]
	before=$(net_counts)
	box create --name h3 -p "$p-$((p + 1)):80" small httpd -f -p 80 -h /etc >/dev/null
	run --separate-stderr box start h3
	[[ $status == 1 ]]
	[[ ${stderr%%$'\n'*} == "Error response from daemon: driver failed programming external connectivity on endpoint h3 ("*"): all ports are allocated" ]]
	[[ $(net_counts) == "$before" ]]
	# a port of the range freed: the next start takes it
	box rm -f h1
	box start h3
	run -0 box port h3 80
	[[ $output == "0.0.0.0:$p"$'\n'":::$p" ]]
}

@test "-p [::1]:P:80 and [::]:P:81: published on that IPv6 address alone, through the relay" {
	ip -6 addr show dev lo | grep -q 'inet6 ::1/128' || {
		echo "this host's lo has no ::1: the test needs IPv6" >&2
		return 1
	}
	p=$(free_range 3)
	box run -d --name v6 -p "[::1]:$p:80" -p "[::]:$((p + 1)):81" -p "[::1]:$((p + 2)):5353/udp" small \
		sh -c 'httpd -p 81 -h /etc; httpd -f -p 80 -h /etc'
	wait_http "http://[::1]:$p/hostname"
	run -0 curl -s --max-time 5 "http://[::1]:$p/hostname"
	[[ $output == "$(box inspect -f '{{.Config.Hostname}}' v6)" ]]
	run -0 curl -s --max-time 5 "http://[::1]:$((p + 1))/hostname"
	# not on IPv4: no DNAT for these
	run curl -s --max-time 2 "http://127.0.0.1:$p/hostname"
	[[ $status != 0 ]]
	run curl -s --max-time 2 "http://127.0.0.1:$((p + 1))/hostname"
	[[ $status != 0 ]]
	run -0 box port v6
	[[ $output == "80/tcp -> ::1:$p"$'\n'"81/tcp -> :::$((p + 1))"$'\n'"5353/udp -> ::1:$((p + 2))" ]]
	run -0 box inspect -f '{{json .NetworkSettings.Ports}}' v6
	[[ $output == '{"5353/udp":[{"HostIp":"::1","HostPort":"'$((p + 2))'"}],"80/tcp":[{"HostIp":"::1","HostPort":"'$p'"}],"81/tcp":[{"HostIp":"::","HostPort":"'$((p + 1))'"}]}' ]]
	run -0 box ps --format '{{.Ports}}'
	[[ $output == "::1:$p->80/tcp, :::$((p + 1))->81/tcp, ::1:$((p + 2))->5353/udp" ]]
	id=$(readlink "$BOX_ROOT/names/v6")
	(cd "$BATS_TEST_TMPDIR" && nsenter --net="$BOX_ROOT/containers/$id/netns" \
		timeout 10 python3 "$TESTS_DIR/fixtures/udp.py" serve 5353 </dev/null >"$BATS_TEST_TMPDIR/udp.out" 2>&1 &)
	sleep 0.3
	run -0 python3 "$TESTS_DIR/fixtures/udp.py" send ::1 "$((p + 2))" hello-v6
	[[ $output == "pong hello-v6" ]]
	pid=$(relay6_pid "$p")
	running "$pid"
	box stop -t 0 v6
	run -1 running "$pid"
	for f in tcp-$p tcp6-$p tcp-$((p + 1)) tcp6-$((p + 1)) udp-$((p + 2)) udp6-$((p + 2)); do
		[[ ! -e $BOX_ROOT/networks/.ports/$f ]]
	done
}

@test "-p [::1]:P:80 with [::1]:P taken: docker-proxy's words, nothing left" {
	p=$(free_range 1)
	listen6 ::1 "$p"
	box run --rm small true
	before=$(net_counts)
	run box run -d --name taken -p "[::1]:$p:80" small sleep 100
	kill "$lpid"
	[[ $status == 125 ]]
	[[ $output == *"driver failed programming external connectivity on endpoint taken ("*"): Error starting userland proxy: listen tcp6 [::1]:$p: bind: address already in use"* ]]
	diff <(echo "$before") <(net_counts)
	[[ ! -e $BOX_ROOT/networks/.ports/tcp-$p && ! -e $BOX_ROOT/networks/.ports/tcp6-$p ]]
}

@test "--expose A-C and -P: each exposed port (the image's 80 too) on a port of its own; 0 is picked too" {
	box run -d --name ex --expose 7000-7002 --expose 7100/udp -P -p 127.0.0.1:0:90 small httpd -f -p 7001 -h /etc
	run -0 box inspect -f '{{json .Config.ExposedPorts}}' ex
	[[ $output == '{"7000/tcp":{},"7001/tcp":{},"7002/tcp":{},"7100/udp":{},"80/tcp":{},"90/tcp":{}}' ]]
	run -0 box inspect -f '{{range $k, $v := .NetworkSettings.Ports}}{{$k}}={{len $v}} {{end}}' ex
	[[ $output == "7000/tcp=2 7001/tcp=2 7002/tcp=2 7100/udp=2 80/tcp=2 90/tcp=1 " ]]
	run -0 box port ex 90
	[[ $output =~ ^127\.0\.0\.1:[1-9][0-9]*$ ]]
	run -0 box port ex 7001
	[[ $output =~ ^0\.0\.0\.0:([0-9]+)$'\n':::([0-9]+)$ ]]
	p=${BASH_REMATCH[1]}
	wait_http "http://127.0.0.1:$p/hostname"
	run -0 curl -s --max-time 5 "http://127.0.0.1:$p/hostname"
	[[ $output == "$(box inspect -f '{{.Config.Hostname}}' ex)" ]]
	# five distinct host ports
	run -0 box port ex
	[[ $(grep -c . <<<"$output") == 11 ]]
	[[ $(sed -n 's/.*0\.0\.0\.0:\([0-9]*\)$/\1/p' <<<"$output" | sort -u | wc -l) == 5 ]]
}

@test "-p errors in the docker CLI's words, exit 125, nothing made" {
	before=$(ls "$BOX_ROOT/containers" 2>/dev/null | wc -l)
	run --separate-stderr -125 box run --rm -p 99999:80 small true
	[[ $stderr == "box: Invalid hostPort: 99999."$'\n'"See 'box run --help'." ]]
	run --separate-stderr -125 box run --rm -p 1-3:4-5 small true
	[[ ${stderr%%$'\n'*} == *": Invalid ranges specified for container and host Ports: 4-5 and 1-3." ]]
	run --separate-stderr -125 box run --rm -p '[::1:80:80' small true
	[[ ${stderr%%$'\n'*} == *": Invalid ip address [::1: address [::1:: missing ']' in address." ]]
	run --separate-stderr -125 box create -p :80/sctpx small true
	[[ ${stderr%%$'\n'*} == *": Invalid proto: sctpx." ]]
	run --separate-stderr -125 box create --expose 80-70 small true
	[[ ${stderr%%$'\n'*} == *": invalid range format for --expose: 80-70, error: Invalid range specified for the Port: 80-70." ]]
	[[ $(ls "$BOX_ROOT/containers" 2>/dev/null | wc -l) == "$before" ]]
}

@test "ps collapses consecutive ports that are the same on both sides, and exposed ones, as Docker 20.10" {
	p=$(free_range 3)
	box run -d --name coll -p "$p-$((p + 2)):$p-$((p + 2))" --expose 7000-7002 small sleep 100
	run -0 box ps --format '{{.Ports}}'
	# sorted by container port, each group closed by a gap first (docker/cli's
	# DisplayablePorts)
	[[ $output == "80/tcp, 7000-7002/tcp, 0.0.0.0:$p-$((p + 2))->$p-$((p + 2))/tcp, :::$p-$((p + 2))->$p-$((p + 2))/tcp" ]] || {
		echo "got: $output"
		false
	}
}

@test "a range of 100 ports: every one published, the first and last reached, all released at rm" {
	p=$(free_range 100)
	box run -d --name hundred -p "$p-$((p + 99)):1000-1099" small \
		sh -c 'httpd -p 1000 -h /etc; httpd -f -p 1099 -h /etc'
	run -0 box port hundred
	[[ $(grep -c '^10[0-9][0-9]/tcp -> 0\.0\.0\.0:' <<<"$output") == 100 ]]
	[[ $(grep -c '^10[0-9][0-9]/tcp -> :::' <<<"$output") == 100 ]]
	run -0 box port hundred 1099
	[[ $output == "0.0.0.0:$((p + 99))"$'\n'":::$((p + 99))" ]]
	wait_http "http://127.0.0.1:$((p + 99))/hostname"
	run -0 curl -s --max-time 5 "http://127.0.0.1:$p/hostname"
	run -0 curl -s --max-time 5 "http://[::1]:$((p + 99))/hostname"
	[[ $output == "$(box inspect -f '{{.Config.Hostname}}' hundred)" ]]
	box rm -f hundred
	run ls "$BOX_ROOT/networks/.ports"
	[[ -z $output ]]
}

@test "-p with --network host: recorded, not published, Docker's warning" {
	p=$(free_port)
	run --separate-stderr -0 box run --rm --network host -p "$p:80" small true
	[[ $stderr == "WARNING: Published ports are discarded when using host network mode" ]]
	run --separate-stderr -0 box create --name hp --network host -p "$p:80" small true
	[[ $stderr == "WARNING: Published ports are discarded when using host network mode" ]]
	run -0 box inspect -f '{{json .HostConfig.PortBindings}}' hp
	[[ $output == '{"80/tcp":[{"HostIp":"","HostPort":"'$p'"}]}' ]]
	run --separate-stderr -0 box create --network host -P small true
	[[ -z $stderr ]]
}

@test "ps --filter publish= and expose=: a port inside a range the column collapsed; bad values in the daemon's words" {
	p=$(free_range 3)
	q=$(free_port)
	box run -d --name fr -p "$p-$((p + 2)):$p-$((p + 2))" -p "$q:80" --expose 7000-7002 small sleep 100
	run -0 box ps --filter "publish=$((p + 1))" --format '{{.Names}}'
	[[ $output == fr ]]
	run -0 box ps --filter "publish=$q" --format '{{.Names}}'
	[[ $output == fr ]]
	run -0 box ps --filter "publish=$((q + 1))" --format '{{.Names}}'
	[[ -z $output ]]
	run -0 box ps --filter "publish=$((p + 2))-$((p + 9))/tcp" --format '{{.Names}}'
	[[ $output == fr ]]
	run -0 box ps --filter "publish=$((p + 1))/udp" --format '{{.Names}}'
	[[ -z $output ]]
	run -0 box ps --filter expose=7001 --format '{{.Names}}'
	[[ $output == fr ]]
	run --separate-stderr -1 box ps --filter publish=x
	[[ $stderr == 'Error response from daemon: error while looking up for publish x: strconv.ParseUint: parsing "x": invalid syntax' ]]
	run --separate-stderr -1 box ps --filter expose=1:2
	[[ $stderr == "Error response from daemon: filter for 'expose' should not contain ':': 1:2" ]]
}
