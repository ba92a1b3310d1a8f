#!/usr/bin/env bats
# img-load: docker save archives, OCI archives and OCI layout directories
# into the store; everything checked before the store changes.

load ../helpers

setup () {
	box_setup
	T=$CONFORMANCE/layers/tarball/testdata
	L=$CONFORMANCE/layers/layout/testdata
}

teardown () {
	box_teardown
}

# the store's tags, one "ref digest" per line
tags () {
	jq -r '.manifests[] | "\(.annotations["org.opencontainers.image.ref.name"] // "-") \(.digest)"' \
		"$BOX_ROOT/images/index.json" | sort
}

# the store is empty: no index entry, no blob
store_empty () {
	[[ ! -e $BOX_ROOT/images/index.json ]] && return 0
	[[ $(jq '.manifests | length' "$BOX_ROOT/images/index.json") == 0 ]]
	[[ -z $(ls "$BOX_ROOT/images/blobs/sha256") ]]
	[[ -z $(ls "$BOX_ROOT/tmp" 2>/dev/null) ]]
}

@test "usage errors exit 2" {
	run -2 img-load extra-arg
	[[ $output == *"usage: img-load"* ]]
	run -2 img-load --bogus
}

@test "a missing input is not found" {
	run --separate-stderr -3 img-load -i "$BATS_TEST_TMPDIR/nope.tar"
	[[ $stderr == "img-load: $BATS_TEST_TMPDIR/nope.tar: open: No such file or directory" ]]
}

@test "the three busybox layouts load by directory, as OCI archives and from stdin" {
	conformance_or_skip images
	local d n digest
	for d in "$CONFORMANCE"/images/*/; do
		n=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$d/index.json")
		digest=$(jq -r '.manifests[0].digest' "$d/index.json")
		run --separate-stderr -0 img-load -i "$d"
		[[ $output == "Loaded image: $n" ]]
		[[ $(tags) == *"docker.io/library/$n $digest"* ]]
		skopeo inspect "oci:$BOX_ROOT/images:docker.io/library/$n" >/dev/null
		tar -C "$d" -cf "$BATS_TEST_TMPDIR/a.tar" oci-layout index.json blobs
		BOX_ROOT=$BATS_TEST_TMPDIR/r2 run -0 img-load -i "$BATS_TEST_TMPDIR/a.tar"
		[[ $output == "Loaded image: $n" ]]
		BOX_ROOT=$BATS_TEST_TMPDIR/r3 run -0 img-load <"$BATS_TEST_TMPDIR/a.tar"
		[[ $output == "Loaded image: $n" ]]
	done
	[[ $(tags | wc -l) == 3 ]]
	umoci stat --image "$BOX_ROOT/images:docker.io/library/busybox:1.38.0-musl" >/dev/null
	# every blob in the store is what its name says
	for b in "$BOX_ROOT"/images/blobs/sha256/*; do
		[[ $(sha256sum "$b" | cut -d' ' -f1) == "${b##*/}" ]]
	done
}

@test "docker save archives of the tarball testdata load" {
	conformance_or_skip layers/tarball/testdata
	run -0 img-load -i "$T/test_image_1.tar"
	[[ $output == "Loaded image: bazel/v1/tarball:test_image_1" ]]
	run -0 img-load -i "$T/test_image_2.tar"
	[[ $output == "Loaded image: bazel/v1/tarball:test_image_2" ]]
	run -0 img-load -i "$T/test_load_manifest.tar"
	[[ $output == "Loaded image: bazel/v1/tarball:test_image_1" ]]
	run -0 img-load -i "$T/test_bundle.tar"
	[[ $output == $'Loaded image: test_image_2:latest\nLoaded image: test_image_1:latest' ]]
	# a layer.tar that is a symlink to another image's layer
	run -0 img-load -i "$T/test_link.tar"
	[[ $output == $'Loaded image: bazel/v1/tarball:test_image_1\nLoaded image: bazel/v1/tarball:test_image_3' ]]
	skopeo inspect "oci:$BOX_ROOT/images:docker.io/bazel/v1/tarball:test_image_3" >/dev/null
	[[ $(skopeo inspect --config "oci:$BOX_ROOT/images:docker.io/bazel/v1/tarball:test_image_3" |
		jq -r '.rootfs.diff_ids | length') == 2 ]]
	# Docker 25's layout: RepoTags null, so the image is loaded untagged
	run -0 img-load -i "$T/hello-world-v25.tar"
	[[ $output == "Loaded image ID: sha256:ee301c921b8aadc002973b2e0c3da17d701dcd994b606769a7e6eaa100b81d44" ]]
	[[ $(tags) == *"- sha256:"* ]]
	# the image id is the config's digest, as Docker's
	[[ $(tags | grep -c test_image_1) == 2 ]]
}

