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

# the layers of image t: every file of every layer, listed
layer_files () {
	local m l
	m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "docker.io/library/t:latest") | .digest' "$BOX_ROOT/images/index.json")
	for l in $(jq -r '.layers[].digest' "$BOX_ROOT/images/blobs/sha256/${m#sha256:}"); do
		tar -tzf "$BOX_ROOT/images/blobs/sha256/${l#sha256:}"
	done
}

@test "RUN --mount=type=bind: the context read-only, rw writes dropped, from= a stage or an image" {
	mkdir -p "$CTX/src/sub"
	echo ctx >"$CTX/src/sub/f"
	run -0 build <<'DF'
FROM small AS other
RUN mkdir /made && echo staged > /made/x
FROM small
RUN --mount=target=/mnt cat /mnt/src/sub/f > /a
RUN --mount=type=bind,source=src/sub,target=/m/deep touch /m/deep/new 2>/dev/null; ls /m/deep > /b
RUN --mount=type=bind,source=src,target=/w,rw touch /w/new && ls /w > /c
RUN --mount=from=other,source=/made,target=/o cat /o/x > /d
RUN --mount=from=small,target=/img ls /img/bin/busybox > /e
DF
	run -0 box run --rm --network none t cat /a /b /c /d /e
	[[ $output == $'ctx\nf\nnew\nsub\nstaged\n/img/bin/busybox' ]]
	# the context is untouched; the mount points are not in the image
	[[ ! -e $CTX/src/sub/new && ! -e $CTX/src/new ]]
	run -1 box run --rm --network none t ls -d /m /w /o /img
	run -0 layer_files
	[[ $output != *m/deep* && $output != *o/* ]]
	run -3 build <<'DF'
FROM small
RUN --mount=source=nosuch,target=/x true
DF
	[[ ${lines[-1]} == "df-build: Dockerfile:2: RUN --mount=source=nosuch,target=/x: nosuch: No such file or directory" ]]
	nothing_left 0
}

@test "RUN --mount=type=cache: kept between builds by id, shared by target, mode/uid/gid, sharing" {
	run -0 build <<'DF'
FROM small
RUN --mount=type=cache,target=/var/cache/x echo one >> /var/cache/x/log
RUN --mount=type=cache,id=c2,target=/c,uid=1000,gid=2000,mode=0700 stat -c '%u:%g %a' /c > /owner
DF
	run -0 build --no-cache <<'DF'
FROM small
RUN --mount=type=cache,target=/var/cache/x,sharing=locked echo two >> /var/cache/x/log; cp /var/cache/x/log /log
RUN --mount=type=cache,id=c2,target=/other,sharing=private,ro ls -ld /other > /ro
DF
	run -0 box run --rm --network none t cat /log
	[[ $output == $'one\ntwo' ]]
	[[ $(ls "$BOX_ROOT/cache/run" | grep -vc lock) == 2 ]]
	run -0 layer_files
	[[ $output != *var/cache/x* ]]
	run -2 build <<'DF'
FROM small
RUN --mount=type=cache,target=/x,sharing=bogus true
DF
	[[ ${lines[-1]} == "df-build: Dockerfile:2: RUN --mount=type=cache,target=/x,sharing=bogus: unrecognized sharing mode bogus" ]]
	nothing_left 0
}

@test "RUN --mount=type=tmpfs: a tmpfs, sized, gone afterwards" {
	run -0 build <<'DF'
FROM small
RUN --mount=type=tmpfs,target=/scratch,size=1m echo x > /scratch/f && df -k /scratch | tail -1 | awk '{print $2}' > /size && grep -c ' /scratch tmpfs' /proc/mounts > /n
DF
	run -0 box run --rm --network none t sh -c 'cat /size /n; ls /scratch 2>&1; true'
	[[ $output == $'1024\n1\nls: /scratch: No such file or directory' ]]
	nothing_left 0
}

@test "RUN --mount=type=secret: from a file or a variable, never in a layer, the config or the history" {
	echo -n 's3cr3t-file-value' >"$BATS_TEST_TMPDIR/secret.txt"
	export TOKEN_VAR=s3cr3t-env-value
	run -0 build --secret id=mine,src="$BATS_TEST_TMPDIR/secret.txt" --secret id=tok,env=TOKEN_VAR <<'DF'
FROM small
RUN --mount=type=secret,id=mine cat /run/secrets/mine > /seen1 && stat -c '%a %u' /run/secrets/mine > /mode
RUN --mount=type=secret,id=tok,target=/etc/tok,mode=0444,uid=7 cp /etc/tok /seen2 && stat -c '%a %u' /etc/tok >> /mode
RUN --mount=type=secret,id=absent ls /run/secrets > /absent 2>&1 || echo none > /absent
DF
	run -0 box run --rm --network none t sh -c 'cat /seen1; echo; cat /seen2; echo; cat /mode /absent; ls /run/secrets /etc/tok 2>&1; true'
	[[ ${lines[0]} == s3cr3t-file-value && ${lines[1]} == s3cr3t-env-value ]]
	[[ ${lines[2]} == "400 0" && ${lines[3]} == "444 7" && ${lines[4]} == none ]]
	[[ $output == *"ls: /run/secrets: No such file or directory"* && $output == *"/etc/tok: No such file or directory"* ]]
	# only the copies the RUNs made on purpose hold the values: no mount
	# point, no file of the secret's
	run -0 layer_files
	[[ $output != *run/secrets* && $output != *etc/tok* ]]
	local id
	id=$(box inspect t | jq -r '.[0].Id')
	! grep -q s3cr3t "$BOX_ROOT/images/blobs/sha256/${id#sha256:}"
	# a required secret the build lacks is an error
	run -2 build <<'DF'
FROM small
RUN --mount=type=secret,id=need,required=true true
DF
	[[ ${lines[-1]} == "df-build: Dockerfile:2: RUN --mount=type=secret,id=need,required=true: secret need: not provided (--secret id=need,src=FILE)" ]]
	nothing_left 0
}
