#!/usr/bin/env bats
# box tag: a second name for an image, read back by skopeo

load ../helpers

setup () {
	box_setup
	store_add small docker.io/library/small:latest
}

teardown () {
	box_teardown
}

@test "box tag names the image again; box images shows both" {
	run -0 box tag small 127.0.0.1:5000/mine:v1
	[[ -z $output ]]
	run -0 box images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	[[ ${lines[0]} == "127.0.0.1:5000/mine:v1 "* && ${lines[1]} == "small:latest "* ]]
	[[ ${lines[0]#* } == "${lines[1]#* }" ]]
	run -0 skopeo inspect "oci:$BOX_ROOT/images:127.0.0.1:5000/mine:v1"
}

@test "box tag: bad target or missing source exits 1 as Docker, store unchanged" {
	local before
	before=$(sha256sum <"$BOX_ROOT/images/index.json")
	run --separate-stderr -1 box tag small 'a b'
	[[ $stderr == 'Error parsing reference: "a b" is not a valid repository/tag: invalid reference format' ]]
	run --separate-stderr -1 box tag small UPPER
	[[ $stderr == 'Error parsing reference: "UPPER" is not a valid repository/tag: invalid reference format: repository name must be lowercase' ]]
	# Docker 20.10: an upper-case first component is a path, not a host
	run --separate-stderr -1 box tag small UP/x
	[[ $stderr == 'Error parsing reference: "UP/x" is not a valid repository/tag: invalid reference format: repository name must be lowercase' ]]
	# the daemon's answer: the name as it parsed it
	run --separate-stderr -1 box tag nosuch x
	[[ $stderr == "Error response from daemon: No such image: nosuch:latest" ]]
	run -1 box tag small
	[[ $(sha256sum <"$BOX_ROOT/images/index.json") == "$before" ]]
}
