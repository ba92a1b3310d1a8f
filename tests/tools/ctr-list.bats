#!/usr/bin/env bats
# ctr-list: docker ps (columns, states, filters, -q/-n/-l/--no-trunc,
# --format) and inspect (containers, images, Docker's misses), on
# containers made by hand with a fake supervisor (tests/fixtures/fakectr.bash);
# diff on containers box ran.

load ../helpers
load ../fixtures/fakectr

setup () { box_setup; }
teardown () { box_teardown; }

@test "usage: bad filters and options exit 2" {
	run --separate-stderr -2 ctr-list --filter bogus=1
	[[ $stderr == "ctr-list: Invalid filter 'bogus'" ]]
	run --separate-stderr -2 ctr-list --filter status=sleeping
	[[ $stderr == "ctr-list: Invalid filter 'status=sleeping'" ]]
	# as the daemon reads them: exited= with strconv.Atoi, is-task= a bool
	run --separate-stderr -2 ctr-list --filter exited=x
	[[ $stderr == 'ctr-list: strconv.Atoi: parsing "x": invalid syntax' ]]
	run --separate-stderr -2 ctr-list --filter exited=
	[[ $stderr == 'ctr-list: strconv.Atoi: parsing "": invalid syntax' ]]
	run -0 ctr-list --filter exited=-1
	run --separate-stderr -2 ctr-list --filter is-task=maybe
	[[ $stderr == "ctr-list: Invalid filter 'is-task=[maybe]'" ]]
	run --separate-stderr -2 ctr-list --filter name
	[[ $stderr == 'ctr-list: invalid argument "name" for "-f, --filter" flag: bad format of filter (expected name=value)' ]]
	run -2 ctr-list -n x
	run -2 ctr-list extra
	run -2 ctr-list inspect
}

@test "no containers: the header only" {
	run -0 ctr-list -a
	[[ $output == "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES" ]]
	run -0 ctr-list -aq
	[[ -z $output ]]
}

