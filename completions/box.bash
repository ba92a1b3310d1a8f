# bash completion for box
# shellcheck shell=bash

_box_images () {
	img-list -o ref 2>/dev/null
}

_box_networks () {
	ctr-net ls --format '{{.Name}}' 2>/dev/null
}

_box_volumes () {
	ctr-vol ls -q 2>/dev/null
}

_box_containers () {
	ctr-list -a --format '{{.Names}}' 2>/dev/null
}

_box_running () {
	ctr-list --format '{{.Names}}' 2>/dev/null
}

# box run/create: options (ctr-create lists docker create's; -a, -d and
# the like are box's own), then the image, then the command's own words
_box_create () {
	local flags vf prev=${COMP_WORDS[COMP_CWORD-1]} j
	flags="$(ctr-create --flags 2>/dev/null) -a --attach --detach-keys -d --detach --sig-proxy"
	vf=" $(ctr-create --value-flags 2>/dev/null | tr '\n' ' ') -a --attach --detach-keys "
	for ((j = i + 1; j < COMP_CWORD; j++)); do
		case ${COMP_WORDS[j]} in
		--*=*) ;;
		-*) [[ $vf == *" ${COMP_WORDS[j]} "* ]] && ((j++)) ;;
		*) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		esac
	done
	if [[ $vf == *" $prev "* ]]; then
		case $prev in
		--network|--net) COMPREPLY=($(compgen -W "$(printf "%s\n" bridge none host $(_box_networks) | sort -u)" -- "$cur")) ;;
		-v|--volume|--env-file|--label-file|--cidfile) COMPREPLY=($(compgen -f -- "$cur")) ;;
		--device) COMPREPLY=($(compgen -f -- "${cur:-/dev/}")) ;;
		--restart) COMPREPLY=($(compgen -W "no always unless-stopped on-failure" -- "$cur")) ;;
		--pull) COMPREPLY=($(compgen -W "always missing never" -- "$cur")) ;;
		--userns) COMPREPLY=($(compgen -W "host auto auto:size=" -- "$cur")) ;;
		esac
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
	else
		COMPREPLY=($(compgen -W "$(_box_images)" -- "$cur"))
	fi
}

# box compose SUB ...: the subcommand, then its options and the services
_box_compose_services () {
	compose-up config --services 2>/dev/null
}
_box_compose () {
	local j sub=''
	for ((j = 2; j < COMP_CWORD; j++)); do
		case ${COMP_WORDS[j]} in
		-f|--file|-p|--project-name|--project-directory|--env-file|--profile) ((j++)) ;;
		-*) ;;
		*) sub=${COMP_WORDS[j]}; break ;;
		esac
	done
	case $prev in
	-f|--file|--env-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--project-directory) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--rmi) COMPREPLY=($(compgen -W "local all" -- "$cur")); return ;;
	--exit-code-from) COMPREPLY=($(compgen -W "$(_box_compose_services)" -- "$cur")); return ;;
	-p|--project-name|--profile) return ;;
	esac
	local opts=''
	case $sub in
	'') COMPREPLY=($(compgen -W "-f --file -p --project-name --project-directory --env-file --profile attach build commit config cp create down events exec export images kill logs ls pause port ps pull push restart rm run scale start stop top unpause up version wait" -- "$cur")); return ;;
	config) opts="--services --volumes --format -q --quiet" ;;
	up) opts="-d --detach --build --no-build --pull --force-recreate --no-recreate --remove-orphans --no-deps --no-start -t --timeout --scale --wait --wait-timeout --abort-on-container-exit --exit-code-from" ;;
	down) opts="-v --volumes --remove-orphans -t --timeout --rmi" ;;
	ps) opts="-a --all -q --quiet --services --format --filter --status" ;;
	create) opts="--build --no-build --pull --force-recreate --no-recreate --remove-orphans --scale" ;;
	scale) opts="--no-deps" ;;
	images) opts="-q --quiet --format" ;;
	port) opts="--index --protocol" ;;
	push) opts="--ignore-push-failures -q --quiet --include-deps" ;;
	wait) opts="--down-project" ;;
	events) opts="--json --since --until" ;;
	attach) opts="--index --detach-keys --no-stdin --sig-proxy" ;;
	cp) opts="--index -a --archive -L --follow-link" ;;
	commit) opts="--index -a --author -c --change -m --message -p --pause" ;;
	export) opts="--index -o --output" ;;
	stop|restart) opts="-t --timeout" ;;
	kill) opts="-s --signal" ;;
	rm) opts="-f --force -s --stop -v --volumes" ;;
	logs) opts="-f --follow -t --timestamps --tail --since --until --no-color --no-log-prefix" ;;
	exec) opts="-d --detach -T --no-TTY -e --env -u --user -w --workdir --index" ;;
	run) opts="--rm -d --detach -T --no-TTY --no-deps --name --entrypoint --service-ports -e --env -u --user -w --workdir -p --publish -v --volume -l --label --build" ;;
	ls) opts="-a --all -q --quiet --format"; COMPREPLY=($(compgen -W "$opts" -- "$cur")); return ;;
	version) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	else
		COMPREPLY=($(compgen -W "$(_box_compose_services)" -- "$cur"))
	fi
}

