#!/bin/sh
# run-case.sh COMPOSE_UP CASE: `config` of one corpus case, as the tests and
# whoever updates the expected files run it: a clean environment (the
# case's `env` file adds to it), the case's `args`, from its `cwd`; the
# case's directory printed as @DIR@
set -eu
prog=$1 case=$2
if [ -d "$case" ]; then
	dir=$(cd "$case" && pwd -P)
	cd "$dir"
	[ ! -f cwd ] || cd "$(cat cwd)"
	args=''
	[ ! -f "$dir/args" ] || args=$(cat "$dir/args")
	vars=''
	[ ! -f "$dir/env" ] || vars=$(cat "$dir/env")
	# shellcheck disable=SC2086 # args and vars are words
	env -i PATH="$PATH" HOME=/home/user $vars "$prog" $args config 2>&1 | sed "s|$dir|@DIR@|g"
else
	cd "$(dirname "$case")"
	dir=$(pwd -P)
	env -i PATH="$PATH" HOME=/home/user "$prog" -f "$(basename "$case")" config 2>&1 | sed "s|$dir|@DIR@|g"
	echo "exit $(env -i PATH="$PATH" "$prog" -f "$(basename "$case")" config >/dev/null 2>&1 && echo 0 || echo $?)"
fi
