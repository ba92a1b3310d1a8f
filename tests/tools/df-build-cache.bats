#!/usr/bin/env bats
# df-build's cache: a rebuild takes every unchanged step from build/cache/
# and makes the same image id; a changed file, a changed --build-arg or
# --no-cache rebuild from where Docker's classic builder does; the cache
# keeps its layers through image removal and gc, survives broken entries
# and concurrent builds, and df-prune (box builder prune, box system
# prune) reclaims it.

load ../helpers

# builds here are offline: RUN on no network (Docker's default is the bridge)
df-build () { command df-build --network none "$@"; }

setup () {
	box_setup
	store_add small docker.io/library/small:latest
	cd "$BATS_TEST_TMPDIR"
	mkdir -p ctx/files
	local n
	for n in $(seq 1 20); do echo "file $n" >"ctx/files/f$n"; done
	echo one >ctx/one.txt
	echo other >ctx/unused.txt
	cat >ctx/Dockerfile <<-'EOF'
		FROM small
		ENV A=1
		WORKDIR /app
		COPY files/ /app/files/
		RUN ls /app/files | wc -l > /count
		COPY one.txt /app/
		RUN cat /app/one.txt > /one.copy
		USER nobody
		EXPOSE 80
		CMD ["cat", "/count"]
	EOF
}

teardown () {
	box_teardown
}

# the steps (2/10 ...) whose id came from the cache, one per line
cached_steps () {
	awk '/^Step /{s=$2} / ---> Using cache/{print s}' <<<"$1"
}

# the image id the build printed last
built () {
	sed -n 's/^Successfully built //p' <<<"$1"
}

@test "a rebuild takes every step from the cache: Using cache, the same image id, no container" {
	run -0 df-build -t x ctx
	[[ -z $(cached_steps "$output") ]]
	local id
	id=$(built "$output")
	run -0 df-build -t x ctx
	[[ $(cached_steps "$output" | tr '\n' ' ') == "2/10 3/10 4/10 5/10 6/10 7/10 8/10 9/10 10/10 " ]]
	[[ $output != *"Running in"* ]]
	[[ $(built "$output") == "$id" ]]
	# Docker's two lines for a cached step
	[[ $output == *$'Step 5/10 : RUN ls /app/files | wc -l > /count\n ---> Using cache\n ---> '* ]]
	[[ -z $(ls "$BOX_ROOT/containers" 2>/dev/null) ]]
	[[ $(jq '[.manifests[] | select(.annotations == null)] | length' "$BOX_ROOT/images/index.json") == 0 ]]
	run -0 df-build -q ctx
	[[ $output == "sha256:$(box inspect x | jq -r '.[0].Id' | cut -d: -f2)" ]]
}

@test "a changed copied file rebuilds from its COPY on; a file no step copies changes nothing" {
	run -0 df-build -t x ctx
	echo changed >ctx/unused.txt
	run -0 df-build -t x ctx
	[[ $(cached_steps "$output" | wc -l) == 9 ]]
	echo "file 7 changed" >ctx/files/f7
	run -0 df-build -t x ctx
	[[ $(cached_steps "$output" | tr '\n' ' ') == "2/10 3/10 " ]]
	echo two >ctx/one.txt
	run -0 df-build -t x ctx
	[[ $(cached_steps "$output" | tr '\n' ' ') == "2/10 3/10 4/10 5/10 " ]]
	run -0 box run --rm --network none --entrypoint cat x /one.copy
	[[ $output == two ]]
	# same content, new mtime: Docker's file hash leaves the mtime out
	touch -d '2001-01-01' ctx/one.txt
	run -0 df-build -t x ctx
	[[ $(cached_steps "$output" | wc -l) == 9 ]]
}

