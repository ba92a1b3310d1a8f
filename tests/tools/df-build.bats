#!/usr/bin/env bats
# df-build: the parse tree (buildkit's conformance cases), stages and
# --target, the config every instruction writes, RUN and COPY checked in
# the image's rootfs, and bad input named by FILE:LINE with its exit code.

load ../helpers

DF=$TESTS_DIR/fixtures/dockerfiles

# builds here are offline: RUN on no network (Docker's default is the bridge)
df-build () { command df-build --network none "$@"; }

setup () {
	box_setup
}

teardown () {
	box_teardown
}

# the stored config of the image NAME
config () {
	local id
	id=$(box inspect "$1" | jq -r '.[0].Id')
	jq . "$BOX_ROOT/images/blobs/sha256/${id#sha256:}"
}

# nothing of a build left: no container, no intermediate image entry
nothing_left () {
	[[ -z $(ls "$BOX_ROOT/containers" 2>/dev/null) ]]
	[[ -z $(ls "$BOX_ROOT/tmp" 2>/dev/null | grep -vx ingest) ]] # tmp/ingest: img-fetch's
	! grep -q "$BOX_ROOT/containers" /proc/self/mountinfo
	[[ $(jq '[.manifests[] | select(.annotations == null)] | length' "$BOX_ROOT/images/index.json") == "${1:-0}" ]]
}

@test "--print-ast: every buildkit parser case byte for byte; the negative ones fail" {
	conformance_or_skip dockerfile-parser/parser
	local d n=0
	for d in "$CONFORMANCE"/dockerfile-parser/parser/testfiles/*/; do
		run -0 df-build --print-ast "$d/Dockerfile"
		cmp <(printf '%s\n' "$output") "$d/result" || {
			echo "case $d differs"
			return 1
		}
		n=$((n + 1))
	done
	[[ $n == 33 ]]
	for d in "$CONFORMANCE"/dockerfile-parser/parser/testfiles-negative/*/; do
		run -2 df-build --print-ast "$d/Dockerfile"
		[[ $output == "df-build: $d/Dockerfile:"* ]]
	done
}

@test "--print-ast: stdin, flags, ONBUILD" {
	run -0 df-build --print-ast - <<<$'FROM a AS b\nCOPY --from=b x y\nONBUILD RUN echo hi'
	[[ $output == $'(from "a" "AS" "b")\n(copy ["--from=b"] "x" "y")\n(onbuild (run "echo hi"))' ]]
}

@test "usage, and what is not implemented says so" {
	run -2 df-build
	[[ $output == "usage: df-build"* ]]
	run -3 df-build /nonexistent
	[[ $output == 'df-build: unable to prepare context: path "/nonexistent" not found' ]]
}

