#!/usr/bin/env bats
# box build end to end: a multi-stage build whose scratch stage takes only
# what the first one made; an image whose USER, WORKDIR, HEALTHCHECK and
# ENTRYPOINT + CMD its containers obey (tests/build/run-as, which
# tests/system/build-docker.bats runs under Docker too); a built image
# pushed to a registry and inspected there by skopeo; a second build fully
# cached.

load ../helpers
load ../build/lib

setup_file () {
	registry_start
}

teardown_file () {
	registry_stop
}

setup () {
	box_setup
	skip_unless_root
	store_add small docker.io/library/small:latest
	mkdir "$BATS_TEST_TMPDIR/ctx"
	cd "$BATS_TEST_TMPDIR/ctx" || return
}

teardown () {
	box_teardown
}

@test "multi-stage: RUN makes the files, a FROM scratch stage takes only them" {
	cat >Dockerfile <<-'EOF'
		FROM small AS build
		RUN mkdir -p /out/share && cp /bin/busybox /out/cat && echo made by RUN > /out/share/data.txt && chmod 0640 /out/share/data.txt
		FROM scratch
		COPY --from=build /out/ /
		ENTRYPOINT ["/cat"]
		CMD ["/share/data.txt"]
	EOF
	run -0 box build --network none -t ms .
	[[ ${lines[-1]} == "Successfully tagged ms:latest" ]]
	run -0 box run --rm --network none ms
	[[ $output == "made by RUN" ]]
	# the image holds the result and nothing else (the runtime's mount
	# points aside, which are not in the image)
	run -0 bt_tree "$BOX_ROOT" ms
	[[ $(cut -d' ' -f1-5 <<<"$output") == "/ dir 0755 0:0
/cat file 0755 0:0 $(stat -c %s /bin/busybox)
/share dir 0755 0:0
/share/data.txt file 0640 0:0 12" ]]
	[[ $(box inspect ms | jq '.[0].RootFS.Layers | length') == 1 ]]
}

@test "USER, WORKDIR, ENTRYPOINT + CMD and HEALTHCHECK: the container obeys them" {
	run -0 box build --network none -q -t app "$BT_CASES/run-as"
	run -0 box run --rm --network none app
	[[ $output == "1000:1000 /app/data default args" ]]
	# arguments replace CMD, not ENTRYPOINT
	run -0 box run --rm --network none app one two
	[[ $output == "1000:1000 /app/data one two" ]]
	run -0 box run --rm --network none -u 0 -w / app
	[[ $output == "0:0 / default args" ]]
	run -0 box run --rm --network none --entrypoint pwd app
	[[ $output == /app/data ]]
	# the health check runs as the image's USER in its WORKDIR: it finds
	# "health" there
	run -0 box run -d --network none -e SLEEP=60 --name hc app
	local st
	for _ in $(seq 50); do
		st=$(box inspect hc | jq -r '.[0].State.Health.Status')
		[[ $st == healthy ]] && break
		sleep 0.2
	done
	[[ $st == healthy ]]
	box rm -f hc
}

@test "box push of a built image; skopeo inspect reads it from the registry" {
	printf 'FROM small\nRUN echo pushed > /pushed.txt\nLABEL built=yes\nCMD ["cat", "/pushed.txt"]\n' >Dockerfile
	run -0 box build --network none -q -t "$REGISTRY/built:1" .
	local id=$output
	run -0 box push "$REGISTRY/built:1"
	run -0 skopeo inspect --tls-verify=false "docker://$REGISTRY/built:1"
	[[ $(jq -r '.Labels.built' <<<"$output") == yes ]]
	[[ $(jq '.Layers | length' <<<"$output") == 2 ]]
	# the same image: its config digest is the built image's id
	run -0 skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/built:1"
	[[ $(jq -r .config.digest <<<"$output") == "$id" ]]
	# the built layer, a plain tar in the store, is pushed gzip'd as Docker
	# pushes it: its diff_id unchanged, its pushed digest another
	[[ $(jq -r '.layers[-1].mediaType' <<<"$output") == application/vnd.oci.image.layer.v1.tar+gzip ]]
	local pushed diffid
	pushed=$(jq -r '.layers[-1].digest' <<<"$output")
	diffid=$(box inspect "$REGISTRY/built:1" | jq -r '.[0].RootFS.Layers[-1]')
	[[ $pushed != "$diffid" ]]
	[[ $(skopeo inspect --config --tls-verify=false "docker://$REGISTRY/built:1" | jq -r '.rootfs.diff_ids[-1]') == "$diffid" ]]
	run -0 skopeo inspect --config --tls-verify=false "docker://$REGISTRY/built:1"
	[[ $(jq -c .config.Cmd <<<"$output") == '["cat","/pushed.txt"]' ]]
	# pulled back into a fresh store, it runs
	export BOX_ROOT=$BATS_TEST_TMPDIR/root2
	run -0 box pull "$REGISTRY/built:1"
	run -0 box run --rm --network none "$REGISTRY/built:1"
	[[ $output == pushed ]]
}

@test "a second box build is fully cached: every step from the cache, the same image" {
	mkdir files
	for n in 1 2 3; do echo "file $n" >"files/f$n"; done
	printf 'FROM small\nENV A=1\nWORKDIR /app\nCOPY files/ /app/files/\nRUN cat /app/files/* > /app/all.txt\nUSER app\nCMD ["cat", "/app/all.txt"]\n' >Dockerfile
	run -0 box build --network none -t cached .
	[[ $output == *" ---> Running in "* && $output != *"Using cache"* ]]
	local first
	first=$(box inspect cached | jq -r '.[0].Id')
	run -0 box build --network none -t cached .
	# Step 1/7 : FROM small, then six steps each " ---> Using cache"
	[[ $(grep -c '^ ---> Using cache$' <<<"$output") == 6 ]]
	[[ $output != *"Running in"* ]]
	[[ $(box inspect cached | jq -r '.[0].Id') == "$first" ]]
	run -0 box run --rm --network none cached
	[[ $output == $'file 1\nfile 2\nfile 3' ]]
}
