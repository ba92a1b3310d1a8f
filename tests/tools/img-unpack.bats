#!/usr/bin/env bats
# img-unpack: layers extracted once into layers/<diffid>/, overlayfs (or a
# copy) at BUNDLE/rootfs; whiteouts, hardlinks, xattrs; hostile layers
# contained; the same trees as umoci and as the images' build contexts.

load ../helpers

setup () {
	box_setup
	skip_unless_root
	B=$BATS_TEST_TMPDIR/bundle
	OUT=$BATS_TEST_TMPDIR/outside
	mkdir -p "$OUT"
	echo secret >"$OUT/secret"
}

teardown () {
	registry_stop
	box_teardown
}

# tree DIR: the listing treelist.py makes, to diff two trees
tree () {
	python3 "$TESTS_DIR/fixtures/treelist.py" "$1"
}

# crafted CASE: the mklayers.py image CASE in the store as docker.io/library/CASE:latest
crafted () {
	python3 "$TESTS_DIR/fixtures/mklayers.py" "$BATS_TEST_TMPDIR/l-$1" "$1" "$OUT"
	store_add "$BATS_TEST_TMPDIR/l-$1" "docker.io/library/$1:latest"
}

# what is outside the store, to check it did not change
outside () {
	find "$OUT" -printf '%p %y %m %n %s %T@\n' | sort
	sha256sum "$OUT/secret"
}

# layers/ holds only whole layer dirs (and their lock files)
no_partial_layers () {
	run ls -A "$BOX_ROOT/layers"
	[[ $output != *.tmp-* ]]
}

diff_ids () {
	local m c
	m=$(jq -r '.manifests[0].digest' "$1/index.json")
	c=$(jq -r '.config.digest' "$1/blobs/sha256/${m#sha256:}")
	jq -r '.rootfs.diff_ids[]' "$1/blobs/sha256/${c#sha256:}" | sed 's/^sha256://'
}

# refused CASE PATTERN: unpacking CASE fails with exit 1, a message matching
# PATTERN that names the layer, and leaves nothing behind
refused () {
	local before
	crafted "$1"
	before=$(outside)
	run --separate-stderr -1 img-unpack "$1" "$B"
	[[ $stderr == "img-unpack: $1: layer sha256:"[0-9a-f]*": "$2 ]]
	[[ -z $output ]]
	[[ $(outside) == "$before" ]]
	no_partial_layers
	[[ ! -e $B/rootfs ]] || [[ -z $(ls -A "$B/rootfs") ]]
}

@test "usage errors exit 2" {
	run -2 img-unpack
	[[ $output == *"usage: img-unpack"* ]]
	run -2 img-unpack only-one
	run -2 img-unpack --bogus a b
	run --separate-stderr -2 img-unpack --driver zfs a b
	[[ $stderr == "img-unpack: --driver zfs: expected overlay or copy" ]]
	run -2 img-unpack --unmount a b
	run -2 img-unpack --unmount --driver copy a
}

@test "an unknown image exits 3" {
	run --separate-stderr -3 img-unpack nope "$B"
	[[ $stderr == "img-unpack: No such image: nope" ]]
	[[ -z $output ]]
	[[ ! -e $B ]]
}