@test "metadata instructions: the config as Docker writes it, a nop history entry each" {
	store_add small docker.io/library/small:latest
	run -0 df-build -q -t meta --build-arg V=given --label extra=yes "$DF/meta"
	[[ $output == sha256:* ]]
	config meta >"$BATS_TEST_TMPDIR/c"
	run jq -c .config "$BATS_TEST_TMPDIR/c"
	[[ $(jq -c .config.Env "$BATS_TEST_TMPDIR/c") == '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","FOO=bar","A=1","B=two words","C=1-given"]' ]]
	[[ $(jq -c .config.Labels "$BATS_TEST_TMPDIR/c") == '{"org.example.k":"v","l1":"v1","l 2":"v 2","extra":"yes"}' ]]
	[[ $(jq -c .config.ExposedPorts "$BATS_TEST_TMPDIR/c") == '{"80/tcp":{},"53/udp":{}}' ]]
	[[ $(jq -r .config.User "$BATS_TEST_TMPDIR/c") == app ]]
	[[ $(jq -r .config.StopSignal "$BATS_TEST_TMPDIR/c") == SIGTERM ]]
	[[ $(jq -c .config.Volumes "$BATS_TEST_TMPDIR/c") == '{"/data":{},"/cache":{}}' ]]
	[[ $(jq -c .config.Shell "$BATS_TEST_TMPDIR/c") == '["/bin/sh","-ec"]' ]]
	[[ $(jq -c .config.Healthcheck "$BATS_TEST_TMPDIR/c") == '{"Interval":30000000000,"Retries":3,"Test":["CMD-SHELL","wget -q localhost"]}' ]]
	[[ $(jq -c .config.OnBuild "$BATS_TEST_TMPDIR/c") == '["RUN echo triggered"]' ]]
	[[ $(jq -r .author "$BATS_TEST_TMPDIR/c") == 'someone <a@b.c>' ]]
	# ENTRYPOINT after CMD in the same stage keeps the CMD
	[[ $(jq -c '[.config.Entrypoint, .config.Cmd]' "$BATS_TEST_TMPDIR/c") == '[["/bin/echo"],["default"]]' ]]
	# the base's history, then one empty_layer entry per instruction
	# --label: a LABEL step at the end, as the classic builder adds it
	[[ $(jq -r '.history[-2:][].created_by' "$BATS_TEST_TMPDIR/c") == '/bin/sh -ec #(nop)  ENTRYPOINT ["/bin/echo"]
/bin/sh -ec #(nop)  LABEL extra=yes' ]]
	[[ $(jq -r '.history[-15].created_by' "$BATS_TEST_TMPDIR/c") == '/bin/sh -c #(nop)  MAINTAINER someone <a@b.c>' ]]
	[[ $(jq '[.history[-15:][] | select(.empty_layer != true)] | length' "$BATS_TEST_TMPDIR/c") == 0 ]]
	nothing_left
}

@test "ENTRYPOINT resets the base's CMD; HEALTHCHECK NONE; ARG before FROM" {
	store_add small docker.io/library/small:latest
	run -0 df-build -q -t e - <<<$'ARG B=small\nFROM $B\nENTRYPOINT ["/bin/true"]\nHEALTHCHECK NONE\nWORKDIR rel\nWORKDIR ../x'
	config e >"$BATS_TEST_TMPDIR/c"
	[[ $(jq -c '[.config.Entrypoint, .config.Cmd, .config.Healthcheck, .config.WorkingDir]' "$BATS_TEST_TMPDIR/c") == '[["/bin/true"],null,{"Test":["NONE"]},"/srv/x"]' ]]
}

@test "RUN: shell and exec form, SHELL, Env, ARG, User and WorkingDir; the layer in the rootfs" {
	store_add small docker.io/library/small:latest
	run -0 df-build -t run "$DF/run"
	[[ ${lines[0]} == "Step 1/13 : FROM small" ]]
	[[ $output == *$'Step 6/13 : RUN echo "$GREETING $WHO in $(pwd)" > /work/out.txt\n ---> Running in '* ]]
	[[ ${lines[-2]} == "Successfully built "* && ${lines[-1]} == "Successfully tagged run:latest" ]]
	run -0 box run --rm --network none run
	[[ $output == "hello world in /work/sub" ]]
	run -0 box run --rm --network none --user 0 run sh -c 'cat /work/uid.txt /work/shell.txt /tmp/who.txt; ls /opt/made; ls -d /work/sub; ls /etc/group 2>&1; true'
	[[ $output == $'0\nshell\napp\nfile\n/work/sub\nls: /etc/group: No such file or directory' ]]
	config run >"$BATS_TEST_TMPDIR/c"
	[[ $(jq -r '.history[] | select(.created_by | startswith("|1 ")) | .created_by' "$BATS_TEST_TMPDIR/c" | head -1) == '|1 GREETING=hello /bin/sh -c echo "$GREETING $WHO in $(pwd)" > /work/out.txt' ]]
	# one diff_id per non-empty history entry
	[[ $(jq '.rootfs.diff_ids | length' "$BATS_TEST_TMPDIR/c") == $(jq '[.history[] | select(.empty_layer != true)] | length' "$BATS_TEST_TMPDIR/c") ]]
	nothing_left
}

@test "the layer: whiteouts as .wh. files, a plain tar whose digest is its diff_id, as stored" {
	store_add small docker.io/library/small:latest
	run -0 df-build -q -t wh - <<<$'FROM small\nRUN rm /etc/group && mkdir /n && echo x > /n/f'
	local id m layer blob
	id=$(box inspect wh | jq -r '.[0].Id')
	m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "docker.io/library/wh:latest") | .digest' "$BOX_ROOT/images/index.json")
	layer=$(jq -r '.layers[-1].digest' "$BOX_ROOT/images/blobs/sha256/${m#sha256:}")
	blob=$BOX_ROOT/images/blobs/sha256/${layer#sha256:}
	[[ sha256:$(sha256sum <"$blob" | cut -d' ' -f1) == "$layer" ]]
	[[ $layer == $(jq -r '.rootfs.diff_ids[-1]' "$BOX_ROOT/images/blobs/sha256/${id#sha256:}") ]]
	[[ $(jq -r '.layers[-1].mediaType' "$BOX_ROOT/images/blobs/sha256/${m#sha256:}") == application/vnd.oci.image.layer.v1.tar ]]
	run -0 tar -tf "$blob"
	[[ $output == $'etc/\netc/.wh.group\nn/\nn/f' ]]
}

# a layer tree as overlayfs reads it: names, types, modes, owners, sizes,
# mtimes, contents, the xattrs kept; of a whiteout only that it is a 0:0
# character device (its mode and mtime are never seen)
layer_tree () {
	(cd "$1" && find . -mindepth 1 ! -type c -printf '%P %y %m %U:%G %s %Ts %D\n' | sed 's/ [0-9]*$//' | sort &&
		find . -type f -exec sha256sum {} + | sort && find . -type c -exec stat -c '%n %t:%T' {} + | sort &&
		getfattr -R -h -d -m - --absolute-names . 2>/dev/null | grep -v '^$' | sort)
}

@test "a step's upper is kept as its layer's tree: the next step and the first run extract nothing" {
	store_add small docker.io/library/small:latest
	mkdir -p "$BATS_TEST_TMPDIR/ctx/d"
	echo big >"$BATS_TEST_TMPDIR/ctx/d/f"
	printf '%s\n' 'FROM small' 'COPY d /srv/d' \
		'RUN rm /etc/group && echo x > /bin/t && rm /bin/t && rm -rf /srv/d && mkdir /srv/d && echo y > /srv/d/g' \
		'RUN mkdir -p /var/e && cat /srv/d/g > /out' >"$BATS_TEST_TMPDIR/ctx/Dockerfile"
	run -0 df-build -q -t kept "$BATS_TEST_TMPDIR/ctx"
	nothing_left
	local id ids hex other=$BATS_TEST_TMPDIR/other n=0
	id=$(box inspect kept | jq -r '.[0].Id')
	ids=$(jq -r '.rootfs.diff_ids[-3:][]' "$BOX_ROOT/images/blobs/sha256/${id#sha256:}")
	mkdir -p "$other"
	cp -a "$BOX_ROOT/images" "$other/images"
	run -0 img-unpack --root "$other" -q kept "$other/bundle"
	run -0 img-unpack --root "$other" --unmount "$other/bundle"
	for hex in $ids; do
		hex=${hex#sha256:}
		[[ -d $BOX_ROOT/layers/$hex ]]
		diff <(layer_tree "$BOX_ROOT/layers/$hex") <(layer_tree "$other/layers/$hex")
		n=$((n + 1))
	done
	[[ $n == 3 ]]
	# the run's mount points are not there; the whiteout, the opaque mark are
	hex=$(jq -r '.rootfs.diff_ids[-2]' "$BOX_ROOT/images/blobs/sha256/${id#sha256:}")
	run -0 ls -A "$BOX_ROOT/layers/${hex#sha256:}/etc"
	[[ $output == group ]]
	[[ ! -e $BOX_ROOT/layers/${hex#sha256:}/proc ]]
	[[ $(getfattr -h --only-values -n trusted.overlay.opaque "$BOX_ROOT/layers/${hex#sha256:}/srv/d") == y ]]
	[[ -c $BOX_ROOT/layers/${hex#sha256:}/etc/group ]]
	# the first run uses the kept trees: the same inodes after it
	hex=$(jq -r '.rootfs.diff_ids[-1]' "$BOX_ROOT/images/blobs/sha256/${id#sha256:}")
	local ino
	ino=$(stat -c %i "$BOX_ROOT/layers/${hex#sha256:}/out")
	run -0 box run --rm --network none kept cat /out
	[[ $output == y ]]
	[[ $(stat -c %i "$BOX_ROOT/layers/${hex#sha256:}/out") == "$ino" ]]
}

@test "stages: --target, a scratch stage taking files --from others, unneeded stages not built" {
	store_add small docker.io/library/small:latest
	run -0 df-build -t ms "$DF/multistage"
	[[ $output != *"exit 7"* ]]
	[[ $output == *"Step 3/5 : FROM scratch"* ]]
	run -0 box run --rm --network none ms /bin/busybox cat /result.txt
	[[ $output == built ]]
	run -0 box run --rm --network none ms /bin/busybox ls /
	[[ $output == $'bin\ndev\netc\nproc\nresult.txt\nsys' ]]
	run -0 df-build -q --target second -t ms2 "$DF/multistage"
	run -0 box run --rm --network none ms2 cat /out/result.txt
	[[ $output == $'built\nsecond' ]]
	run -2 df-build --target nosuch "$DF/multistage"
	[[ $output == "df-build: failed to reach build target nosuch in Dockerfile" ]]
	nothing_left
}

@test "COPY and ADD: files, directories' contents, globs, --chown, --chmod, WORKDIR-relative" {
	store_add small docker.io/library/small:latest
	cp -a "$DF/copy/ctx" "$BATS_TEST_TMPDIR/ctx"
	run -0 df-build -q -t cp "$BATS_TEST_TMPDIR/ctx"
	run -0 box run --rm --network none cp sh -c 'cd /; for f in dst/file.txt renamed.txt dst/dir/sub/deep.txt docs/a.md docs/b.md owned/file.txt private.txt linked.txt added.txt; do stat -c "%n %a %u:%g %s" $f; done; ls /dst; ls /dst/dir'
	[[ $output == "dst/file.txt 644 0:0 8
renamed.txt 644 0:0 8
dst/dir/sub/deep.txt 755 0:0 5
docs/a.md 644 0:0 4
docs/b.md 644 0:0 4
owned/file.txt 644 1000:1000 8
private.txt 600 1000:1000 8
linked.txt 644 0:0 8
added.txt 644 0:0 8
dir
file.txt
sub" ]]
	# the file's own mtime is kept
	run -0 box run --rm --network none cp stat -c %Y /renamed.txt
	[[ $output == $(stat -c %Y "$BATS_TEST_TMPDIR/ctx/file.txt") ]]
	nothing_left
}

@test "COPY cannot reach outside the context: ../x, a symlink out" {
	store_add small docker.io/library/small:latest
	echo secret >"$BATS_TEST_TMPDIR/escape.txt"
	mkdir "$BATS_TEST_TMPDIR/ctx"
	ln -s ../escape.txt "$BATS_TEST_TMPDIR/ctx/out"
	printf 'FROM small\nCOPY ../escape.txt /x\n' >"$BATS_TEST_TMPDIR/ctx/Dockerfile"
	run -3 df-build -t bad "$BATS_TEST_TMPDIR/ctx"
	[[ ${lines[-1]} == "df-build: Dockerfile:2: COPY ../escape.txt: file not found in build context" ]]
	printf 'FROM small\nCOPY out /x\n' >"$BATS_TEST_TMPDIR/ctx/Dockerfile"
	run -3 df-build -t bad "$BATS_TEST_TMPDIR/ctx"
	[[ ${lines[-1]} == "df-build: Dockerfile:2: COPY out: file not found in build context" ]]
	run -1 box inspect bad
	nothing_left
}

@test "bad input: FILE:LINE, the problem, the exit code; nothing tagged, nothing left" {
	store_add small docker.io/library/small:latest
	local ctx=$DF/copy/ctx
	run -2 df-build -t bad -f "$DF/bad/syntax" "$ctx"
	[[ $output == "df-build: $DF/bad/syntax:2: when using JSON array syntax, arrays must be comprised of strings only" ]]
	run -2 df-build -t bad -f "$DF/bad/unknown" "$ctx"
	[[ ${lines[-1]} == "df-build: $DF/bad/unknown:3: unknown instruction: FROBNICATE" ]]
	run -3 df-build -t bad -f "$DF/bad/missing" "$ctx"
	[[ ${lines[-1]} == "df-build: $DF/bad/missing:2: COPY missing.txt: file not found in build context" ]]
	# buildkit's refusal without --allow security.insecure
	run -1 df-build -t bad -f "$DF/bad/mount" "$ctx"
	[[ ${lines[-1]} == "df-build: $DF/bad/mount:2: security.insecure is not allowed" ]]
	run -3 df-build -t bad -f "$DF/bad/failrun" "$ctx"
	[[ ${lines[-1]} == "df-build: $DF/bad/failrun:3: step 3/3: The command '/bin/sh -c echo failing; exit 3' returned a non-zero code: 3" ]]
	[[ $output == *$'\nfailing\n'* ]]
	run -5 df-build -t bad - <<<$'FROM 127.0.0.1:1/nosuch'
	[[ ${lines[-1]} == "df-build: Dockerfile:1: FROM 127.0.0.1:1/nosuch: pulling 127.0.0.1:1/nosuch failed (img-fetch)" ]]
	run -2 df-build -t bad - <<<$'FROM small\nCOPY a b'
	[[ ${lines[-1]} == "df-build: Dockerfile:2: COPY: no build context (the Dockerfile came on stdin)" ]]
	run -2 df-build -t 'Bad:Name' - <<<$'FROM small'
	run -1 box inspect bad
	nothing_left
}

# the state directory as a build may not leave it changed: images/ (each
# file and its digest), layers/, containers/, tmp/ (locks left out)
store_state () {
	(cd "$BOX_ROOT" && find images layers containers tmp -mindepth 1 ! -name '*lock' 2>/dev/null | sort &&
		find images -type f ! -name '*lock' -exec sha256sum {} + | sort)
}

# leave about KB kilobytes free on $BOX_ROOT's filesystem, with a filler
# file beside the state directory's own
leave_free () {
	local avail
	rm -f "$BOX_ROOT/filler"
	avail=$(df -k --output=avail "$BOX_ROOT" | tail -1)
	fallocate -l $(((avail - $1) * 1024)) "$BOX_ROOT/filler"
}

@test "a full disk: the build fails naming it, the store unchanged; the same build works once there is room" {
	skip_unless_root
	mkdir -p "$BOX_ROOT"
	mount -t tmpfs -o size=24m tmpfs "$BOX_ROOT"
	store_add small docker.io/library/small:latest
	# the base extracted first, as any run leaves it
	run -0 box run --rm --network none small true
	local ctx=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$ctx"
	head -c 3000000 /dev/urandom >"$ctx/big"
	printf 'FROM small\nCOPY big /big\n' >"$ctx/Dockerfile"
	printf 'FROM small\nRUN head -c 3000000 /dev/zero > /zeros\n' >"$ctx/run.Dockerfile"
	store_state >"$BATS_TEST_TMPDIR/before"
	# room for the copy, not for its layer too
	leave_free 4500
	run -5 df-build -t full "$ctx"
	[[ ${lines[-1]} == "df-build: Dockerfile:2: layer: writing the layer: No space left on device" ]]
	run -5 df-build -t full -f "$ctx/run.Dockerfile" "$ctx"
	[[ ${lines[-1]} == "df-build: $ctx/run.Dockerfile:2: layer: writing the layer: No space left on device" ]]
	# no room for the copy itself
	leave_free 1500
	run -5 df-build -t full "$ctx"
	[[ ${lines[-1]} == "df-build: Dockerfile:2: copying /big: No space left on device" ]]
	# no tag, no blob, no layer, no container, nothing in tmp/
	run -1 box inspect full
	store_state | diff "$BATS_TEST_TMPDIR/before" -
	nothing_left
	rm "$BOX_ROOT/filler"
	run -0 df-build -q -t full "$ctx"
	run -0 df-build -q -t full-run -f "$ctx/run.Dockerfile" "$ctx"
	run -0 box run --rm --network none full sh -c 'wc -c < /big'
	[[ $output == 3000000 ]]
	run -0 box run --rm --network none full-run sh -c 'wc -c < /zeros'
	[[ $output == 3000000 ]]
}

@test "without -t the image is kept untagged; --iidfile" {
	store_add small docker.io/library/small:latest
	run -0 df-build -q --iidfile "$BATS_TEST_TMPDIR/iid" - <<<$'FROM small\nRUN touch /x'
	[[ $(cat "$BATS_TEST_TMPDIR/iid") == "$output" ]]
	run -0 box run --rm --network none "$output" ls /x
	nothing_left 1
}