@test "--build-arg: a new value rebuilds from the first step that uses it, not before" {
	cat >ctx/Dockerfile <<-'EOF'
		FROM small
		ENV A=1
		ARG V
		LABEL l=x
		RUN echo "$V" > /v
		RUN echo after > /after
		ENV B=$V
	EOF
	run -0 df-build --build-arg V=1 -t a ctx
	run -0 df-build --build-arg V=2 -t a ctx
	[[ $(cached_steps "$output" | tr '\n' ' ') == "2/7 3/7 4/7 " ]]
	run -0 box run --rm --network none --entrypoint cat a /v
	[[ $output == 2 ]]
	run -0 df-build --build-arg V=1 -t a ctx
	[[ $(cached_steps "$output" | wc -l) == 6 ]]
	# the args in effect key a RUN even when its command does not name them
	printf 'FROM small\nARG W\nRUN true\n' >ctx/Dockerfile
	run -0 df-build --build-arg W=1 ctx
	run -0 df-build --build-arg W=2 ctx
	[[ $(cached_steps "$output" | tr '\n' ' ') == "2/3 " ]]
}

@test "--no-cache builds every step, and what it made serves the next build" {
	run -0 df-build -t x ctx
	run -0 df-build --no-cache -t x ctx
	[[ -z $(cached_steps "$output") ]]
	[[ $output == *"Running in"* ]]
	local id
	id=$(built "$output")
	run -0 df-build -t x ctx
	[[ $(cached_steps "$output" | wc -l) == 9 ]]
	[[ $(built "$output") == "$id" ]]
}

@test "builder prune: -a removes the cache and the next build is cold; without -a only what no image needs" {
	run -0 df-build -t x ctx
	# the image x keeps its chain; the blobs of the steps' containers go
	run -0 box builder prune -f
	[[ $output == "Total reclaimed space: "* ]]
	run -0 df-build -t x ctx
	[[ $(cached_steps "$output" | wc -l) == 9 ]]
	# no image left on the chain: every entry is dangling
	run -0 box rmi x
	run -0 box builder prune -f
	[[ ${lines[0]} == "Deleted build cache objects:" ]]
	[[ ${lines[1]} =~ ^[0-9a-f]{25}$ ]]
	[[ ${lines[-1]} =~ ^"Total reclaimed space: "[0-9.]+[kM]?B$ && ${lines[-1]} != *" 0B" ]]
	[[ -z $(ls "$BOX_ROOT/build/cache") ]]
	run -0 df-build -t x ctx
	[[ -z $(cached_steps "$output") ]]
	run -0 box run --rm --network none x
	[[ $output == 20 ]]
	run -0 box builder prune -a -f
	[[ ${lines[0]} == "Deleted build cache objects:" ]]
	[[ -z $(ls "$BOX_ROOT/build/cache") && -z $(ls "$BOX_ROOT/build/files") ]]
	# x's extracted layers stay while it is there, and go with it
	local before
	before=$(ls "$BOX_ROOT/layers" | wc -l)
	run -0 box run --rm --network none x
	[[ $output == 20 ]]
	run -0 box rmi x
	run -0 box builder prune -a -f
	(($(ls "$BOX_ROOT/layers" | wc -l) < before))
	run -0 df-build -t x ctx
	[[ -z $(cached_steps "$output") ]]
}

@test "builder prune asks first, as Docker; usage" {
	run -0 df-build -t x ctx
	run -0 df-prune -a <<<n
	[[ $output == "WARNING! This will remove all build cache."$'\n'"Are you sure you want to continue? [y/N] " ]]
	[[ -n $(ls "$BOX_ROOT/build/cache") ]]
	run -0 df-prune <<<y
	[[ $output == "WARNING! This will remove all dangling build cache."$'\n'"Are you sure you want to continue? [y/N] Total reclaimed space: "* ]]
	[[ -n $(ls "$BOX_ROOT/build/cache") ]]
	run -2 df-prune --keep-storage x
	[[ $output == "df-prune: invalid argument \"x\" for \"--keep-storage\" flag: invalid size: 'x'" ]]
	run -2 df-prune --filter x
	[[ $output == "df-prune: invalid argument \"x\" for \"--filter\" flag: bad format of filter (expected name=value)" ]]
	run -2 df-prune x
	[[ $output == "usage: df-prune"* ]]
	# Docker's management commands print their usage when given none
	run -0 box builder
	[[ $output == *"Usage:  box builder COMMAND"* ]]
}

