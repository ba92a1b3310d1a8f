#!/usr/bin/env bats
# df-build's context and files: .dockerignore, a tar context on stdin, a
# Dockerfile on stdin, ADD of archives and URLs, COPY from here-documents,
# the layer writer (hard links, xattrs, SOURCE_DATE_EPOCH, zstd), and the
# busybox images of ../shared/conformance built from their contexts.

load ../helpers

# builds here are offline: RUN on no network (Docker's default is the bridge)
df-build () { command df-build --network none "$@"; }

setup () {
	box_setup
	mkdir -p "$BOX_ROOT/layers"
	CTX=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$CTX"
}

teardown () {
	box_teardown
}

# the manifest of the image NAME (a tag)
manifest () {
	local m
	m=$(jq -r --arg n "docker.io/library/$1:latest" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n) | .digest' "$BOX_ROOT/images/index.json")
	cat "$BOX_ROOT/images/blobs/sha256/${m#sha256:}"
}

# the image NAME's layers extracted in order into DIR, as tar(1) reads them
rootfs () {
	local d
	mkdir -p "$2"
	for d in $(manifest "$1" | jq -r '.layers[].digest'); do
		tar --same-owner --xattrs --xattrs-include='*' -xpf "$BOX_ROOT/images/blobs/sha256/${d#sha256:}" -C "$2"
	done
}

# the last layer of the image NAME, listed verbosely
last_layer () {
	local d
	d=$(manifest "$1" | jq -r '.layers[-1].digest')
	tar -tvf "$BOX_ROOT/images/blobs/sha256/${d#sha256:}"
}

# every entry under DIR: name, type, mode, owner, size (not a directory's),
# link target
tree () {
	(cd "$1" && find . -mindepth 1 -printf '%P %y %m %U:%G %s %l\n' | awk '$2 == "d" { $5 = "-" } 1' | sort)
}

nothing_left () {
	[[ -z $(ls "$BOX_ROOT/containers" 2>/dev/null) ]]
	[[ -z $(ls "$BOX_ROOT/tmp" 2>/dev/null) ]]
	! grep -q "$BOX_ROOT/containers" /proc/self/mountinfo
}