@test "ps shows running containers, -a all of them, newest first, in Docker's columns" {
	local run ex cr
	ex=$(fake_exited old 3 2026-01-01T00:00:00.000000000Z)
	cr=$(fake_ctr fresh)
	run=$(fake_run web sleep 1000)
	run -0 ctr-list -q
	[[ $output == "${run:0:12}" ]]
	run -0 ctr-list -aq
	[[ ${lines[*]} == "${run:0:12} ${cr:0:12} ${ex:0:12}" ]]
	run -0 ctr-list -a
	[[ ${lines[0]} =~ ^CONTAINER\ ID\ \ \ IMAGE\ \ \ \ \ COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]]
	[[ ${lines[1]} =~ ^${run:0:12}\ \ \ small\ \ \ \ \ \"sleep\ 1000\"\ \ \ (Less\ than\ a\ second|[0-9]+\ seconds?)\ ago\ +Up\ (Less\ than\ a\ second|[0-9]+\ seconds?)\ +web$ ]]
	[[ ${lines[2]} =~ ^${cr:0:12}\ .*\ Created\ +fresh$ ]]
	[[ ${lines[3]} =~ ^${ex:0:12}\ .*\ [0-9]+\ months\ ago\ +Exited\ \(3\)\ (Less\ than\ a\ second|[0-9]+\ seconds?)\ ago\ +old$ ]]
	run -0 ctr-list -a --no-trunc -q
	[[ ${lines[0]} == "$run" ]]
}

@test "--format json: Docker's keys, one object per line" {
	fake_run web sleep 1000 >/dev/null
	run -0 ctr-list --format json
	run -0 jq -c 'keys' <<<"$output"
	[[ $output == '["Command","CreatedAt","ID","Image","Labels","LocalVolumes","Mounts","Names","Networks","Ports","RunningFor","Size","State","Status"]' ]]
	run -0 ctr-list --format json
	run -0 jq -r '[.Command, .Image, .Labels, .Names, .Networks, .State, .Size, .LocalVolumes] | join("|")' <<<"$output"
	[[ $output == '"sleep 1000"|small|app=web,tier=web|web|none|running|0B|0' ]]
	run -0 ctr-list --format '{{.Names}} {{.State}} {{upper .Image}}'
	[[ $output == "web running SMALL" ]]
	run -0 ctr-list --format 'table {{.Names}}\t{{.State}}'
	[[ ${lines[0]} == "NAMES     STATE" && ${lines[1]} == "web       running" ]]
	run -0 ctr-list --format '{{.Label "app"}}|{{.Label "nope"}}|{{range split .Labels ","}}[{{.}}]{{end}}|{{.Names | printf "%.2s"}}'
	[[ $output == "web||[app=web][tier=web]|we" ]]
	run -0 ctr-list --format 'table {{upper .Names}}\t{{.Label "com.example.my_label"}}'
	[[ ${lines[0]} == "NAMES     my label" && ${lines[1]} == "WEB       " ]]
	run --separate-stderr -1 ctr-list --format '{{.Nope}}'
	[[ $stderr == 'ctr-list: template: :1:2: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type *formatter.ContainerContext' ]]
	run --separate-stderr -2 ctr-list --format '{{.Names | nope}}'
	[[ $stderr == 'ctr-list: template: :1: function "nope" not defined' ]]
}

@test "COMMAND is quoted and cut at 20 columns as Docker does; --no-trunc keeps it" {
	local d
	fake_ctr long >/dev/null
	d=$(fake_dir long)
	jq '.Config.Entrypoint = ["/bin/sh", "-c"] | .Config.Cmd = ["echo \"hello world\" and more"]' \
		"$d/create.json" >"$d/c" && mv "$d/c" "$d/create.json"
	run -0 ctr-list -a --format '{{.Command}}'
	# an argument with a blank in single quotes, as Docker's daemon has it
	[[ $output == '"/bin/sh -c '"'"'echo \"h…"' ]]
	run -0 ctr-list -a --no-trunc --format '{{.Command}}'
	[[ $output == '"/bin/sh -c '"'"'echo \"hello world\" and more'"'"'"' ]]
}

@test "a vanished supervisor or payload reads as exited (255), not running" {
	local id d mon
	id=$(fake_run web sleep 1000)
	d=$(fake_dir web)
	mon=$(sed -n 's/^monitor=//p' "$d/state")
	kill -KILL "$mon"
	# kill(2) returns before the process is gone
	for _ in $(seq 200); do [[ -d /proc/$mon ]] || break; sleep 0.01; done
	run -0 ctr-list -q
	[[ -z $output ]]
	run -0 ctr-list -a --format '{{.State}} {{.Status}}'
	[[ $output =~ ^exited\ Exited\ \(255\)\ (Less\ than\ a\ second|[0-9]+\ seconds?)\ ago$ ]]
	# a recycled pid (same number, other start time) is not the container
	printf 'status=running\npid=%d\npid_start=1\nstarted=2026-01-01T00:00:00Z\n' $$ >"$d/state"
	run -0 ctr-list -a --format '{{.State}}'
	[[ $output == exited ]]
}

@test "-n, -l: the last created, whatever their state" {
	fake_exited a 0 2026-01-01T00:00:00Z >/dev/null
	fake_exited b 0 2026-01-02T00:00:00Z >/dev/null
	fake_ctr c 2026-01-03T00:00:00Z >/dev/null
	run -0 ctr-list -n 2 --format '{{.Names}}'
	[[ ${lines[*]} == "c b" ]]
	run -0 ctr-list -l --format '{{.Names}}'
	[[ $output == c ]]
	# 0 is no limit, and no state but the default's (none runs here)
	run -0 ctr-list -n 0 --format '{{.Names}}'
	[[ -z $output && $output == "$(ctr-list --format '{{.Names}}')" ]]
	run -0 ctr-list -a -n 0 --format '{{.Names}}'
	[[ ${lines[*]} == "c b a" ]]
	# isolation= keeps every container, as dockerd on Linux; an empty format is the default
	run -0 ctr-list -a --filter isolation=nope --format ''
	[[ ${#lines[@]} == 4 && ${lines[0]} == "CONTAINER ID"* ]]
}

@test "filters: label, name (regex), status, id, ancestor; one key ORs, keys AND" {
	local a b
	a=$(fake_exited alpha 0)
	b=$(fake_exited beta 1)
	d=$(fake_dir beta)
	jq '.Config.Labels = {tier: "db"} | .ImageRef = "other:1" | .Image = "sha256:'"$(printf %064d 9)"'"' \
		"$d/create.json" >"$d/c" && mv "$d/c" "$d/create.json"
	fake_run gamma sleep 1000 >/dev/null
	run -0 ctr-list -a --filter label=tier=db --format '{{.Names}}'
	[[ $output == beta ]]
	run -0 ctr-list -a --filter label=app --format '{{.Names}}'
	[[ ${lines[*]} == "gamma alpha" ]]
	run -0 ctr-list -a --filter name=^/al --format '{{.Names}}'
	[[ $output == alpha ]]
	run -0 ctr-list -a --filter name=a$ --filter name=mm --format '{{.Names}}'
	[[ ${lines[*]} == "gamma beta alpha" ]]
	# a status filter shows stopped containers without -a
	run -0 ctr-list --filter status=exited --format '{{.Names}}'
	[[ ${lines[*]} == "beta alpha" ]]
	run -0 ctr-list --filter status=exited --filter label=tier=db --format '{{.Names}}'
	[[ $output == beta ]]
	run -0 ctr-list -a --filter id="${b:0:8}" -q
	[[ $output == "${b:0:12}" ]]
	run -0 ctr-list -a --filter ancestor=other:1 --format '{{.Names}}'
	[[ $output == beta ]]
	run -0 ctr-list -a --filter ancestor="sha256:$(printf %064d 9)" --format '{{.Names}}'
	[[ $output == beta ]]
	[[ -n $a ]]
}

@test "ancestor= finds containers by any name of their image" {
	local id d
	store_add small docker.io/library/small:latest
	id=$(fixture_image_id small)
	fake_exited one 0 >/dev/null
	d=$(fake_dir one)
	jq --arg i "$id" '.Image = $i | .ImageRef = "small"' "$d/create.json" >"$d/c" && mv "$d/c" "$d/create.json"
	run -0 ctr-list -a --filter ancestor=docker.io/library/small:latest --format '{{.Names}}'
	[[ $output == one ]]
	run -0 ctr-list -a --filter ancestor="${id:7:12}" --format '{{.Names}}'
	[[ $output == one ]]
	run -0 ctr-list -a --filter ancestor=busybox --format '{{.Names}}'
	[[ -z $output ]]
}

@test "PORTS from network.json, grouped and ordered as docker ps does" {
	local d
	fake_run web sleep 1000 >/dev/null
	d=$(fake_dir web)
	cat >"$d/network.json" <<-'EOF'
		{"Networks": {"bridge": {"IPAddress": "172.17.0.2"}},
		 "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}, {"HostIp": "::", "HostPort": "8080"}],
			   "81/tcp": null, "82/tcp": null, "443/tcp": null,
			   "53/udp": [{"HostIp": "0.0.0.0", "HostPort": "53"}]}}
	EOF
	run -0 ctr-list --format '{{.Ports}}|{{.Networks}}'
	[[ $output == "81-82/tcp, 0.0.0.0:53->53/udp, 443/tcp, 0.0.0.0:8080->80/tcp, :::8080->80/tcp|bridge" ]]
}

@test "-s: the writable layer's size, and with the image" {
	local d
	store_add small docker.io/library/small:latest
	fake_exited one 0 >/dev/null
	d=$(fake_dir one)
	jq --arg i "$(fixture_image_id small)" '.Image = $i' "$d/create.json" >"$d/c" && mv "$d/c" "$d/create.json"
	mkdir -p "$d/upper"
	head -c 2000 /dev/zero >"$d/upper/f"
	run -0 ctr-list -a -s --format '{{.Size}}'
	[[ $output =~ ^2kB\ \(virtual\ [0-9.]+[kM]B\)$ ]]
	run -0 ctr-list -a -s
	[[ ${lines[0]} == *"NAMES     SIZE" ]]
}

@test "inspect: Docker's object from create.json, state and config.json" {
	local id
	id=$(fake_run web sleep 1000)
	run -0 ctr-list inspect web
	run -0 jq -c '.[0] | keys_unsorted' <<<"$output"
	[[ $output == '["Id","Created","Path","Args","State","Image","ResolvConfPath","HostnamePath","HostsPath","LogPath","Name","RestartCount","Driver","Platform","MountLabel","ProcessLabel","AppArmorProfile","ExecIDs","HostConfig","GraphDriver","Mounts","Config","NetworkSettings"]' ]]
	run -0 ctr-list inspect "${id:0:6}"
	run -0 jq -r '.[0] | [.Id, .Name, .Path, (.Args | join(",")), .State.Status, .State.Running, .State.ExitCode,
		.State.FinishedAt, .Config.Image, .HostConfig.NetworkMode, (.NetworkSettings.Networks | keys[0])] | join("|")' <<<"$output"
	[[ $output == "$id|/web|sleep|1000|running|true|0|0001-01-01T00:00:00Z|small|none|none" ]]
	# Docker's nil slices and maps print [] and map[] in a template, json null
	run -0 ctr-list inspect -f '{{.Config.Entrypoint}} {{json .Config.Entrypoint}} {{.HostConfig.CapAdd}}' web
	[[ $output == "[] null []" ]]
	run -0 ctr-list inspect web
	[[ $(jq -c '.[0].Config.Entrypoint' <<<"$output") == null ]]
	run -0 ctr-list inspect -f '{{.State.Pid}}' web
	[[ $output == "$(sed -n 's/^pid=//p' "$(fake_dir web)/state")" ]]
	kill -KILL "$output"
	run -0 ctr-wait web
	[[ $output == 137 ]]
	run -0 ctr-list inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Pid}} {{.State.ExitCode}}' web
	[[ $output == "exited false 0 137" ]]
}

# Docker 20.10's keys, in order (docker inspect of a `docker create` with no flags)
HOSTCONFIG_KEYS='["Binds","ContainerIDFile","LogConfig","NetworkMode","PortBindings","RestartPolicy","AutoRemove","VolumeDriver","VolumesFrom","CapAdd","CapDrop","CgroupnsMode","Dns","DnsOptions","DnsSearch","ExtraHosts","GroupAdd","IpcMode","Cgroup","Links","OomScoreAdj","PidMode","Privileged","PublishAllPorts","ReadonlyRootfs","SecurityOpt","UTSMode","UsernsMode","ShmSize","Runtime","ConsoleSize","Isolation","CpuShares","Memory","NanoCpus","CgroupParent","BlkioWeight","BlkioWeightDevice","BlkioDeviceReadBps","BlkioDeviceWriteBps","BlkioDeviceReadIOps","BlkioDeviceWriteIOps","CpuPeriod","CpuQuota","CpuRealtimePeriod","CpuRealtimeRuntime","CpusetCpus","CpusetMems","Devices","DeviceCgroupRules","DeviceRequests","KernelMemory","KernelMemoryTCP","MemoryReservation","MemorySwap","MemorySwappiness","OomKillDisable","PidsLimit","Ulimits","CpuCount","CpuPercent","IOMaximumIOps","IOMaximumBandwidth","MaskedPaths","ReadonlyPaths"]'
NETSET_KEYS='["Bridge","SandboxID","HairpinMode","LinkLocalIPv6Address","LinkLocalIPv6PrefixLen","Ports","SandboxKey","SecondaryIPAddresses","SecondaryIPv6Addresses","EndpointID","Gateway","GlobalIPv6Address","GlobalIPv6PrefixLen","IPAddress","IPPrefixLen","IPv6Gateway","MacAddress","Networks"]'
ENDPOINT_KEYS='["IPAMConfig","Links","Aliases","NetworkID","EndpointID","Gateway","IPAddress","IPPrefixLen","IPv6Gateway","GlobalIPv6Address","GlobalIPv6PrefixLen","MacAddress","DriverOpts"]'

@test "inspect: HostConfig and NetworkSettings have Docker's keys, what create.json lacks at Docker's defaults" {
	local id dir
	id=$(fake_run web sleep 1000)
	dir=$(fake_dir web)
	run -0 ctr-list inspect web
	[[ $(jq -c '.[0].HostConfig | keys_unsorted' <<<"$output") == "$HOSTCONFIG_KEYS" ]]
	[[ $(jq -c '.[0].NetworkSettings | keys_unsorted' <<<"$output") == "$NETSET_KEYS" ]]
	[[ $(jq -c '.[0].NetworkSettings.Networks.none | keys_unsorted' <<<"$output") == "$ENDPOINT_KEYS" ]]
	[[ $(jq -c '.[0].HostConfig | [.ContainerIDFile, .Runtime, .ConsoleSize, .Ulimits, .BlkioDeviceReadBps, .ShmSize]' <<<"$output") == '["","ctr-spawn",[0,0],[],null,67108864]' ]]
	# recorded values win; the masks are config.json's; the omitempty keys only when set
	jq '.HostConfig += {"Memory": 4194304, "Ulimits": null, "Tmpfs": {"/run": ""}, "Init": true, "Mounts": null, "Annotations": {"a": "b"}}' \
		"$dir/create.json" >"$dir/c.tmp" && mv "$dir/c.tmp" "$dir/create.json"
	jq '.linux.maskedPaths = ["/proc/kcore"] | .linux.readonlyPaths = ["/proc/sys"]' "$dir/config.json" >"$dir/c.tmp" &&
		mv "$dir/c.tmp" "$dir/config.json"
	run -0 ctr-list inspect web
	[[ $(jq -c '.[0].HostConfig | [.Memory, .Ulimits, .Tmpfs, .Init, .MaskedPaths, .ReadonlyPaths, .Annotations, has("Mounts")]' <<<"$output") == '[4194304,[],{"/run":""},true,["/proc/kcore"],["/proc/sys"],{"a":"b"},false]' ]]
	[[ $(jq -c '.[0].HostConfig | keys_unsorted | (index("Tmpfs") - index("SecurityOpt")), (index("Init") - index("ReadonlyPaths")), .[-1]' <<<"$output" | paste -sd ' ') == '1 1 "Annotations"' ]]
	# Config in the order of Docker's struct, whatever create.json's; unknown keys last
	jq '.Config = {"Custom": 1, "Entrypoint": null, "Labels": {}, "WorkingDir": "/w", "Cmd": ["x"], "Image": "small"}' \
		"$dir/create.json" >"$dir/c.tmp" && mv "$dir/c.tmp" "$dir/create.json"
	run -0 ctr-list inspect -f '{{json .Config}}' web
	[[ $output == '{"Cmd":["x"],"Image":"small","WorkingDir":"/w","Entrypoint":null,"Labels":{},"Custom":1}' ]]
}

@test "inspect: Mounts lists binds and volumes, not the runtime's own" {
	local d
	fake_ctr web >/dev/null
	d=$(fake_dir web)
	jq --arg d "$d" --arg v "$BOX_ROOT/volumes/data/_data" '.mounts = [
		{destination: "/proc", type: "proc", source: "proc"},
		{destination: "/etc/hosts", type: "bind", source: ($d + "/hosts"), options: ["rbind"]},
		{destination: "/src", type: "bind", source: "/tmp", options: ["rbind", "ro"]},
		{destination: "/data", type: "bind", source: $v, options: ["rbind"]}]' \
		"$d/config.json" >"$d/c" && mv "$d/c" "$d/config.json"
	run -0 ctr-list inspect -f '{{json .Mounts}}' web
	# Docker's MountPoint field order
	[[ $output == '[{"Type":"bind","Source":"/tmp","Destination":"/src","Mode":"","RW":false,"Propagation":"rprivate"},{"Type":"volume","Name":"data","Source":"'"$BOX_ROOT"'/volumes/data/_data","Destination":"/data","Driver":"local","Mode":"","RW":true,"Propagation":""}]' ]]
	run -0 ctr-list -a --format '{{.Mounts}} {{.LocalVolumes}}'
	[[ $output == "/tmp,data 1" ]]
}