@test "system prune -a reclaims the build cache too, in the one total" {
	run -0 df-build -t x ctx
	run -0 box rmi x
	run -0 box system prune -a -f
	[[ $output == *$'Deleted build cache objects:\n'* ]]
	[[ ${lines[-1]} == "Total reclaimed space: "* && ${lines[-1]} != *" 0B" ]]
	[[ -z $(ls "$BOX_ROOT/build/cache") ]]
}

@test "image removal and gc keep the cache's layers: the next build is cached, its image runs" {
	run -0 df-build -t x ctx
	local id
	id=$(built "$output")
	run -0 box rmi x
	run -0 img-list gc
	run -0 df-build -t x ctx
	[[ $(cached_steps "$output" | wc -l) == 9 ]]
	[[ $(built "$output") == "$id" ]]
	run -0 box run --rm --network none x
	[[ $output == 20 ]]
}

@test "an entry whose layer blob vanished is a miss, not an error" {
	run -0 df-build -t x ctx
	# the last layer (RUN at step 7): the entries of steps 7 to 10 name it
	local m layer
	m=$(jq -r '.manifests[] | select(.annotations != null) | .digest' "$BOX_ROOT/images/index.json" | tail -1)
	layer=$(jq -r '.layers[-1].digest' "$BOX_ROOT/images/blobs/sha256/${m#sha256:}")
	run -0 box rmi x
	rm "$BOX_ROOT/images/blobs/sha256/${layer#sha256:}"
	run -0 df-build -t x ctx
	[[ $(cached_steps "$output" | tr '\n' ' ') == "2/10 3/10 4/10 5/10 6/10 " ]]
	run -0 box run --rm --network none x
	[[ $output == 20 ]]
	# a torn entry is a miss too, and is dropped
	local entry
	entry=$(ls "$BOX_ROOT/build/cache" | head -1)
	printf 'parent=sha256:x\n' >"$BOX_ROOT/build/cache/$entry"
	run -0 df-build -t x ctx
	run -0 df-build -t x ctx
	[[ $(cached_steps "$output" | wc -l) == 9 ]]
}

@test "two concurrent builds of the same Dockerfile both succeed" {
	df-build -q -t a ctx >"$BATS_TEST_TMPDIR/a" 2>&1 &
	local pa=$!
	df-build -q -t b ctx >"$BATS_TEST_TMPDIR/b" 2>&1 &
	local pb=$!
	wait "$pa"
	wait "$pb"
	[[ $(cat "$BATS_TEST_TMPDIR/a") == sha256:* && $(cat "$BATS_TEST_TMPDIR/b") == sha256:* ]]
	run -0 df-build -t c ctx
	[[ $(cached_steps "$output" | wc -l) == 9 ]]
	[[ -z $(ls "$BOX_ROOT/containers" 2>/dev/null) ]]
}

@test "--cache-from: only the chains of the images named are trusted" {
	run -0 df-build -t x ctx
	local id
	id=$(built "$output")
	run -0 df-build --cache-from x ctx
	[[ $(cached_steps "$output" | wc -l) == 9 ]]
	[[ $(built "$output") == "$id" ]]
	# an image not in the store is skipped, as Docker's daemon skips it
	run -0 df-build --cache-from nosuch ctx
	[[ -z $(cached_steps "$output") ]]
	run -0 df-build --cache-from small ctx
	[[ -z $(cached_steps "$output") ]]
}

@test "--compress and SOURCE_DATE_EPOCH key the steps; a COPY here-document by its body" {
	printf 'FROM small\nENV A=1\nCOPY one.txt /one\nCOPY <<EOF /doc\nbody $A\nEOF\n' >ctx/Dockerfile
	run -0 df-build ctx
	run -0 df-build ctx
	[[ $(cached_steps "$output" | tr '\n' ' ') == "2/4 3/4 4/4 " ]]
	run -0 df-build --compress zstd ctx
	[[ -z $(cached_steps "$output") ]]
	run -0 env SOURCE_DATE_EPOCH=1700000000 df-build ctx
	[[ -z $(cached_steps "$output") ]]
	printf 'FROM small\nENV A=1\nCOPY one.txt /one\nCOPY <<EOF /doc\nbody 2 $A\nEOF\n' >ctx/Dockerfile
	run -0 df-build ctx
	[[ $(cached_steps "$output" | tr '\n' ' ') == "2/4 3/4 " ]]
}