@test "the invalid archives are refused and the store is unchanged" {
	conformance_or_skip layers/tarball/testdata
	run --separate-stderr -2 img-load -i "$T/no_manifest.tar"
	[[ $stderr == "img-load: $T/no_manifest.tar: not an image archive: no manifest.json, no oci-layout" ]]
	store_empty
	run --separate-stderr -2 img-load -i "$T/null_manifest.tar"
	[[ $stderr == "img-load: $T/null_manifest.tar: manifest.json: not a list of images" ]]
	store_empty
	# a layer, not an image
	run --separate-stderr -2 img-load -i "$T/content.tar"
	[[ $stderr == *"not an image archive"* ]]
	store_empty
}

@test "garbage, empty and truncated input: one line, exit 2, store unchanged" {
	conformance_or_skip layers/tarball/testdata
	head -c 4096 /dev/urandom >"$BATS_TEST_TMPDIR/garbage"
	run --separate-stderr -2 img-load -i "$BATS_TEST_TMPDIR/garbage"
	[[ $stderr == "img-load: $BATS_TEST_TMPDIR/garbage: not a tar archive" ]]
	run --separate-stderr -2 img-load </dev/null
	[[ $stderr == "img-load: stdin: not a tar archive" ]]
	head -c 15000 "$T/test_image_1.tar" >"$BATS_TEST_TMPDIR/cut.tar"
	run --separate-stderr -2 img-load -i "$BATS_TEST_TMPDIR/cut.tar"
	[[ $stderr == "img-load: $BATS_TEST_TMPDIR/cut.tar: bad archive: Truncated tar archive" ]]
	[[ $(wc -l <<<"$stderr") == 1 ]]
	store_empty
}

@test "a corrupt blob in a layout: digest mismatch, exit 1, nothing stored" {
	conformance_or_skip images
	local d=$BATS_TEST_TMPDIR/lay layer
	cp -r "$CONFORMANCE/images/latest-musl-amd64" "$d"
	chmod -R u+w "$d"
	layer=$(jq -r '.layers[0].digest' "$d/blobs/sha256/$(jq -r '.manifests[0].digest[7:]' "$d/index.json")")
	printf 'x' | dd of="$d/blobs/sha256/${layer#sha256:}" bs=1 seek=100 conv=notrunc 2>/dev/null
	run --separate-stderr -1 img-load -i "$d"
	[[ $stderr == "img-load: $d: index.json: manifests[0]: manifest sha256:"*": blob $layer: digest mismatch: content has sha256:"* ]]
	store_empty
	# a manifest that is not JSON
	m=$(jq -r '.manifests[0].digest[7:]' "$d/index.json")
	echo 'not json' >"$d/blobs/sha256/$m"
	run --separate-stderr -1 img-load -i "$d"
	[[ $stderr == *"digest mismatch"* ]]
	store_empty
}

