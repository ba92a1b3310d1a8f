#!/usr/bin/env bats
# box compose up and down's options (issue 13): --wait,
# --abort-on-container-exit, --exit-code-from, down --rmi; and the keys of
# a project's networks (internal, ipam, driver_opts, labels, drivers).

load ../helpers
load ../fixtures/net
load ../fixtures/compose

setup () { compose_setup p; }

teardown () { compose_teardown; }

@test "up --wait: returns once every container runs and the healthchecked ones are healthy" {
	cat >compose.yaml <<'EOF2'
services:
  db:
    image: small
    command: ["sh", "-c", "sleep 0.5; touch /ok; exec sleep 100"]
    stop_signal: KILL
    healthcheck:
      test: ["CMD", "test", "-f", "/ok"]
      interval: 100ms
      retries: 50
  app:
    image: small
    command: ["sleep", "100"]
    stop_signal: KILL
EOF2
	run --separate-stderr -0 box compose up --wait
	[[ $stderr == *"Container p-db-1  Waiting"*"Container p-db-1  Healthy"* ]]
	# detached: up has returned, db is healthy already
	run -0 box inspect -f '{{.State.Health.Status}} {{.State.Running}}' p-db-1
	[[ $output == "healthy true" ]]
	run -0 box inspect -f '{{.State.Running}}' p-app-1
	[[ $output == true ]]
}

@test "up --wait: a container that exits or turns unhealthy fails it, exit 1" {
	cat >compose.yaml <<'EOF2'
services:
  quits:
    image: small
    command: ["sh", "-c", "sleep 0.3; exit 4"]
  slow:
    image: small
    command: ["sh", "-c", "sleep 2; touch /ok; exec sleep 100"]
    stop_signal: KILL
    healthcheck:
      test: ["CMD", "test", "-f", "/ok"]
      interval: 100ms
      retries: 50
EOF2
	# quits exits while slow is not healthy yet
	run --separate-stderr -1 box compose up --wait
	[[ $stderr == *"container p-quits-1 exited (4)" ]]
	cat >compose.yaml <<'EOF2'
services:
  sick:
    image: small
    command: ["sleep", "100"]
    stop_signal: KILL
    healthcheck:
      test: ["CMD", "false"]
      interval: 100ms
      retries: 1
EOF2
	run --separate-stderr -1 box compose up --wait --remove-orphans
	[[ $stderr == *"container p-sick-1 is unhealthy" ]]
	run -2 box compose up --wait --abort-on-container-exit
	[[ $output == *"--wait cannot be combined with --abort-on-container-exit"* ]]
}

@test "up --abort-on-container-exit: the first exit stops the rest, its code is up's; --exit-code-from" {
	cat >compose.yaml <<'EOF2'
services:
  job:
    image: small
    command: ["sh", "-c", "echo working; sleep 0.5; exit 3"]
  server:
    image: small
    command: ["sh", "-c", "echo serving; exec sleep 100"]
    stop_grace_period: 1s
EOF2
	SECONDS=0
	run --separate-stderr -3 box compose up --abort-on-container-exit
	(( SECONDS < 10 ))
	[[ $output == *"job-1     | working"* && $output == *"server-1  | serving"* ]]
	[[ $output == *"job-1 exited with code 3"$'\n'"Aborting on container exit..."* ]]
	# sleep as PID 1 ignores SIGTERM: killed after the grace period
	[[ $output == *"server-1 exited with code 137"* ]]
	run -0 box inspect -f '{{.State.Running}}' p-server-1
	[[ $output == false ]]
	# the code of the service named, whoever exits first
	run --separate-stderr -137 box compose up --exit-code-from server
	run --separate-stderr -3 box compose up --exit-code-from job
	run -2 box compose up -d --abort-on-container-exit
	[[ $output == *"--detach cannot be combined with --abort-on-container-exit"* ]]
	run -2 box compose up --exit-code-from nope
	[[ $output == *"no such service: nope"* ]]
}

