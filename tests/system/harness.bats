#!/usr/bin/env bats
# The test harness itself: fixtures, registries, environment, teardown.

load ../helpers

setup_file () {
	registry_start
	registry_start_auth
}

teardown_file () {
	registry_stop
}

setup () {
	box_setup
}

teardown () {
	box_teardown
}

@test "environment is pinned" {
	[ "$LC_ALL" = C ]
	[ "$TZ" = UTC ]
	[ "$BOX_ROOT" = "$BATS_TEST_TMPDIR/root" ]
	[ "$DOCKER_CONFIG" = "$BATS_TEST_TMPDIR/docker" ]
	[[ $PATH == "$BOX_BUILD/bin:"* ]]
	[[ $BOX_BUILD == /* ]]
	[[ $CONFORMANCE == /*/shared/conformance ]]
	[[ $CONFORMANCE != *..* ]]
	run -0 bash -c 'compgen -e BOX_ | sort | tr "\n" " "'
	[ "$output" = "BOX_BUILD BOX_ROOT " ]
}

@test "fixtures: small is a valid one-layer image" {
	run -0 skopeo inspect "oci:$FIXTURES/small:latest"
	[ "$(jq -r '.Layers | length' <<<"$output")" = 1 ]
	[ "$(jq -r .Architecture <<<"$output")" = amd64 ]
	run -0 skopeo inspect --config "oci:$FIXTURES/small:latest"
	[ "$(jq -c .config.Cmd <<<"$output")" = '["sh"]' ]
	[ "$(jq -r .config.WorkingDir <<<"$output")" = /srv ]
	[ "$(jq -r '.config.Labels["org.example.k"]' <<<"$output")" = v ]
	jq -e '.config.Env | index("FOO=bar")' <<<"$output"
	run -0 umoci stat --image "$FIXTURES/small:latest"
}

@test "fixtures: small layer holds busybox, applets, users" {
	local m l
	m=$(fixture_digest small)
	l=$(jq -r '.layers[0].digest' "$FIXTURES/small/blobs/sha256/${m#sha256:}")
	run -0 tar -tvzf "$FIXTURES/small/blobs/sha256/${l#sha256:}"
	grep -q ' bin/busybox$' <<<"$output"
	grep -q ' bin/sh -> busybox$' <<<"$output"
	grep -q '^drwxrwxrwt .* tmp/$' <<<"$output"
	grep -q ' 1000/1000 .* home/app/$' <<<"$output"
	run -0 tar -xOzf "$FIXTURES/small/blobs/sha256/${l#sha256:}" etc/passwd
	grep -q '^app:x:1000:1000:' <<<"$output"
}

@test "fixtures: multi has whiteout, opaque dir, links, xattr, suid, private dir" {
	run -0 skopeo inspect "oci:$FIXTURES/multi:latest"
	[ "$(jq -r '.Layers | length' <<<"$output")" = 3 ]
	run -0 umoci stat --image "$FIXTURES/multi:latest"
	local m blobs="$FIXTURES/multi/blobs/sha256" l2 l3
	m=$(fixture_digest multi)
	l2=$(jq -r '.layers[1].digest' "$blobs/${m#sha256:}")
	l3=$(jq -r '.layers[2].digest' "$blobs/${m#sha256:}")
	run -0 tar --xattrs -tvvzf "$blobs/${l2#sha256:}"
	grep -q ' etc/\.wh\.gone$' <<<"$output"
	grep -q ' opq/\.wh\.\.wh\.\.opq$' <<<"$output"
	grep -q '^h.* data/hard link to data/file$' <<<"$output"
	grep -q '^l.* data/link -> file$' <<<"$output"
	grep -q 'x: 3 user.box' <<<"$output"
	run -0 tar -tvzf "$blobs/${l3#sha256:}"
	grep -q '^-rwsr-xr-x .* data/suid$' <<<"$output"
	grep -q '^drwx------ 1000/1000 .* data/private/$' <<<"$output"
	grep -q '^p.* data/fifo$' <<<"$output"
}

