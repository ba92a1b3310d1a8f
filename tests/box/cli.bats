#!/usr/bin/env bats
# box's own surface: help on every verb, version, info, the management
# forms and their aliases, unknown verbs and flags in Docker's words

load ../helpers

setup () {
	box_setup
}

teardown () {
	box_teardown
}

# the verbs box help lists, management commands included
verbs () {
	box help | awk '/^(Management )?Commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }'
}

@test "box --help, box help and box alone list the verbs; help on every verb exits 0 with usage on stdout" {
	local v vs
	run --separate-stderr -0 box --help
	[[ ${lines[0]} == "Usage:  box [--root DIR] COMMAND" && -z $stderr ]]
	[[ $output == *"  ps          List containers"* && $output == *"  container   Manage containers"* ]]
	run --separate-stderr -0 box help
	[[ ${lines[0]} == "Usage:  box [--root DIR] COMMAND" ]]
	# docker alone prints its usage on stderr, and succeeds
	run --separate-stderr -0 box
	[[ -z $output && $stderr == *"Usage:  box [--root DIR] COMMAND"* ]]
	vs=$(verbs)
	[[ $(wc -l <<<"$vs") -ge 30 ]]
	for v in $vs; do
		run --separate-stderr -0 box "$v" --help
		[[ -z $stderr ]] || { echo "$v: $stderr"; false; }
		[[ ${lines[0]} == "Usage:  box $v"* ]] || { echo "$v: ${lines[0]}"; false; }
		run -0 box help "$v"
		[[ ${lines[0]} == "Usage:  box $v"* ]]
		# -h is run's and create's --hostname, as docker's
		[[ $v == run || $v == create ]] && continue
		run --separate-stderr -0 box "$v" -h
		[[ ${lines[0]} == "Usage:  box $v"* ]]
	done
	run -0 box ps -a --help
	[[ ${lines[0]} == "Usage:  box ps [OPTIONS]" && ${lines[2]} == "Options:" ]]
	run -0 box run --help
	[[ $output == *"  -d, --detach "* && $output == *"--memory"* ]]
	run -0 box container ls --help
	[[ ${lines[0]} == "Usage:  box container ls [OPTIONS]" && ${lines[1]} == "List containers" ]]
	run -0 box image rm --help
	[[ ${lines[0]} == "Usage:  box image rm [OPTIONS] IMAGE [IMAGE...]" ]]
	run -0 box system prune --help
	[[ ${lines[0]} == "Usage:  box system prune [OPTIONS]" ]]
}

@test "help on every management form: its usage, or not implemented for what box lacks" {
	local m sub n=0
	for m in container image network volume system builder; do
		run -0 box "$m" --help
		[[ ${lines[0]} == "Usage:  box $m COMMAND" ]]
		for sub in $(awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }' <<<"$output") list remove; do
			[[ $sub == list || $sub == remove ]] && [[ $m == system || $m == builder ]] && continue
			run --separate-stderr box "$m" "$sub" --help
			if [[ $status == 1 ]]; then
				[[ $stderr == "box: $m $sub: not implemented" ]] || { echo "$m $sub: $stderr"; false; }
				continue
			fi
			[[ $status == 0 && -z $stderr ]] || { echo "$m $sub: $status $stderr"; false; }
			[[ ${lines[0]} == "Usage:  box $m $sub"* && ${lines[0]} != "Usage:  box $m COMMAND" ]] || { echo "$m $sub: ${lines[0]}"; false; }
			n=$((n + 1))
		done
	done
	[[ $n -ge 45 ]]
}

@test "every verb of Docker's: its help, or not implemented" {
	local v
	for v in attach build builder commit container cp create diff events exec export history image images import \
		info inspect kill load login logout logs network pause port ps pull push rename restart rm rmi run save \
		search start stats stop system tag top unpause update version volume wait; do
		run --separate-stderr box "$v" --help
		if [[ $status == 1 ]]; then
			[[ $stderr == "box: $v: not implemented" ]] || { echo "$v: $stderr"; false; }
		else
			[[ $status == 0 && ${lines[0]} == "Usage:  box $v"* ]] || { echo "$v: $status ${lines[0]}"; false; }
		fi
	done
}

@test "a --help after a container's command is the container's" {
	store_add small docker.io/library/small:latest
	run -0 box run --rm --network none small echo --help
	[[ $output == "--help" ]]
}

