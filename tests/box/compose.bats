#!/usr/bin/env bats
# box compose end to end: the three-service application of issue 13 (web
# serves a page worker writes; worker once db is healthy), brought up in order,
# left alone when unchanged, one service recreated when its environment
# changes, and nothing left after down; then the other verbs.

load ../helpers
load ../fixtures/net
load ../fixtures/compose

setup () {
	compose_setup app
	mkdir www
}

teardown () { compose_teardown; }

# the application, its page published on 127.0.0.1:PORT; GREETING (hello)
write_app () {
	cat >compose.yaml <<EOF
services:
  web:
    image: small
    command: httpd -f -p 80 -h /www
    ports: ["127.0.0.1:$1:80"]
    volumes: ["./www:/www:ro"]
    depends_on: [worker]
  worker:
    image: small
    command: ["sh", "-c", "echo page from \$\$GREETING >/www/index.html; exec sleep 1000"]
    volumes: ["./www:/www"]
    environment:
      GREETING: ${2:-hello}
    depends_on:
      db:
        condition: service_healthy
  db:
    image: small
    command: ["sh", "-c", "sleep 0.3; while :; do echo pong | nc -l -p 5432; done"]
    volumes: ["data:/data"]
    healthcheck:
      test: ["CMD-SHELL", "netstat -ltn | grep -q :5432"]
      interval: 100ms
      retries: 50
volumes:
  data: {}
EOF
}

ids () { box ps -aq --no-trunc --filter label=com.docker.compose.project=app | sort; }
started () { box inspect -f '{{.State.StartedAt}}' "app-$1-1"; }

fetch () {
	local _
	for _ in $(seq 50); do curl -sf --max-time 2 "http://127.0.0.1:$1/" && return 0; sleep 0.1; done
	return 1
}

@test "up -d: db, worker, web in order, labelled, on app_default; the host fetches the page" {
	p=$(free_port)
	write_app "$p"
	run --separate-stderr -0 box compose up -d
	[[ ${stderr_lines[0]} == "Network app_default  Created" ]]
	[[ $stderr == *"Container app-db-1  Started"*"Container app-db-1  Healthy"*"Container app-worker-1  Started"*"Container app-web-1  Started"* ]]
	[[ $(started db) < $(started worker) && $(started worker) < $(started web) ]]
	run -0 box inspect -f '{{.State.Health.Status}}' app-db-1
	[[ $output == healthy ]]
	run -0 fetch "$p"
	[[ $output == "page from hello" ]]
	run -0 box inspect -f '{{index .Config.Labels "com.docker.compose.project"}} {{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.container-number"}} {{index .Config.Labels "com.docker.compose.oneoff"}} {{index .Config.Labels "com.docker.compose.depends_on"}}' app-worker-1
	[[ $output == "app worker 1 False db:service_healthy:false" ]]
	run -0 box inspect -f '{{index .Config.Labels "com.docker.compose.project.working_dir"}}|{{index .Config.Labels "com.docker.compose.project.config_files"}}' app-web-1
	[[ $output == "$PWD|$PWD/compose.yaml" ]]
	run -0 box inspect app-db-1
	[[ $(jq -r '.[0].NetworkSettings.Networks | keys | join(" ")' <<<"$output") == app_default ]]
	# the service's name resolves on the project's network
	run -0 box exec app-worker-1 sh -c 'echo | nc db 5432'
	[[ $output == pong ]]
}

@test "up -d again changes nothing; a changed environment recreates that service alone" {
	p=$(free_port)
	write_app "$p"
	box compose up -d 2>/dev/null
	before=$(ids)
	run --separate-stderr -0 box compose up -d
	[[ $stderr == $'Container app-db-1  Running\nContainer app-worker-1  Running\nContainer app-web-1  Running' ]]
	[[ $(ids) == "$before" ]]
	web=$(box inspect -f '{{.Id}}' app-web-1) db=$(box inspect -f '{{.Id}}' app-db-1)
	old=$(box inspect -f '{{.Id}}' app-worker-1)
	write_app "$p" goodbye
	run --separate-stderr -0 box compose up -d
	[[ $stderr == *"Container app-worker-1  Recreated"* ]]
	[[ $(box inspect -f '{{.Id}}' app-web-1) == "$web" && $(box inspect -f '{{.Id}}' app-db-1) == "$db" ]]
	[[ $(box inspect -f '{{.Id}}' app-worker-1) != "$old" ]]
	run -1 box inspect "$old"
	for _ in $(seq 50); do [[ $(cat www/index.html) == "page from goodbye" ]] && break; sleep 0.1; done
	run -0 fetch "$p"
	[[ $output == "page from goodbye" ]]
}