@test "the busybox contexts of the conformance images build offline into their layouts' rootfs" {
	conformance_or_skip images
	local d n=0 name m l
	for d in "$CONFORMANCE"/images/*/; do
		[[ -d $d/_context ]] || continue
		name=bb$n
		run -0 df-build -t "$name" "$d/_context"
		[[ ${lines[-1]} == "Successfully tagged $name:latest" ]]
		rootfs "$name" "$BATS_TEST_TMPDIR/$name.built"
		mkdir "$BATS_TEST_TMPDIR/$name.ref"
		m=$(jq -r '.manifests[0].digest' "$d/index.json")
		for l in $(jq -r '.layers[].digest' "$d/blobs/sha256/${m#sha256:}"); do
			tar --same-owner -xpf "$d/blobs/sha256/${l#sha256:}" -C "$BATS_TEST_TMPDIR/$name.ref"
		done
		diff <(tree "$BATS_TEST_TMPDIR/$name.built") <(tree "$BATS_TEST_TMPDIR/$name.ref")
		[[ $(tree "$BATS_TEST_TMPDIR/$name.ref" | wc -l) -gt 100 ]]
		# the config as the Dockerfile says, and it runs
		run -0 box run --rm --network none "$name" sh -c 'echo $PATH; ls /bin/ls'
		[[ $output == $'/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n/bin/ls' ]]
		n=$((n + 1))
	done
	[[ $n -gt 0 ]]
	nothing_left
}

@test "ADD extracts local tar archives: plain, gzip, bzip2, xz, zstd; their owners kept, as Docker's; COPY does not" {
	store_add small docker.io/library/small:latest
	mkdir -p "$BATS_TEST_TMPDIR/t/dir"
	echo one >"$BATS_TEST_TMPDIR/t/dir/one"
	chmod 0640 "$BATS_TEST_TMPDIR/t/dir/one"
	ln -s one "$BATS_TEST_TMPDIR/t/dir/link"
	tar --owner=7 --group=8 -cf "$CTX/a.tar" -C "$BATS_TEST_TMPDIR/t" dir
	gzip -c "$CTX/a.tar" >"$CTX/a.tgz"
	bzip2 -c "$CTX/a.tar" >"$CTX/a.tar.bz2"
	xz -c "$CTX/a.tar" >"$CTX/a.tar.xz"
	zstd -q -c "$CTX/a.tar" >"$CTX/a.tar.zst"
	# a gzip'd file that is not a tar is copied as it is, as Docker does
	echo text | gzip -c >"$CTX/plain.gz"
	cat >"$CTX/Dockerfile" <<-'EOF'
		FROM small
		ADD a.tar /x/tar
		ADD a.tgz /x/gz/
		ADD a.tar.bz2 /x/bz2
		ADD a.tar.xz /x/xz
		ADD a.tar.zst /x/zst
		ADD --chown=1:2 a.tgz /x/owned
		ADD plain.gz /x/
		COPY a.tar /x/
	EOF
	run -0 df-build -q -t arc "$CTX"
	rootfs arc "$BATS_TEST_TMPDIR/r"
	local k
	for k in tar gz bz2 xz zst; do
		[[ $(stat -c '%a %u:%g %s' "$BATS_TEST_TMPDIR/r/x/$k/dir/one") == "640 7:8 4" ]]
		[[ $(readlink "$BATS_TEST_TMPDIR/r/x/$k/dir/link") == one ]]
	done
	# Docker's classic builder keeps an archive's owners whatever --chown says
	[[ $(stat -c '%a %u:%g' "$BATS_TEST_TMPDIR/r/x/owned/dir/one") == "640 7:8" ]]
	[[ $(gzip -dc "$BATS_TEST_TMPDIR/r/x/plain.gz") == text ]]
	cmp "$BATS_TEST_TMPDIR/r/x/a.tar" "$CTX/a.tar"
	nothing_left
}

@test "ADD of an archive cannot write outside the image: .. and absolute paths, links out" {
	store_add small docker.io/library/small:latest
	mkdir -p "$BATS_TEST_TMPDIR/t"
	echo x >"$BATS_TEST_TMPDIR/t/f"
	# an absolute name lands below the destination
	tar -P --transform='s,^.*/t/f$,/abs.txt,' -cf "$CTX/abs.tar" "$BATS_TEST_TMPDIR/t/f"
	printf 'FROM small\nADD abs.tar /d/\n' >"$CTX/Dockerfile"
	run -0 df-build -q -t abs "$CTX"
	rootfs abs "$BATS_TEST_TMPDIR/r"
	[[ $(cat "$BATS_TEST_TMPDIR/r/d/abs.txt") == x ]]
	# a link to / followed by a file through it stays inside the image's root
	ln -s / "$BATS_TEST_TMPDIR/t/up"
	tar -C "$BATS_TEST_TMPDIR/t" -cf "$CTX/link.tar" up
	tar -C "$BATS_TEST_TMPDIR/t" --transform='s,^f$,up/escaped-'"$$"',' -rf "$CTX/link.tar" f
	printf 'FROM small\nADD link.tar /d/\n' >"$CTX/Dockerfile"
	run df-build -q -t up "$CTX"
	[[ ! -e /escaped-$$ ]]
	# a ".." name is refused, naming the archive
	tar -P --transform='s,^.*/t/f$,../../dotdot-'"$$"',' -cf "$CTX/dotdot.tar" "$BATS_TEST_TMPDIR/t/f"
	printf 'FROM small\nADD dotdot.tar /d/\n' >"$CTX/Dockerfile"
	run -1 df-build -q -t dd "$CTX"
	[[ $output == "df-build: Dockerfile:2: ADD dotdot.tar: extracting: "* ]]
	[[ ! -e $BOX_ROOT/dotdot-$$ && ! -e /dotdot-$$ ]]
	nothing_left
}