@test "a docker archive whose layer is not its diff_id: exit 1, nothing stored" {
	conformance_or_skip layers/tarball/testdata
	local d=$BATS_TEST_TMPDIR/x
	mkdir "$d"
	tar -C "$d" -xf "$T/test_image_1.tar"
	chmod -R u+w "$d"
	echo extra >>"$d/555b1001d54ed229f56990845856f080b0707348b26b3aa85aaf58d5570cdee0/layer.tar"
	tar -C "$d" -cf "$BATS_TEST_TMPDIR/bad.tar" .
	run --separate-stderr -1 img-load -i "$BATS_TEST_TMPDIR/bad.tar"
	[[ $stderr == *"manifest.json: [0]: layer 555b1001d54ed229f56990845856f080b0707348b26b3aa85aaf58d5570cdee0/layer.tar: digest mismatch: config has sha256:8897395fd26dc44ad0e2a834335b33198cb41ac4d98dfddf58eced3853fa7b17, content has sha256:"* ]]
	store_empty
	# a config whose file name is not its digest
	tar -C "$d" -xf "$T/test_image_1.tar"
	echo ' ' >>"$d/6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e.json"
	run --separate-stderr -1 img-load -i "$d"
	[[ $stderr == *"config 6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e.json: digest mismatch"* ]]
	store_empty
}

@test "gzip layers in a docker archive and a gzip-compressed archive load" {
	conformance_or_skip layers/tarball/testdata
	local d=$BATS_TEST_TMPDIR/x l=555b1001d54ed229f56990845856f080b0707348b26b3aa85aaf58d5570cdee0
	mkdir "$d"
	tar -C "$d" -xf "$T/test_image_1.tar"
	chmod -R u+w "$d"
	gzip -n "$d/$l/layer.tar"
	jq '.[0].Layers = ["'$l'/layer.tar.gz"]' "$d/manifest.json" >"$d/m" && mv "$d/m" "$d/manifest.json"
	run -0 img-load -i "$d"
	[[ $output == "Loaded image: bazel/v1/tarball:test_image_1" ]]
	skopeo inspect --raw "oci:$BOX_ROOT/images:docker.io/bazel/v1/tarball:test_image_1" |
		jq -e '.layers[0].mediaType == "application/vnd.oci.image.layer.v1.tar+gzip"'
	gzip -c "$T/test_image_2.tar" >"$BATS_TEST_TMPDIR/t2.tar.gz"
	run -0 img-load -q -i "$BATS_TEST_TMPDIR/t2.tar.gz"
	[[ $output == "Loaded image: bazel/v1/tarball:test_image_2" ]]
}

@test "ggcr layout cases: nested index, unknown media types, artifacts" {
	conformance_or_skip layers/layout/testdata
	# ref names "1".."4" are bare tags: loaded untagged; the descriptor
	# media type is skipped with a warning; nested indexes give their
	# manifest for this platform (children without a platform qualify)
	run --separate-stderr -0 img-load -i "$L/test_index"
	[[ $output == "Loaded image ID: sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e" ]]
	[[ $stderr == "img-load: warning: $L/test_index: index.json: manifests[1]: media type application/vnd.oci.descriptor.v1+json skipped" ]]
	run -0 img-load -i "$L/test_gc_index"
	run -0 img-load -i "$L/test_index_one_image"
	[[ $output == "Loaded image ID: sha256:381d958b555884ba59574ab5c066e9f6116b5aec3567675aa13bec63331f0810" ]]
	[[ $(tags) == "- sha256:98ceaf93e482fe91b9bfd6bba07137c098e49ee2d55e69f09fb6c951e75e0e46"*"- sha256:eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6fc2b278650" ]]
	BOX_ROOT=$BATS_TEST_TMPDIR/r2 run --separate-stderr -2 img-load -i "$L/test_gc_image_unknown_mediatype"
	[[ $stderr == *"index.json: no image to load" ]]
	# a helm chart is an artifact, not an image
	BOX_ROOT=$BATS_TEST_TMPDIR/r2 run --separate-stderr -2 img-load -i "$L/test_index_media_type"
	[[ $stderr == *'config.mediaType: not an image config: "application/vnd.cncf.helm.config.v1+json"' ]]
}

@test "the fixtures: ref name 'latest' loads untagged, an index gives this platform's image" {
	local cfg
	run -0 img-load -i "$FIXTURES/small"
	cfg=$(jq -r .config.digest "$FIXTURES/small/blobs/sha256/$(fixture_digest small | cut -d: -f2)")
	[[ $output == "Loaded image ID: $cfg" ]]
	# loading again changes nothing
	run -0 img-load -i "$FIXTURES/small"
	[[ $(jq '.manifests | length' "$BOX_ROOT/images/index.json") == 1 ]]
	run -0 img-load -i "$FIXTURES/index"
	[[ $output == "Loaded image ID: sha256:"* ]]
	run -0 img-load -i "$FIXTURES/multi"
	[[ $(jq '.manifests | length' "$BOX_ROOT/images/index.json") == 3 ]]
}