@test "multi: overlay rootfs with whiteouts, opaque dir, links, xattrs, modes, owners" {
	store_add multi docker.io/library/multi:latest
	run --separate-stderr -0 img-unpack multi "$B"
	[[ $output == "$B/rootfs" ]]
	[[ $(findmnt -n -o FSTYPE "$B/rootfs") == overlay ]]
	local r=$B/rootfs
	[[ ! -e $r/etc/gone ]]
	[[ $(ls -A "$r/opq") == c ]]
	[[ $(cat "$r/keep/x") == x3 ]]
	[[ $(stat -c %i "$r/data/file") == $(stat -c %i "$r/data/hard") ]]
	[[ $(readlink "$r/data/link") == file ]]
	[[ $(getfattr --only-values -n user.box "$r/data/xattr") == yes ]]
	[[ $(stat -c %a "$r/data/suid") == 4755 ]]
	[[ -p $r/data/fifo ]]
	[[ $(stat -c '%a %u:%g' "$r/data/private") == "700 1000:1000" ]]
	[[ $(stat -c '%a %u:%g' "$r/data/private/secret") == "600 1000:1000" ]]
	[[ $(stat -c '%a' "$r/tmp") == 1777 ]]
	[[ -x $r/bin/busybox && $(readlink "$r/bin/sh") == busybox ]]
	# one directory per diff_id, named by its hex, and nothing half-made
	[[ $(ls "$BOX_ROOT/layers" | grep -v '\.lock$' | sort) == $(diff_ids "$FIXTURES/multi" | sort) ]]
	no_partial_layers
}

@test "a layer directory keeps overlayfs's whiteout format" {
	store_add multi docker.io/library/multi:latest
	run -0 img-unpack multi "$B"
	local l2
	l2=$BOX_ROOT/layers/$(diff_ids "$FIXTURES/multi" | sed -n 2p)
	[[ $(stat -c '%F %t:%T' "$l2/etc/gone") == "character special file 0:0" ]]
	[[ $(getfattr --only-values -n trusted.overlay.opaque "$l2/opq") == y ]]
	[[ ! -e $l2/etc/.wh.gone && ! -e $l2/opq/.wh..wh..opq ]]
	[[ $(ls -A "$l2/opq") == c ]]
}

@test "the rootfs equals umoci unpack's, file for file" {
	store_add multi docker.io/library/multi:latest
	run -0 img-unpack multi "$B"
	umoci unpack --image "$FIXTURES/multi:latest" "$BATS_TEST_TMPDIR/umoci" >/dev/null
	tree "$B/rootfs" >"$BATS_TEST_TMPDIR/box.txt"
	tree "$BATS_TEST_TMPDIR/umoci/rootfs" >"$BATS_TEST_TMPDIR/umoci.txt"
	diff -u "$BATS_TEST_TMPDIR/umoci.txt" "$BATS_TEST_TMPDIR/box.txt"
	# the listing is not trivially equal: it sees what the image holds
	grep -q '^/data/xattr file 0644 0:0 6 .* xattrs user.box=796573$' "$BATS_TEST_TMPDIR/box.txt"
	grep -q '^/data/hard file .* link=/data/file$' "$BATS_TEST_TMPDIR/box.txt"
	(($(wc -l <"$BATS_TEST_TMPDIR/box.txt") > 100))
}

@test "--driver copy gives the same tree as overlay, not mounted" {
	store_add multi docker.io/library/multi:latest
	run -0 img-unpack multi "$B"
	run -0 img-unpack --driver copy multi "$BATS_TEST_TMPDIR/copy"
	[[ $output == "$BATS_TEST_TMPDIR/copy/rootfs" ]]
	run ! findmnt "$BATS_TEST_TMPDIR/copy/rootfs"
	diff -u <(tree "$B/rootfs") <(tree "$BATS_TEST_TMPDIR/copy/rootfs")
	[[ $(stat -c %i "$BATS_TEST_TMPDIR/copy/rootfs/data/file") == \
		$(stat -c %i "$BATS_TEST_TMPDIR/copy/rootfs/data/hard") ]]
	[[ -z $(ls "$BATS_TEST_TMPDIR/copy" | grep tmp-) ]]
}

@test "when overlayfs cannot be mounted, a copy with a warning; --driver overlay fails instead" {
	store_add multi docker.io/library/multi:latest
	run -0 img-unpack multi "$B"
	# an upper directory on overlayfs itself is refused by the kernel
	local inner=$B/rootfs/srv/b
	run -5 img-unpack --driver overlay multi "$inner"
	[[ $output == "img-unpack: multi: mount overlay"* ]]
	rm -rf "$inner"
	run --separate-stderr -0 img-unpack multi "$inner"
	[[ $output == "$inner/rootfs" ]]
	[[ $stderr == "img-unpack: warning: mount overlay"*"; copying the layers instead" ]]
	diff -u <(tree "$B/rootfs" | grep -v '^/srv') <(tree "$inner/rootfs" | grep -v '^/srv')
	rm -rf "$inner"
	run --separate-stderr -0 img-unpack -q multi "$inner"
	[[ -z $stderr ]]
}