@test "ADD of a URL from a 127.0.0.1 server: named from the URL, mode 0600, mtime Last-Modified; not extracted" {
	store_add small docker.io/library/small:latest
	mkdir "$BATS_TEST_TMPDIR/www"
	echo served >"$BATS_TEST_TMPDIR/www/file.txt"
	touch -d '2020-01-02 03:04:05 UTC' "$BATS_TEST_TMPDIR/www/file.txt"
	tar -C "$BATS_TEST_TMPDIR" -czf "$BATS_TEST_TMPDIR/www/a.tgz" www/file.txt
	# a path without a name that Content-Disposition names
	mkdir "$BATS_TEST_TMPDIR/www/cd"
	echo 'attachment; filename="dir/named.txt"' >"$BATS_TEST_TMPDIR/www/cd/.disposition"
	echo named >"$BATS_TEST_TMPDIR/www/cd/.body"
	http_start "$BATS_TEST_TMPDIR/www"
	local url=$HTTP_URL
	run -0 df-build -q -t url - <<-EOF
		FROM small
		ADD $url/file.txt /dl/
		ADD $url/file.txt?x=1 /dl/renamed.txt
		ADD --chmod=644 --chown=5:6 $url/file.txt /dl/owned.txt
		ADD $url/a.tgz /dl/
		ADD $url/cd/ /dl/
	EOF
	rootfs url "$BATS_TEST_TMPDIR/r"
	[[ $(stat -c '%a %u:%g %Y' "$BATS_TEST_TMPDIR/r/dl/file.txt") == "600 0:0 1577934245" ]]
	[[ $(cat "$BATS_TEST_TMPDIR/r/dl/renamed.txt") == served ]]
	[[ $(stat -c '%a %u:%g' "$BATS_TEST_TMPDIR/r/dl/owned.txt") == "644 5:6" ]]
	cmp "$BATS_TEST_TMPDIR/r/dl/a.tgz" "$BATS_TEST_TMPDIR/www/a.tgz"
	[[ $(stat -c '%a %Y' "$BATS_TEST_TMPDIR/r/dl/named.txt") == "600 0" && $(cat "$BATS_TEST_TMPDIR/r/dl/named.txt") == named ]]
	run -2 df-build -q - <<<"FROM small
ADD $url/ /x/"
	[[ ${lines[-1]} == "df-build: Dockerfile:2: ADD $url/: cannot determine filename for source $url/" ]]
	run -1 df-build -q -t url - <<<"FROM small
ADD $url/missing /x"
	# Docker's words, the error page after them
	[[ $output == *"df-build: Dockerfile:2: ADD $url/missing: failed to GET $url/missing with status 404 File not found: <!DOCTYPE HTML>"* ]]
	run -2 df-build -q -t url - <<<"FROM small
COPY $url/file.txt /x"
	[[ ${lines[-1]} == "df-build: Dockerfile:2: COPY $url/file.txt: source can't be a URL for COPY" ]]
	nothing_left
}

@test "COPY and ADD from here-documents: expanded unless quoted, 0644, --chmod, --chown; no context needed" {
	store_add small docker.io/library/small:latest
	run -0 df-build -q -t doc - <<-'DF'
		FROM small
		ARG WHO=world
		COPY <<GREET /etc/greet
		hello "$WHO" 'quoted'
		GREET
		COPY <<'RAW' <<TWO /docs/
		kept $WHO
		RAW
		two
		TWO
		ADD --chmod=755 --chown=3:4 <<EOF /bin/hi
		#!/bin/sh
		echo hi
		EOF
		COPY --link <<EOF /linked
		linked
		EOF
	DF
	rootfs doc "$BATS_TEST_TMPDIR/r"
	[[ $(cat "$BATS_TEST_TMPDIR/r/etc/greet") == "hello \"world\" 'quoted'" ]]
	[[ $(stat -c %a "$BATS_TEST_TMPDIR/r/etc/greet") == 644 ]]
	[[ $(cat "$BATS_TEST_TMPDIR/r/docs/RAW") == 'kept $WHO' ]]
	[[ $(cat "$BATS_TEST_TMPDIR/r/docs/TWO") == two ]]
	[[ $(stat -c '%a %u:%g' "$BATS_TEST_TMPDIR/r/bin/hi") == "755 3:4" ]]
	[[ $(cat "$BATS_TEST_TMPDIR/r/linked") == linked ]]
	run -0 box run --rm --network none doc hi
	[[ $output == hi ]]
	nothing_left
}

