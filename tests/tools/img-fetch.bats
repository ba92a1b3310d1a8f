#!/usr/bin/env bats
# img-fetch: pulls from a real docker-registry (plain and htpasswd) and from
# tests/fixtures/fakereg.py, which serves crafted documents and Bearer tokens.

load ../helpers

setup_file () {
	registry_start
	registry_start_auth
	registry_push small small:latest
	registry_push multi multi:latest
	registry_push index index:latest
	registry_push_auth small small:latest
	# big: one 3 MB layer of random bytes, for the full-disk tests
	local big=$BATS_FILE_TMPDIR/big
	umoci init --layout "$big" && umoci new --image "$big:latest" &&
		head -c 3000000 /dev/urandom >"$BATS_FILE_TMPDIR/bigfile" &&
		umoci insert --image "$big:latest" "$BATS_FILE_TMPDIR/bigfile" /big >/dev/null &&
		registry_push "$big" big:latest
}

teardown_file () {
	registry_stop
}

setup () {
	box_setup
}

teardown () {
	[[ -n ${FAKEREG_PID-} ]] && kill "$FAKEREG_PID" 2>/dev/null
	# the small state directories of the full-disk tests (box_teardown
	# would unmount them too; said here, where they are made)
	mountpoint -q "$BOX_ROOT" && { umount "$BOX_ROOT" || umount -l "$BOX_ROOT"; }
	box_teardown
}

# small_root SIZE: BOX_ROOT on a tmpfs of SIZE (teardown unmounts it)
small_root () {
	mkdir -p "$BOX_ROOT"
	mount -t tmpfs -o size="$1" box-full "$BOX_ROOT"
	img-list >/dev/null # an empty store
}

# wait_partial KB: until a partial blob of at least KB KiB is in tmp/ingest
wait_partial () {
	for _ in $(seq 200); do
		[[ -n $(find "$BOX_ROOT/tmp/ingest" -type f -size +"$1"k 2>/dev/null) ]] && return 0
		sleep 0.05
	done
	echo "no partial blob of $1 KiB" >&2
	return 1
}

# fake_image FIXTURE TAG: the fixture's manifest and blobs, served as TAG
fake_image () {
	local dir=$FIXTURES/$1 b
	cp "$dir/blobs/sha256/$(fixture_digest "$1" | cut -d: -f2)" "$FAKE/manifests/$2"
	for b in "$dir"/blobs/sha256/*; do
		cp "$b" "$FAKE/blobs/sha256:${b##*/}"
	done
}

# snapshot: index.json and the blob list, to show a store is unchanged
snapshot () {
	cat "$BOX_ROOT/images/index.json" 2>/dev/null
	ls "$BOX_ROOT/images/blobs/sha256" 2>/dev/null
}

# blob_gets LOG: how many blob GETs docker-registry has logged
blob_gets () {
	grep -c 'method=GET.*uri="/v2/[^"]*/blobs/' "$1" || true
}

ref_digest () {
	jq -r --arg r "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $r) | .digest' \
		"$BOX_ROOT/images/index.json"
}

config_of () {
	local m
	m=$(ref_digest "$1")
	jq -r .config.digest "$BOX_ROOT/images/blobs/sha256/${m#sha256:}" | cut -d: -f2 |
		xargs -I{} cat "$BOX_ROOT/images/blobs/sha256/{}"
}

# store_complete: every blob an index.json entry reaches is in the store
store_complete () {
	local d
	for d in $(jq -r '.manifests[].digest' "$BOX_ROOT/images/index.json"); do
		_reaches "$d" || return 1
	done
}