# box network SUB ...: the subcommand, then its options and operands
_box_network () {
	local sub= j prev=${COMP_WORDS[COMP_CWORD-1]}
	for ((j = i + 1; j < COMP_CWORD; j++)); do
		[[ ${COMP_WORDS[j]} == -* ]] || { sub=${COMP_WORDS[j]}; break; }
	done
	case $sub in
	'') COMPREPLY=($(compgen -W "create ls rm inspect connect disconnect prune" -- "$cur")) ;;
	create) case $prev in -d|--driver) COMPREPLY=($(compgen -W "bridge" -- "$cur")) ;; -o|--opt) COMPREPLY=($(compgen -W "com.docker.network.bridge.name= com.docker.network.bridge.enable_icc= com.docker.network.bridge.enable_ip_masquerade= com.docker.network.driver.mtu= com.docker.network.bridge.host_binding_ipv4=" -- "$cur")) ;; --subnet|--gateway|--ip-range|--aux-address|--label) ;; *) COMPREPLY=($(compgen -W "-d --driver --subnet --gateway --ip-range --aux-address --internal --ipv6 --label -o --opt" -- "$cur")) ;; esac ;;
	ls|list) case $prev in --format) COMPREPLY=($(compgen -W "table json" -- "$cur")) ;; -f|--filter) COMPREPLY=($(compgen -W "driver= id= label= name= scope= type=custom type=builtin" -- "$cur")) ;; *) COMPREPLY=($(compgen -W "-q --quiet --no-trunc --format -f --filter" -- "$cur")) ;; esac ;;
	rm|remove) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-f --force" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_networks)" -- "$cur")); fi ;;
	inspect) case $prev in -f|--format) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-f --format" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_networks)" -- "$cur")); fi ;; esac ;;
	connect) case $prev in --alias|--ip) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "--alias --ip" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_networks) $(_box_containers)" -- "$cur")); fi ;; esac ;;
	disconnect) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-f --force" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_networks) $(_box_containers)" -- "$cur")); fi ;;
	prune) case $prev in --filter) COMPREPLY=($(compgen -W "until= label= label!=" -- "$cur")) ;; *) COMPREPLY=($(compgen -W "-f --force --filter" -- "$cur")) ;; esac ;;
	esac
}

# box volume SUB ...: the subcommand, then its options and operands
_box_volume () {
	local sub= j prev=${COMP_WORDS[COMP_CWORD-1]}
	for ((j = i + 1; j < COMP_CWORD; j++)); do
		[[ ${COMP_WORDS[j]} == -* ]] || { sub=${COMP_WORDS[j]}; break; }
	done
	case $sub in
	'') COMPREPLY=($(compgen -W "create ls inspect rm prune" -- "$cur")) ;;
	create) case $prev in -d|--driver) COMPREPLY=($(compgen -W "local" -- "$cur")) ;; -o|--opt) COMPREPLY=($(compgen -W "type=tmpfs type=none device= o=bind o=size=" -- "$cur")) ;; --name|--label) ;; *) COMPREPLY=($(compgen -W "--name -d --driver -o --opt --label" -- "$cur")) ;; esac ;;
	ls|list) case $prev in --format) COMPREPLY=($(compgen -W "table json" -- "$cur")) ;; -f|--filter) COMPREPLY=($(compgen -W "dangling=true dangling=false driver=local label= name=" -- "$cur")) ;; *) COMPREPLY=($(compgen -W "-q --quiet --format -f --filter" -- "$cur")) ;; esac ;;
	inspect) case $prev in -f|--format) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-f --format" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_volumes)" -- "$cur")); fi ;; esac ;;
	rm|remove) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-f --force" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_volumes)" -- "$cur")); fi ;;
	prune) case $prev in --filter) COMPREPLY=($(compgen -W "label= label!=" -- "$cur")) ;; *) COMPREPLY=($(compgen -W "-f --force --filter" -- "$cur")) ;; esac ;;
	esac
}

