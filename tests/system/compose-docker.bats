#!/usr/bin/env bats
# Docker Compose is the reference: the same projects are brought up by
# docker-compose 1.29 (Debian's, on a dockerd of this file's own: its
# data-root, exec-root and socket, in a network and mount namespace of its
# own) and by box compose, and what users see is compared: container,
# network and volume names, the com.docker.compose labels, environment,
# published ports, start order, and that down leaves nothing. Where 1.29
# and the compose specification differ, box follows the specification
# (man/compose-up.1, "Where Compose 1.29 and the specification differ"),
# and the comparison maps 1.29's form onto it: container names
# PROJECT_SERVICE_N are PROJECT-SERVICE-N, and the labels 1.29 does not
# write (depends_on, config-hash's value, version) are left out.

load ../helpers
load ../fixtures/net
load ../fixtures/dockerd

dc () {
	DOCKER_HOST="unix://$(dk_dir)/sock" docker-compose "$@"
}

# the reference must run: a missing dockerd or docker-compose fails (the
# Makefile's test packages have both)
setup_file () {
	[[ $(id -u) == 0 ]] || skip "needs root"
	if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null; then
		echo "dockerd and docker-compose are needed (apt-get install docker.io docker-compose)" >&2
		return 1
	fi
	export DKROOT=$BATS_FILE_TMPDIR/root
	fixtures
	BOX_ROOT=$DKROOT store_add small docker.io/library/small:latest
	dk_start
	img-save --root "$DKROOT" docker.io/library/small:latest | docker_ load -q >/dev/null
}

teardown_file () {
	dk_stop
	_box_umount_under "$BATS_FILE_TMPDIR"
}

setup () {
	box_setup
	net_setup
	rm -rf "$BOX_ROOT"
	cp -a "$DKROOT" "$BOX_ROOT"
	mkdir -p "$BATS_TEST_TMPDIR/app/www"
	cd "$BATS_TEST_TMPDIR/app" || return 1
}

teardown () {
	dc down -v -t 0 >/dev/null 2>&1 || true
	box compose down -v -t 0 >/dev/null 2>&1 || true
	net_teardown
	box_teardown
}

# issue 13's application with a named volume, a network with a subnet and
# an environment from the file, the .env file and interpolation
write_app () {
	cat >.env <<'EOF'
TAG=from-env-file
EOF
	cat >compose.yaml <<'EOF'
services:
  web:
    image: small
    command: httpd -f -p 80 -h /www
    ports: ["127.0.0.1:18080:80", "18443:443/udp"]
    volumes: ["./www:/www:ro"]
    environment:
      ROLE: web
    depends_on: [worker]
    networks: [front, back]
  worker:
    image: small
    command: ["sh", "-c", "echo page from $$GREETING >/www/index.html; exec sleep 1000"]
    volumes: ["./www:/www", "cache:/cache"]
    environment:
      GREETING: hello
      TAG: ${TAG}
      EMPTY:
    env_file: [worker.env]
    depends_on:
      db:
        condition: service_healthy
    networks: [back]
  db:
    image: small
    command: ["sh", "-c", "sleep 0.3; while :; do echo pong | nc -l -p 5432; done"]
    volumes: ["data:/data"]
    labels:
      tier: data
    healthcheck:
      test: ["CMD-SHELL", "netstat -ltn | grep -q :5432"]
      interval: 100ms
      retries: 50
    networks: [back]
networks:
  front: {}
  back:
    labels:
      zone: inner
    ipam:
      config:
        - subnet: 10.239.0.0/24
volumes:
  data:
    labels:
      keep: "yes"
  cache: {}
EOF
	printf 'FROM_FILE=1\n# a comment\nQUOTED="two words"\n' >worker.env
}

# what a tool made, normalised to the specification's names: one line per
# fact, sorted. $1: docker_ or box. An Env entry without "=" (1.29 writes
# EMPTY for `EMPTY:` unset, the engine sets nothing for it; the
# specification leaves it out) is left out.
summary () {
	summary_ "$@" | sort
}