@test "unknown verb: docker's words, exit 1; unknown flag: 125 for box and run/create" {
	run --separate-stderr -1 box nope
	[[ -z $output && $stderr == "box: 'nope' is not a box command."$'\n'"See 'box --help'" ]]
	run --separate-stderr -125 box --nope
	[[ -z $output && $stderr == "unknown flag: --nope"$'\n'"See 'box --help'."$'\n\n'"Usage:  box [--root DIR] COMMAND"* ]]
	[[ $stderr == *"  update      Update configuration of one or more containers"* ]]
	run --separate-stderr -125 box run --nope small
	[[ -z $output && $stderr == "unknown flag: --nope"$'\n'"See 'box run --help'." ]]
	run --separate-stderr -125 box create --nope small
	[[ $stderr == "unknown flag: --nope"$'\n'"See 'box create --help'." ]]
	# the verb as typed, as cobra's CommandPath names it
	run --separate-stderr -125 box container create --nope small
	[[ $stderr == "unknown flag: --nope"$'\n'"See 'box container create --help'." ]]
	run --separate-stderr -1 box container frob
	[[ -z $output && $stderr == *"Usage:  box container COMMAND"* ]]
	run --separate-stderr -0 box image
	[[ -z $output && $stderr == *"Usage:  box image COMMAND"* ]]
}

@test "the management forms and every alias give their verb's output" {
	local id
	store_add small docker.io/library/small:latest
	id=$(box create --name c1 --network none small true)
	run -0 box ps -a
	local ps=$output
	[[ $ps == *c1* ]]
	for form in "container ls" "container list" "container ps"; do
		run -0 box $form -a
		[[ $output == "$ps" ]] || { echo "$form"; false; }
	done
	run -0 box images
	local images=$output
	[[ $images == *small* ]]
	run -0 box image ls
	[[ $output == "$images" ]]
	run -0 box image list
	[[ $output == "$images" ]]
	run -0 box container inspect -f '{{.Id}}' c1
	[[ $output == "$id" ]]
	run -0 box image inspect -f '{{.Id}}' small
	[[ $output == sha256:* ]]
	run -1 box container inspect small
	run -0 box system info --format '{{.Containers}}'
	[[ $output == 1 ]]
	run -0 box image tag small small:two
	run -0 box image rm small:two
	[[ $output == "Untagged: small:two" ]]
	run -0 box container rm c1
	[[ $output == c1 ]]
	run -0 box container ls -aq
	[[ -z $output ]]
	run -0 box network ls --format '{{.Name}}'
	local nets=$output
	run -0 box network list --format '{{.Name}}'
	[[ $output == "$nets" ]]
	run -0 box volume list
	run -0 box builder prune -f
	run -0 box container prune -f
	run -0 box image prune -f
}

@test "box --version and box version: one version and commit, Docker's layout and shape" {
	local ver build
	run -0 box --version
	[[ $output =~ ^box\ version\ ([0-9][0-9.a-z-]*),\ build\ ([0-9a-z]+)$ ]]
	ver=${BASH_REMATCH[1]} build=${BASH_REMATCH[2]}
	run -0 box -v
	[[ $output == "box version $ver, build $build" ]]
	run -0 box version
	[[ ${lines[0]} == Client: && ${lines[1]} == " Version:           $ver" ]]
	[[ ${lines[2]} == " API version:       1.41" && ${lines[4]} == " Git commit:        $build" ]]
	[[ $output == *" OS/Arch:           linux/"* && $output == *"Server: box"* ]]
	run -0 box version --format '{{.Client.Version}} {{.Server.Version}} {{.Client.GitCommit}}'
	[[ $output == "$ver $ver $build" ]]
	run -0 box version -f '{{json .}}'
	jq -e --arg v "$ver" '.Client.Version == $v and .Client.ApiVersion == "1.41" and .Client.Os == "linux"
		and .Server.Components[0].Version == $v and .Server.Platform.Name == "box"' <<<"$output"
	run -0 box version --format json
	jq -e '.Client.Arch | length > 0' <<<"$output"
	run -1 box version extra
}

@test "version and info --format: Go's errors naming their types, the newline first" {
	run --separate-stderr -1 box version --format '{{.Nope}}'
	[[ $output == "" && $stderr == 'template: version:1:2: executing "version" at <.Nope>: can'"'"'t evaluate field Nope in type system.versionInfo' ]]
	run --separate-stderr -1 box info --format '{{.Nope}}'
	[[ $stderr == 'template: :1:2: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type system.info' ]]
	run --separate-stderr -1 box version --format '{{.Server.Nope}}'
	[[ $stderr == 'template: version:1:9: executing "version" at <.Server.Nope>: can'"'"'t evaluate field Nope in type *types.Version' ]]
	run --separate-stderr -64 box version --format '{{.Nope}'
	[[ $stderr == "template parsing error: template: version:1: bad character U+007D '}'" ]]
	run --separate-stderr -64 box info --format '{{.Nope}'
	[[ $stderr == "template parsing error: template: :1: bad character U+007D '}'" ]]
	# failing part-way: what Go's Execute wrote before the error, then the newline
	run --separate-stderr -1 box version --format '<{{.Client.Os}}>{{.Nope}}'
	[[ $output == "<linux>" ]]
	run --separate-stderr -1 box info --format '<{{.OSType}}>{{range .Nope}}x{{end}}'
	[[ $output == "<linux>" && $stderr == *"can't evaluate field Nope in type system.info" ]]
}