# box container|image|system|builder prune: its options
_box_prune () {
	local cur=${COMP_WORDS[COMP_CWORD]} opts
	case $1 in
	container) opts="-f --force --filter" ;;
	image) opts="-a --all -f --force --filter" ;;
	system) opts="-a --all -f --force --volumes --filter" ;;
	builder) opts="-a --all -f --force --filter --keep-storage" ;;
	esac
	if [[ ${COMP_WORDS[COMP_CWORD-1]} == --filter && $1 == builder ]]; then
		COMPREPLY=($(compgen -W "until= type=" -- "$cur"))
	elif [[ ${COMP_WORDS[COMP_CWORD-1]} == --filter ]]; then
		COMPREPLY=($(compgen -W "until= label= label!=" -- "$cur"))
	elif [[ ${COMP_WORDS[COMP_CWORD-1]} == --keep-storage ]]; then
		COMPREPLY=()
	else
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	fi
}

# box container|image|system|builder SUB: the subcommands, Docker's aliases too
_box_mgmt_subs () {
	case $1 in
	container) echo "attach commit cp create diff exec export inspect kill logs ls list ps pause port prune rename restart rm remove run start stats stop top unpause update wait" ;;
	image) echo "build history import inspect load ls list prune pull push rm remove save tag" ;;
	system) echo "df events info prune" ;;
	builder) echo "build prune" ;;
	esac
}

# the verb a management form stands for (container ls: ps), else the form
_box_mgmt_verb () {
	case "$1 $2" in
	"container ls"|"container list"|"container ps") echo ps ;;
	"container rm"|"container remove") echo rm ;;
	"image ls"|"image list") echo images ;;
	"image rm"|"image remove") echo rmi ;;
	"system info") echo info ;;
	*" prune") echo "prune $1" ;;
	*) echo "$2" ;;
	esac
}