@test "fixtures: multi unpacks to the documented tree (umoci)" {
	skip_unless_root
	run -0 umoci unpack --image "$FIXTURES/multi:latest" "$BATS_TEST_TMPDIR/b"
	local r=$BATS_TEST_TMPDIR/b/rootfs
	[ ! -e "$r/etc/gone" ]
	[ "$(ls "$r/opq")" = c ]
	[ "$(cat "$r/keep/x")" = x3 ]
	[ "$(stat -c %i "$r/data/file")" = "$(stat -c %i "$r/data/hard")" ]
	[ "$(readlink "$r/data/link")" = file ]
	[ "$(stat -c %a:%u:%g "$r/data/private")" = 700:1000:1000 ]
	[ -u "$r/data/suid" ]
	[ -p "$r/data/fifo" ]
	run -0 python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.box").decode())' \
		"$r/data/xattr"
	[ "$output" = yes ]
}

@test "fixtures: index has linux/amd64 and linux/arm64" {
	run -0 skopeo inspect --raw "oci:$FIXTURES/index:latest"
	[ "$(jq -r .mediaType <<<"$output")" = application/vnd.oci.image.index.v1+json ]
	[ "$(jq -r '[.manifests[].platform.architecture] | join(",")' <<<"$output")" = amd64,arm64 ]
	run -0 skopeo inspect --override-arch arm64 "oci:$FIXTURES/index:latest"
	jq -e '.Env | index("ARCH=arm64")' <<<"$output"
	run -0 skopeo inspect --override-arch amd64 "oci:$FIXTURES/index:latest"
	jq -e '.Env | index("ARCH=amd64")' <<<"$output"
	# umoci finds two manifests under "latest" ("tag is ambiguous"): check each
	local a
	for a in amd64 arm64; do
		run -0 skopeo copy -q --override-arch "$a" "oci:$FIXTURES/index:latest" \
			"oci:$BATS_TEST_TMPDIR/one:$a"
		run -0 umoci stat --image "$BATS_TEST_TMPDIR/one:$a"
	done
}