@test "--unmount undoes the mount, keeps the upper layer, and a second unpack mounts it again" {
	store_add multi docker.io/library/multi:latest
	run -0 img-unpack multi "$B"
	echo changed >"$B/rootfs/keep/x"
	run --separate-stderr -0 img-unpack --unmount "$B"
	[[ -z $output && -z $stderr ]]
	run ! findmnt "$B/rootfs"
	[[ -z $(ls -A "$B/rootfs") ]]
	run -0 img-unpack --unmount "$B"
	run -0 img-unpack multi "$B"
	[[ $(cat "$B/rootfs/keep/x") == changed ]]
	# already mounted: nothing to do, the same answer
	run -0 img-unpack multi "$B"
	[[ $output == "$B/rootfs" ]]
	[[ $(findmnt -n -o TARGET "$B/rootfs" | wc -l) == 1 ]]
	run --separate-stderr -3 img-unpack --unmount "$BATS_TEST_TMPDIR/nope"
	[[ $stderr == "img-unpack: bundle $BATS_TEST_TMPDIR/nope: No such file or directory" ]]
}

@test "present layers are not extracted again" {
	store_add multi docker.io/library/multi:latest
	run -0 img-unpack multi "$B"
	local before
	before=$(stat -c '%n %i %Y' "$BOX_ROOT"/layers/*/)
	run -0 img-unpack multi "$BATS_TEST_TMPDIR/b2"
	[[ $(stat -c '%n %i %Y' "$BOX_ROOT"/layers/*/) == "$before" ]]
	# an image sharing the layer (small's only layer is not multi's) adds one
	store_add small docker.io/library/small:latest
	run -0 img-unpack small "$BATS_TEST_TMPDIR/b3"
	[[ $(ls "$BOX_ROOT/layers" | grep -vc '\.lock$') == 4 ]]
}

@test "concurrent unpacks of one image all succeed and share each layer" {
	store_add multi docker.io/library/multi:latest
	local i pids=()
	for i in 1 2 3 4; do
		img-unpack multi "$BATS_TEST_TMPDIR/c$i" >"$BATS_TEST_TMPDIR/c$i.out" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i"
	done
	# a second extraction could not have been renamed over the first
	# (rename(2) of a directory onto a non-empty one fails): each is once
	[[ $(ls "$BOX_ROOT/layers" | grep -vc '\.lock$') == 3 ]]
	no_partial_layers
	for i in 2 3 4; do
		diff <(tree "$BATS_TEST_TMPDIR/c1/rootfs") <(tree "$BATS_TEST_TMPDIR/c$i/rootfs")
	done
}

@test "SIGKILL mid-extraction leaves no layer that looks whole; the next run cleans up" {
	crafted many
	local hex n=0
	hex=$(diff_ids "$BATS_TEST_TMPDIR/l-many" | sed -n 2p)
	img-unpack many "$B" >/dev/null 2>&1 &
	local pid=$!
	while [[ -z $(ls -d "$BOX_ROOT/layers/$hex.tmp-"* 2>/dev/null) ]] && ((n++ < 500)); do
		sleep 0.01
	done
	kill -KILL "$pid"
	wait "$pid" || true
	[[ -n $(ls -d "$BOX_ROOT/layers/$hex.tmp-"*) ]]
	[[ ! -e $BOX_ROOT/layers/$hex ]]
	run -0 img-unpack many "$B"
	no_partial_layers
	[[ $(find "$B/rootfs" -type f | wc -l) == 40001 ]]
}