summary_ () {
	local t=$1 c n
	for c in $($t ps -a --filter label=com.docker.compose.project=app --format '{{.Names}}' | sort); do
		n=${c//_/-}
		$t inspect "$c" | jq -r --arg n "$n" '.[0] |
			"container \($n)",
			(.Config.Labels | to_entries[] | select(.key | test("^com.docker.compose.(project|service|container-number|oneoff)$") or (startswith("com.docker.compose") | not)) | "label \($n) \(.key)=\(.value)"),
			(.Config.Env[] | select(contains("=")) | "env \($n) \(.)"),
			(.HostConfig.PortBindings // {} | to_entries[] | "port \($n) \(.key) \(.value | map("\(.HostIp):\(.HostPort)") | join(","))"),
			(.NetworkSettings.Networks | keys[] | "network-of \($n) \(.)"),
			(.Mounts[] | select(.Type == "volume") | "volume-of \($n) \(.Name) \(.Destination)")'
	done
	for n in $($t network ls --filter label=com.docker.compose.project=app --format '{{.Name}}' | sort); do
		$t network inspect "$n" | jq -r --arg n "$n" '.[0] |
			"network \($n) \(.Driver) \(.IPAM.Config[0].Subnet // "auto")",
			(.Labels | to_entries[] | select(.key != "com.docker.compose.version") | "label \($n) \(.key)=\(.value)")' |
			sed 's/ 172\.[0-9.]*\/16$/ auto/;s/ 192\.168\.[0-9.]*\/20$/ auto/'
	done
	for n in $($t volume ls --filter label=com.docker.compose.project=app --format '{{.Name}}' | sort); do
		$t volume inspect "$n" | jq -r --arg n "$n" '.[0] | "volume \($n) \(.Driver)",
			(.Labels | to_entries[] | select(.key != "com.docker.compose.version") | "label \($n) \(.key)=\(.value)")'
	done
}

# the services in the order their containers started
start_order () {
	local t=$1 c
	for c in $($t ps -a --filter label=com.docker.compose.project=app --format '{{.Names}}'); do
		printf '%s %s\n' "$($t inspect -f '{{.State.StartedAt}}' "$c")" \
			"$($t inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' "$c")"
	done | sort | awk '{ print $2 }' | paste -sd' '
}

# nothing of project app is left
leftovers () {
	local t=$1
	$t ps -aq --filter label=com.docker.compose.project=app
	$t network ls -q --filter label=com.docker.compose.project=app
	$t volume ls -q --filter label=com.docker.compose.project=app
}

@test "the three-service application: the same containers, labels, environment, ports, networks, volumes" {
	write_app
	run -0 dc -p app up -d
	run -0 box compose -p app up -d
	summary docker_ >"$BATS_TEST_TMPDIR/docker.sum"
	summary box >"$BATS_TEST_TMPDIR/box.sum"
	diff -u "$BATS_TEST_TMPDIR/docker.sum" "$BATS_TEST_TMPDIR/box.sum"
	# the summary saw what it should: it cannot pass on two empty lists
	grep -qx 'container app-worker-1' "$BATS_TEST_TMPDIR/box.sum"
	grep -qx 'env app-worker-1 QUOTED=two words' "$BATS_TEST_TMPDIR/box.sum"
	grep -qx 'port app-web-1 80/tcp 127.0.0.1:18080' "$BATS_TEST_TMPDIR/box.sum"
	grep -qx 'volume-of app-db-1 app_data /data' "$BATS_TEST_TMPDIR/box.sum"
	grep -qx 'network app_back bridge 10.239.0.0/24' "$BATS_TEST_TMPDIR/box.sum"
}

@test "start order and its conditions: db, then worker once db is healthy, then web" {
	write_app
	dc -p app up -d 2>/dev/null
	box compose -p app up -d 2>/dev/null
	run -0 start_order docker_
	[[ $output == "db worker web" ]]
	run -0 start_order box
	[[ $output == "db worker web" ]]
	# worker started once db was healthy, which it cannot be before its
	# listener starts 0.3 s after it (the health log keeps only the last 5
	# results: the first healthy one is gone)
	for t in docker_ box; do
		db=$($t inspect -f '{{.State.StartedAt}}' app_db_1 app-db-1 2>/dev/null | grep . | head -1)
		w=$($t inspect -f '{{.State.StartedAt}}' app_worker_1 app-worker-1 2>/dev/null | grep . | head -1)
		echo "$t: db started at $db, worker at $w"
		[[ -n $db && -n $w ]]
		(($(date -d "$w" +%s%N) - $(date -d "$db" +%s%N) >= 300000000))
	done
}

@test "up again changes nothing; down -v leaves nothing, in both" {
	write_app
	dc -p app up -d 2>/dev/null
	box compose -p app up -d 2>/dev/null
	d=$(docker_ ps -aq --no-trunc | sort) b=$(box ps -aq --no-trunc | sort)
	dc -p app up -d 2>/dev/null
	box compose -p app up -d 2>/dev/null
	[[ $(docker_ ps -aq --no-trunc | sort) == "$d" && $(box ps -aq --no-trunc | sort) == "$b" ]]
	run -0 dc -p app down -v
	run -0 box compose -p app down -v
	[[ -z $(leftovers docker_) ]]
	[[ -z $(leftovers box) ]]
	run -0 net_counts
	[[ $output == *"links 0"*"rules 0"*"tables 0"*"leases 0"*"endpoints 0"*"ports 0"*"dnsmasq 0"*"netns 0"* ]]
}

@test "an internal network with a range and options: the same network in both" {
	cat >compose.yaml <<'EOF'
services:
  a:
    image: small
    command: ["sleep", "1000"]
    networks: [inner]
networks:
  inner:
    internal: true
    driver_opts:
      com.docker.network.driver.mtu: "1400"
    ipam:
      config:
        - subnet: 10.238.0.0/24
          ip_range: 10.238.0.128/25
          aux_addresses:
            r1: 10.238.0.130
EOF
	dc -p app up -d 2>/dev/null
	box compose -p app up -d 2>/dev/null
	f='{{.Internal}} {{index .Options "com.docker.network.driver.mtu"}} {{json .IPAM.Config}}'
	d=$(docker_ network inspect -f "$f" app_inner) b=$(box network inspect -f "$f" app_inner)
	echo "docker: $d"
	echo "box:    $b"
	# box's IPAM.Config always names the gateway it chose (the one dockerd
	# chose too, below); dockerd 20.10 leaves it out when none was given
	[[ $d == "${b%% \[*} $(jq -c 'map(del(.Gateway))' <<<"[${b#* \[}")" ]]
	[[ $d == "true 1400 "* ]]
	d=$(docker_ inspect -f '{{.NetworkSettings.Networks.app_inner.IPAddress}} {{.NetworkSettings.Networks.app_inner.Gateway}}' app_a_1)
	b=$(box inspect -f '{{.NetworkSettings.Networks.app_inner.IPAddress}} {{.NetworkSettings.Networks.app_inner.Gateway}}' app-a-1)
	echo "docker: $d, box: $b"
	[[ $d == "$b" && $d == "10.238.0.129 10.238.0.128" ]]
}