_reaches () {
	local b=$BOX_ROOT/images/blobs/sha256 d
	[[ -f $b/${1#sha256:} ]] || {
		echo "missing blob $1" >&2
		return 1
	}
	for d in $(jq -r '(.config.digest // empty), (.layers // [])[].digest' "$b/${1#sha256:}"); do
		[[ -f $b/${d#sha256:} ]] || {
			echo "missing blob $d of $1" >&2
			return 1
		}
	done
	for d in $(jq -r '(.manifests // [])[].digest' "$b/${1#sha256:}"); do
		_reaches "$d" || return 1
	done
}

# wait_stopped PID: until PID is stopped (SIGSTOP), at most 10 s
wait_stopped () {
	for _ in $(seq 100); do
		[[ $(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) == T ]] && return 0
		sleep 0.1
	done
	echo "process $1 did not stop" >&2
	return 1
}

@test "usage errors exit 2" {
	run -2 img-fetch --bogus
	run -2 --separate-stderr img-fetch 'Not/A Ref'
	[[ $stderr == "img-fetch: invalid reference format: "* ]]
	run -2 --separate-stderr img-fetch --platform linux "$REGISTRY/small"
	[[ $stderr == *"invalid platform linux"* ]]
}

@test "pull small by tag: digest on stdout, tag in index.json, nothing on stderr" {
	run --separate-stderr img-fetch "$REGISTRY/small"
	[[ $status == 0 && $output == "$(fixture_digest small)" && -z $stderr ]]
	[[ $(ref_digest "$REGISTRY/small:latest") == "$(fixture_digest small)" ]]
	jq -e --arg r "$REGISTRY/small:latest" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $r)
		| .annotations["io.box.repo.digest"] == .digest and .mediaType == "application/vnd.oci.image.manifest.v1+json"' \
		"$BOX_ROOT/images/index.json"
	[[ -z $(ls -A "$BOX_ROOT/tmp/ingest") ]]
	skopeo inspect "oci:$BOX_ROOT/images:$REGISTRY/small:latest" >/dev/null
	umoci stat --image "$BOX_ROOT/images:$REGISTRY/small:latest" >/dev/null
}

@test "pull multi: every layer stored and verified" {
	run -0 img-fetch -q "$REGISTRY/multi:latest"
	local m=$BOX_ROOT/images/blobs/sha256/${output#sha256:} d
	for d in $(jq -r '.config.digest, .layers[].digest' "$m"); do
		[[ $(sha256sum <"$BOX_ROOT/images/blobs/sha256/${d#sha256:}" | cut -d' ' -f1) == "${d#sha256:}" ]]
	done
	[[ $(jq '.layers | length' "$m") == 3 ]]
	umoci stat --image "$BOX_ROOT/images:$REGISTRY/multi:latest" >/dev/null
}

@test "index: amd64 by default, --platform linux/arm64 picks arm64" {
	run -0 img-fetch "$REGISTRY/index"
	[[ $(config_of "$REGISTRY/index:latest" | jq -r .architecture) == amd64 ]]
	jq -e --arg d "$(fixture_digest index)" '.manifests[0].annotations["io.box.repo.digest"] == $d
		and .manifests[0].platform.architecture == "amd64"' "$BOX_ROOT/images/index.json"
	# the index itself is kept, so the repo digest resolves
	[[ -f $BOX_ROOT/images/blobs/sha256/$(fixture_digest index | cut -d: -f2) ]]
	run -0 img-fetch --platform linux/arm64 "$REGISTRY/index"
	[[ $(config_of "$REGISTRY/index:latest" | jq -r .architecture) == arm64 ]]
	skopeo inspect "oci:$BOX_ROOT/images:$REGISTRY/index:latest" | jq -e '.Architecture == "arm64"'
}

@test "index: an unknown platform is exit 3 naming those available, store unchanged" {
	mkdir -p "$BOX_ROOT"
	img-fetch -q "$REGISTRY/small" >/dev/null
	local before
	before=$(snapshot)
	run -3 --separate-stderr img-fetch --platform linux/s390x "$REGISTRY/index"
	[[ $stderr == "img-fetch: $REGISTRY/index:latest: no matching manifest for linux/s390x in the manifest list entries (available: linux/amd64, linux/arm64)" ]]
	[[ $(snapshot) == "$before" ]]
}

@test "pull by digest: the tag is repo@digest" {
	local d
	d=$(fixture_digest multi)
	run -0 img-fetch "$REGISTRY/multi@$d"
	[[ $output == "$d" ]]
	[[ $(ref_digest "$REGISTRY/multi@$d") == "$d" ]]
	skopeo inspect "oci:$BOX_ROOT/images:$REGISTRY/multi@$d" >/dev/null
	# an index by digest resolves to the platform manifest
	run -0 img-fetch "$REGISTRY/index@$(fixture_digest index)"
	[[ $output != "$(fixture_digest index)" ]]
}

@test "unknown tag and unknown repository: exit 3 naming the reference, store unchanged" {
	img-fetch -q "$REGISTRY/small" >/dev/null
	local before
	before=$(snapshot)
	run -3 --separate-stderr img-fetch "$REGISTRY/small:nope"
	[[ $stderr == "img-fetch: $REGISTRY/small:nope: manifest unknown" ]]
	run -3 --separate-stderr img-fetch "$REGISTRY/no/such/repo"
	[[ $stderr == "img-fetch: $REGISTRY/no/such/repo:latest: "* ]]
	[[ $(snapshot) == "$before" ]]
}

@test "unreachable registry: exit 5, store unchanged" {
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	img-fetch -q "$REGISTRY/small" >/dev/null
	local before
	before=$(snapshot)
	run -5 --separate-stderr img-fetch "127.0.0.1:$port/small"
	[[ $stderr == "img-fetch: 127.0.0.1:$port/small:latest: registry 127.0.0.1:$port: "*"onnect"* ]]
	[[ $(snapshot) == "$before" ]]
}

@test "--docker=run and --docker=create: the pull's lines as docker run's, errors in those verbs' words" {
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	# docker run's pull: no "Using default tag", no full reference at the end
	run -0 --separate-stderr img-fetch --docker=run "$REGISTRY/small"
	[[ ${lines[0]} == "latest: Pulling from small" && ${lines[-1]} == "Status: Downloaded newer image for $REGISTRY/small:latest" ]]
	[[ $output != *"Using default tag"* && -z $stderr ]]
	run -125 --separate-stderr img-fetch --docker=run "127.0.0.1:$port/small"
	[[ -z $output && ${stderr_lines[0]} == "box: Error response from daemon: 127.0.0.1:$port/small:latest: registry "*"." ]]
	[[ ${stderr_lines[1]} == "See 'box run --help'." && ${#stderr_lines[@]} == 2 ]]
	run -1 --separate-stderr img-fetch --docker=create "127.0.0.1:$port/small"
	[[ $stderr == "Error response from daemon: 127.0.0.1:$port/small:latest: registry "* && $stderr != *. ]]
	run -2 --separate-stderr img-fetch --docker=pull "$REGISTRY/small"
	[[ $stderr == "img-fetch: --docker=pull: run or create" ]]
}

@test "a second pull fetches no blob" {
	img-fetch -q "$REGISTRY/multi" >/dev/null
	local n
	n=$(blob_gets "$REGISTRY_DIR/registry.log")
	[[ $n -gt 0 ]]
	run -0 img-fetch "$REGISTRY/multi"
	[[ $(blob_gets "$REGISTRY_DIR/registry.log") == "$n" ]]
}

@test "several references, and references on stdin" {
	run -0 img-fetch "$REGISTRY/small" "$REGISTRY/multi"
	[[ ${lines[0]} == "$(fixture_digest small)" && ${lines[1]} == "$(fixture_digest multi)" ]]
	rm -rf "$BOX_ROOT"
	run -0 img-fetch <<<"$REGISTRY/small
$REGISTRY/multi"
	[[ ${#lines[@]} == 2 ]]
	# a failure does not stop the others; the first failure's code wins
	run -3 img-fetch "$REGISTRY/small:nope" "$REGISTRY/multi"
	[[ $(ref_digest "$REGISTRY/multi:latest") == "$(fixture_digest multi)" ]]
}

@test "basic auth: none, wrong and right credentials from config.json" {
	run -1 --separate-stderr img-fetch "$AUTH_REGISTRY/small"
	[[ $stderr == "img-fetch: $AUTH_REGISTRY/small:latest: unauthorized: authentication required" ]]
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$AUTH_REGISTRY" "$(printf '%s:wrong' "$AUTH_USER" | base64)" \
		>"$DOCKER_CONFIG/config.json"
	run -1 --separate-stderr img-fetch "$AUTH_REGISTRY/small"
	[[ $stderr == *": unauthorized: "* ]]
	[[ -z $(jq '.manifests[]' "$BOX_ROOT/images/index.json") ]]
	printf '{"auths":{"http://%s/v1/":{"auth":"%s"}}}' "$AUTH_REGISTRY" \
		"$(printf '%s:%s' "$AUTH_USER" "$AUTH_PASS" | base64)" >"$DOCKER_CONFIG/config.json"
	run -0 img-fetch "$AUTH_REGISTRY/small"
	[[ $output == "$(fixture_digest small)" ]]
}

@test "concurrent pulls of the same and of different images leave a valid store" {
	local pids=() i
	for i in 1 2 3; do
		img-fetch -q "$REGISTRY/multi" >"$BATS_TEST_TMPDIR/out.m$i" &
		pids+=($!)
		img-fetch -q "$REGISTRY/small" >"$BATS_TEST_TMPDIR/out.s$i" &
		pids+=($!)
	done
	img-fetch -q "$REGISTRY/index" &
	pids+=($!)
	for i in "${pids[@]}"; do wait "$i"; done
	[[ $(jq '.manifests | length' "$BOX_ROOT/images/index.json") == 3 ]]
	for i in small multi index; do
		skopeo inspect "oci:$BOX_ROOT/images:$REGISTRY/$i:latest" >/dev/null
	done
	umoci stat --image "$BOX_ROOT/images:$REGISTRY/multi:latest" >/dev/null
	[[ -z $(ls -A "$BOX_ROOT/tmp/ingest") ]]
}

@test "SIGKILL mid-pull leaves a valid store; the next pull resumes and completes" {
	img-fetch -q "$REGISTRY/small" >/dev/null
	local before
	before=$(snapshot)
	BOX_FETCH_RATE_LIMIT=100000 img-fetch -q "$REGISTRY/multi" &
	local pid=$!
	sleep 1.5
	kill -KILL "$pid"
	wait "$pid" || true
	[[ $(snapshot) == "$before" ]]
	# something was fetched and kept for the next pull
	[[ -n $(find "$BOX_ROOT/tmp/ingest" -type f -size +0) ]]
	run -0 img-fetch "$REGISTRY/multi"
	[[ $output == "$(fixture_digest multi)" ]]
	umoci stat --image "$BOX_ROOT/images:$REGISTRY/multi:latest" >/dev/null
	[[ -z $(ls -A "$BOX_ROOT/tmp/ingest") ]]
}

@test "fake registry: Bearer token flow, with and without credentials" {
	fakereg_start
	fake_image small latest
	echo sekrit-token >"$FAKE/token"
	run -0 img-fetch "$FAKEREG/app"
	grep -q 'GET /token?service=fakereg&scope=repository%3Aapp%3Apull range=' "$FAKE/requests.log"
	echo u:p >"$FAKE/creds"
	rm -rf "$BOX_ROOT"
	run -1 --separate-stderr img-fetch "$FAKEREG/app"
	[[ $stderr == "img-fetch: $FAKEREG/app:latest: unauthorized: incorrect username or password" ]]
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$FAKEREG" "$(printf u:p | base64)" >"$DOCKER_CONFIG/config.json"
	run -0 img-fetch "$FAKEREG/app"
	[[ $output == "$(fixture_digest small)" ]]
}

@test "fake registry: manifest digest mismatch, not JSON, unknown media type" {
	fakereg_start
	fake_image small latest
	img-fetch -q "$REGISTRY/multi" >/dev/null
	local before d
	before=$(snapshot)
	d=$(fixture_digest multi)
	echo "$d" >"$FAKE/manifests/latest.digest"
	run -1 --separate-stderr img-fetch "$FAKEREG/app"
	[[ $stderr == "img-fetch: $FAKEREG/app:latest: manifest digest mismatch: registry says $d, content has $(fixture_digest small)" ]]
	cp "$FAKE/manifests/latest" "$FAKE/manifests/$d"
	run -1 --separate-stderr img-fetch "$FAKEREG/app@$d"
	[[ $stderr == *"manifest digest mismatch: asked for $d, content has $(fixture_digest small)" ]]
	echo 'not json' >"$FAKE/manifests/bad"
	run -2 --separate-stderr img-fetch "$FAKEREG/app:bad"
	[[ $stderr == "img-fetch: $FAKEREG/app:bad: manifest is not JSON: "* ]]
	jq '.mediaType = "application/vnd.example.thing+json"' "$FAKE/manifests/latest" >"$FAKE/manifests/odd"
	run -2 --separate-stderr img-fetch "$FAKEREG/app:odd"
	[[ $stderr == "img-fetch: $FAKEREG/app:odd: unsupported manifest media type application/vnd.example.thing+json" ]]
	jq 'del(.mediaType)' "$FAKE/manifests/latest" >"$FAKE/manifests/v1"
	echo application/vnd.docker.distribution.manifest.v1+prettyjws >"$FAKE/manifests/v1.type"
	run -2 --separate-stderr img-fetch "$FAKEREG/app:v1"
	[[ $stderr == *": unsupported manifest media type application/vnd.docker.distribution.manifest.v1+prettyjws" ]]
	[[ $(snapshot) == "$before" ]]
}

@test "fake registry: a layer with the wrong content stores nothing" {
	fakereg_start
	fake_image small latest
	local layer before
	layer=$(jq -r '.layers[0].digest' "$FAKE/manifests/latest")
	head -c "$(stat -c %s "$FAKE/blobs/$layer")" /dev/zero >"$FAKE/blobs/$layer"
	mkdir -p "$BOX_ROOT"
	img-fetch -q "$REGISTRY/multi" >/dev/null
	before=$(snapshot)
	run -1 --separate-stderr img-fetch "$FAKEREG/app"
	[[ $stderr == "img-fetch: $FAKEREG/app:latest: blob $layer: digest mismatch: content has sha256:"* ]]
	[[ $(snapshot) == "$before" ]]
}

@test "fake registry: a kept prefix is resumed with Range; a 200 answer and a bad prefix restart" {
	fakereg_start
	fake_image small latest
	local layer hex size
	layer=$(jq -r '.layers[0].digest' "$FAKE/manifests/latest")
	hex=${layer#sha256:}
	size=$(stat -c %s "$FAKE/blobs/$layer")
	mkdir -p "$BOX_ROOT/tmp/ingest"
	head -c 1000 "$FAKE/blobs/$layer" >"$BOX_ROOT/tmp/ingest/$hex"
	run -0 img-fetch "$FAKEREG/app"
	grep -q "GET /v2/app/blobs/$layer range=bytes=1000-" "$FAKE/requests.log"
	# the registry ignores Range: start over
	rm -rf "$BOX_ROOT"
	mkdir -p "$BOX_ROOT/tmp/ingest"
	head -c 1000 "$FAKE/blobs/$layer" >"$BOX_ROOT/tmp/ingest/$hex"
	touch "$FAKE/norange"
	run -0 img-fetch "$FAKEREG/app"
	rm "$FAKE/norange"
	# a prefix that is wrong: the resumed blob mismatches, fetched again whole
	rm -rf "$BOX_ROOT"
	mkdir -p "$BOX_ROOT/tmp/ingest"
	head -c 1000 /dev/zero >"$BOX_ROOT/tmp/ingest/$hex"
	: >"$FAKE/requests.log"
	run -0 img-fetch "$FAKEREG/app"
	grep -q "GET /v2/app/blobs/$layer range=bytes=1000-" "$FAKE/requests.log"
	grep -q "GET /v2/app/blobs/$layer range=\$" "$FAKE/requests.log"
	[[ $(stat -c %s "$BOX_ROOT/images/blobs/sha256/$hex") == "$size" ]]
}

@test "gc between a pull's blobs and its tag: the pin keeps them (gc exits 4)" {
	local pid
	BOX_TEST_STOP_BEFORE_TAG=1 img-fetch -q "$REGISTRY/multi" >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	wait_stopped "$pid"
	# the blobs are stored and nothing names them yet: gc must keep off
	[[ -n $(ls "$BOX_ROOT/images/blobs/sha256") ]]
	run --separate-stderr -4 img-list gc
	[[ $stderr == "img-list: image store: gc: blobs are being added" ]]
	kill -CONT "$pid"
	wait "$pid"
	[[ $(cat "$BATS_TEST_TMPDIR/out") == "$(fixture_digest multi)" ]]
	store_complete
	umoci stat --image "$BOX_ROOT/images:$REGISTRY/multi:latest" >/dev/null
}

@test "rmi while a pull reuses the blobs of the image removed: they stay" {
	local pid dg
	dg=$(fixture_digest small)
	img-fetch -q "$REGISTRY/small" >/dev/null
	# the same image by digest: every blob is found present, none fetched
	BOX_TEST_STOP_BEFORE_TAG=1 img-fetch -q "$REGISTRY/small@$dg" >/dev/null &
	pid=$!
	wait_stopped "$pid"
	run --separate-stderr -0 img-list rm "$REGISTRY/small"
	[[ ${lines[0]} == "Untagged: $REGISTRY/small:latest" ]]
	[[ $stderr == *"blobs are being added; blobs kept"* ]]
	kill -CONT "$pid"
	wait "$pid"
	[[ $(ref_digest "$REGISTRY/small@$dg") == "$dg" ]]
	store_complete
	skopeo inspect "oci:$BOX_ROOT/images:$REGISTRY/small@$dg" >/dev/null
}

@test "gc and rmi over and over while pulls run: the store stays complete" {
	local pids=() gcpid i
	img-fetch -q "$REGISTRY/small" >/dev/null
	(
		while :; do
			img-list rm "$REGISTRY/small" >/dev/null 2>&1 || :
			img-list gc >/dev/null 2>&1 || :
			img-fetch -q "$REGISTRY/small" >/dev/null 2>&1 || :
		done
	) &
	gcpid=$!
	for i in 1 2 3 4 5 6; do
		img-fetch -q "$REGISTRY/multi" "$REGISTRY/index" >/dev/null &
		pids+=($!)
		img-list tag "$REGISTRY/multi" "t$i" 2>/dev/null || true
	done
	for i in "${pids[@]}"; do wait "$i"; done
	kill "$gcpid"
	wait "$gcpid" || true
	store_complete
	img-list gc >/dev/null
	store_complete
}

# in_hosts CMD...: run CMD in a private mount namespace whose /etc/hosts
# also names 127.0.0.1 boxreg.test
in_hosts () {
	printf '127.0.0.1 localhost\n127.0.0.1 boxreg.test\n' >"$BATS_TEST_TMPDIR/hosts"
	# shellcheck disable=SC2016 # the inner sh expands them
	unshare --mount --propagation private \
		sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$BATS_TEST_TMPDIR/hosts" "$@"
}

@test "a registry named by a host name: HTTPS unless --insecure or BOX_INSECURE_REGISTRIES names it" {
	skip_unless_root
	local reg=boxreg.test:${REGISTRY##*:}
	run --separate-stderr -5 in_hosts img-fetch -q "$reg/small"
	[[ $stderr == "img-fetch: $reg/small:latest: registry $reg: server gave HTTP response to HTTPS client (plain HTTP only with --insecure $reg)" ]]
	[[ -z $output && $(jq '.manifests | length' "$BOX_ROOT/images/index.json") == 0 ]]
	# another host named is no licence for this one
	run -5 in_hosts img-fetch -q --insecure other.test "$reg/small"
	run -0 in_hosts img-fetch -q --insecure "$reg" "$reg/small"
	[[ $output == "$(fixture_digest small)" ]]
	# the host alone (any port) or host:port, among others, in the variable
	BOX_INSECURE_REGISTRIES="other.test, boxreg.test" run -0 in_hosts img-fetch -q "$reg/multi"
	[[ $output == "$(fixture_digest multi)" ]]
	BOX_INSECURE_REGISTRIES="$reg" run -0 in_hosts img-fetch -q "$reg/index"
	[[ $(ref_digest "$reg/index:latest") == "$(fixture_manifest_digest index)" ]]
}

@test "a full disk: one line naming the reference and the cause, exit 5, store unchanged" {
	skip_unless_root
	local before
	small_root 256k
	before=$(snapshot)
	run --separate-stderr -5 img-fetch -q "$REGISTRY/multi"
	[[ $stderr == "img-fetch: $REGISTRY/multi:latest: blob sha256:"*": No space left on device" ]]
	[[ $(wc -l <<<"$stderr") == 1 && -z $output ]]
	[[ $(snapshot) == "$before" ]]
	# what it fetched cannot be resumed into a full disk: it is gone
	[[ -z $(ls -A "$BOX_ROOT/tmp/ingest") ]]
}

@test "a pull that runs out of space leaves room: the next pull of a smaller image works" {
	skip_unless_root
	small_root 2m
	run --separate-stderr -5 img-fetch -q "$REGISTRY/big"
	[[ $stderr == "img-fetch: $REGISTRY/big:latest: blob sha256:"*": No space left on device" ]]
	[[ -z $(ls -A "$BOX_ROOT/tmp/ingest") ]]
	run -0 img-fetch -q "$REGISTRY/small"
	[[ $output == "$(fixture_digest small)" ]]
	umoci stat --image "$BOX_ROOT/images:$REGISTRY/small:latest" >/dev/null
	[[ -z $(ls -A "$BOX_ROOT/tmp/ingest") ]]
}

@test "a killed pull's partial blobs: kept while it lives, reclaimed by the next pull once it is gone" {
	skip_unless_root
	small_root 3m
	BOX_FETCH_RATE_LIMIT=1000000 img-fetch -q "$REGISTRY/big" &
	local pid=$!
	wait_partial 1500
	# lock-held = alive: neither a pull nor --gc touches a live pull's blobs
	run -0 img-fetch -q "$REGISTRY/small"
	run -0 img-fetch --gc
	[[ $output == 0 && -n $(find "$BOX_ROOT/tmp/ingest" -type f -size +1500k) ]]
	kill -KILL "$pid"
	wait "$pid" || true
	[[ -n $(find "$BOX_ROOT/tmp/ingest" -type f -size +1500k) ]]
	# multi does not fit beside the partial: the pull removes it first
	run -0 img-fetch -q "$REGISTRY/multi"
	[[ $output == "$(fixture_digest multi)" ]]
	[[ -z $(ls -A "$BOX_ROOT/tmp/ingest") ]]
	store_complete
}

@test "--gc removes the partial blobs no pull holds and prints the bytes reclaimed" {
	run -2 img-fetch --gc "$REGISTRY/small"
	BOX_FETCH_RATE_LIMIT=200000 img-fetch -q "$REGISTRY/big" &
	local pid=$!
	wait_partial 100
	kill -KILL "$pid"
	wait "$pid" || true
	run -0 img-fetch --gc
	[[ $output -gt 100000 ]]
	[[ -z $(ls -A "$BOX_ROOT/tmp/ingest") ]]
	run -0 img-fetch --gc
	[[ $output == 0 ]]
}
