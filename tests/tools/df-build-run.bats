#!/usr/bin/env bats
# df-build's RUN: here-documents, RUN --mount (bind, cache, tmpfs, secret),
# RUN --network and the build's runtime options, --platform, --progress
# plain, a base pulled when missing or with --pull, ONBUILD triggers, a
# failing RUN, and what Ctrl-C or SIGKILL of a build leaves.

load ../helpers

setup () {
	box_setup
	store_add small docker.io/library/small:latest
	CTX=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$CTX"
}

teardown () {
	box_teardown
}

# nothing of a build left: no container, no temporary directory, no mount,
# no intermediate image entry
nothing_left () {
	[[ -z $(ls "$BOX_ROOT/containers" 2>/dev/null) ]]
	[[ -z $(ls "$BOX_ROOT/tmp" 2>/dev/null) ]]
	! grep -q "$BOX_ROOT/" /proc/self/mountinfo
	[[ $(jq '[.manifests[] | select(.annotations == null)] | length' "$BOX_ROOT/images/index.json") == "${1:-0}" ]]
}

# build the Dockerfile on stdin in $CTX, tagged t, offline
build () {
	cat >"$CTX/Dockerfile"
	df-build --network none -t t "$@" "$CTX"
}

@test "RUN here-documents: one alone, one with #!, several, <<- and quoted" {
	run -0 build <<'DF'
FROM small
RUN <<EOF
echo one > /one
echo "$((1+1))" > /two
EOF
RUN <<EOF
#!/bin/sh -e
echo "shebang $0" > /three
EOF
RUN cat <<A >/four && cat <<-'B' >/five
a $HOME
A
	b $HOME
	B
DF
	run -0 box run --rm --network none t cat /one /two /three /four /five
	[[ $output == $'one\n2\nshebang /dev/pipes/EOF\na /root\nb $HOME' ]]
	# the file a #! here-document ran as leaves nothing behind
	run -0 box run --rm --network none t ls -a /dev
	[[ $output != *pipes* ]]
	nothing_left
}