@test "down -v: no container, network, volume, veth, lease, nft rule or port left" {
	p=$(free_port)
	write_app "$p"
	box compose up -d 2>/dev/null
	run -0 fetch "$p"
	run --separate-stderr -0 box compose down -v -t 1
	[[ $stderr == *"Container app-web-1  Removed"* && $stderr == *"Network app_default  Removed"* ]]
	[[ -z $(ids) ]]
	run ! box network inspect app_default
	[[ $stderr == *"Volume app_data  Removed"* ]]
	[[ -z $(box volume ls -q) ]]
	run -0 net_counts
	[[ $output == *"links 0"*"rules 0"*"tables 0"*"leases 0"*"endpoints 0"*"ports 0"*"dnsmasq 0"*"netns 0"* ]]
	run -7 curl -s --max-time 2 "http://127.0.0.1:$p/"
}

@test "named volumes: PROJECT_NAME, labelled, shared, kept by down, removed by down -v; external ones must exist" {
	cat >compose.yaml <<'EOF'
services:
  writer:
    image: small
    command: ["sh", "-c", "echo kept >/data/f; exec sleep 1000"]
    volumes: ["data:/data"]
  reader:
    image: small
    command: ["sleep", "1000"]
    volumes: ["data:/data:ro"]
volumes:
  data:
EOF
	run --separate-stderr -0 box compose up -d
	[[ $stderr == *"Volume app_data  Created"* ]]
	run -0 box volume inspect -f '{{index .Labels "com.docker.compose.project"}} {{index .Labels "com.docker.compose.volume"}}' app_data
	[[ $output == "app data" ]]
	for _ in $(seq 50); do box exec app-reader-1 cat /data/f 2>/dev/null && break; sleep 0.1; done
	run -0 box exec app-reader-1 cat /data/f
	[[ $output == kept ]]
	run -0 box compose down -t 1
	run -0 box volume ls -q
	[[ $output == app_data ]]
	box compose up -d 2>/dev/null
	run -0 box exec app-writer-1 cat /data/f
	[[ $output == kept ]]
	run --separate-stderr -0 box compose down -v -t 1
	[[ $stderr == *"Volume app_data  Removed"* ]]
	run -0 box volume ls -q
	[[ -z $output ]]
	printf 'services:\n  s:\n    image: small\n    volumes: ["ext:/x"]\nvolumes:\n  ext:\n    external: true\n' >compose.yaml
	run --separate-stderr -3 box compose up -d
	[[ ${stderr_lines[-1]} == 'compose-up: external volume "ext" not found' ]]
	run -0 box compose down
}