@test "fixture_digest, fixture_manifest_digest, fixture_image_id" {
	local idx
	[ "$(fixture_manifest_digest small)" = "$(fixture_digest small)" ]
	run -0 skopeo inspect --config "oci:$FIXTURES/multi:latest"
	[ "sha256:$(sha256sum <"$FIXTURES/multi/blobs/sha256/$(fixture_image_id multi | cut -d: -f2)" |
		cut -d' ' -f1)" = "$(fixture_image_id multi)" ]
	idx=$(fixture_digest index)
	[ "$(jq -r .manifests[1].digest "$FIXTURES/index/blobs/sha256/${idx#sha256:}")" = \
		"$(fixture_manifest_digest index arm64)" ]
	[ "$(fixture_image_id index amd64)" != "$(fixture_image_id index arm64)" ]
	run ! fixture_manifest_digest index s390x
}

@test "fixtures are reproducible" {
	run -0 sh "$TESTS_DIR/fixtures/mkimage.sh" "$BATS_TEST_TMPDIR/again"
	run -0 diff -r "$FIXTURES/small" "$BATS_TEST_TMPDIR/again/small"
	run -0 diff -r "$FIXTURES/multi" "$BATS_TEST_TMPDIR/again/multi"
	run -0 diff -r "$FIXTURES/index" "$BATS_TEST_TMPDIR/again/index"
}

@test "registry_push: skopeo reads the image back from the registry" {
	registry_push small harness/small:v1
	run -0 skopeo inspect --tls-verify=false "docker://$REGISTRY/harness/small:v1"
	[ "$(jq -r .Digest <<<"$output")" = "$(fixture_digest small)" ]
	registry_push index harness/index:latest
	run -0 skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/harness/index:latest"
	[ "$(jq -r '.manifests | length' <<<"$output")" = 2 ]
	run -0 curl -sf "http://$REGISTRY/v2/harness/index/manifests/latest" \
		-H 'Accept: application/vnd.oci.image.index.v1+json' -o /dev/null -w '%{http_code}'
}

@test "auth registry refuses without credentials, accepts with them" {
	run -0 curl -s -o /dev/null -w '%{http_code}' "http://$AUTH_REGISTRY/v2/"
	[ "$output" = 401 ]
	run -0 curl -s -o /dev/null -w '%{http_code}' -u "$AUTH_USER:$AUTH_PASS" "http://$AUTH_REGISTRY/v2/"
	[ "$output" = 200 ]
	run ! skopeo copy -q --dest-tls-verify=false "oci:$FIXTURES/small:latest" \
		"docker://$AUTH_REGISTRY/harness/small:nocreds"
	registry_push_auth small harness/small:v1
	run ! skopeo inspect --tls-verify=false "docker://$AUTH_REGISTRY/harness/small:v1"
	run -0 skopeo inspect --tls-verify=false --creds "$AUTH_USER:$AUTH_PASS" \
		"docker://$AUTH_REGISTRY/harness/small:v1"
}

@test "store_add puts a fixture in BOX_ROOT/images" {
	store_add small docker.io/library/small:latest
	store_add index docker.io/library/index:latest
	run -0 skopeo inspect "oci:$BOX_ROOT/images:docker.io/library/small:latest"
	[ "$(jq -r .Digest <<<"$output")" = "$(fixture_digest small)" ]
	run -0 jq -r '.manifests[].annotations["org.opencontainers.image.ref.name"]' \
		"$BOX_ROOT/images/index.json"
	[ "$output" = "docker.io/library/small:latest
docker.io/library/index:latest" ]
	run -0 skopeo inspect --config "oci:$BOX_ROOT/images:docker.io/library/index:latest"
	[ "$(jq -r .architecture <<<"$output")" = amd64 ]
}

@test "box_teardown unmounts, kills and removes what a test left" {
	skip_unless_root
	local d=$BATS_TEST_TMPDIR/t
	mkdir -p "$d/m/inner" "$d/cwd"
	mount -t tmpfs tmpfs "$d/m"
	mkdir -p "$d/m/inner"
	mount -t tmpfs tmpfs "$d/m/inner"
	echo keep >"$d/m/inner/f"
	(cd "$d/cwd" && exec sleep 300) </dev/null >/dev/null 2>&1 3>&- &
	local p1=$!
	sleep 300 </dev/null >/dev/null 2>&1 3>&- 9>"$d/held" &
	local p2=$!
	# a container: its own mount namespace, pivot_root into an overlay
	mkdir -p "$d/lower" "$d/upper" "$d/work" "$d/rootfs"
	tar -xzf "$FIXTURES/small/blobs/sha256/$(jq -r '.layers[0].digest' \
		"$FIXTURES/small/blobs/sha256/$(fixture_digest small | cut -d: -f2)" | cut -d: -f2)" -C "$d/lower"
	mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" "$d/rootfs"
	unshare -m --propagation private sh -c 'cd "$1" && mkdir -p old && pivot_root . old &&
		umount -l /old && exec /bin/sleep 300' sh "$d/rootfs" </dev/null >/dev/null 2>&1 3>&- &
	local p3=$!
	for _ in $(seq 50); do
		[[ $(readlink "/proc/$p3/exe" 2>/dev/null) == /bin/busybox ]] && break
		sleep 0.1
	done
	[[ $(readlink "/proc/$p3/root") == / ]]
	box_teardown
	run ! kill -0 "$p3" 2>/dev/null
	run ! kill -0 "$p1" 2>/dev/null
	run ! kill -0 "$p2" 2>/dev/null
	run ! grep -qF "$d" /proc/self/mountinfo
	[ -d "$BATS_TEST_TMPDIR" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR")" ]
}

@test "conformance_or_skip names the missing path" {
	skip () { echo "skipped: $*"; }
	CONFORMANCE=$BATS_TEST_TMPDIR/nope
	run -0 conformance_or_skip images
	[ "$output" = "skipped: conformance material absent at $BATS_TEST_TMPDIR/nope/images" ]
	CONFORMANCE=$BATS_TEST_TMPDIR
	run -0 conformance_or_skip
	[ -z "$output" ]
}