@test "a full reference in the ref name, or io.containerd.image.name, is the tag" {
	local d=$BATS_TEST_TMPDIR/lay
	cp -r "$FIXTURES/small" "$d"
	jq '.manifests[0].annotations["org.opencontainers.image.ref.name"] = "127.0.0.1:5000/app:v1"' \
		"$d/index.json" >"$d/i" && mv "$d/i" "$d/index.json"
	run -0 img-load -i "$d"
	[[ $output == "Loaded image: 127.0.0.1:5000/app:v1" ]]
	jq '.manifests[0].annotations["io.containerd.image.name"] = "docker.io/library/other:2"' \
		"$d/index.json" >"$d/i" && mv "$d/i" "$d/index.json"
	run -0 img-load -i "$d"
	[[ $output == "Loaded image: other:2" ]]
	[[ $(tags) == *"docker.io/library/other:2 "* ]]
}

@test "hostile archives: links cannot leave the archive, .. goes nowhere" {
	local d=$BATS_TEST_TMPDIR/h
	mkdir -p "$d"
	ln -s /etc/passwd "$d/manifest.json"
	ln -s ../../../../../../etc "$d/oci-layout"
	tar -C "$d" -cf "$BATS_TEST_TMPDIR/h.tar" manifest.json oci-layout
	run --separate-stderr -2 img-load -i "$BATS_TEST_TMPDIR/h.tar"
	[[ $stderr == *"not an image archive"* ]]
	# a path with ../ in it is staged under a made-up name, never written there
	mkdir -p "$d/x" && echo pwned >"$d/x/evil"
	tar -C "$d/x" -cf "$BATS_TEST_TMPDIR/dots.tar" --transform 's|^|../../|' evil
	run -2 img-load -i "$BATS_TEST_TMPDIR/dots.tar"
	[[ ! -e $BOX_ROOT/../evil && ! -e $BOX_ROOT/../../evil ]]
	store_empty
}

@test "gc while a load has stored its blobs and not yet tagged them: exit 4, the load completes" {
	local pid b=$BOX_ROOT/images/blobs/sha256 d
	BOX_TEST_STOP_BEFORE_TAG=1 img-load -i "$FIXTURES/multi" >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	for _ in $(seq 100); do
		[[ $(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) == T ]] && break
		sleep 0.1
	done
	[[ -n $(ls "$b") ]]
	run --separate-stderr -4 img-list gc
	[[ $stderr == "img-list: image store: gc: blobs are being added" ]]
	kill -CONT "$pid"
	wait "$pid"
	[[ $(cat "$BATS_TEST_TMPDIR/out") == "Loaded image ID: sha256:"* ]]
	# every blob the entry reaches is there
	d=$(jq -r '.manifests[0].digest' "$BOX_ROOT/images/index.json")
	for d in "$d" $(jq -r '.config.digest, .layers[].digest' "$b/${d#sha256:}"); do
		[[ -f $b/${d#sha256:} ]]
	done
}

@test "a full disk: one line naming the input and the cause, exit 5, store unchanged, nothing staged" {
	skip_unless_root
	local before
	mkdir -p "$BOX_ROOT"
	mount -t tmpfs -o size=256k box-full "$BOX_ROOT"
	img-list >/dev/null # an empty store
	before=$(tags)
	run --separate-stderr -5 img-load -i "$FIXTURES/multi"
	[[ $stderr == "img-load: $FIXTURES/multi: "*"No space left on device" ]]
	[[ $(wc -l <<<"$stderr") == 1 && -z $output ]]
	[[ $(tags) == "$before" && -z $(ls "$BOX_ROOT/images/blobs/sha256") ]]
	[[ -z $(ls "$BOX_ROOT/tmp") ]]
	umount "$BOX_ROOT"
}