@test "down --rmi local removes the images built for the project, --rmi all every image it used" {
	mkdir ctx
	printf 'FROM small\nRUN echo built >/built\n' >ctx/Dockerfile
	cat >compose.yaml <<'EOF2'
services:
  built:
    build: ./ctx
    command: ["sleep", "100"]
    stop_signal: KILL
  pulled:
    image: small
    command: ["sleep", "100"]
    stop_signal: KILL
EOF2
	box compose up -d 2>/dev/null
	run -0 box images --format '{{.Repository}}'
	[[ $output == *p-built* ]]
	run --separate-stderr -0 box compose down --rmi local
	[[ $stderr == *"Image p-built  Removed" ]]
	run -0 box images --format '{{.Repository}}'
	[[ $output == small ]]
	box compose up -d 2>/dev/null
	run --separate-stderr -0 box compose down --rmi all
	[[ $stderr == *"Image p-built  Removed"* && $stderr == *"Image small  Removed"* ]]
	run -0 box images -q
	[[ -z $output ]]
	run -2 box compose down --rmi some
}

@test "networks: internal, ipam (subnet, ip_range, gateway, aux_addresses), driver_opts, labels; other drivers refused" {
	cat >compose.yaml <<'EOF2'
services:
  a:
    image: small
    command: ["sleep", "100"]
    stop_signal: KILL
    networks: [back]
  b:
    image: small
    command: ["httpd", "-f", "-p", "80", "-h", "/etc"]
    stop_signal: KILL
    networks: [back]
networks:
  back:
    internal: true
    driver: bridge
    driver_opts:
      com.docker.network.driver.mtu: "1400"
    labels:
      tier: back
    ipam:
      config:
        - subnet: 10.241.0.0/24
          ip_range: 10.241.0.128/25
          gateway: 10.241.0.1
          aux_addresses:
            r1: 10.241.0.128
EOF2
	box compose up -d 2>/dev/null
	run -0 box network inspect -f '{{.Internal}} {{json .IPAM.Config}} {{index .Labels "tier"}} {{index .Labels "com.docker.compose.network"}} {{index .Options "com.docker.network.driver.mtu"}}' p_back
	[[ $output == 'true [{"Subnet":"10.241.0.0/24","IPRange":"10.241.0.128/25","Gateway":"10.241.0.1","AuxiliaryAddresses":{"r1":"10.241.0.128"}}] back back 1400' ]]
	run -0 box inspect -f '{{.NetworkSettings.Networks.p_back.IPAddress}}' p-a-1
	[[ $output == 10.241.0.129 || $output == 10.241.0.130 ]]
	# the containers reach each other by name on it
	run -0 box exec p-a-1 wget -q -O- http://b/hostname
	run -0 box compose down
	run ! box network inspect p_back
	cat >compose.yaml <<'EOF2'
services:
  a:
    image: small
    networks: [over]
networks:
  over:
    driver: overlay
EOF2
	run -1 box compose up -d
	[[ $output == *"network over: driver overlay: not implemented (bridge only)"* ]]
	run ! box network inspect p_over
	[[ -z $(box ps -aq) ]]
}

@test "networks: enable_ipv6 with an IPv6 pool (in a network namespace of the test's own)" {
	privnet_setup
	cat >compose.yaml <<'EOF2'
services:
  a:
    image: small
    networks: [six]
networks:
  six:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.237.0.0/24
        - subnet: fd00:78::/64
          gateway: fd00:78::fe
EOF2
	# the network alone: containers on IPv6 are tests/tools/ctr-net.bats's
	# (privnet's /sys has no cgroups to run one in)
	pn env -C "$PWD" box compose up --no-start
	run -0 pn box network inspect -f '{{.EnableIPv6}} {{json .IPAM.Config}}' p_six
	[[ $output == 'true [{"Subnet":"10.237.0.0/24","Gateway":"10.237.0.1"},{"Subnet":"fd00:78::/64","Gateway":"fd00:78::fe"}]' ]]
	run -0 pn ip -6 addr show dev "$(jq -r .Box.Bridge "$BOX_ROOT/networks/p_six/config.json")"
	[[ $output == *"fd00:78::fe/64"* ]]
	pn env -C "$PWD" box compose down -t 0 2>/dev/null
	run ! pn box network inspect p_six
}
