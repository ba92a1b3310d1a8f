#!/usr/bin/env bats
# img-push: images of the store to a real docker-registry (plain and
# htpasswd), read back by skopeo (an independent client) and by img-fetch.

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
	[[ -n ${FAKEREG_PID-} ]] && kill "$FAKEREG_PID" 2>/dev/null
	box_teardown
}

# the manifest digest the store's tag REF points at
store_digest () {
	jq -r --arg r "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $r) | .digest' \
		"$BOX_ROOT/images/index.json"
}

# short ids of FIXTURE's layers as docker push shows them (diff_ids), top first
layer_ids () {
	local dir=$FIXTURES/$1 m c
	m=$(fixture_manifest_digest "$1")
	c=$(jq -r .config.digest "$dir/blobs/sha256/${m#sha256:}")
	jq -r '.rootfs.diff_ids | reverse | .[]' "$dir/blobs/sha256/${c#sha256:}" | cut -c8-19
}

@test "usage errors exit 2; a digest reference is refused" {
	run -2 img-push
	[[ $output == *"usage: img-push"* ]]
	run -2 img-push a b
	run -2 img-push --bogus a
	run --separate-stderr -2 img-push "a@sha256:$(printf '%064d' 0)"
	[[ $stderr == "img-push: a@sha256:$(printf '%064d' 0): cannot push a digest reference" ]]
	run --separate-stderr -2 img-push 'a/UPPER'
	[[ $stderr == "img-push: "* ]]
}

@test "an image the store has not under that tag exits 3, as docker push says it" {
	store_add small docker.io/library/small:latest
	run --separate-stderr -3 img-push "$REGISTRY/small"
	[[ $stderr == "img-push: An image does not exist locally with the tag: $REGISTRY/small" ]]
	[[ -z $output ]]
	# an image id is not a tag
	run -3 img-push "$(fixture_image_id small | cut -c8-19)"
}

@test "push small: the digest on stdout; skopeo reads the same image back" {
	store_add small docker.io/library/small:latest
	img-list tag small "$REGISTRY/pushed/small:v1"
	run --separate-stderr -0 img-push "$REGISTRY/pushed/small:v1"
	[[ $output == "$(store_digest "$REGISTRY/pushed/small:v1")" && -z $stderr ]]
	run -0 skopeo inspect --tls-verify=false "docker://$REGISTRY/pushed/small:v1"
	[[ $(jq -r .Digest <<<"$output") == "$(store_digest "$REGISTRY/pushed/small:v1")" ]]
	[[ $(jq -r '.Labels | length' <<<"$output") -gt 0 ]]
	# every blob verified by a full copy, and by our own pull into a fresh store
	skopeo copy -q --src-tls-verify=false "docker://$REGISTRY/pushed/small:v1" "oci:$BATS_TEST_TMPDIR/copy:v1"
	run -0 img-fetch -q --root "$BATS_TEST_TMPDIR/root2" "$REGISTRY/pushed/small:v1"
	[[ $output == "$(store_digest "$REGISTRY/pushed/small:v1")" ]]
}

@test "--docker: docker push's lines; a second push finds every layer there" {
	local ids id
	store_add multi docker.io/library/multi:latest
	img-list tag multi "$REGISTRY/pushed/multi:2"
	ids=$(layer_ids multi)
	run --separate-stderr -0 img-push --docker "$REGISTRY/pushed/multi:2"
	[[ ${lines[0]} == "The push refers to repository [$REGISTRY/pushed/multi]" ]]
	for id in $ids; do
		[[ $output == *"$id: Preparing"* && $output == *"$id: Pushed"* ]]
	done
	[[ ${lines[-1]} == "2: digest: $(store_digest "$REGISTRY/pushed/multi:2") size: "[0-9]* ]]
	run -0 img-push --docker "$REGISTRY/pushed/multi:2"
	[[ $(grep -c ': Layer already exists$' <<<"$output") == "$(wc -l <<<"$ids")" ]]
	run -0 img-push --docker -q "$REGISTRY/pushed/multi:2"
	[[ $output == "$REGISTRY/pushed/multi:2" ]]
	skopeo copy -q --src-tls-verify=false "docker://$REGISTRY/pushed/multi:2" "oci:$BATS_TEST_TMPDIR/copy:2"
}

@test "another repository of the registry with the layers: they are mounted, not sent" {
	local ids id
	store_add small docker.io/library/small:latest
	img-list tag small "$REGISTRY/mnt/a:1"
	img-list tag small "$REGISTRY/mnt/b:1"
	img-push -q "$REGISTRY/mnt/a:1" >/dev/null
	ids=$(layer_ids small)
	run -0 img-push --docker "$REGISTRY/mnt/b:1"
	for id in $ids; do
		[[ $output == *"$id: Mounted from mnt/a"* ]]
	done
	grep -q 'method=POST.*uri="/v2/mnt/b/blobs/uploads/?mount=sha256' "$REGISTRY_DIR/registry.log"
	skopeo copy -q --src-tls-verify=false "docker://$REGISTRY/mnt/b:1" "oci:$BATS_TEST_TMPDIR/copy:1"
}