@test "the layer keeps hard links as links and xattrs (security.capability, user.*)" {
	store_add small docker.io/library/small:latest
	mkdir -p "$BATS_TEST_TMPDIR/t"
	echo data >"$BATS_TEST_TMPDIR/t/a"
	ln "$BATS_TEST_TMPDIR/t/a" "$BATS_TEST_TMPDIR/t/b"
	setfattr -n user.note -v kept "$BATS_TEST_TMPDIR/t/a"
	tar --xattrs --xattrs-include='user.*' -C "$BATS_TEST_TMPDIR/t" -cf "$CTX/links.tar" a b
	echo cap >"$CTX/capfile"
	setcap cap_net_raw+ep "$CTX/capfile"
	setfattr -n user.mine -v yes "$CTX/capfile"
	# a directory COPY keeps its hard links, as Docker's tar of it does
	mkdir "$CTX/hd"
	echo same >"$CTX/hd/one"
	ln "$CTX/hd/one" "$CTX/hd/two"
	printf 'FROM small\nADD links.tar /l/\nCOPY capfile /c\nCOPY hd /hd/\n' >"$CTX/Dockerfile"
	run -0 df-build -q -t hl "$CTX"
	run -0 last_layer hl
	[[ $output == *"hd/two link to hd/one"* ]]
	local d
	d=$(manifest hl | jq -r '.layers[-3].digest')
	run -0 tar -tvf "$BOX_ROOT/images/blobs/sha256/${d#sha256:}"
	[[ $output == *"l/b link to l/a"* || $output == *"l/a link to l/b"* ]]
	rootfs hl "$BATS_TEST_TMPDIR/r"
	[[ $(stat -c %h "$BATS_TEST_TMPDIR/r/l/a") == 2 ]]
	[[ $(stat -c %h "$BATS_TEST_TMPDIR/r/hd/one") == 2 && $(cat "$BATS_TEST_TMPDIR/r/hd/two") == same ]]
	[[ $(getfattr --only-values -n user.note "$BATS_TEST_TMPDIR/r/l/a") == kept ]]
	[[ $(getfattr --only-values -n user.mine "$BATS_TEST_TMPDIR/r/c") == yes ]]
	[[ $(getcap "$BATS_TEST_TMPDIR/r/c") == *cap_net_raw=ep ]]
	nothing_left
}

@test "SOURCE_DATE_EPOCH: two builds give the same image id; without it they differ" {
	store_add small docker.io/library/small:latest
	echo f >"$CTX/f"
	# uncached builds: the same id must come from the same inputs, not from the cache
	printf 'FROM small\nCOPY f /d/f\nRUN touch /made\nADD <<EOF /doc\nx\nEOF\n' >"$CTX/Dockerfile"
	local one two
	one=$(SOURCE_DATE_EPOCH=1700000000 df-build -q --no-cache "$CTX")
	sleep 1.1
	two=$(SOURCE_DATE_EPOCH=1700000000 df-build -q --no-cache "$CTX")
	[[ $one == sha256:* && $one == "$two" ]]
	# a third: the step containers now have their images' init layers
	two=$(SOURCE_DATE_EPOCH=1700000000 df-build -q --no-cache "$CTX")
	[[ $one == "$two" ]]
	[[ $(jq -r '.created, .history[-1].created' "$BOX_ROOT/images/blobs/sha256/${one#sha256:}") == $'2023-11-14T22:13:20Z\n2023-11-14T22:13:20Z' ]]
	# as a build-arg too, as buildkit takes it
	two=$(df-build -q --no-cache --build-arg SOURCE_DATE_EPOCH=1700000000 "$CTX")
	[[ $one == "$two" ]]
	# (--no-cache: a cached rebuild makes the same id)
	one=$(df-build -q --no-cache "$CTX")
	two=$(df-build -q --no-cache "$CTX")
	[[ $one != "$two" ]]
	run -2 env SOURCE_DATE_EPOCH=soon df-build -q --no-cache "$CTX"
	[[ $output == "df-build: SOURCE_DATE_EPOCH=soon: not a number of seconds" ]]
}

