#!/usr/bin/env bats
# df-build's RUN: here-documents, RUN --mount (bind, cache, tmpfs, secret),
# RUN --network and the build's runtime options, --platform, --progress
# plain, a base pulled when missing or with --pull, ONBUILD triggers, a
# failing RUN, and what Ctrl-C or SIGKILL of a build leaves.

load ../helpers
load ../fixtures/net

setup () {
	box_setup
	net_setup
	store_add small docker.io/library/small:latest
	CTX=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$CTX"
}

teardown () {
	net_teardown
	box_teardown
}

# nothing of a build left: no container, no temporary directory, no mount,
# no intermediate image entry
nothing_left () {
	[[ -z $(ls "$BOX_ROOT/containers" 2>/dev/null) ]]
	# (tmp/ingest is img-fetch's)
	[[ -z $(ls "$BOX_ROOT/tmp" 2>/dev/null | grep -vx ingest) ]]
	[[ $(grep -c "$BOX_ROOT/" /proc/self/mountinfo) == 0 ]]
	[[ $(jq '[.manifests[] | select(.annotations == null)] | length' "$BOX_ROOT/images/index.json") == "${1:-0}" ]]
	# no intermediate image a build holds
	[[ $(jq '[.manifests[] | select(.annotations["io.box.build.holders"])] | length' "$BOX_ROOT/images/index.json") == 0 ]]
}

# the pids holding each intermediate image of index.json, a line each
holders () {
	jq -r '.manifests[] | .annotations["io.box.build.holders"] // empty' "$BOX_ROOT/images/index.json"
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
		tar -tf "$BOX_ROOT/images/blobs/sha256/${l#sha256:}"
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
WORKDIR /srv
RUN --mount=source=src/sub,target=rel cat /srv/rel/f > /f
DF
	run -0 box run --rm --network none t cat /a /b /c /d /e /f
	[[ $output == $'ctx\nf\nnew\nsub\nstaged\n/img/bin/busybox\nctx' ]]
	# the context is untouched; the mount points are not in the image
	[[ ! -e $CTX/src/sub/new && ! -e $CTX/src/new ]]
	run -0 box run --rm --network none t sh -c 'for d in /m /w /o /img /srv/rel; do [ -e $d ] && echo $d; done; true'
	[[ -z $output ]]
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
	# from=: a stage's tree to start with, the first time only
	run -0 build <<'DF'
FROM small AS seed
RUN mkdir -p /opt/s && echo seeded > /opt/s/x
FROM small
RUN --mount=type=cache,id=sd,target=/c,from=seed,source=/opt/s,uid=7 cat /c/x > /r; stat -c %u /c >> /r; echo more > /c/y
RUN --mount=type=cache,id=sd,target=/c,from=seed,source=/opt/s ls /c >> /r
DF
	run -0 box run --rm --network none t cat /r
	[[ $output == $'seeded\n7\nx\ny' ]]
	[[ $(ls "$BOX_ROOT/cache/run" | grep -vc lock) == 3 ]]
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
	run -1 grep -q s3cr3t "$BOX_ROOT/images/blobs/sha256/${id#sha256:}"
	# a RUN that only reads them: their values in no layer's bytes
	run -0 build --secret id=mine,src="$BATS_TEST_TMPDIR/secret.txt" --secret id=tok,env=TOKEN_VAR <<'DF'
FROM small
RUN --mount=type=secret,id=mine --mount=type=secret,id=tok,target=/tok wc -c /run/secrets/mine /tok > /counted
DF
	run -0 box run --rm --network none t cat /counted
	[[ $output == *"17 /run/secrets/mine"* && $output == *"16 /tok"* ]]
	local m l
	m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "docker.io/library/t:latest") | .digest' "$BOX_ROOT/images/index.json")
	for l in $(jq -r '.layers[].digest' "$BOX_ROOT/images/blobs/sha256/${m#sha256:}"); do
		[[ $(gzip -dcf "$BOX_ROOT/images/blobs/sha256/${l#sha256:}" | grep -ca s3cr3t) == 0 ]]
	done
	id=$(box inspect t | jq -r '.[0].Id')
	run -1 grep -q s3cr3t "$BOX_ROOT/images/blobs/sha256/${id#sha256:}"
	# a required secret the build lacks is an error
	run -2 build <<'DF'