@test "inspect: containers first, then images; misses as Docker reports them (exit 1)" {
	store_add small docker.io/library/small:latest
	fake_exited web 0 >/dev/null
	run --separate-stderr -1 ctr-list inspect web nope small
	[[ $stderr == "Error: No such object: nope" ]]
	run -0 jq -r '.[] | .Id' <<<"$output"
	[[ ${lines[0]} == "$(readlink "$BOX_ROOT/names/web")" && ${lines[1]} == "$(fixture_image_id small)" ]]
	run --separate-stderr -1 ctr-list inspect --type container small
	[[ $stderr == "Error: No such container: small" && $output == "[]" ]]
	run --separate-stderr -1 ctr-list inspect --type image web
	[[ $stderr == "Error: No such image: web" ]]
	run -0 ctr-list inspect --type image -f '{{.Id}}' small
	[[ $output == "$(fixture_image_id small)" ]]
	run --separate-stderr -2 ctr-list inspect --type bogus web
}

@test "inspect: an ambiguous id prefix is an error" {
	mkdir -p "$BOX_ROOT/containers/ab$(printf %062d 1)" "$BOX_ROOT/containers/ab$(printf %062d 2)"
	run --separate-stderr -1 ctr-list inspect ab
	[[ $stderr == "Error: multiple IDs found with provided prefix: ab" ]]
}

