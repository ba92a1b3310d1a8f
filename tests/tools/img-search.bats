#!/usr/bin/env bats
# img-search alone: its own words and exit codes (box search: tests/box/search.bats)

load ../helpers

setup () {
	box_setup
}

teardown () {
	box_teardown
}

@test "img-search: usage 2, a refused filter or limit 2 in its own words, an unreachable registry 5" {
	run --separate-stderr -2 img-search
	[[ $stderr == "usage: img-search "* ]]
	run --separate-stderr -2 img-search --filter nope=1 127.0.0.1:1/b
	[[ $stderr == "img-search: Invalid filter 'nope'" ]]
	run --separate-stderr -2 img-search --limit 101 127.0.0.1:1/b
	[[ $stderr == "img-search: Limit 101 is outside the range of [1, 100]" ]]
	run --separate-stderr -5 img-search 127.0.0.1:1/b
	[[ $stderr == "img-search: 127.0.0.1:1: "* ]]
}