FROM small
RUN --mount=type=secret,id=need,required=true true
DF
	[[ ${lines[-1]} == "df-build: Dockerfile:2: RUN --mount=type=secret,id=need,required=true: secret need: not provided (--secret id=need,src=FILE)" ]]
	nothing_left 0
}

@test "ONBUILD: the base's triggers run right after FROM, the new image keeps none" {
	echo from-context >"$CTX/ctxfile"
	run -0 build <<'DF'
FROM small
ONBUILD RUN echo triggered > /trig
ONBUILD COPY ctxfile /copied
ONBUILD ENV FROM_TRIGGER=yes
DF
	run -0 box tag t base
	run -0 build <<'DF'
FROM base
RUN cat /trig /copied && echo "$FROM_TRIGGER" > /env
DF
	[[ ${lines[0]} == "Step 1/2 : FROM base" && ${lines[1]} == "# Executing 3 build triggers" ]]
	[[ ${lines[2]} == " ---> Running in "* ]]
	[[ $output == *$'triggered\nfrom-context\n'* ]]
	run -0 box run --rm --network none t cat /env
	[[ $output == yes ]]
	[[ $(box inspect t | jq -c '.[0].Config.OnBuild') == null ]]
	run -2 build <<'DF'
FROM small
ONBUILD ONBUILD RUN true
DF
	[[ ${lines[-1]} == "df-build: Dockerfile:2: chaining ONBUILD via \`ONBUILD ONBUILD\` isn't allowed" ]]
	run -2 build <<'DF'
FROM small
ONBUILD FROM small
DF
	[[ ${lines[-1]} == "df-build: Dockerfile:2: FROM isn't allowed as an ONBUILD trigger" ]]
	# a failing trigger names the FROM's line
	build <<'DF'
FROM small
ONBUILD RUN exit 4
DF
	run -0 box tag t base
	run -4 build <<'DF'
FROM base
DF
	[[ ${lines[-1]} == "df-build: Dockerfile:1: step 1/1: The command '/bin/sh -c exit 4' returned a non-zero code: 4" ]]
	nothing_left 0
}

@test "a failing RUN: the step, the command, its code as Docker's; no tag, no container" {
	run -3 build <<'DF'
FROM small
RUN echo failing; exit 3
RUN true
DF
	[[ ${lines[-1]} == "df-build: Dockerfile:2: step 2/3: The command '/bin/sh -c echo failing; exit 3' returned a non-zero code: 3" ]]
	[[ $output == *$'\nfailing\n'* ]]
	run -1 build <<'DF'
FROM small
RUN ["/bin/false"]
DF
	[[ ${lines[-1]} == "df-build: Dockerfile:2: step 2/2: The command '/bin/false' returned a non-zero code: 1" ]]
	run -1 box inspect t
	nothing_left 0
}

@test "--platform: this machine's is built, another is a clear error; FROM --platform likewise" {
	run -0 build --platform linux/amd64 <<'DF'
FROM --platform=linux/amd64 small
RUN true
DF
	# BuildKit's automatic platform ARGs: in FROM, and for an ARG without a value
	run -0 build <<'DF'
FROM --platform=$BUILDPLATFORM small
ARG TARGETARCH
ARG TARGETPLATFORM=given
ARG TARGETOS
RUN echo "$TARGETOS $TARGETARCH $TARGETPLATFORM $BUILDARCH." > /p
DF
	run -0 box run --rm --network none t cat /p
	[[ $output == "linux amd64 given ." ]]
	run -2 build --platform linux/arm64 <<'DF'
FROM small
DF
	[[ $output == "df-build: --platform linux/arm64: only this machine's platform (linux/amd64) can be built" ]]
	run -2 build <<'DF'
FROM --platform=linux/s390x small
DF
	[[ $output == "df-build: Dockerfile:1: FROM --platform=linux/s390x: only this machine's platform (linux/amd64) can be built" ]]
	nothing_left 0
}