@test "builder prune takes RUN's cache mounts too; a RUN with a bind mount is not cached" {
	printf 'FROM small\nRUN --mount=type=cache,target=/c echo kept > /c/x\nRUN --mount=type=bind,target=/ctx cat /ctx/one.txt > /one\n' >ctx/Dockerfile
	run -0 df-build ctx
	[[ -n $(ls "$BOX_ROOT/cache/run") ]]
	run -0 df-build ctx
	[[ $(cached_steps "$output" | tr '\n' ' ') == "2/3 " ]]
	run -0 box builder prune -f
	[[ -z $(ls "$BOX_ROOT/cache/run") ]]
}

# every entry of the cache made N seconds ago
age_cache () {
	local f
	for f in "$BOX_ROOT"/build/cache/* "$BOX_ROOT"/build/files/* "$BOX_ROOT"/cache/run/*; do
		[[ -e $f ]] && touch -d "@$(($(date +%s) - $1))" "$f"
	done
	return 0
}

@test "builder prune --filter until= and type=: BuildKit's reading of them" {
	printf 'FROM small\nCOPY files/ /files/\nRUN --mount=type=cache,target=/c echo kept > /c/x\n' >ctx/Dockerfile
	run -0 df-build ctx
	# a context's file digests (df-build keeps them for large contexts)
	mkdir -p "$BOX_ROOT/build/files"
	echo "1 2 3.4 5 x" >"$BOX_ROOT/build/files/$(printf %064d 0)"
	age_cache 7200
	printf 'FROM small\nRUN echo new > /new\n' >ctx/Dockerfile
	run -0 df-build ctx
	[[ $(ls "$BOX_ROOT/build/cache" | wc -l) == 3 ]]
	# used in the last 3 hours: all stays; in the last hour: the old go
	run -0 df-prune -a -f --filter until=3h
	[[ $output == "Total reclaimed space: "* && -n $(ls "$BOX_ROOT/cache/run") ]]
	[[ $(ls "$BOX_ROOT/build/cache" | wc -l) == 3 ]]
	run -0 df-prune -a -f --filter type=exec.cachemount --filter label=ignored
	[[ $output == "Total reclaimed space: "[1-9]* && -z $(ls "$BOX_ROOT/cache/run") ]]
	[[ $(ls "$BOX_ROOT/build/cache" | wc -l) == 3 ]]
	run -0 df-prune -a -f --filter type=frontend
	[[ $output == "Total reclaimed space: "* && $(ls "$BOX_ROOT/build/cache" | wc -l) == 3 ]]
	run -0 df-prune -a -f --filter unused-for=1h --filter type=regular
	[[ ${lines[0]} == "Deleted build cache objects:" && ${#lines[@]} == 4 ]]
	[[ $(ls "$BOX_ROOT/build/cache" | wc -l) == 1 && -n $(ls "$BOX_ROOT/build/files") ]]
	run -0 df-prune -a -f --filter type=source.local
	[[ -z $(ls "$BOX_ROOT/build/files") && $(ls "$BOX_ROOT/build/cache" | wc -l) == 1 ]]
}

@test "builder prune --keep-storage: the oldest go until the cache holds at most SIZE" {
	local n total
	run -0 df-build ctx
	n=$(ls "$BOX_ROOT/build/cache" | wc -l)
	age_cache 100
	printf 'FROM small\nRUN echo new > /new\n' >ctx/Dockerfile
	run -0 df-build ctx
	run -0 df-prune -a -f --keep-storage 1GB
	[[ $output == "Total reclaimed space: "* && $(ls "$BOX_ROOT/build/cache" | wc -l) == $((n + 1)) ]]
	total=$(du -sb --apparent-size "$BOX_ROOT/build/cache" "$BOX_ROOT/build/files" | awk '{ n += $1 } END { print n }')
	# the newest entry (the last build's) is the one kept
	run -0 df-prune -a -f --keep-storage "$(du -b --apparent-size "$BOX_ROOT/build/cache"/* | sort -n | tail -1 | cut -f1)"
	[[ ${lines[0]} == "Deleted build cache objects:" ]]
	[[ $(ls "$BOX_ROOT/build/cache" | wc -l) -ge 1 && $(ls "$BOX_ROOT/build/cache" | wc -l) -le 2 ]]
	(($(ls "$BOX_ROOT/build/cache" | wc -l) < n + 1))
	run -0 df-prune -a -f --keep-storage 0
	[[ -z $(ls "$BOX_ROOT/build/cache") ]]
	((total > 0))
}

@test "builder prune --filter: the daemon's errors, after the question, nothing removed" {
	run -0 df-build ctx
	export BOX_DOCKER="builder prune"
	run -1 df-prune -a -f --filter nope=1
	[[ $output == "Error response from daemon: failed to prune build cache: Invalid filter 'nope'" ]]
	run -1 df-prune -a -f --filter until=2020-01-01
	[[ $output == "Error response from daemon: failed to prune build cache: \"until\" filter expects a duration (e.g., '24h'): time: unknown unit \"-\" in duration \"2020-01-01\"" ]]
	run -1 df-prune -a -f --filter until=10
	[[ $output == *"time: missing unit in duration \"10\"" ]]
	run -1 df-prune -a -f --filter until=1h --filter unused-for=1h
	[[ $output == *': conflicting filters: "until" and "unused-for"' ]]
	run -1 df-prune -a -f --filter type=regular --filter type=frontend
	[[ $output == *": filters expect only one value" ]]
	run -1 df-prune -a -f --filter inuse=true
	[[ $output == *": filter inuse: not implemented" ]]
	run -0 df-prune -a --filter nope=1 <<<n
	[[ -n $(ls "$BOX_ROOT/build/cache") ]]
}

@test "a file .dockerignore leaves out changes nothing; a tar context is cached by content, its digests not kept" {
	printf 'FROM small\nCOPY . /ctx/\n' >ctx/Dockerfile
	printf 'unused.txt\n' >ctx/.dockerignore
	run -0 df-build ctx
	echo changed >ctx/unused.txt
	run -0 df-build ctx
	[[ $(cached_steps "$output" | tr '\n' ' ') == "2/2 " ]]
	echo changed >ctx/one.txt
	run -0 df-build ctx
	[[ -z $(cached_steps "$output") ]]
	local tables
	tables=$(ls "$BOX_ROOT/build/files" | wc -l)
	tar -C ctx -cf "$BATS_TEST_TMPDIR/ctx.tar" .
	run -0 df-build - <"$BATS_TEST_TMPDIR/ctx.tar"
	run -0 df-build - <"$BATS_TEST_TMPDIR/ctx.tar"
	[[ $(cached_steps "$output" | tr '\n' ' ') == "2/2 " ]]
	[[ $(ls "$BOX_ROOT/build/files" | wc -l) == "$tables" ]]
}

@test "--label steps are cached too: the same id, and the image's chain keeps its cache" {
	run -0 df-build --label b=2 --label a=1 -t l ctx
	local id
	id=$(built "$output")
	run -0 df-build --label b=2 --label a=1 -t l ctx
	[[ $(built "$output") == "$id" ]]
	[[ $output == *$'Step 11/12 : LABEL a=1\n ---> Using cache\n'* ]]
	[[ $(cached_steps "$output" | wc -l) == 11 ]]
	run -0 df-build --label b=3 --label a=1 -t l ctx
	[[ $(cached_steps "$output" | wc -l) == 10 ]]
	run -0 box builder prune -f
	run -0 df-build --label b=3 --label a=1 -t l ctx
	[[ $(cached_steps "$output" | wc -l) == 11 ]]
}

@test "--progress plain: a cached step is BuildKit's CACHED" {
	printf 'FROM small\nENV A=1\nRUN echo hi > /hi\n' >ctx/Dockerfile
	run -0 df-build ctx
	run -0 df-build --progress plain ctx
	[[ $output == *$'#2 [2/3] ENV A=1\n#2 CACHED\n\n#3 [3/3] RUN echo hi > /hi\n#3 CACHED\n'* ]]
	[[ $output != *"#3 DONE"* ]]
}