@test "a half-made container directory is skipped with a warning" {
	fake_exited good 0 >/dev/null
	mkdir -p "$BOX_ROOT/containers/$(printf %064d 5)"
	echo '{' >"$BOX_ROOT/containers/$(printf %064d 5)/create.json"
	printf 'status=created\n' >"$BOX_ROOT/containers/$(printf %064d 5)/state"
	run --separate-stderr -0 ctr-list -a --format '{{.Names}}'
	[[ $output == good ]]
	[[ $stderr == "ctr-list: warning: containers/000000000000: create.json: line 2: "* ]]
}

@test "health: the health file as Docker's State.Health, (healthy) in STATUS, health= filter" {
	local d
	fake_run web sleep 1000 >/dev/null
	fake_run plain sleep 1000 >/dev/null
	d=$(fake_dir web)
	# output escaped onto its line: \n, \\, control bytes; invalid UTF-8 as U+FFFD
	printf '%s\n' status=healthy failing_streak=0 \
		'log=2026-01-01T00:00:00.1Z 2026-01-01T00:00:00.2Z 1 a\nb\\c\x01\xff' \
		'log=2026-01-01T00:00:01.1Z 2026-01-01T00:00:01.2Z 0 ok\n' >"$d/health"
	run -0 ctr-list inspect web
	[[ $(jq -ac '.[0].State.Health' <<<"$output") == \
		'{"Status":"healthy","FailingStreak":0,"Log":[{"Start":"2026-01-01T00:00:00.1Z","End":"2026-01-01T00:00:00.2Z","ExitCode":1,"Output":"a\nb\\c\u0001\ufffd"},{"Start":"2026-01-01T00:00:01.1Z","End":"2026-01-01T00:00:01.2Z","ExitCode":0,"Output":"ok\n"}]}' ]]
	run -0 ctr-list --filter name=web --format '{{.Status}}'
	[[ $output == "Up "*" (healthy)" ]]
	run -0 ctr-list --filter name=plain --format '{{.Status}}'
	[[ $output == "Up "* && $output != *"("* ]]
	run -0 ctr-list --filter health=healthy --format '{{.Names}}'
	[[ $output == web ]]
	run -0 ctr-list --filter health=none --format '{{.Names}}'
	[[ $output == plain ]]
	sed -i 's/^status=.*/status=starting/' "$d/health"
	run -0 ctr-list --filter name=web --format '{{.Status}}'
	[[ $output == "Up "*" (health: starting)" ]]
	# no State.Health without the file
	run -0 ctr-list inspect plain
	[[ $(jq -c '.[0].State | has("Health")' <<<"$output") == false ]]
}

