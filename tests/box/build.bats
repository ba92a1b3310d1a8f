#!/usr/bin/env bats
# box build end to end: build, tag, run the result; a failed build leaves
# no tag.

load ../helpers

setup () {
	box_setup
	skip_unless_root
	store_add small docker.io/library/small:latest
	mkdir "$BATS_TEST_TMPDIR/ctx"
	cd "$BATS_TEST_TMPDIR/ctx"
	echo from-context >hello.txt
}

teardown () {
	box_teardown
}

@test "box build -t x . && box run --rm x" {
	printf 'FROM small\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt > /copy.txt\nCMD ["cat", "/copy.txt"]\n' >Dockerfile
	run -0 box build --network none -t x .
	[[ ${lines[-1]} == "Successfully tagged x:latest" ]]
	run -0 box run --rm --network none x
	[[ $output == from-context ]]
	run -0 box inspect x
}

@test "box build: a failing RUN leaves no tag and no container" {
	printf 'FROM small\nRUN exit 4\n' >Dockerfile
	# docker build exits with the command's code
	run -4 box build --network none -t y .
	[[ ${lines[-1]} == "df-build: Dockerfile:2: step 2/2: The command '/bin/sh -c exit 4' returned a non-zero code: 4" ]]
	run -1 box inspect y
	[[ -z $(ls "$BOX_ROOT/containers" 2>/dev/null) ]]
}