@test "--compress zstd or gzip: layers that run; plain tars by default and with a bare --compress; a bad value is named" {
	store_add small docker.io/library/small:latest
	echo z >"$CTX/z"
	printf 'FROM small\nCOPY z /z\n' >"$CTX/Dockerfile"
	run -0 df-build -q -t zs --compress zstd "$CTX"
	[[ $(manifest zs | jq -r '.layers[-1].mediaType') == application/vnd.oci.image.layer.v1.tar+zstd ]]
	local d
	d=$(manifest zs | jq -r '.layers[-1].digest')
	[[ $(zstd -dc "$BOX_ROOT/images/blobs/sha256/${d#sha256:}" | tar -t) == z ]]
	run -0 box run --rm --network none zs cat /z
	[[ $output == z ]]
	run -0 df-build -q -t gz --compress gzip "$CTX"
	[[ $(manifest gz | jq -r '.layers[-1].mediaType') == application/vnd.oci.image.layer.v1.tar+gzip ]]
	d=$(manifest gz | jq -r '.layers[-1].digest')
	[[ $(gzip -dc "$BOX_ROOT/images/blobs/sha256/${d#sha256:}" | tar -t) == z ]]
	run -0 df-build -q -t pl --compress "$CTX"
	[[ $(manifest pl | jq -r '.layers[-1].mediaType') == application/vnd.oci.image.layer.v1.tar ]]
	d=$(manifest pl | jq -r '.layers[-1].digest')
	[[ $(tar -tf "$BOX_ROOT/images/blobs/sha256/${d#sha256:}") == z ]]
	run -0 box run --rm --network none pl cat /z
	[[ $output == z ]]
	run -2 df-build -q --compress=lz4 "$CTX"
	[[ $output == "df-build: --compress lz4: unknown compression (gzip or zstd)" ]]
}

# a context with a .dockerignore of every kind of rule
ignore_ctx () {
	mkdir -p "$CTX/docs/a" "$CTX/node_modules/m" "$CTX/src/node_modules" "$CTX/keep"
	echo 1 >"$CTX/docs/a/x.md"
	echo 2 >"$CTX/docs/keep.md"
	echo 3 >"$CTX/node_modules/m/i.js"
	echo 4 >"$CTX/src/node_modules/j.js"
	echo 5 >"$CTX/src/main.c"
	echo 6 >"$CTX/secret.key"
	echo 7 >"$CTX/keep/ok.key"
	echo 8 >"$CTX/notes.txt"
	printf '%s\n' '# comments and blank lines are skipped' '' '**/node_modules' '*.key' '!keep/*.key' \
		'/docs' '!./docs/keep.md' 'Dockerfile' '  notes.txt  ' >"$CTX/.dockerignore"
	printf 'FROM small\nCOPY . /ctx/\n' >"$CTX/Dockerfile"
}

# the files under /ctx in the image NAME, one line
ctx_files () {
	rm -rf "$BATS_TEST_TMPDIR/r"
	rootfs "$1" "$BATS_TEST_TMPDIR/r"
	(cd "$BATS_TEST_TMPDIR/r/ctx" && find . -mindepth 1 | sort | tr '\n' ' ')
}