@test "gzip, zstd and uncompressed layers give the same tree" {
	local c
	for c in plain-gzip plain-zstd plain-none; do
		crafted "$c"
		run -0 img-unpack "$c" "$BATS_TEST_TMPDIR/$c"
		tree "$BATS_TEST_TMPDIR/$c/rootfs" >"$BATS_TEST_TMPDIR/$c.txt"
	done
	grep -q '^/d/two ' "$BATS_TEST_TMPDIR/plain-gzip.txt"
	run ! grep -q '^/gone ' "$BATS_TEST_TMPDIR/plain-gzip.txt"
	diff "$BATS_TEST_TMPDIR/plain-gzip.txt" "$BATS_TEST_TMPDIR/plain-zstd.txt"
	diff "$BATS_TEST_TMPDIR/plain-gzip.txt" "$BATS_TEST_TMPDIR/plain-none.txt"
}

@test "a diff_id mismatch fails and leaves no layer directory" {
	crafted diffid-mismatch
	run --separate-stderr -1 img-unpack diffid-mismatch "$B"
	[[ $stderr == "img-unpack: diffid-mismatch: layer sha256:"*": diff_id mismatch: the image config says sha256:"*", the content is sha256:"* ]]
	local bad
	bad=$(diff_ids "$BATS_TEST_TMPDIR/l-diffid-mismatch" | sed -n 2p)
	[[ ! -e $BOX_ROOT/layers/$bad ]]
	no_partial_layers
}

