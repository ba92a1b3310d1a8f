#!/usr/bin/env bats
# box compose: the service keys that map onto box's runtime (links,
# external_links, volumes_from, label_file, uts, platform, devices, the
# cgroup keys, lifecycle hooks, attach) and those refused by name; then
# the commands create, images, port, top, pause, wait, cp, scale ...

load ../helpers
load ../fixtures/net
load ../fixtures/compose

setup () { compose_setup app; }

teardown () { compose_teardown; }

@test "links and external_links: host entries of the linking container; volumes_from; label_file; uts" {
	box run -d --name outside small sleep 1000
	printf 'team=box\nrole=from-file\n' >labels.txt
	cat >compose.yaml <<'EOF2'
services:
  db:
    image: small
    command: sleep 1000
    volumes: ["/data"]
  app:
    image: small
    command: sleep 1000
    links: ["db:database"]
    volumes_from: ["db:ro"]
    label_file: ./labels.txt
    labels: {role: from-labels}
    annotations: [org.example.note=linked]
    uts: host
EOF2
	run -0 box compose config --format json
	[[ $(jq -c '.services.app.depends_on.db' <<<"$output") == '{"condition":"service_started","required":true,"restart":true}' ]]
	[[ $(jq -r '.services.app.label_file[0]' <<<"$output") == "$PWD/labels.txt" ]]
	run -0 box compose up -d
	ip=$(box inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' app-db-1)
	run -0 box exec app-app-1 cat /etc/hosts
	[[ $output == *"$ip"*database* ]]
	run -0 box exec app-app-1 ping -c1 -W1 database
	box exec app-db-1 sh -c 'echo shared >/data/f'
	run -0 box exec app-app-1 cat /data/f
	[[ $output == shared ]]
	run -1 box exec app-app-1 sh -c 'echo x >/data/g'
	run -0 box inspect -f '{{index .Config.Labels "team"}} {{index .Config.Labels "role"}} {{.HostConfig.UTSMode}}' app-app-1
	[[ $output == "box from-labels host" ]]
	run -0 box inspect -f '{{index .HostConfig.Annotations "org.example.note"}}' app-app-1
	[[ $output == linked ]]
	id=$(box inspect -f '{{.Id}}' app-app-1)
	[[ $(jq -r '.annotations["org.example.note"]' "$BOX_ROOT/containers/$id/config.json") == linked ]]
	# external_links: a container outside the project
	oip=$(box inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' outside)
	printf '  ext:\n    image: small\n    command: sleep 1000\n    external_links: ["outside:out"]\n' >>compose.yaml
	run -0 box compose up -d ext
	run -0 box exec app-ext-1 cat /etc/hosts
	[[ $output == *"$oip"*out* ]]
	printf '  bad:\n    image: small\n    external_links: ["nosuch"]\n' >>compose.yaml
	run --separate-stderr -1 box compose up -d bad
	[[ $stderr == *"external link nosuch: no such container: nosuch"* ]]
	box rm -f outside
}

@test "post_start and pre_stop run in the container; a failing hook fails the up; attach: false is not followed" {
	cat >compose.yaml <<'EOF2'
services:
  a:
    image: small
    command: sleep 1000
    volumes: ["./out:/out"]
    post_start:
      - command: sh -c 'echo "started as $$(id -u) in $$(pwd) with $$HOOK" >/out/post'
        user: "1000"
        working_dir: /tmp
        environment: {HOOK: yes-env}
    pre_stop:
      - command: ["sh", "-c", "echo stopping >/out/pre"]
EOF2
	mkdir -m 777 out
	run -0 box compose up -d
	[[ $(cat out/post) == "started as 1000 in /tmp with yes-env" ]]
	[[ ! -e out/pre ]]
	run -0 box compose stop -t 1
	[[ $(cat out/pre) == stopping ]]
	rm out/post
	run -0 box compose start
	[[ -s out/post ]]
	run -0 box compose down -t 1
	cat >compose.yaml <<'EOF2'
services:
  a:
    image: small
    command: sleep 1000
    post_start:
      - command: ["false"]
EOF2
	run --separate-stderr -1 box compose up -d
	[[ $stderr == *"container app-a-1: post_start hook exited with 1"* ]]
	printf 'services:\n  a:\n    image: small\n    pre_stop: [{command: "true", privileged: true}]\n' >compose.yaml
	run --separate-stderr -1 box compose up -d
	[[ $stderr == 'compose-up: service "a": pre_stop: privileged: not implemented' ]]
	# attach: false: up without -d follows only the others' logs
	cat >compose.yaml <<'EOF2'
services:
  loud:
    image: small
    command: sh -c 'echo from-loud; sleep 0.3'
  quiet:
    image: small
    attach: false
    command: sh -c 'echo from-quiet; sleep 0.3'
EOF2
	run -0 timeout 20 box compose up
	[[ $output == *"from-loud"* && $output != *"from-quiet"* ]]
}

@test "platform: this machine's is run, another is refused by name; keys box has nothing for are refused by name" {
	arch=$(uname -m)
	case $arch in x86_64) here=linux/amd64 other=linux/arm64 ;; *) here=linux/$arch other=linux/amd64 ;; esac
	printf 'services:\n  a:\n    image: small\n    command: sleep 1000\n    platform: %s\n' "$here" >compose.yaml
	run -0 box compose up -d
	run -0 box compose down -t 0
	printf 'services:\n  a:\n    image: small\n    platform: %s\n' "$other" >compose.yaml
	run --separate-stderr -1 box compose up -d
	[[ $stderr == "compose-up: service \"a\": platform $other: only this machine's platform ($here) can be run" ]]
	run -0 box network ls -q --filter label=com.docker.compose.project=app
	[[ -z $output ]]
	local key
	for key in "gpus: all" "runtime: runc" "storage_opt: {size: 1G}" "isolation: default" \
		"credential_spec: {file: x}" "develop: {watch: []}" "cpu_count: 1" "cpu_percent: 10"; do
		printf 'services:\n  a:\n    image: small\n    %s\n' "$key" >compose.yaml
		run --separate-stderr -1 box compose up -d
		[[ $stderr == "compose-up: service \"a\": ${key%%:*}: not implemented"* ]]
	done
}

