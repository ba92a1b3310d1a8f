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
	[[ $output == "80/tcp -> 0.0.0.0:$p" ]]
	run -0 box port web 80/tcp
	[[ $output == "0.0.0.0:$p" ]]
	run -1 box port web 81
	[[ $output == *"No public port '81/tcp' published for web" ]]
	run -0 box ps --format '{{.Ports}}'
	[[ $output == "0.0.0.0:$p->80/tcp" ]]
}

@test "-p 80 and -P pick free host ports" {
	box run -d --name pa -p 80 small httpd -f -p 80 -h /etc
	box run -d --name pb -P small httpd -f -p 80 -h /etc
	for c in pa pb; do
		run -0 box port "$c" 80
		[[ $output =~ ^0\.0\.0\.0:[0-9]+$ ]]
		p=${output##*:}
		for _ in $(seq 30); do curl -s "http://127.0.0.1:$p/" >/dev/null && break; sleep 0.1; done
		run -0 curl -s --max-time 5 "http://127.0.0.1:$p/hostname"
	done
}

@test "udp: a published udp port carries datagrams both ways" {
	p=$(free_port)
	box run -d --name udp1 -p "$p:5353/udp" small sleep 100
	id=$(readlink "$BOX_ROOT/names/udp1")
	# busybox nc has no -u: python in the container's network namespace
	(cd "$BATS_TEST_TMPDIR" && nsenter --net="$BOX_ROOT/containers/$id/netns" \
		timeout 10 python3 "$TESTS_DIR/fixtures/udp.py" serve 5353 </dev/null >"$BATS_TEST_TMPDIR/udp.out" 2>&1 &)
	sleep 0.3
	run -0 python3 "$TESTS_DIR/fixtures/udp.py" send 127.0.0.1 "$p" hello-udp
	[[ $output == "pong hello-udp" ]]
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