@test "info: Swarm, Plugins and RegistryConfig in Docker's shapes, with box's drivers and insecure hosts" {
	run -0 box info --format '{{json .Swarm}}'
	[[ $output == '{"NodeID":"","NodeAddr":"","LocalNodeState":"inactive","ControlAvailable":false,"Error":"","RemoteManagers":null}' ]]
	run -0 box info --format '{{json .Plugins}} {{.Plugins.Authorization}}'
	[[ $output == '{"Volume":["local"],"Network":["bridge","host","null"],"Authorization":null,"Log":["json-file","local"]} []' ]]
	BOX_INSECURE_REGISTRIES=reg.lan:5000,a.lan run -0 box info --format '{{json .RegistryConfig}}'
	[[ $output == '{"AllowNondistributableArtifactsCIDRs":[],"AllowNondistributableArtifactsHostnames":[],"InsecureRegistryCIDRs":["127.0.0.0/8"],"IndexConfigs":{"a.lan":{"Name":"a.lan","Mirrors":[],"Secure":false,"Official":false},"docker.io":{"Name":"docker.io","Mirrors":[],"Secure":true,"Official":true},"reg.lan:5000":{"Name":"reg.lan:5000","Mirrors":[],"Secure":false,"Official":false}},"Mirrors":[]}' ]]
	BOX_INSECURE_REGISTRIES=reg.lan:5000 run -0 box info
	[[ $output == *$'\n Cgroup Version: '?$'\n Plugins:\n  Volume: local\n  Network: bridge host null\n  Log: json-file local\n Swarm: inactive\n'* ]]
	[[ $output == *$'\n Insecure Registries:\n  reg.lan:5000\n  127.0.0.0/8' ]]
	run --separate-stderr -1 box info --format '{{.Swarm.Nope}}'
	[[ $stderr == 'template: :1:8: executing "" at <.Swarm.Nope>: can'"'"'t evaluate field Nope in type swarm.Info' ]]
}

@test "network ls and volume ls --format: a row's error in docker's words, naming its type" {
	run --separate-stderr -1 box network ls --format '{{.Name}}{{if eq .Name "none"}}{{.Nope}}{{end}}'
	[[ -z $output && $stderr == 'template parsing error: template: :1:33: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type *network.networkContext' ]]
	run --separate-stderr -1 box network ls --format '{{'
	[[ $stderr == 'template parsing error: template: :1: unclosed action' ]]
	box volume create lv >/dev/null
	run --separate-stderr -1 box volume ls --format '{{.Nope}}'
	[[ -z $output && $stderr == 'template parsing error: template: :1:2: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type *formatter.volumeContext' ]]
}

@test "box info: the counts from the state dir, the host's facts, Docker's layout" {
	local id
	store_add small docker.io/library/small:latest
	store_add small docker.io/library/other:1
	run -0 box info --format '{{.Containers}} {{.ContainersRunning}} {{.ContainersStopped}} {{.Images}}'
	[[ $output == "0 0 0 1" ]]
	box create --network none small true >/dev/null
	id=$(box run -d --network none small sleep 1000)
	run -0 box info --format '{{json .}}'
	jq -e --arg root "$(realpath "$BOX_ROOT")" --argjson cpus "$(nproc)" '
		.Containers == 2 and .ContainersRunning == 1 and .ContainersPaused == 0 and .ContainersStopped == 1
		and .Images == 1 and .DockerRootDir == $root and .NCPU == $cpus and .OSType == "linux"
		and .Driver == "overlay2" and .CgroupDriver == "cgroupfs" and .MemTotal > 0
		and (.SecurityOptions | index("name=seccomp,profile=default")) != null
		and .DefaultRuntime == "ctr-spawn"' <<<"$output"
	run -0 box info
	[[ ${lines[0]} == Client: && $output == *$'\nServer:\n Containers: 2\n  Running: 1\n  Paused: 0\n  Stopped: 1\n Images: 1\n'* ]]
	[[ $output == *$'\n Storage Driver: overlay2\n'* && $output == *$'\n Cgroup Driver: cgroupfs\n'* ]]
	[[ $output == *$'\n Security Options:\n  seccomp\n   Profile: default\n'* ]]
	[[ $output == *$'\n Kernel Version: '"$(uname -r)"$'\n'* && $output == *$'\n Architecture: '"$(uname -m)"$'\n'* ]]
	[[ $output == *$'\n Docker Root Dir: '"$(realpath "$BOX_ROOT")"$'\n'* ]]
	if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
		[[ $output == *$'\n Cgroup Version: 2\n'* ]]
	else
		[[ $output == *$'\n Cgroup Version: 1\n'* ]]
	fi
	[[ $output =~ Total\ Memory:\ [0-9.]+GiB ]]
	run -0 box system info
	[[ $output == *$'\n Containers: 2\n'* ]]
	box rm -f "$id" >/dev/null
	run -0 box info -f '{{.ContainersRunning}} {{.ContainersStopped}}'
	[[ $output == "0 1" ]]
}

