#!/usr/bin/env bats
# compose-up: the model. Every case of tests/compose/ (valid: `config`
# prints expected.yaml; invalid: the error and exit code of NAME.err),
# then file discovery, project names, interpolation and the flags of
# `config`, all before anything is made.

load ../helpers

CORPUS=$TESTS_DIR/compose

setup () {
	box_setup
	cd "$BATS_TEST_TMPDIR"
}
teardown () { box_teardown; }

@test "corpus: each valid project's config is its expected.yaml" {
	local d n=0
	for d in "$CORPUS"/valid/*/; do
		run -0 sh "$CORPUS/run-case.sh" "$BOX_BUILD/bin/compose-up" "${d%/}"
		diff -u "${d}expected.yaml" - <<<"$output" || { echo "case: $d" >&2; false; }
		n=$((n + 1))
	done
	((n >= 10))
}

@test "corpus: each invalid file's error names it, and its exit code" {
	local f n=0
	for f in "$CORPUS"/invalid/*.yaml; do
		run -0 sh "$CORPUS/run-case.sh" "$BOX_BUILD/bin/compose-up" "$f"
		diff -u "${f%.yaml}.err" - <<<"$output" || { echo "case: $f" >&2; false; }
		n=$((n + 1))
	done
	((n >= 10))
}

@test "files: compose.yaml wins over docker-compose.yml, found from a subdirectory, override merged" {
	mkdir -p proj/a/b
	printf 'services:\n  one:\n    image: busybox\n' >proj/compose.yaml
	printf 'services:\n  two:\n    image: busybox\n' >proj/docker-compose.yml
	printf 'services:\n  one:\n    command: ["hi"]\n' >proj/compose.override.yaml
	cd proj/a/b
	run -0 compose-up config --services
	[[ $output == one ]]
	run -0 compose-up config
	[[ $output == *"name: proj"* && $output == *"- hi"* ]]
}

@test "files: -f repeated merges in order; -f - reads stdin; --project-directory moves .env and paths" {
	mkdir -p d1 d2
	printf 'services:\n  s:\n    image: ${IMG}\n    volumes: ["./x:/x"]\n' >d1/a.yaml
	printf 'services:\n  s:\n    image: second\n' >d1/b.yaml
	echo IMG=from-d2-env >d2/.env
	run -0 compose-up -f d1/a.yaml -f d1/b.yaml config
	[[ $output == *"image: second"* && $output == *"name: d1"* ]]
	run -0 compose-up --project-directory d2 -f d1/a.yaml config
	[[ $output == *"image: from-d2-env"* && $output == *"source: $BATS_TEST_TMPDIR/d2/x"* && $output == *"name: d2"* ]]
	run -0 compose-up -p fromstdin -f - config <d1/b.yaml
	[[ $output == *"name: fromstdin"* ]]
}

@test "env: --env-file replaces .env; the shell wins over both; a missing --env-file is an error" {
	printf 'services:\n  s:\n    image: ${IMG}\n    environment: ["V=${V}"]\n' >compose.yaml
	echo 'IMG=dotenv' >.env
	printf 'IMG=other\nV=file\n' >other.env
	run -0 compose-up --env-file other.env config
	[[ $output == *"image: other"* && $output == *"V: file"* ]]
	V=shell run -0 compose-up config
	[[ $output == *"image: dotenv"* && $output == *"V: shell"* ]]
	run --separate-stderr -2 compose-up --env-file nope.env config
	[[ $stderr == "compose-up: couldn't find env file: nope.env: No such file or directory" ]]
}

@test "name: -p over COMPOSE_PROJECT_NAME over name: over the directory, normalised" {
	mkdir 'Web.App 2'
	printf 'services:\n  s:\n    image: busybox\n' >'Web.App 2/compose.yaml'
	cd 'Web.App 2'
	run -0 compose-up config
	[[ ${lines[0]} == "name: webapp2" ]]
	printf 'name: field\n' >>compose.yaml
	run -0 compose-up config
	[[ ${lines[0]} == "name: field" ]]
	COMPOSE_PROJECT_NAME=envname run -0 compose-up config
	[[ ${lines[0]} == "name: envname" ]]
	COMPOSE_PROJECT_NAME=envname run -0 compose-up -p flag config
	[[ ${lines[0]} == "name: flag" ]]
	run --separate-stderr -2 compose-up -p Bad config
	[[ $stderr == 'compose-up: invalid project name "Bad": '* ]]
}

@test "interpolation: an unset variable is blank with Compose's warning" {
	printf 'services:\n  s:\n    image: busybox\n    command: ["${NOT_SET_ANYWHERE}x"]\n' >compose.yaml
	run --separate-stderr -0 compose-up config
	[[ $output == *'- x'* ]]
	[[ $stderr == 'WARN: The "NOT_SET_ANYWHERE" variable is not set. Defaulting to a blank string.' ]]
}

@test "config: --services, --volumes, --format json, -q; SERVICE arguments are checked" {
	printf 'services:\n  b:\n    image: busybox\n    volumes: ["v1:/v"]\n  a:\n    image: busybox\nvolumes:\n  v1:\n' >compose.yaml
	run -0 compose-up config --services
	[[ $output == $'b\na' ]]
	run -0 compose-up config --volumes
	[[ $output == v1 ]]
	run -0 compose-up config --format json
	[[ $(jq -r '.services.b.volumes[0].source + " " + .volumes.v1.name' <<<"$output") == "v1 ${BATS_TEST_TMPDIR##*/}_v1" ]] ||
		[[ $(jq -r '.volumes.v1.name' <<<"$output") == *_v1 ]]
	run -0 compose-up config -q
	[[ -z $output ]]
	run --separate-stderr -2 compose-up config nosuch
	[[ $stderr == "compose-up: no such service: nosuch" ]]
}

@test "usage: no command, an unknown one, one not built" {
	run -2 compose-up
	run --separate-stderr -2 compose-up frobnicate
	[[ $stderr == 'compose-up: unknown docker command: "compose frobnicate"' ]]
	run --separate-stderr -1 compose-up watch
	[[ $stderr == "compose-up: watch: not implemented" ]]
}