@test "hostile layers served by the test registry, pulled with img-fetch: refused or contained" {
	command -v img-fetch >/dev/null || skip "img-fetch not built"
	registry_start
	local c ref before
	before=$(outside)
	for c in dotdot:"entry ../escape: path escapes the layer root" \
		hardlink-abs:"entry h: hardlink target ${OUT#/}/secret is not in this layer" \
		hardlink-via-symlink:"entry h: hardlink target l/secret is not in this layer" \
		truncated:"entry big: Truncated tar archive" symlink-escape: absolute:; do
		python3 "$TESTS_DIR/fixtures/mklayers.py" "$BATS_TEST_TMPDIR/l-${c%%:*}" "${c%%:*}" "$OUT"
		ref=$REGISTRY/hostile/${c%%:*}:latest
		skopeo copy -q --dest-tls-verify=false "oci:$BATS_TEST_TMPDIR/l-${c%%:*}:latest" "docker://$ref"
		run -0 img-fetch -q "$ref"
		if [[ -n ${c#*:} ]]; then
			run --separate-stderr -1 img-unpack "$ref" "$B-${c%%:*}"
			[[ $stderr == "img-unpack: $ref: layer sha256:"[0-9a-f]*": ${c#*:}" ]]
		else
			run -0 img-unpack "$ref" "$B-${c%%:*}"
		fi
		[[ $(outside) == "$before" ]]
		no_partial_layers
	done
	[[ -f $B-absolute/rootfs/$OUT/abs && -f $B-symlink-escape/rootfs/a/passwd ]]
}

@test "hostile: '..' entries are refused" {
	refused dotdot "entry ../escape: path escapes the layer root"
	[[ ! -e $BATS_TEST_TMPDIR/escape && ! -e $BOX_ROOT/escape && ! -e $BOX_ROOT/layers/escape ]]
	refused dotdot-deep "entry a/../../escape: path escapes the layer root"
}

@test "hostile: absolute names stay inside the layer" {
	crafted absolute
	local before
	before=$(outside)
	run -0 img-unpack absolute "$B"
	[[ $(outside) == "$before" ]]
	[[ -f $B/rootfs/$OUT/abs ]]
}

@test "hostile: a symlink out of the root, written through by the next layer" {
	crafted symlink-escape
	local before
	before=$(outside)
	run -0 img-unpack symlink-escape "$B"
	[[ $(outside) == "$before" ]]
	[[ ! -e $OUT/passwd ]]
	# the later layer's directory replaces the symlink, as overlayfs stacks it
	[[ -d $B/rootfs/a && ! -L $B/rootfs/a && $(cat "$B/rootfs/a/passwd") == pwned ]]
	run -0 img-unpack --driver copy symlink-escape "$BATS_TEST_TMPDIR/copy"
	[[ $(outside) == "$before" ]]
	diff <(tree "$B/rootfs") <(tree "$BATS_TEST_TMPDIR/copy/rootfs")
}

@test "hostile: a symlink out of the root, written through in the same layer" {
	local before
	crafted symlink-same
	before=$(outside)
	run --separate-stderr -1 img-unpack symlink-same "$B"
	[[ $stderr == "img-unpack: symlink-same: layer sha256:"*": entry a/passwd: parent directory: No such file or directory" ]]
	[[ $(outside) == "$before" ]]
	no_partial_layers
	# a relative symlink climbing out resolves to the layer root instead
	crafted symlink-rel
	run -0 img-unpack symlink-rel "$BATS_TEST_TMPDIR/rel"
	[[ $(outside) == "$before" ]]
	[[ $(cat "$BATS_TEST_TMPDIR/rel/rootfs/$OUT/rel") == pwned ]]
}

@test "hostile: hardlinks to outside files are refused" {
	refused hardlink-dotdot "entry h: hardlink target escapes the layer root"
	refused hardlink-abs "entry h: hardlink target ${OUT#/}/secret is not in this layer"
	refused hardlink-via-symlink "entry h: hardlink target l/secret is not in this layer"
	refused hardlink-dir "entry h: hardlink: Operation not permitted"
	[[ $(stat -c %h "$OUT/secret") == 1 ]]
}

@test "hostile: absurd names and sizes are refused" {
	refused long-name "entry nnnn*...: path: File name too long"
	refused long-component "entry d/cccc*...: create: File name too long"
	refused truncated "entry big: Truncated tar archive"
	refused bad-whiteout "entry .wh..: invalid whiteout"
}

@test "hostile: overlayfs xattrs in a layer are dropped" {
	crafted overlay-xattr
	run -0 img-unpack overlay-xattr "$B"
	[[ -f $B/rootfs/d/x && -f $B/rootfs/d/y ]]
	run -1 getfattr -n trusted.overlay.opaque "$BOX_ROOT/layers/$(diff_ids "$BATS_TEST_TMPDIR/l-overlay-xattr" | sed -n 2p)/d"
}

@test "device nodes as root; skipped without privilege, with the copy driver" {
	crafted device
	run -0 img-unpack device "$B"
	[[ $(stat -c '%F %t:%T' "$B/rootfs/null") == "character special file 1:3" ]]
	[[ $(stat -c '%F %t:%T' "$B/rootfs/loop") == "block special file 7:0" ]]
	[[ -p $B/rootfs/fifo ]]
	# rootless: a store nobody owns, reachable by nobody
	local r
	r=$(mktemp -d /tmp/img-unpack-rootless.XXXXXX)
	chmod 755 "$r"
	cp -a "$BOX_ROOT/images" "$r/images"
	chown -R 65534:65534 "$r"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BOX_BUILD/bin/img-unpack" --root "$r" device "$r/b"
	local st=$status out=$output err=$stderr files
	files=$(ls -A "$r/b/rootfs" 2>/dev/null | tr '\n' ' ')
	rm -rf "$r"
	[[ $st == 0 && $out == "$r/b/rootfs" ]]
	[[ $err == *"copying the layers instead"* ]]
	[[ $files == "fifo file " ]]
}

@test "file capabilities survive" {
	crafted caps
	run -0 img-unpack caps "$B"
	[[ $(getcap "$B/rootfs/ping") == *"cap_net_raw=ep" ]]
}

@test "a whiteout in the layer of its own directory hides only the lower content" {
	crafted same-layer-wh
	run -0 img-unpack same-layer-wh "$B"
	[[ $(ls -A "$B/rootfs/d" | tr '\n' ' ') == "x y " ]]
	run -0 img-unpack --driver copy same-layer-wh "$BATS_TEST_TMPDIR/copy"
	diff <(tree "$B/rootfs") <(tree "$BATS_TEST_TMPDIR/copy/rootfs")
}

@test "conformance: the busybox images equal their build context's tarball" {
	conformance_or_skip images
	local d n
	for d in "$CONFORMANCE"/images/*/; do
		n=$(basename "$d")
		mkdir -p "$BOX_ROOT"
		skopeo copy -q "oci:${d%/}" "oci:$BOX_ROOT/images:docker.io/library/busybox:$n"
		run -0 img-unpack "busybox:$n" "$BATS_TEST_TMPDIR/$n"
		mkdir "$BATS_TEST_TMPDIR/ctx-$n"
		tar -xzf "$d/_context/busybox.tar.gz" -C "$BATS_TEST_TMPDIR/ctx-$n" --numeric-owner
		tree "$BATS_TEST_TMPDIR/ctx-$n" >"$BATS_TEST_TMPDIR/ctx-$n.txt"
		diff -u "$BATS_TEST_TMPDIR/ctx-$n.txt" <(tree "$BATS_TEST_TMPDIR/$n/rootfs")
		(($(grep -c 'link=' "$BATS_TEST_TMPDIR/ctx-$n.txt") > 300))
	done
}

@test "conformance: docker save images flatten as go-containerregistry says" {
	conformance_or_skip layers/mutate/testdata
	local t=$CONFORMANCE/layers/mutate/testdata drv r
	mkdir -p "$BOX_ROOT"
	for n in whiteout_image whiteout_dir overwritten_file; do
		skopeo copy -q "docker-archive:$t/$n.tar" "oci:$BOX_ROOT/images:docker.io/library/$n:latest"
	done
	for drv in overlay copy; do
		r=$BATS_TEST_TMPDIR/$drv
		run -0 img-unpack --driver "$drv" whiteout_image "$r-wi"
		[[ $(ls -A "$r-wi/rootfs") == bar.txt && $(cat "$r-wi/rootfs/bar.txt") == bar ]]
		run -0 img-unpack --driver "$drv" whiteout_dir "$r-wd"
		[[ $(cd "$r-wd/rootfs" && find . -type f | sort | tr '\n' ' ') == "./a/baz ./b/bar " ]]
		run -0 img-unpack --driver "$drv" overwritten_file "$r-of"
		[[ $(readlink "$r-of/rootfs/foo.txt") == bar.txt ]]
		[[ $(cat "$r-of/rootfs/foo.txt") != *foo* ]]
	done
}

@test "an index.json entry that is an image index: this platform's image, by name and by the id img-list shows" {
	local id
	store_add --all index docker.io/library/index:latest
	[[ $(jq -r '.manifests[0].mediaType' "$BOX_ROOT/images/index.json") == application/vnd.oci.image.index.v1+json ]]
	id=$(img-list -q --no-trunc)
	[[ $id == "$(fixture_image_id index amd64)" ]]
	run -0 img-unpack --driver copy index "$B"
	[[ -x $B/rootfs/bin/busybox ]]
	rm -rf "$B"
	run -0 img-unpack --driver copy "${id:7:12}" "$B"
	[[ -x $B/rootfs/bin/busybox ]]
}

@test "a remapped container's rootfs is mounted idmapped again (after a reboot)" {
	store_add small docker.io/library/small:latest
	run -0 ctr-create --userns auto:size=100 small
	D=$BOX_ROOT/containers/$output
	host=$(jq '.linux.uidMappings[0].hostID' "$D/config.json")
	[[ $(stat -c %u "$D/rootfs/bin") == "$host" ]]
	umount "$D/rootfs"
	run -0 img-unpack -q --root "$BOX_ROOT" "$(cat "$D/image")" "$D"
	[[ $(stat -c %u:%g "$D/rootfs/bin") == "$host:$host" ]]
	[[ $(stat -c %u "$D/upper") == 0 ]]
}
