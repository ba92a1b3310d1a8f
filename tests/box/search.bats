#!/usr/bin/env bats
# box search (img-search): a registry's v1 search API, served here by a
# fake registry on 127.0.0.1

load ../helpers

setup () {
	box_setup
	local port
	for _ in 1 2 3; do
		port=$(_box_free_port)
		python3 "$TESTS_DIR/compat/files/search-server.py" "$port" 2>/dev/null &
		SERVER=$!
		for _ in $(seq 50); do
			curl -fs "http://127.0.0.1:$port/v1/_ping" >/dev/null && break
			sleep 0.1
		done
		curl -fs "http://127.0.0.1:$port/v1/_ping" >/dev/null && break
		kill "$SERVER" 2>/dev/null || true
	done
	REG=127.0.0.1:$port
}

teardown () {
	kill "$SERVER" 2>/dev/null || true
	box_teardown
}

@test "search: Docker's table, descriptions cut at 45 characters, --no-trunc, --limit" {
	run -0 box search "$REG/busybox"
	[[ ${lines[0]} == "NAME                    DESCRIPTION                                     STARS     OFFICIAL   AUTOMATED" ]]
	[[ ${lines[1]} == "library/busybox         Busybox base image.                             3000      [OK]       " ]]
	[[ ${lines[2]} == "someone/busybox-extra   A much longer description of a busybox varia…   12                   [OK]" ]]
	[[ ${#lines[@]} == 3 ]]
	run -0 box search --no-trunc "$REG/busybox"
	[[ ${lines[2]} == *"a busybox variant that goes on and on   12"* ]]
	run -0 box search --limit 1 "$REG/b"
	[[ ${#lines[@]} == 2 && ${lines[1]} == library/busybox* ]]
}

@test "search: dockerd's filters, --format" {
	run -0 box search --filter stars=10 --filter is-official=false --format '{{.Name}}' "$REG/b"
	[[ $output == someone/busybox-extra ]]
	run -0 box search --filter is-automated=false --format '{{.Name}}|{{.StarCount}}|{{.IsOfficial}}|{{.IsAutomated}}' "$REG/b"
	[[ $output == $'library/busybox|3000|[OK]|\nother/bb|0||' ]]
}

@test "search: refusals in Docker's words and order, exit 1 (125 for the client's)" {
	run --separate-stderr -1 box search --filter stars=x --filter nope=1 "$REG/b"
	[[ $stderr == "Error response from daemon: Invalid filter 'nope'" ]]
	run --separate-stderr -1 box search --filter is-official=1 "$REG/b"
	[[ $stderr == "Error response from daemon: Invalid filter 'is-official=[1]'" ]]
	run --separate-stderr -1 box search --limit 0 --filter stars=2 "$REG/b"
	[[ $stderr == "Error response from daemon: Limit 0 is outside the range of [1, 100]" ]]
	run --separate-stderr -125 box search --filter nope "$REG/b"
	[[ $stderr == 'invalid argument "nope" for "-f, --filter" flag: bad format of filter (expected name=value)'$'\n'"See 'box search --help'." ]]
	run --separate-stderr -1 box search --format '{{.Nope}}' "$REG/b"
	[[ $stderr == *"can't evaluate field Nope in type *registry.searchContext" ]]
	run --separate-stderr -1 box search
	[[ $stderr == '"box search" requires exactly 1 argument.'* ]]
	run --separate-stderr -1 box search 127.0.0.1:1/b
	[[ $stderr == "Error response from daemon: 127.0.0.1:1: "* ]]
}