@test ".dockerignore: **, ! exceptions, leading / and ./, comments; the Dockerfile read but not sent" {
	store_add small docker.io/library/small:latest
	ignore_ctx
	run -0 df-build -q -t ign "$CTX"
	# as Docker 20.10's classic builder sends this context
	[[ $(ctx_files ign) == "./.dockerignore ./docs ./docs/keep.md ./keep ./keep/ok.key ./src ./src/main.c " ]]
	# an ignored file is not in the context: COPY says so, as Docker does
	local f
	for f in secret.key Dockerfile docs/a src/node_modules/j.js notes.txt; do
		printf 'FROM small\nCOPY %s /x\n' "$f" >"$BATS_TEST_TMPDIR/df"
		run -3 df-build -q -f "$BATS_TEST_TMPDIR/df" "$CTX"
		[[ $output == "df-build: $BATS_TEST_TMPDIR/df:2: COPY $f: file not found in build context" ]]
	done
	# nor does a glob or a link find it
	ln -s secret.key "$CTX/alias"
	printf 'FROM small\nCOPY *.key /k/\n' >"$BATS_TEST_TMPDIR/df"
	run -3 df-build -q -f "$BATS_TEST_TMPDIR/df" "$CTX"
	[[ $output == *"COPY *.key: no source files were specified" ]]
	printf 'FROM small\nCOPY alias /k\n' >"$BATS_TEST_TMPDIR/df"
	run -3 df-build -q -f "$BATS_TEST_TMPDIR/df" "$CTX"
	# what an exception lets through is found
	printf 'FROM small\nCOPY docs/keep.md keep/ok.key /k/\n' >"$BATS_TEST_TMPDIR/df"
	run -0 df-build -q -t k -f "$BATS_TEST_TMPDIR/df" "$CTX"
	# a bad pattern is named
	echo '!' >>"$CTX/.dockerignore"
	run -2 df-build -q "$CTX"
	[[ $output == "df-build: $CTX: .dockerignore: illegal exclusion pattern: \"!\"" ]]
	nothing_left
}

@test "a tar context on stdin: plain, gzip, zstd; only the Dockerfile and .dockerignore it names dropped, as Docker's daemon does" {
	store_add small docker.io/library/small:latest
	ignore_ctx
	local z want="./.dockerignore ./docs ./docs/a ./docs/a/x.md ./docs/keep.md ./keep ./keep/ok.key ./node_modules ./node_modules/m ./node_modules/m/i.js ./notes.txt ./secret.key ./src ./src/main.c ./src/node_modules ./src/node_modules/j.js "
	for z in cat "gzip -c" "zstd -q -c"; do
		tar -C "$CTX" -c . | $z >"$BATS_TEST_TMPDIR/ctx.tar"
		run -0 df-build -q -t tc - <"$BATS_TEST_TMPDIR/ctx.tar"
		[[ $(ctx_files tc) == "$want" ]]
	done
	# -f names the Dockerfile inside the archive
	mkdir "$CTX/sub"
	printf 'FROM small\nCOPY src/main.c /main.c\n' >"$CTX/sub/Dockerfile.alt"
	tar -C "$CTX" -cz . >"$BATS_TEST_TMPDIR/ctx.tgz"
	run -0 df-build -q -t alt -f sub/Dockerfile.alt - <"$BATS_TEST_TMPDIR/ctx.tgz"
	rootfs alt "$BATS_TEST_TMPDIR/alt"
	[[ $(cat "$BATS_TEST_TMPDIR/alt/main.c") == 5 ]]
	run -3 df-build -q -f nope - <"$BATS_TEST_TMPDIR/ctx.tgz"
	[[ $output == "df-build: Cannot locate specified Dockerfile: nope" ]]
	# a killed build's extracted context goes with the next build
	local dead
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	mkdir -p "$BOX_ROOT/tmp/build-$dead.context/x"
	run -0 df-build -q - <"$BATS_TEST_TMPDIR/ctx.tgz"
	[[ ! -e $BOX_ROOT/tmp/build-$dead.context ]]
	run -2 df-build -q -f - - <"$BATS_TEST_TMPDIR/ctx.tgz"
	[[ $output == "df-build: invalid argument: can't use stdin for both build context and dockerfile" ]]
	# an archive whose links lead out is refused; its links resolve inside
	mkdir "$BATS_TEST_TMPDIR/evil"
	ln -s / "$BATS_TEST_TMPDIR/evil/up"
	echo 'FROM small' >"$BATS_TEST_TMPDIR/evil/Dockerfile"
	echo x >"$BATS_TEST_TMPDIR/evil/f"
	tar -C "$BATS_TEST_TMPDIR/evil" -cf "$BATS_TEST_TMPDIR/evil.tar" Dockerfile up
	tar -C "$BATS_TEST_TMPDIR/evil" --transform="s,^f\$,up/tmp/escaped-$$," -rf "$BATS_TEST_TMPDIR/evil.tar" f
	run -2 df-build -q - <"$BATS_TEST_TMPDIR/evil.tar"
	[[ $output == "df-build: the context on stdin: "* ]]
	[[ ! -e /tmp/escaped-$$ ]]
	tar -C "$BATS_TEST_TMPDIR/evil" -cf "$BATS_TEST_TMPDIR/up.tar" Dockerfile up
	printf 'FROM small\nCOPY up/etc/hostname /h\n' >"$BATS_TEST_TMPDIR/evil/Dockerfile"
	tar -C "$BATS_TEST_TMPDIR/evil" -cf "$BATS_TEST_TMPDIR/up.tar" Dockerfile up
	run -3 df-build -q - <"$BATS_TEST_TMPDIR/up.tar"
	[[ ${lines[-1]} == "df-build: Dockerfile:2: COPY up/etc/hostname: file not found in build context" ]]
	nothing_left
}