@test "health: a container that does not run is unhealthy, whatever its file says" {
	local d
	fake_exited old 0 >/dev/null
	d=$(fake_dir old)
	printf 'status=healthy\nfailing_streak=0\n' >"$d/health"
	run -0 ctr-list inspect old
	[[ $(jq -r '.[0].State.Health.Status' <<<"$output") == unhealthy ]]
	run -0 ctr-list -a --filter health=unhealthy --format '{{.Names}}'
	[[ $output == old ]]
}

@test "diff: A, C and D lines, a directory before its entries, mount points left out" {
	skip_unless_root
	store_add small docker.io/library/small:latest
	box run --name d1 --network none small sh -c 'echo hi >/srv/new; rm /etc/group; mkdir -p /tmp/d/e; touch /tmp/d/e/f; echo x >>/etc/passwd; ln -s a /root/l; rm -r /home/app; echo z >/etc/hosts' >/dev/null
	run -0 ctr-list diff d1
	[[ $output == "C /etc
D /etc/group
C /etc/passwd
C /home
D /home/app
C /root
A /root/l
C /srv
A /srv/new
C /tmp
A /tmp/d
A /tmp/d/e
A /tmp/d/e/f" ]]
	box create --name d2 --network none small true >/dev/null
	run -0 ctr-list diff d2
	[[ -z $output ]]
	run --separate-stderr -3 ctr-list diff nope
	[[ $stderr == "Error response from daemon: No such container: nope" ]]
	run -2 ctr-list diff
}

@test "diff: a directory made anew over the image's lists what it hides" {
	skip_unless_root
	store_add small docker.io/library/small:latest
	box run --name d3 --network none small sh -c 'rm -r /home; mkdir -p /home/new' >/dev/null
	run -0 ctr-list diff d3
	[[ $output == $'C /home\nA /home/new\nD /home/app' ]]
}

@test "df: Docker's four rows on an empty state directory; RUN's cache mounts are build cache; usage" {
	run -0 ctr-list df
	[[ $output == "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE
Images          0         0         0B        0B
Containers      0         0         0B        0B
Local Volumes   0         0         0B        0B
Build Cache     0         0         0B        0B" ]]
	mkdir -p "$BOX_ROOT/cache/run/$(printf '%064d' 7)/sub"
	printf 1234567 >"$BOX_ROOT/cache/run/$(printf '%064d' 7)/sub/f"
	: >"$BOX_ROOT/cache/run/$(printf '%064d' 7).lock"
	run -0 ctr-list df --format '{{.Type}} {{.TotalCount}} {{.Size}} {{.Reclaimable}}'
	[[ ${lines[3]} == "Build Cache 1 7B 7B" ]]
	run -0 ctr-list df -v --format '{{range .BuildCache}}{{.ID}} {{.CacheType}} {{.Size}} {{.Shared}}{{end}}'
	[[ $output == "$(printf '%064d' 7) exec.cachemount 7B false" ]]
	run -2 ctr-list df extra
	run -2 ctr-list df --format '{{'
	run -1 ctr-list df --format '{{.Nope}}'
}