@test "ps, ps -a -q --services --format json; stop, start, restart, kill, rm" {
	write_app "$(free_port)"
	box compose up -d 2>/dev/null
	run -0 box compose ps
	[[ ${lines[0]} == NAME*IMAGE*COMMAND*SERVICE*CREATED*STATUS*PORTS ]]
	[[ ${#lines[@]} == 4 && ${lines[1]} == "app-db-1 "* && ${lines[3]} == "app-worker-1 "*"worker"*"Up "* ]]
	run -0 box compose ps --services
	[[ $output == $'db\nweb\nworker' ]]
	run -0 box compose ps -q
	[[ $(sort <<<"$output") == "$(ids)" ]]
	run -0 box compose ps --format json
	[[ $(jq -r '.Name + " " + .Service + " " + .State' <<<"$output") == $'app-db-1 db running\napp-web-1 web running\napp-worker-1 worker running' ]]
	run --separate-stderr -0 box compose stop -t 1 web
	[[ $stderr == "Container app-web-1  Stopped" ]]
	run -0 box compose ps --services
	[[ $output == $'db\nworker' ]]
	run -0 box compose ps -a --services
	[[ $output == $'db\nweb\nworker' ]]
	run --separate-stderr -0 box compose start
	[[ $stderr == "Container app-web-1  Started" ]]
	run --separate-stderr -0 box compose restart -t 1 db
	[[ $stderr == $'Container app-db-1  Stopped\nContainer app-db-1  Started' ]]
	run --separate-stderr -0 box compose kill db
	[[ $stderr == "Container app-db-1  Killed" ]]
	run -0 box inspect -f '{{.State.ExitCode}}' app-db-1
	[[ $output == 137 ]]
	run --separate-stderr -0 box compose rm -f
	[[ $stderr == "Container app-db-1  Removed" ]]
	run -0 box compose ps -a --services
	[[ $output == $'web\nworker' ]]
}

@test "logs: SERVICE-N prefixes, --tail, -t, a service named; exec and run --rm; ls" {
	cat >compose.yaml <<'EOF'
services:
  talker:
    image: small
    command: ["sh", "-c", "echo one; echo two; echo err >&2; exec sleep 1000"]
  quiet-service:
    image: small
    command: ["sh", "-c", "echo q; exec sleep 1000"]
    environment: [WHO=quiet]
EOF
	box compose up -d 2>/dev/null
	for _ in $(seq 50); do [[ $(box logs app-talker-1 2>&1 | wc -l) == 3 ]] && break; sleep 0.1; done
	run -0 box compose logs talker
	[[ $(sort <<<"$output") == $'talker-1  | err\ntalker-1  | one\ntalker-1  | two' ]]
	run -0 box compose logs --tail 1 quiet-service
	[[ $output == "quiet-service-1  | q" ]]
	run -0 box compose logs -t quiet-service
	[[ $output =~ ^quiet-service-1\ \ \|\ 20[0-9-]+T[0-9:.]+Z\ q$ ]]
	run -0 box compose logs
	[[ $output == *"quiet-service-1  | q"* && $output == *"talker-1         | one"* ]]
	run -0 box compose exec -T quiet-service sh -c 'echo $WHO'
	[[ $output == quiet ]]
	run -2 box compose exec -T nosuch true
	run --separate-stderr -0 box compose run --rm -T quiet-service sh -c 'echo ran as $WHO'
	[[ $output == "ran as quiet" ]]
	run -0 box ps -aq --filter label=com.docker.compose.oneoff=True
	[[ -z $output ]]
	run -0 box compose ls
	[[ ${lines[1]} == "app "*"running(2)"*"$PWD/compose.yaml" ]]
	run -0 box compose ls --format json
	[[ $(jq -r '.[] | .Name + " " + .Status + " " + .ConfigFiles' <<<"$output") == "app running(2) $PWD/compose.yaml" ]]
}

@test "up attached: prefixed logs until Ctrl-C, which stops the project" {
	cat >compose.yaml <<'EOF'
services:
  chatty:
    image: small
    command: ["sh", "-c", "echo started; trap 'echo bye; exit 0' TERM; while :; do sleep 0.1; done"]
EOF
	box compose up >out 2>err &
	pid=$!
	for _ in $(seq 50); do grep -q started out && break; sleep 0.1; done
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	[[ $rc == 130 ]]
	run -0 cat out
	[[ ${lines[0]} == "Attaching to chatty-1" && $output == *"chatty-1  | started"*"chatty-1  | bye"* ]]
	grep -q "Gracefully stopping" err
	run -0 box inspect -f '{{.State.Status}} {{.State.ExitCode}}' app-chatty-1
	[[ $output == "exited 0" ]]
}

@test "scale, --remove-orphans, depends_on service_completed_successfully" {
	cat >compose.yaml <<'EOF'
services:
  init:
    image: small
    command: ["sh", "-c", "sleep 0.3; echo done > /tmp/x"]
  app:
    image: small
    command: ["sleep", "1000"]
    depends_on:
      init:
        condition: service_completed_successfully
  gone:
    image: small
    command: ["sleep", "1000"]
EOF
	run --separate-stderr -0 box compose up -d --scale app=2
	[[ $stderr == *"Container app-app-1  Started"* && $stderr == *"Container app-app-2  Started"* ]]
	run -0 box inspect -f '{{.State.Status}} {{.State.ExitCode}}' app-init-1
	[[ $output == "exited 0" ]]
	sed -i '/^  gone:/,$d' compose.yaml
	run --separate-stderr -0 box compose up -d
	[[ $stderr == *"Found orphan containers ([app-gone-1])"* ]]
	run -1 box inspect app-app-2
	run --separate-stderr -0 box compose up -d --remove-orphans
	run -1 box inspect app-gone-1
	run -0 box compose down -t 1
	[[ -z $(ids) ]]
}

@test "bad input: an unknown service makes nothing; keys box cannot run yet say not implemented" {
	write_app "$(free_port)"
	run --separate-stderr -2 box compose up -d nosuch
	[[ $stderr == "compose-up: no such service: nosuch" ]]
	run -0 box network ls -q --filter label=com.docker.compose.project=app
	[[ -z $output ]]
	printf 'services:\n  a:\n    image: small\n    gpus: all\n' >compose.yaml
	run --separate-stderr -1 box compose up -d
	[[ $stderr == 'compose-up: service "a": gpus: not implemented (box has no GPU support)' ]]
	printf 'services:\n  a:\n    image: nosuch-image\n' >compose.yaml
	run --separate-stderr -1 box compose up -d
	[[ $stderr == *'compose-up: service "a": pull access denied or image not found: nosuch-image' ]]
	# the network came first, as Compose makes it; down removes it
	run -0 box compose down
	run -0 box network ls -q --filter label=com.docker.compose.project=app
	[[ -z $output ]]
	[[ -z $(ids) ]]
}

@test "healthcheck: the CMD form, durations, retries; an unhealthy dependency stops the up" {
	cat >compose.yaml <<'EOF'
services:
  db:
    image: small
    command: ["sh", "-c", "sleep 0.5; touch /ready; exec sleep 1000"]
    healthcheck:
      test: ["CMD", "test", "-e", "/ready"]
      interval: 200ms
      retries: 20
  worker:
    image: small
    command: ["sleep", "1000"]
    depends_on:
      db:
        condition: service_healthy
  sick:
    image: small
    command: ["sleep", "1000"]
    healthcheck:
      test: ["CMD-SHELL", "exit 1"]
      interval: 100ms
      retries: 2
  needs-sick:
    image: small
    command: ["sleep", "1000"]
    depends_on:
      sick:
        condition: service_healthy
EOF
	run --separate-stderr -1 box compose up -d
	[[ $stderr == *"Container app-db-1  Healthy"*"Container app-worker-1  Started"* ]]
	[[ ${stderr_lines[-1]} == "compose-up: dependency failed to start: container app-sick-1 is unhealthy" ]]
	run -0 box inspect -f '{{.State.Health.Status}} {{.Config.Healthcheck.Retries}}' app-db-1
	[[ $output == "healthy 20" ]]
	run -1 box inspect app-needs-sick-1
	run -0 box compose down -t 1
	[[ -z $(ids) ]]
}

@test "secrets and configs: files bound read-only at /run/secrets/NAME and /NAME; an undefined one is refused" {
	printf 's3cret\n' >db_password.txt
	printf 'level=debug\n' >app.conf
	cat >compose.yaml <<'EOF'
services:
  app:
    image: small
    command: ["sleep", "1000"]
    secrets: [db_password]
    configs:
      - source: app_conf
        target: /etc/app.conf
secrets:
  db_password:
    file: ./db_password.txt
configs:
  app_conf:
    file: app.conf
EOF
	box compose up -d 2>/dev/null
	run -0 box exec app-app-1 cat /run/secrets/db_password /etc/app.conf
	[[ $output == $'s3cret\nlevel=debug' ]]
	run -1 box exec app-app-1 sh -c 'echo x >/run/secrets/db_password'
	run -0 box compose down -t 1
	sed -i 's/secrets: \[db_password\]/secrets: [nope]/' compose.yaml
	run --separate-stderr -2 box compose up -d
	[[ $stderr == 'compose-up: service "app" refers to undefined secret nope: invalid compose project' ]]
}