@test "missing operands and CLI-side refusals: Docker's words, exit 1 (125 for a flag)" {
	local verb
	for verb in rm rmi exec tag 'network create'; do
		# shellcheck disable=SC2086 # "network create" is two words
		run --separate-stderr -1 box $verb
		[[ -z $output && ${stderr%%$'\n'*} == "\"box $verb\" requires "*" argument"* ]]
		[[ $stderr == *"See 'box $verb --help'."* && $stderr == *"Usage:  box $verb "* ]]
	done
	run --separate-stderr -1 box exec onlyone
	[[ ${stderr%%$'\n'*} == '"box exec" requires at least 2 arguments.' ]]
	run --separate-stderr -1 box tag a b c
	[[ ${stderr%%$'\n'*} == '"box tag" requires exactly 2 arguments.' ]]
	run --separate-stderr -125 box events --nope
	[[ $stderr == "unknown flag: --nope"$'\n'"See 'box events --help'." ]]
	run --separate-stderr -1 box events --since nope
	[[ $stderr == 'failed to parse value as time or duration: "nope"' ]]
	run --separate-stderr -1 box inspect --type nope x
	[[ $stderr == '"nope" is not a valid value for --type' ]]
}

@test "port: a flag anywhere before --, as cobra reads it; after --, a port" {
	skip_unless_root
	store_add small docker.io/library/small:latest
	box create --name pf --network none small true >/dev/null
	run --separate-stderr -125 box port pf -1
	[[ $stderr == "unknown shorthand flag: '1' in -1"$'\n'"See 'box port --help'." ]]
	run --separate-stderr -125 box port pf 80/tcp -x
	[[ $stderr == "unknown shorthand flag: 'x' in -x"$'\n'"See 'box port --help'." ]]
	run --separate-stderr -1 box port pf -- -1
	[[ $stderr == 'strconv.ParseUint: parsing "": invalid syntax' ]]
	run --separate-stderr -1 box port pf -- 80
	[[ $stderr == "Error: No public port '80/tcp' published for pf" ]]
}

@test "operands counted as Docker's cobra counts them: its words, the usage and the short description, exit 1" {
	run --separate-stderr -1 box cp x
	[[ -z $output && $stderr == "\"box cp\" requires exactly 2 arguments."$'\n'"See 'box cp --help'."$'\n\n'"Usage:  box cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-"$'\n\t'"box cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH"$'\n\n'"Copy files/folders between a container and the local filesystem" ]]
	# a flag's value is no operand; the words of an alias are its command's
	run --separate-stderr -1 box logs --tail 1
	[[ ${stderr_lines[0]} == '"box logs" requires exactly 1 argument.' ]]
	run --separate-stderr -1 box container ps x
	[[ ${stderr_lines[0]} == '"box container ls" accepts no arguments.' && ${stderr_lines[2]} == "Usage:  box container ls [OPTIONS]" ]]
	run --separate-stderr -1 box commit a b c
	[[ ${stderr_lines[0]} == '"box commit" requires at least 1 and at most 2 arguments.' ]]
	run --separate-stderr -1 box images a b
	[[ ${stderr_lines[0]} == '"box images" requires at most 1 argument.' ]]
	run --separate-stderr -1 box network connect x
	[[ ${stderr_lines[0]} == '"box network connect" requires exactly 2 arguments.' ]]
	# the short description: the long one's first line without its period
	run --separate-stderr -1 box login a b
	[[ ${stderr_lines[-1]} == "Log in to a Docker registry" ]]
	run --separate-stderr -1 box volume prune -f x
	[[ ${stderr_lines[0]} == '"box volume prune" accepts no arguments.' ]]
	# after --, every word is one
	run --separate-stderr -1 box diff -- a b
	[[ ${stderr_lines[0]} == '"box diff" requires exactly 1 argument.' ]]
}
