#!/usr/bin/env bats
# box push: what docker push prints, against a real registry; skopeo reads
# the image back

load ../helpers

setup_file () {
	registry_start
}

teardown_file () {
	registry_stop
}

setup () {
	box_setup
	store_add multi docker.io/library/multi:latest
}

teardown () {
	box_teardown
}

@test "box push prints Docker's lines; skopeo copies the image back" {
	local m c ids id
	m=$(fixture_manifest_digest multi)
	c=$(jq -r .config.digest "$FIXTURES/multi/blobs/sha256/${m#sha256:}")
	ids=$(jq -r '.rootfs.diff_ids | reverse | .[][7:19]' "$FIXTURES/multi/blobs/sha256/${c#sha256:}")
	box tag multi "$REGISTRY/boxpush/multi"
	run -0 --separate-stderr box push "$REGISTRY/boxpush/multi"
	[[ ${lines[0]} == "Using default tag: latest" ]]
	[[ ${lines[1]} == "The push refers to repository [$REGISTRY/boxpush/multi]" ]]
	for id in $ids; do
		grep -qx "$id: Preparing" <<<"$output"
		grep -qx "$id: Pushed" <<<"$output"
	done
	[[ ${lines[-1]} == "latest: digest: $m size: $(stat -c %s "$FIXTURES/multi/blobs/sha256/${m#sha256:}")" ]]
	[[ -z $stderr ]]
	skopeo copy -q --src-tls-verify=false "docker://$REGISTRY/boxpush/multi:latest" "oci:$BATS_TEST_TMPDIR/back:latest"
	[[ $(skopeo inspect --tls-verify=false "docker://$REGISTRY/boxpush/multi" | jq -r .Digest) == "$m" ]]
	# again: every layer is there
	run -0 box push "$REGISTRY/boxpush/multi:latest"
	[[ $(grep -c ': Layer already exists$' <<<"$output") == "$(wc -l <<<"$ids")" ]]
	[[ $output != *"Using default tag"* ]]
}

@test "box push -q prints the name; a missing tag exits 1 with Docker's words" {
	box tag multi "$REGISTRY/boxpush/q:1"
	run -0 box push -q "$REGISTRY/boxpush/q:1"
	[[ $output == "$REGISTRY/boxpush/q:1" ]]
	run --separate-stderr -1 box push -q "$REGISTRY/boxpush/none:1"
	[[ -z $output && $stderr == "An image does not exist locally with the tag: $REGISTRY/boxpush/none" ]]
	# the daemon's lines first, its error bare, as docker push's stream
	run --separate-stderr -1 box push "$REGISTRY/boxpush/none"
	[[ $output == "Using default tag: latest"$'\n'"The push refers to repository [$REGISTRY/boxpush/none]" ]]
	[[ $stderr == "An image does not exist locally with the tag: $REGISTRY/boxpush/none" ]]
	run --separate-stderr -1 box push nope
	[[ ${lines[1]} == "The push refers to repository [docker.io/library/nope]" ]]
	[[ $stderr == "An image does not exist locally with the tag: nope" ]]
}
