#!/usr/bin/env bats
# compose-up's model against docker-compose 1.29 where both know a
# feature (extends), and include by the compose specification (1.29 has
# no include). Only `config`: nothing is made.

load ../helpers

CORPUS=$TESTS_DIR/compose

setup () {
	box_setup
	cd "$BATS_TEST_TMPDIR"
	command -v docker-compose >/dev/null || { echo "docker-compose is needed (Makefile TEST_DEPS)" >&2; false; }
}
teardown () { box_teardown; }

# same_as_docker_compose DIR [ARGS...]: both configs of the project in DIR
# agree on each service's image, environment, labels, command, ports, volumes
same_as_docker_compose () {
	local dir=$1
	shift
	(cd "$dir" && env -i PATH="$PATH" HOME=/home/user compose-up "$@" config) >box.yaml
	(cd "$dir" && env -i PATH="$PATH" HOME=/home/user docker-compose "$@" config) >dc.yaml
	run -0 python3 "$CORPUS/dc-compare.py" box.yaml dc.yaml
}

@test "extends: the corpus case merges as docker-compose 1.29 merges it" {
	cp -r "$CORPUS/valid/extends" .
	same_as_docker_compose extends
	grep -q 'MODE: worker' box.yaml
}

@test "corpus: the valid cases docker-compose 1.29 can read agree with it" {
	local d
	for d in anchors commands extends merge-files override parent "My.Dir_Name 1" volumes; do
		cp -r "$CORPUS/valid/$d" "case"
		args=$(cat "case/args" 2>/dev/null || true)
		# shellcheck disable=SC2086 # args are words
		same_as_docker_compose "case" $args || { echo "case $d: $output" >&2; false; }
		rm -rf "case"
	done
}

@test "extends: three files, each base's relative paths its own; the same cycle error as docker-compose" {
	mkdir -p a/b
	printf 'services:\n  top:\n    extends: {file: a/mid.yaml, service: mid}\n    environment: [T=top]\n' >compose.yaml
	printf 'services:\n  mid:\n    extends: {file: b/low.yaml, service: low}\n    volumes: ["./m:/m"]\n    environment: [M=mid, T=mid]\n' >a/mid.yaml
	printf 'services:\n  low:\n    image: busybox\n    volumes: ["./l:/l", "./x:/m"]\n    command: low\n    environment: [L=low, M=low]\n' >a/b/low.yaml
	same_as_docker_compose .
	run -0 compose-up config
	[[ $output == *"source: $PWD/a/m"* && $output == *"source: $PWD/a/b/l"* && $output != *"a/b/x"* ]]
	[[ $output == *"L: low"* && $output == *"M: mid"* && $output == *"T: top"* ]]
	# a cycle through two files
	printf 'services:\n  low:\n    extends: {file: ../../compose.yaml, service: top}\n' >a/b/low.yaml
	run -2 compose-up config
	[[ $output == *"Circular reference:"* ]]
	run -1 docker-compose config
	dc=$output
	run -2 compose-up config
	[[ ${output#compose-up: } == "$dc" ]]
}

@test "extends: the service named must exist; string and mapping forms; the result needs an image" {
	printf 'services:\n  a:\n    extends: b\n  b:\n    extends: {service: c}\n    environment: [B=1]\n  c:\n    environment: [C=1]\n' >compose.yaml
	run -2 compose-up config
	[[ $output == 'compose-up: service "a" has neither an image nor a build context specified: invalid compose project' ]]
	printf '    image: busybox\n' >>compose.yaml
	run -0 compose-up config --format json
	[[ $(jq -c '.services.a.environment' <<<"$output") == '{"B":"1","C":"1"}' ]]
	[[ $(jq -c '.services.a.extends' <<<"$output") == null ]]
	printf '  d:\n    extends: nosuch\n' >>compose.yaml
	run -2 compose-up config
	[[ $output == "compose-up: cannot extend service \"nosuch\" in $PWD/compose.yaml: service not found" ]]
}

@test "include: an included project's relative paths and .env are its own; the includer's variables win" {
	mkdir -p inc
	printf 'include:\n  - inc/compose.yaml\nservices:\n  app:\n    image: busybox\n    depends_on: [lib]\n' >compose.yaml
	printf 'services:\n  lib:\n    image: ${LIB_IMAGE}\n    volumes: ["./d:/d"]\n    env_file: lib.env\n' >inc/compose.yaml
	echo LIB_IMAGE=busybox:from-inc >inc/.env
	echo IN_LIB=1 >inc/lib.env
	run -0 compose-up config --format json
	[[ $(jq -r '.services.lib.image' <<<"$output") == busybox:from-inc ]]
	[[ $(jq -r '.services.lib.volumes[0].source' <<<"$output") == "$PWD/inc/d" ]]
	[[ $(jq -r '.services.lib.environment.IN_LIB' <<<"$output") == 1 ]]
	[[ $(jq -r '.include' <<<"$output") == null ]]
	LIB_IMAGE=busybox:from-env run -0 compose-up config --format json
	[[ $(jq -r '.services.lib.image' <<<"$output") == busybox:from-env ]]
	# an included file that is missing, or a second definition, is an error
	printf 'include:\n  - nosuch.yaml\nservices: {}\n' >other.yaml
	run -2 compose-up -f other.yaml config
	[[ $output == "compose-up: open $PWD/nosuch.yaml: No such file or directory" ]]
	printf 'include: [inc/compose.yaml]\nservices:\n  lib:\n    image: other\n' >other.yaml
	run -2 compose-up -f other.yaml config
	[[ $output == "compose-up: $PWD/other.yaml: services.lib conflicts with imported resource" ]]
	# a later -f file may still override what was included
	printf 'services:\n  lib:\n    image: overridden\n' >over.yaml
	run -0 compose-up -f compose.yaml -f over.yaml config --format json
	[[ $(jq -r '.services.lib.image' <<<"$output") == overridden ]]
}
