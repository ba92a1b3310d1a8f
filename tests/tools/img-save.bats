#!/usr/bin/env bats
# img-save: images of the store to a docker save archive (Docker 25's
# layout: OCI layout + manifest.json) or an OCI archive; read back with
# skopeo, an independent client, and with img-load.

load ../helpers

setup () {
	box_setup
	store_add small docker.io/library/small:latest
	A=$BATS_TEST_TMPDIR/a.tar
}

teardown () {
	box_teardown
}

# the store's manifest and config digests for REF
manifest_of () { skopeo inspect --raw "oci:$BOX_ROOT/images:$1" | sha256sum | sed 's/^/sha256:/; s/ .*//'; }
config_of () { skopeo inspect --raw "oci:$BOX_ROOT/images:$1" | jq -r .config.digest; }

@test "usage errors exit 2" {
	run -2 img-save -o "$A"
	[[ $output == *"usage: img-save"* ]]
	run --separate-stderr -2 img-save --format tar -o "$A" small
	[[ $stderr == "img-save: --format: want docker or oci, not 'tar'" ]]
	[[ ! -e $A ]]
}

@test "refuses to write to a terminal" {
	command -v script >/dev/null || skip "script(1) absent"
	run script -qec "img-save small" /dev/null
	[[ $output == *"img-save: cowardly refusing to save to a terminal. Use the -o flag or redirect"* ]]
}

@test "an unknown image: exit 3, no file left" {
	run --separate-stderr -3 img-save -o "$A" small nosuch
	[[ $stderr == "img-save: No such image: nosuch" ]]
	[[ -z $(ls "$BATS_TEST_TMPDIR" | grep a.tar) ]]
}

@test "docker format: Docker 25's layout with uncompressed layers matching the diff_ids" {
	run -0 img-save -o "$A" small
	[[ -z $output ]]
	run -0 tar -tf "$A"
	[[ $output == *"manifest.json"* && $output == *"index.json"* && $output == *"oci-layout"* && $output == *"repositories"* ]]
	local m cfg
	m=$(tar -xOf "$A" manifest.json)
	[[ $(jq -r '.[0].RepoTags[0]' <<<"$m") == small:latest ]]
	cfg=$(jq -r '.[0].Config' <<<"$m")
	[[ "sha256:${cfg#blobs/sha256/}" == $(config_of docker.io/library/small:latest) ]]
	tar -xOf "$A" "$cfg" | jq -r '.rootfs.diff_ids[]' >"$BATS_TEST_TMPDIR/ids"
	jq -r '.[0].Layers[]' <<<"$m" | while read -r l; do
		echo "sha256:$(tar -xOf "$A" "$l" | sha256sum | cut -d' ' -f1)"
		tar -xOf "$A" "$l" | tar -t >/dev/null # a plain tar
	done >"$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/ids" "$BATS_TEST_TMPDIR/got"
	tar -xOf "$A" index.json | jq -e '.manifests[0].annotations == {"io.containerd.image.name": "docker.io/library/small:latest", "org.opencontainers.image.ref.name": "latest"}'
	tar -xOf "$A" repositories | jq -e '.small.latest'
}

@test "skopeo reads both formats; skopeo copy docker-archive: to oci: works" {
	img-save -o "$A" small
	img-save --format oci -o "$BATS_TEST_TMPDIR/o.tar" small
	run -0 skopeo inspect "docker-archive:$A"
	[[ $(jq -r .Architecture <<<"$output") == amd64 ]]
	run -0 skopeo inspect "oci-archive:$A"
	run -0 skopeo inspect "oci-archive:$BATS_TEST_TMPDIR/o.tar"
	[[ $(jq -r .Digest <<<"$output") == $(manifest_of docker.io/library/small:latest) ]]
	skopeo copy -q "docker-archive:$A" "oci:$BATS_TEST_TMPDIR/copy:x"
	[[ $(skopeo inspect --raw "oci:$BATS_TEST_TMPDIR/copy:x" | jq -r .config.digest) == $(config_of docker.io/library/small:latest) ]]
}

@test "oci format keeps the stored blobs and manifest as they are" {
	run -0 img-save --format oci -o "$A" small
	run -0 tar -tf "$A"
	[[ $output != *manifest.json* ]]
	[[ $(tar -xOf "$A" index.json | jq -r '.manifests[0].digest') == $(manifest_of docker.io/library/small:latest) ]]
	for b in $(tar -tf "$A" | grep 'blobs/sha256/.'); do
		cmp <(tar -xOf "$A" "$b") "$BOX_ROOT/images/$b"
	done
}

@test "round trip: save then load into a fresh root gives the same image id and tag" {
	store_add multi docker.io/library/multi:v1
	local f root
	for f in docker oci; do
		img-save --format "$f" -o "$A" small multi:v1
		root=$BATS_TEST_TMPDIR/r-$f
		BOX_ROOT=$root run -0 img-load -i "$A"
		[[ $output == $'Loaded image: small:latest\nLoaded image: multi:v1' ]]
		[[ $(BOX_ROOT=$root config_of docker.io/library/multi:v1) == $(config_of docker.io/library/multi:v1) ]]
		[[ $(BOX_ROOT=$root config_of docker.io/library/small:latest) == $(config_of docker.io/library/small:latest) ]]
	done
	# the OCI archive keeps even the manifest digest
	[[ $(BOX_ROOT=$BATS_TEST_TMPDIR/r-oci manifest_of docker.io/library/multi:v1) == $(manifest_of docker.io/library/multi:v1) ]]
	# and a docker archive saved from a loaded docker archive is the same bytes
	BOX_ROOT=$BATS_TEST_TMPDIR/r-docker img-save -o "$BATS_TEST_TMPDIR/b.tar" small multi:v1
	img-save -o "$A" small multi:v1
	cmp "$A" "$BATS_TEST_TMPDIR/b.tar"
}

@test "stdout when redirected; two names of one image share an entry; an id is untagged" {
	img-list tag small other:1 2>/dev/null || skopeo copy -q "oci:$BOX_ROOT/images:docker.io/library/small:latest" "oci:$BOX_ROOT/images:docker.io/library/other:1"
	img-save small other:1 >"$A"
	[[ $(tar -xOf "$A" manifest.json | jq -c '[.[].RepoTags]') == '[["small:latest","other:1"]]' ]]
	[[ $(tar -xOf "$A" index.json | jq '.manifests | length') == 2 ]]
	local id
	id=$(config_of docker.io/library/small:latest)
	img-save "${id:7:12}" >"$A"
	[[ $(tar -xOf "$A" manifest.json | jq -c '.[0].RepoTags') == null ]]
	run -0 img-load -i "$A"
	[[ $output == "Loaded image ID: $id" ]]
}

@test "a stored layer that does not match its diff_id: exit 1, no archive left" {
	local l
	l=$(skopeo inspect --raw "oci:$BOX_ROOT/images:docker.io/library/small:latest" | jq -r '.layers[0].digest')
	chmod u+w "$BOX_ROOT/images/blobs/sha256/${l#sha256:}"
	# another valid gzip stream with the wrong content
	echo hello | gzip >"$BOX_ROOT/images/blobs/sha256/${l#sha256:}"
	run --separate-stderr -1 img-save -o "$A" small
	[[ $stderr == "img-save: image small: layer $l: uncompressed content has digest sha256:"*", config says sha256:"* ]]
	[[ -z $(ls "$BATS_TEST_TMPDIR" | grep a.tar) ]]
	[[ -z $(ls "$BOX_ROOT/tmp") ]]
}