# up with KEY; where ctr-create has the flag the container shows VALUE
# (a Go template of inspect), else ctr-create's refusal of FLAG surfaces
key_maps () {
	local key=$1 flag=$2 tmpl=$3 want=$4
	printf 'services:\n  a:\n    image: small\n    command: sleep 1000\n    mem_limit: 64m\n    %s\n' "$key" >compose.yaml
	run --separate-stderr box compose up -d
	if ((status == 0)); then
		run -0 box inspect -f "$tmpl" app-a-1
		[[ $output == "$want" ]] || { echo "$key: $output, want $want" >&2; return 1; }
		box compose down -t 0 >/dev/null
		echo "# $key: applied" >&3
	else
		[[ $stderr == *"$flag"* ]] || { echo "$key: $stderr" >&2; return 1; }
		echo "# $key: refused: $stderr" >&3
	fi
}

@test "devices, device_cgroup_rules, blkio_config and the cgroup keys map onto ctr-create's flags" {
	key_maps 'devices: ["/dev/null:/dev/mynull:rw"]' --device '{{(index .HostConfig.Devices 0).PathInContainer}}' /dev/mynull
	key_maps 'memswap_limit: 128m' --memory-swap '{{.HostConfig.MemorySwap}}' 134217728
	key_maps 'mem_swappiness: 10' --memory-swappiness '{{.HostConfig.MemorySwappiness}}' 10
	key_maps 'cgroup_parent: boxtest' --cgroup-parent '{{.HostConfig.CgroupParent}}' boxtest
	key_maps 'cpu_rt_runtime: 0' --cpu-rt-runtime '{{.HostConfig.CpuRealtimeRuntime}}' 0
	key_maps 'device_cgroup_rules: ["c 1:3 mr"]' --device-cgroup-rule '{{index .HostConfig.DeviceCgroupRules 0}}' 'c 1:3 mr'
	key_maps 'blkio_config: {weight: 300}' --blkio-weight '{{.HostConfig.BlkioWeight}}' 300
	key_maps 'userns_mode: host' --userns '{{.HostConfig.UsernsMode}}' host
}