_box () {
	local cur=${COMP_WORDS[COMP_CWORD]} i verb=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--root) ((i++)) ;;
		-*) ;;
		*) verb=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [[ -z $verb ]]; then
		COMPREPLY=($(compgen -W "--root --help --version help version info events attach pull push images search inspect tag rmi login logout save load run create start restart ps stop kill rm exec logs wait pause unpause rename update top stats network port volume build builder compose commit diff history container image system config" -- "$cur"))
		return
	fi
	# a management form completes as the verb it stands for
	case $verb in
	container|image|system|builder)
		if ((i + 1 >= COMP_CWORD)); then
			COMPREPLY=($(compgen -W "$(_box_mgmt_subs "$verb")" -- "$cur"))
			return
		fi
		verb=$(_box_mgmt_verb "$verb" "${COMP_WORDS[i+1]}")
		((i++)) ;;
	esac
	case $verb in
	# verbs: one line each, options first when the word starts with -
	search) case ${COMP_WORDS[COMP_CWORD-1]} in -f|--filter) COMPREPLY=($(compgen -W "stars= is-official=true is-official=false is-automated=true is-automated=false" -- "$cur")) ;; --format) COMPREPLY=($(compgen -W "table" -- "$cur")) ;; --limit) ;; *) [[ $cur != -* ]] || COMPREPLY=($(compgen -W "-f --filter --format --limit --no-trunc" -- "$cur")) ;; esac ;;
	save) case ${COMP_WORDS[COMP_CWORD-1]} in -o|--output) COMPREPLY=($(compgen -f -- "$cur")) ;; --format) COMPREPLY=($(compgen -W "docker oci" -- "$cur")) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-o --output --format" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_images)" -- "$cur")); fi ;; esac ;;
	pull) case ${COMP_WORDS[COMP_CWORD-1]} in --platform) COMPREPLY=($(compgen -W "linux/amd64 linux/arm64 linux/arm/v7 linux/386 linux/ppc64le linux/s390x" -- "$cur")) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-q --quiet --platform --insecure" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_images)" -- "$cur")); fi ;; esac ;;
	push) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-a --all-tags -q --quiet --insecure" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_images)" -- "$cur")); fi ;;
	login) case ${COMP_WORDS[COMP_CWORD-1]} in -u|--username|-p|--password) ;; *) COMPREPLY=($(compgen -W "-u --username -p --password --password-stdin --insecure" -- "$cur")) ;; esac ;;
	logout) ;;
	load) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-i --input -q --quiet" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi ;;
	images) case ${COMP_WORDS[COMP_CWORD-1]} in --format) COMPREPLY=($(compgen -W "table json" -- "$cur")) ;; -f|--filter) COMPREPLY=($(compgen -W "reference= dangling=true dangling=false label=" -- "$cur")) ;; -o) COMPREPLY=($(compgen -W "ref repo tag digest id created size" -- "$cur")) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-a --all -q --quiet --digests --no-trunc --format -f --filter -o" -- "$cur")); else COMPREPLY=($(compgen -W "$(img-list -o repo 2>/dev/null)" -- "$cur")); fi ;; esac ;;
	tag) COMPREPLY=($(compgen -W "$(_box_images)" -- "$cur")) ;;
	df) case ${COMP_WORDS[COMP_CWORD-1]} in --format) COMPREPLY=($(compgen -W "table json" -- "$cur")) ;; *) COMPREPLY=($(compgen -W "-v --verbose --format" -- "$cur")) ;; esac ;;
	rmi) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-f --force --no-prune" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_images)" -- "$cur")); fi ;;
	inspect) case ${COMP_WORDS[COMP_CWORD-1]} in -f|--format) ;; --type) COMPREPLY=($(compgen -W "container image network volume" -- "$cur")) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-f --format -s --size --type" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_containers) $(_box_images)" -- "$cur")); fi ;; esac ;;
	run|create) _box_create ;;
	start) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-a --attach -i --interactive" -- "$cur")); else COMPREPLY=($(compgen -W "$(ctr-list -a --filter status=exited --filter status=created --format '{{.Names}}' 2>/dev/null)" -- "$cur")); fi ;;
	ps) case ${COMP_WORDS[COMP_CWORD-1]} in --format) COMPREPLY=($(compgen -W "table json" -- "$cur")) ;; -f|--filter) COMPREPLY=($(compgen -W "label= name= status=running status=exited status=created id= ancestor= health=healthy health=unhealthy health=starting health=none" -- "$cur")) ;; -n|--last) ;; *) COMPREPLY=($(compgen -W "-a --all -q --quiet -l --latest -n --last -s --size --no-trunc --format -f --filter" -- "$cur")) ;; esac ;;
	stop) case ${COMP_WORDS[COMP_CWORD-1]} in -t|--time|--timeout) ;; -s|--signal) COMPREPLY=($(compgen -W "TERM KILL INT HUP QUIT USR1 USR2" -- "$cur")) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-t --time -s --signal" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_running)" -- "$cur")); fi ;; esac ;;
	kill) case ${COMP_WORDS[COMP_CWORD-1]} in -s|--signal) COMPREPLY=($(compgen -W "KILL TERM INT HUP QUIT USR1 USR2 STOP CONT" -- "$cur")) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-s --signal" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_running)" -- "$cur")); fi ;; esac ;;
	rm) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-f --force -v --volumes" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_containers)" -- "$cur")); fi ;;
	exec) case ${COMP_WORDS[COMP_CWORD-1]} in -e|--env|-u|--user|-w|--workdir) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-d --detach -i --interactive -t --tty -e --env -u --user -w --workdir" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_running)" -- "$cur")); fi ;; esac ;;
	logs) case ${COMP_WORDS[COMP_CWORD-1]} in -n|--tail) COMPREPLY=($(compgen -W "all 10 100" -- "$cur")) ;; --since|--until) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-f --follow -t --timestamps -n --tail --since --until" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_containers)" -- "$cur")); fi ;; esac ;;
	wait) COMPREPLY=($(compgen -W "$(_box_containers)" -- "$cur")) ;;
	pause|unpause) COMPREPLY=($(compgen -W "$(_box_running)" -- "$cur")) ;;
	rename) ((COMP_CWORD == i + 1)) && COMPREPLY=($(compgen -W "$(_box_containers)" -- "$cur")) ;;
	attach) case ${COMP_WORDS[COMP_CWORD-1]} in --detach-keys) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "--detach-keys --no-stdin --sig-proxy=true --sig-proxy=false" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_running)" -- "$cur")); fi ;; esac ;;
	events) case ${COMP_WORDS[COMP_CWORD-1]} in --since|--until|--format) ;; -f|--filter) COMPREPLY=($(compgen -W "type=container type=image type=network type=volume container= image= event= label= network= volume=" -- "$cur")) ;; *) COMPREPLY=($(compgen -W "--since --until -f --filter --format" -- "$cur")) ;; esac ;;
	update) case ${COMP_WORDS[COMP_CWORD-1]} in --restart) COMPREPLY=($(compgen -W "no always unless-stopped on-failure" -- "$cur")) ;; --blkio-weight|--cpu-period|--cpu-quota|--cpu-rt-period|--cpu-rt-runtime|-c|--cpu-shares|--cpus|--cpuset-cpus|--cpuset-mems|--kernel-memory|-m|--memory|--memory-reservation|--memory-swap|--pids-limit) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "--blkio-weight --cpu-period --cpu-quota --cpu-rt-period --cpu-rt-runtime -c --cpu-shares --cpus --cpuset-cpus --cpuset-mems -m --memory --memory-reservation --memory-swap --pids-limit --restart" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_containers)" -- "$cur")); fi ;; esac ;;
	top) ((COMP_CWORD == i + 1)) && COMPREPLY=($(compgen -W "$(_box_running)" -- "$cur")) ;;
	build) case ${COMP_WORDS[COMP_CWORD-1]} in -f|--file|--iidfile) COMPREPLY=($(compgen -f -- "$cur")) ;; -t|--tag|--cache-from) COMPREPLY=($(compgen -W "$(_box_images)" -- "$cur")) ;; --network) COMPREPLY=($(compgen -W "none host default bridge" -- "$cur")) ;; --progress) COMPREPLY=($(compgen -W "auto plain tty" -- "$cur")) ;; --platform) COMPREPLY=($(compgen -W "linux/amd64" -- "$cur")) ;; --compress) COMPREPLY=($(compgen -W "gzip zstd" -- "$cur")) ;; --allow) COMPREPLY=($(compgen -W "security.insecure network.host" -- "$cur")) ;; --build-arg|--label|--target|--add-host|--shm-size|--ulimit|--secret|--ssh) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-t --tag -f --file --build-arg --target --no-cache --cache-from -q --quiet --iidfile --label --network --add-host --shm-size --ulimit --secret --ssh --pull --platform --progress --compress --allow" -- "$cur")); else COMPREPLY=($(compgen -d -- "$cur")); fi ;; esac ;;
	stats) case ${COMP_WORDS[COMP_CWORD-1]} in --format) COMPREPLY=($(compgen -W "table json" -- "$cur")) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-a --all --no-stream --no-trunc --format" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_containers)" -- "$cur")); fi ;; esac ;;
	import) case ${COMP_WORDS[COMP_CWORD-1]} in -c|--change|-m|--message) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-c --change -m --message" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi ;; esac ;;
	cp) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-a --archive -L --follow-link" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_containers | sed 's/$/:/')" -- "$cur") $(compgen -f -- "$cur")); fi ;;
	export) case ${COMP_WORDS[COMP_CWORD-1]} in -o|--output) COMPREPLY=($(compgen -f -- "$cur")) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-o --output" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_containers)" -- "$cur")); fi ;; esac ;;
	commit) case ${COMP_WORDS[COMP_CWORD-1]} in -a|--author|-c|--change|-m|--message) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-a --author -c --change -m --message -p --pause" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_containers) $(_box_images)" -- "$cur")); fi ;; esac ;;
	diff) COMPREPLY=($(compgen -W "$(_box_containers)" -- "$cur")) ;;
	history) case ${COMP_WORDS[COMP_CWORD-1]} in --format) COMPREPLY=($(compgen -W "table json" -- "$cur")) ;; *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "--no-trunc -q --quiet -H --human --format" -- "$cur")); else COMPREPLY=($(compgen -W "$(_box_images)" -- "$cur")); fi ;; esac ;;
	network) _box_network ;;
	volume) _box_volume ;;
	compose) _box_compose ;;
	"prune "*) _box_prune "${verb#prune }" ;;
	config) case ${COMP_WORDS[COMP_CWORD-1]} in
		config|--unset) COMPREPLY=($(compgen -W "userns-remap --unset" -- "$cur")) ;;
		userns-remap) COMPREPLY=($(compgen -W "default $(compgen -u)" -- "$cur")) ;;
		esac ;;
	version|info) case ${COMP_WORDS[COMP_CWORD-1]} in -f|--format) ;; *) COMPREPLY=($(compgen -W "-f --format --help" -- "$cur")) ;; esac ;;
	help) COMPREPLY=($(compgen -W "$(box help 2>/dev/null | awk '/^(Management )?Commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }')" -- "$cur")) ;;
	port) COMPREPLY=($(compgen -W "$(_box_containers)" -- "$cur")) ;;
	*) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -F _box box