@test "a base missing from the store is pulled with img-fetch; --pull fetches it again" {
	registry_start
	registry_push small lib/base:1
	run -0 build <<DF
FROM $REGISTRY/lib/base:1
RUN echo pulled > /p
DF
	[[ $output == *"Status: Downloaded newer image for $REGISTRY/lib/base:1"$'\n ---> '* ]]
	# as docker build, not docker pull: no full reference line after it
	[[ $output != *$'\n'"$REGISTRY/lib/base:1"$'\n'* ]]
	run -0 box run --rm --network none t cat /p
	[[ $output == pulled ]]
	# with --pull the registry is asked again, though the store has it
	run -0 build --pull <<DF
FROM $REGISTRY/lib/base:1
DF
	[[ $output == *"Status: Image is up to date for $REGISTRY/lib/base:1"* ]]
	run -3 build <<DF
FROM $REGISTRY/lib/nosuch:1
DF
	[[ ${lines[-1]} == "df-build: Dockerfile:1: FROM $REGISTRY/lib/nosuch:1: pulling $REGISTRY/lib/nosuch:1 failed (img-fetch)" ]]
	registry_stop
	nothing_left 0
}

@test "--network: Docker's default bridge, none, host; RUN --network; --add-host, --shm-size, --ulimit" {
	cat >"$CTX/Dockerfile" <<'DF'
FROM small
RUN ip -o -4 addr | grep -v ' lo ' | wc -l > /default
RUN --network=none ip -o -4 addr | grep -v ' lo ' | wc -l > /none
RUN --network=host cat /proc/sys/kernel/hostname > /host
RUN grep -c 'myhost' /etc/hosts > /addhost; df -k /dev/shm | tail -1 | awk '{print $2}' > /shm; ulimit -n > /nofile
DF
	run -0 df-build -t t --add-host myhost:10.1.2.3 --shm-size 2m --ulimit nofile=100:200 "$CTX"
	run -0 box run --rm --network none t cat /default /none /host /addhost /shm /nofile
	[[ $output == "1
0
$(hostname)
1
2048
100" ]]
	run -2 df-build -t t - <<<$'FROM small\nRUN --network=bogus true'
	[[ ${lines[-1]} == "df-build: Dockerfile:2: RUN --network=bogus: unsupported network mode (default, none or host)" ]]
	run -3 df-build -t t --network nosuchnet - <<<$'FROM small\nRUN true'
	nothing_left 0
}

# wait until FILE has a line matching PATTERN (10 s at most)
wait_for () {
	local n
	for n in $(seq 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timed out waiting for '$2' in $1" >&2
	cat "$1" >&2
	return 1
}

@test "Ctrl-C or SIGTERM during a RUN: the container and the half layer go, 130/143, no tag" {
	local sig code pid
	printf 'FROM small\nRUN echo started; sleep 30\n' >"$CTX/Dockerfile"
	for sig in INT TERM; do
		df-build --network none -t t "$CTX" >"$BATS_TEST_TMPDIR/out" 2>&1 &
		pid=$!
		wait_for "$BATS_TEST_TMPDIR/out" '^started'
		kill -"$sig" "$pid"
		code=0
		wait "$pid" || code=$?
		[[ $sig == INT && $code == 130 ]] || [[ $sig == TERM && $code == 143 ]]
		[[ $(tail -1 "$BATS_TEST_TMPDIR/out") == "df-build: Dockerfile:2: interrupted by SIG$sig" ]]
		run -1 box inspect t
		nothing_left 0
	done
}

@test "after SIGKILL of a build, the next build removes its container and files; ps -a never shows them" {
	local pid
	printf 'FROM small\nRUN --mount=type=secret,id=s echo started; sleep 30\n' >"$CTX/Dockerfile"
	echo secret >"$BATS_TEST_TMPDIR/s"
	df-build --network none --secret id=s,src="$BATS_TEST_TMPDIR/s" -t t "$CTX" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	wait_for "$BATS_TEST_TMPDIR/out" '^started'
	# the running step shows, as Docker's classic builder shows it
	run -0 box ps -a --format '{{.Labels}}'
	[[ $output == *io.box.build.pid=$pid* ]]
	kill -KILL "$pid"
	wait "$pid" || true
	[[ -n $(ls "$BOX_ROOT/containers") && -n $(ls "$BOX_ROOT/tmp") ]]
	run -0 box ps -a -q
	[[ -z $output ]]
	run -0 df-build --network none -q - <<<$'FROM small\nRUN true'
	nothing_left 1
	# box container prune (and so system prune) does it too
	df-build --network none --secret id=s,src="$BATS_TEST_TMPDIR/s" -t t "$CTX" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	wait_for "$BATS_TEST_TMPDIR/out" '^started'
	kill -KILL "$pid"
	wait "$pid" || true
	run -0 box container prune -f
	nothing_left 1
}

@test "--progress plain: BuildKit's lines on stderr, the steps' output in them, nothing on stdout" {
	printf 'FROM small AS a\nRUN echo one\nFROM a\nRUN echo two >&2\n' >"$CTX/Dockerfile"
	run -0 --separate-stderr df-build --network none --progress plain -t t "$CTX"
	[[ -z $output ]]
	# (bats drops the blank lines between the steps)
	[[ ${stderr_lines[0]} == "#1 [a 1/2] FROM small AS a" && ${stderr_lines[1]} == "#1 DONE "*s ]]
	[[ ${stderr_lines[2]} == "#2 [a 2/2] RUN echo one" && ${stderr_lines[3]} =~ ^#2\ [0-9]+\.[0-9]{3}\ one$ ]]
	[[ ${stderr_lines[5]} == "#3 [stage-1 1/2] FROM a" ]]
	[[ ${stderr_lines[7]} == "#4 [stage-1 2/2] RUN echo two >&2" && ${stderr_lines[8]} =~ ^#4\ [0-9.]+\ two$ ]]
	[[ ${stderr_lines[10]} == "#5 exporting to image" && ${stderr_lines[11]} == "#5 writing image sha256:"*" done" ]]
	[[ ${stderr_lines[12]} == "#5 naming to docker.io/library/t:latest done" && ${stderr_lines[13]} == "#5 DONE "*s ]]
	[[ $stderr == *$'#1 DONE '*$'s\n\n#2 ['* ]]
	run -3 --separate-stderr df-build --network none --progress tty -t t - <<<$'FROM small\nRUN exit 3'
	[[ ${stderr_lines[-2]} == "#2 ERROR: Dockerfile:2: step 2/2: The command '/bin/sh -c exit 3' returned a non-zero code: 3" ]]
	# -q wins: the id alone
	run -0 --separate-stderr df-build --network none --progress plain -q - <<<$'FROM small\nRUN true'
	[[ $output == sha256:* && -z $stderr ]]
	run -2 df-build --progress fancy .
	[[ $output == 'df-build: invalid progress mode "fancy": auto, plain or tty' ]]
	nothing_left 1
}

@test "container prune spares a live build's step containers, takes a dead build's" {
	local live dead gone
	live=$(ctr-create --network none --label io.box.build.pid=$$ small true)
	sleep 0.1 &
	gone=$!
	wait "$gone"
	dead=$(ctr-create --network none --label io.box.build.pid=$gone small true)
	run -0 box container prune -f
	[[ -d $BOX_ROOT/containers/$live && ! -e $BOX_ROOT/containers/$dead ]]
	ctr-rm -f "$live"
}

@test "RUN --mount=type=cache between concurrent builds: locked waits its turn, private takes its own" {
	local hex pa pb
	hex=$(printf %s k | sha256sum | cut -d' ' -f1)
	mkdir -p "$CTX/a" "$CTX/b" "$CTX/p"
	printf 'FROM small\nARG W\nRUN --mount=type=cache,id=k,target=/c,sharing=locked echo start-$W >> /c/log; touch /c/in-$W; sleep 1; echo end-$W >> /c/log\n' >"$CTX/a/Dockerfile"
	cp "$CTX/a/Dockerfile" "$CTX/b/Dockerfile"
	df-build --network none -q --build-arg W=a "$CTX/a" >/dev/null 2>&1 &
	pa=$!
	# b starts while a holds the directory
	wait_for_file "$BOX_ROOT/cache/run/$hex/in-a"
	df-build --network none -q --build-arg W=b "$CTX/b" >/dev/null 2>"$BATS_TEST_TMPDIR/b.err" &
	pb=$!
	wait "$pa"
	wait "$pb" || { cat "$BATS_TEST_TMPDIR/b.err" >&2; false; }
	run -0 cat "$BOX_ROOT/cache/run/$hex/log"
	[[ $output == $'start-a\nend-a\nstart-b\nend-b' ]]
	# while a locked RUN holds it, a private one gets an empty directory
	printf 'FROM small\nRUN --mount=type=cache,id=k,target=/c,sharing=locked touch /c/held; sleep 4; rm /c/held\n' >"$CTX/a/Dockerfile"
	printf 'FROM small\nRUN --mount=type=cache,id=k,target=/c,sharing=private ls /c > /seen\n' >"$CTX/p/Dockerfile"
	df-build --network none -q "$CTX/a" >/dev/null 2>&1 &
	pa=$!
	wait_for_file "$BOX_ROOT/cache/run/$hex/held"
	run -0 df-build --network none -q -t p "$CTX/p"
	run -0 box run --rm --network none p cat /seen
	[[ -z $output ]]
	wait "$pa"
	# the three builds without -t, kept untagged
	nothing_left 3
}

@test "an intermediate image two builds share stays listed while either holds it, a killed build's hold ends" {
	local hex pa pb img
	hex=$(printf %s w | sha256sum | cut -d' ' -f1)
	mkdir -p "$CTX/a" "$CTX/b"
	# b's ENV comes from a's cache: their RUNs share the image they run on
	printf 'FROM small\nENV S=1\nARG W\nRUN --mount=type=cache,id=w,target=/c touch /c/in-$W; until [ -e /c/go-$W ]; do sleep 0.1; done\n' >"$CTX/a/Dockerfile"
	cp "$CTX/a/Dockerfile" "$CTX/b/Dockerfile"
	df-build --network none -q --build-arg W=a "$CTX/a" >/dev/null 2>"$BATS_TEST_TMPDIR/a.err" &
	pa=$!
	wait_for_file "$BOX_ROOT/cache/run/$hex/in-a"
	[[ $(holders) == "$pa" ]]
	df-build --network none -q --build-arg W=b "$CTX/b" >/dev/null 2>"$BATS_TEST_TMPDIR/b.err" &
	pb=$!
	wait_for_file "$BOX_ROOT/cache/run/$hex/in-b"
	[[ $(holders) == "$pa $pb" ]]
	img=$(jq -r '.manifests[] | select(.annotations["io.box.build.holders"]) | .digest' "$BOX_ROOT/images/index.json")
	# a ends: b still holds the image, a container can still be made of it
	touch "$BOX_ROOT/cache/run/$hex/go-a"
	wait "$pa" || { cat "$BATS_TEST_TMPDIR/a.err" >&2; false; }
	[[ $(holders) == "$pb" ]]
	run -0 jq -r '.manifests[].digest' "$BOX_ROOT/images/index.json"
	[[ $output == *"$img"* ]]
	touch "$BOX_ROOT/cache/run/$hex/go-b"
	wait "$pb" || { cat "$BATS_TEST_TMPDIR/b.err" >&2; false; }
	# the last to let go removes it; the two results stay, untagged
	nothing_left 2
	run -0 jq -r '.manifests[].digest' "$BOX_ROOT/images/index.json"
	[[ $output != *"$img"* ]]
	# a build killed while it holds the image: the next build's end lets go
	rm -f "$BOX_ROOT/cache/run/$hex"/*
	df-build --network none -q --no-cache --build-arg W=a "$CTX/a" >/dev/null 2>&1 &
	pa=$!
	wait_for_file "$BOX_ROOT/cache/run/$hex/in-a"
	[[ $(holders) == "$pa" ]]
	kill -KILL "$pa"
	wait "$pa" || true
	touch "$BOX_ROOT/cache/run/$hex/go-b"
	run -0 df-build --network none -q --build-arg W=b "$CTX/b"
	[[ -z $(holders) ]]
	nothing_left 3
}

@test "RUN --security=insecure: buildkit's refusal without --allow security.insecure; other modes and entitlements named" {
	printf 'FROM small\nRUN --security=insecure true\n' >"$CTX/Dockerfile"
	run -1 df-build --network none -t t "$CTX"
	[[ ${lines[-1]} == "df-build: Dockerfile:2: security.insecure is not allowed" ]]
	run -1 box inspect t
	run -2 df-build --network none --allow security.nope -t t "$CTX"
	[[ $output == "df-build: unknown entitlement security.nope" ]]
	printf 'FROM small\nRUN --security=other true\n' >"$CTX/Dockerfile"
	run -2 df-build --network none --allow security.insecure "$CTX"
	[[ ${lines[-1]} == "df-build: Dockerfile:2: RUN --security=other: unsupported security mode (sandbox or insecure)" ]]
	nothing_left
}

@test "RUN --security=insecure with --allow security.insecure: the step's container privileged; sandbox as every RUN" {
	local bnd
	bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
	cat >"$CTX/Dockerfile" <<'DF'
FROM small
RUN --security=insecure awk '/^CapEff:/ {print $2}' /proc/self/status > /insecure && ls /dev > /devs
RUN --security=sandbox awk '/^CapEff:/ {print $2}' /proc/self/status > /sandbox
DF
	run -0 df-build --network none --allow network.host,security.insecure -t t "$CTX"
	# every capability of the host's bounding set, the host's devices
	run -0 box run --rm --network none t cat /insecure /sandbox /devs
	[[ ${lines[0]} == "$bnd" ]]
	[[ ${lines[1]} == 00000000a80425fb ]]
	[[ $output == *$'\nloop0\n'* || ! -e /dev/loop0 ]]
	nothing_left
}

# wait until the file FILE exists (20 s at most)
wait_for_file () {
	local n
	for n in $(seq 200); do
		[[ -e $1 ]] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $1" >&2
	return 1
}

@test "RUN --mount=type=ssh: the agent's socket of --ssh, SSH_AUTH_SOCK naming it; none in the layer" {
	local sock=$BATS_TEST_TMPDIR/agent.sock pid
	eval "$(ssh-agent -a "$sock" -s)" >/dev/null
	pid=$SSH_AGENT_PID
	run -0 build --ssh default --ssh other="$sock" <<'DF'
FROM small
RUN --mount=type=ssh test -S "$SSH_AUTH_SOCK" && echo "$SSH_AUTH_SOCK" > /default
RUN --mount=type=ssh,id=other,target=/tmp/agent test -S /tmp/agent && echo "$SSH_AUTH_SOCK" > /other
RUN --mount=type=ssh,id=absent --security=sandbox echo "${SSH_AUTH_SOCK:-unset}" > /absent
DF
	kill "$pid"
	run -0 box run --rm --network none t sh -c 'cat /default /other /absent; ls /run/buildkit /tmp/agent 2>&1; true'
	[[ ${lines[0]} == /run/buildkit/ssh_agent.0 && ${lines[1]} == /tmp/agent && ${lines[2]} == unset ]]
	[[ $output == *"/run/buildkit: No such file or directory"* && $output == *"/tmp/agent: No such file or directory"* ]]
	run -2 build <<'DF'
FROM small
RUN --mount=type=ssh,required true
DF
	[[ ${lines[-1]} == "df-build: Dockerfile:2: RUN --mount=type=ssh,required: ssh default: not provided (--ssh default=SOCKET)" ]]
	run -2 build --ssh default="$BATS_TEST_TMPDIR" <<'DF'
FROM small
RUN --mount=type=ssh true
DF
	[[ ${lines[-1]} == "df-build: --ssh default=$BATS_TEST_TMPDIR: $BATS_TEST_TMPDIR: not a socket or a key file" ]]
	nothing_left 0
}

@test "--ssh ID=KEY,KEY: the key files served by an agent of the build's own, as buildx does; gone after the build" {
	local k
	for k in one two; do
		ssh-keygen -q -t ed25519 -N '' -C "key-$k" -f "$BATS_TEST_TMPDIR/$k"
	done
	# an image with the host's ssh-add (and its libraries) to ask the agent
	mkdir -p "$CTX/root"
	cp -L --parents /usr/bin/ssh-add $(ldd /usr/bin/ssh-add | grep -o '/[^ ]*') "$CTX/root/"
	run -0 build --ssh default="$BATS_TEST_TMPDIR/one,$BATS_TEST_TMPDIR/two" --ssh solo="$BATS_TEST_TMPDIR/two" <<'DF'
FROM small
COPY root/ /
RUN --mount=type=ssh ssh-add -l > /default
RUN --mount=type=ssh,id=solo ssh-add -L > /solo
DF
	run -0 box run --rm --network none t cat /default
	[[ ${#lines[@]} == 2 && ${lines[0]} == *" key-one (ED25519)" && ${lines[1]} == *" key-two (ED25519)" ]]
	run -0 box run --rm --network none t cat /solo
	[[ $output == "$(cat "$BATS_TEST_TMPDIR/two.pub")" ]]
	# the agents and their sockets are gone with the build
	[[ -z $(ls "$BOX_ROOT/tmp" 2>/dev/null | grep ssh) ]]
	run -1 pgrep -f "ssh-agent -a $BOX_ROOT/"
	# a key file that is not one: ssh-add's complaint, nothing left
	echo nokey >"$BATS_TEST_TMPDIR/bad"
	chmod 600 "$BATS_TEST_TMPDIR/bad"
	run -2 build --ssh default="$BATS_TEST_TMPDIR/bad" <<<$'FROM small\nRUN --mount=type=ssh true'
	[[ ${lines[-1]} == "df-build: --ssh default: ssh-add: Error loading key \"$BATS_TEST_TMPDIR/bad\": "?* ]]
	run -2 build --ssh default="$BATS_TEST_TMPDIR/none" <<<$'FROM small\nRUN --mount=type=ssh true'
	[[ ${lines[-1]} == "df-build: --ssh default=$BATS_TEST_TMPDIR/none: $BATS_TEST_TMPDIR/none: No such file or directory" ]]
	[[ -z $(ls "$BOX_ROOT/tmp" 2>/dev/null | grep ssh) ]]
	run -1 pgrep -f "ssh-agent -a $BOX_ROOT/"
	nothing_left 0
}

@test "--ssh: a killed build's agent goes (its parent gone), the next build sweeps its directory" {
	local hex pid
	ssh-keygen -q -t ed25519 -N '' -f "$BATS_TEST_TMPDIR/k"
	hex=$(printf %s w | sha256sum | cut -d' ' -f1)
	printf 'FROM small\nRUN --mount=type=ssh --mount=type=cache,id=w,target=/c touch /c/in; sleep 60\n' >"$CTX/Dockerfile"
	df-build --network none --ssh default="$BATS_TEST_TMPDIR/k" "$CTX" >/dev/null 2>&1 &
	pid=$!
	wait_for_file "$BOX_ROOT/cache/run/$hex/in"
	[[ -S $BOX_ROOT/tmp/build-$pid.ssh/0.sock ]]
	SSH_AUTH_SOCK=$BOX_ROOT/tmp/build-$pid.ssh/0.sock run -0 ssh-add -l
	kill -KILL "$pid"
	wait "$pid" || true
	# ssh-agent looks for its parent every 10 seconds
	local n
	for n in $(seq 150); do
		pgrep -f "ssh-agent -a $BOX_ROOT/" >/dev/null || break
		sleep 0.1
	done
	run -1 pgrep -f "ssh-agent -a $BOX_ROOT/"
	run -0 df-build --network none -q - <<<$'FROM small\nRUN true'
	[[ ! -e $BOX_ROOT/tmp/build-$pid.ssh ]]
	nothing_left 1
}