@test "basic auth: none is unauthorized (exit 1), config.json's credentials push" {
	store_add small docker.io/library/small:latest
	img-list tag small "$AUTH_REGISTRY/small:auth"
	run --separate-stderr -1 img-push "$AUTH_REGISTRY/small:auth"
	[[ $stderr == "img-push: $AUTH_REGISTRY/small:auth: blob sha256:"*": unauthorized: authentication required" ]]
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$AUTH_REGISTRY" "$(printf '%s:%s' "$AUTH_USER" "$AUTH_PASS" | base64)" \
		>"$DOCKER_CONFIG/config.json"
	run -0 img-push "$AUTH_REGISTRY/small:auth"
	run -0 skopeo inspect --tls-verify=false --creds "$AUTH_USER:$AUTH_PASS" "docker://$AUTH_REGISTRY/small:auth"
	[[ $(jq -r .Digest <<<"$output") == "$(store_digest "$AUTH_REGISTRY/small:auth")" ]]
}

@test "an unreachable registry exits 5 naming it" {
	store_add small docker.io/library/small:latest
	img-list tag small 127.0.0.1:1/small:x
	run --separate-stderr -5 img-push 127.0.0.1:1/small:x
	[[ $stderr == "img-push: 127.0.0.1:1/small:x: blob sha256:"*": registry 127.0.0.1:1: "* ]]
}

@test "Bearer: the pull token does not push; the challenge's push scope gets one that does" {
	local m
	fakereg_start
	echo sekrit >"$FAKE/token"
	printf u:p >"$FAKE/creds"
	store_add small docker.io/library/small:latest
	img-list tag small "$FAKEREG/app:1"
	run --separate-stderr -1 img-push "$FAKEREG/app:1"
	[[ $stderr == "img-push: $FAKEREG/app:1: blob sha256:"*": unauthorized: incorrect username or password" ]]
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$FAKEREG" "$(printf u:p | base64)" >"$DOCKER_CONFIG/config.json"
	run -0 img-push "$FAKEREG/app:1"
	m=$(store_digest "$FAKEREG/app:1")
	[[ $output == "$m" ]]
	# the registry got the manifest's very bytes and every blob, digests checked
	cmp "$FAKE/manifests/1" "$BOX_ROOT/images/blobs/sha256/${m#sha256:}"
	for d in $(jq -r '.config.digest, .layers[].digest' "$FAKE/manifests/1"); do
		cmp "$FAKE/blobs/$d" "$BOX_ROOT/images/blobs/sha256/${d#sha256:}"
	done
	grep -q 'scope=repository%3Aapp%3Apull%2Cpush' "$FAKE/requests.log" || grep -q 'scope=repository:app:pull,push' "$FAKE/requests.log"
	# and img-fetch reads it back from there
	run -0 img-fetch -q --root "$BATS_TEST_TMPDIR/root2" "$FAKEREG/app:1"
	[[ $output == "$m" ]]
}

@test "-a pushes every tag of the repository, the repository line once; a tag with -a exits 2" {
	store_add small docker.io/library/small:latest
	store_add multi docker.io/library/multi:latest
	img-list tag small "$REGISTRY/all/x:a"
	img-list tag multi "$REGISTRY/all/x:b"
	img-list tag multi "$REGISTRY/all/other:c"
	run --separate-stderr -0 img-push --docker -a "$REGISTRY/all/x"
	[[ $(grep -c '^The push refers to repository' <<<"$output") == 1 && $output != *"Using default tag"* ]]
	[[ $output == *"a: digest: $(store_digest "$REGISTRY/all/x:a") size: "* ]]
	[[ ${lines[-1]} == "b: digest: $(store_digest "$REGISTRY/all/x:b") size: "* ]]
	run -0 skopeo list-tags --tls-verify=false "docker://$REGISTRY/all/x"
	[[ $(jq -c '.Tags | sort' <<<"$output") == '["a","b"]' ]]
	run -1 skopeo inspect --tls-verify=false "docker://$REGISTRY/all/other:c"
	[[ $output == *"manifest unknown"* ]]
	run --separate-stderr -2 img-push -a "$REGISTRY/all/x:a"
	[[ $stderr == "img-push: $REGISTRY/all/x:a: tag can't be used with --all-tags/-a" ]]
	run -3 img-push -a "$REGISTRY/all/none"
}