@test "a Dockerfile on stdin: no context, or -f - with a directory; -f FILE from the working directory" {
	store_add small docker.io/library/small:latest
	echo in-ctx >"$CTX/f"
	run -0 df-build -q -t s1 - <<<$'FROM small\nCOPY <<EOF /doc\nno context needed\nEOF'
	run -2 df-build -q - <<<$'FROM small\nCOPY f /f'
	[[ ${lines[-1]} == "df-build: Dockerfile:2: COPY: no build context (the Dockerfile came on stdin)" ]]
	run -0 df-build -q -t s2 -f - "$CTX" <<<$'FROM small\nCOPY f /f'
	rootfs s2 "$BATS_TEST_TMPDIR/s2"
	[[ $(cat "$BATS_TEST_TMPDIR/s2/f") == in-ctx ]]
	mkdir "$BATS_TEST_TMPDIR/wd"
	printf 'FROM small\nCOPY f /g\n' >"$BATS_TEST_TMPDIR/wd/My.Dockerfile"
	cd "$BATS_TEST_TMPDIR/wd"
	run -0 df-build -q -t s3 -f My.Dockerfile "$CTX"
	rootfs s3 "$BATS_TEST_TMPDIR/s3"
	[[ $(cat "$BATS_TEST_TMPDIR/s3/g") == in-ctx ]]
	# a lowercase dockerfile, when there is no Dockerfile, as Docker's client takes it
	printf 'FROM small\nCOPY f /lower\n' >"$CTX/dockerfile"
	run -0 df-build -q -t s4 "$CTX"
	rootfs s4 "$BATS_TEST_TMPDIR/s4"
	[[ $(cat "$BATS_TEST_TMPDIR/s4/lower") == in-ctx ]]
	nothing_left
}

@test "COPY and ADD cannot reach outside the context: ../x, a symlink out, absolute links" {
	store_add small docker.io/library/small:latest
	echo secret >"$BATS_TEST_TMPDIR/outside.txt"
	ln -s ../outside.txt "$CTX/rel"
	ln -s "$BATS_TEST_TMPDIR/outside.txt" "$CTX/abs"
	mkdir "$CTX/d"
	ln -s ../.. "$CTX/d/up"
	local src kw
	for kw in COPY ADD; do
		for src in ../outside.txt rel abs d/up/outside.txt; do
			printf 'FROM small\n%s %s /x\n' "$kw" "$src" >"$CTX/Dockerfile"
			run -3 df-build -q "$CTX"
			[[ ${lines[-1]} == "df-build: Dockerfile:2: $kw $src: file not found in build context" ]]
		done
	done
	# a directory's links are copied as links, not followed
	printf 'FROM small\nCOPY d /d/\n' >"$CTX/Dockerfile"
	run -0 df-build -q -t links "$CTX"
	rootfs links "$BATS_TEST_TMPDIR/r"
	[[ $(readlink "$BATS_TEST_TMPDIR/r/d/up") == ../.. ]]
	nothing_left
}
