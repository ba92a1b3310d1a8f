#!/usr/bin/env bats
# ctr-commit: a container's changes as an image (its layer, config,
# history, parent), the -c changes Docker allows

load ../helpers

setup () {
	box_setup_small
}

teardown () {
	box_teardown
}

# the image config of REF in the store
config_of () {
	local m
	m=$(skopeo inspect --raw "oci:$BOX_ROOT/images:$1") || return 1
	cat "$BOX_ROOT/images/blobs/sha256/$(jq -r .config.digest <<<"$m" | cut -d: -f2)"
}

# the paths in the last layer of REF
last_layer () {
	local m
	m=$(skopeo inspect --raw "oci:$BOX_ROOT/images:$1") || return 1
	tar tzf "$BOX_ROOT/images/blobs/sha256/$(jq -r '.layers[-1].digest' <<<"$m" | cut -d: -f2)" | sort
}

@test "commit: the changes one more layer, Docker's config and history, the id printed" {
	box run --name c1 --network none small sh -c 'echo hi >/srv/new; rm /etc/group' >/dev/null
	run -0 ctr-commit -a 'Me <m@x>' -m 'a msg' c1 docker.io/library/com:t1
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
	id=$output
	run -0 img-list inspect -f '{{.Id}} {{.Parent}} {{.Author}} {{.Comment}}' com:t1
	[[ $output == "$id $(fixture_image_id small) Me <m@x> a msg" ]]
	run -0 config_of docker.io/library/com:t1
	cfg=$output
	[[ $(jq -r '.history[-1] | "\(.created_by)|\(.author)|\(.comment)|\(.empty_layer)"' <<<"$cfg") == "sh -c echo hi >/srv/new; rm /etc/group|Me <m@x>|a msg|null" ]]
	[[ $(jq -r '.rootfs.diff_ids | length' <<<"$cfg") == 2 ]]
	[[ $(jq -r .container <<<"$cfg") == $(ctr-list -aq --no-trunc -f name=c1) ]]
	[[ $(jq -c .config.Cmd <<<"$cfg") == '["sh","-c","echo hi >/srv/new; rm /etc/group"]' ]]
	[[ $(jq -c .container_config.Cmd <<<"$cfg") == '["sh","-c","echo hi >/srv/new; rm /etc/group"]' ]]
	# the init layer's mount points stay out of it
	run -0 last_layer docker.io/library/com:t1
	[[ $output == $'etc/\netc/.wh.group\nsrv/\nsrv/new' ]]
	run -0 box run --rm --network none com:t1 sh -c 'cat /srv/new; ls /etc/group 2>&1; true'
	[[ ${lines[0]} == hi && ${lines[1]} == *"No such file"* ]]
}

@test "commit -c: the instructions Docker allows, applied and merged as its commit does" {
	box create --name c2 --network none small true >/dev/null
	run -0 ctr-commit -c 'ENV A=1 B=$FOO' -c 'EXPOSE 81 90-91/udp' -c 'LABEL x=y' -c 'USER app' \
		-c 'WORKDIR w/../v' -c 'VOLUME ["/data"]' -c 'ONBUILD RUN echo hi' -c 'HEALTHCHECK --interval=5s CMD true' c2 e:1
	run -0 img-list inspect -f '{{json .Config}}' e:1
	c=$output
	[[ $(jq -c .Env <<<"$c") == '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","FOO=bar","A=1","B=bar"]' ]]
	[[ $(jq -c '.ExposedPorts | keys' <<<"$c") == '["80/tcp","81/tcp","90/udp","91/udp"]' ]]
	[[ $(jq -c .Labels <<<"$c") == '{"org.example.k":"v","x":"y"}' ]]
	[[ $(jq -r '.User + " " + .WorkingDir' <<<"$c") == "app /srv/v" ]]
	[[ $(jq -c '.Volumes, .OnBuild, .Healthcheck, .Cmd' <<<"$c") == $'{"/data":{}}\n["RUN echo hi"]\n{"Interval":5000000000,"Test":["CMD-SHELL","true"]}\n["true"]' ]]
	# ENTRYPOINT resets the CMD it does not come with; CMD after it stays
	run -0 ctr-commit -c 'ENTRYPOINT ["a"]' c2 e:2
	[[ $(img-list inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' e:2) == '["a"] null' ]]
	run -0 ctr-commit -c 'ENTRYPOINT ["a"]' -c 'CMD b' c2 e:3
	[[ $(img-list inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' e:3) == '["a"] ["/bin/sh","-c","b"]' ]]
	# nothing changed: an empty layer, no layer added
	run -0 config_of docker.io/library/e:3
	[[ $(jq -c '[(.rootfs.diff_ids | length), .history[-1].empty_layer]' <<<"$output") == '[1,true]' ]]
}

@test "commit refuses, in Docker's words: other instructions, bad names, no such container" {
	box create --name c3 --network none small true >/dev/null
	for c in 'RUN x' 'FROM x' 'COPY a b' 'STOPSIGNAL 9' 'SHELL ["a"]' 'ARG x' 'MAINTAINER me'; do
		run --separate-stderr -2 ctr-commit -c "$c" c3
		kw=$(tr 'A-Z' 'a-z' <<<"${c%% *}")
		[[ $stderr == "Error response from daemon: $kw is not a valid change command" ]]
	done
	run --separate-stderr -2 ctr-commit -c ENV c3
	[[ $stderr == "Error response from daemon: ENV requires at least one argument" ]]
	run --separate-stderr -2 ctr-commit c3 'bad name'
	[[ $stderr == "ctr-commit: invalid reference format: bad name" ]]
	run --separate-stderr -2 ctr-commit c3 x@sha256:0000000000000000000000000000000000000000000000000000000000000000
	run --separate-stderr -3 ctr-commit nope
	[[ $stderr == "Error response from daemon: No such container: nope" ]]
	run -2 ctr-commit
	run -2 ctr-commit --pause=maybe c3
	# nothing of it reached the store
	run -0 img-list -q
	[[ $(wc -l <<<"$output") == 1 ]]
}

@test "commit of a running container, not paused" {
	box run -d --name live --network none small sh -c 'echo up >/tmp/up; exec sleep 100' >/dev/null
	for _ in $(seq 50); do [[ -f $BOX_ROOT/containers/$(ctr-list -q --no-trunc -f name=live)/upper/tmp/up ]] && break; sleep 0.1; done
	run -0 ctr-commit -p live live:snap
	run -0 box ps -q -f name=live
	[[ -n $output ]]
	run -0 box run --rm --network none live:snap cat /tmp/up
	[[ $output == up ]]
	box rm -f live >/dev/null
}

@test "commit: gc waits for it, and a container removed under it gives no image (exit 4)" {
	local pid rc
	box run --name gone --network none small sh -c 'echo x >/srv/x' >/dev/null
	BOX_TEST_STOP_BEFORE_TAG=1 ctr-commit gone kept:1 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	for _ in $(seq 100); do
		[[ $(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) == T ]] && break
		sleep 0.1
	done
	run --separate-stderr -4 img-list gc
	box rm gone >/dev/null
	kill -CONT "$pid"
	rc=0
	wait "$pid" || rc=$?
	[[ $rc == 4 ]]
	[[ $(cat "$BATS_TEST_TMPDIR/err") == "Error response from daemon: You cannot commit container "*" which is being removed" ]]
	run -0 img-list -q
	[[ $(wc -l <<<"$output") == 1 ]]
	[[ ! -e $BOX_ROOT/tmp/commit-$pid ]]
}
