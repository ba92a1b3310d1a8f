#!/usr/bin/env bats
# box commit (ctr-commit): the image runs with the container's changes

load ../helpers

setup () {
	box_setup_small
}

teardown () {
	box_teardown
}

@test "box commit -c CMD: the image runs the new command over the changes; box container commit too" {
	box run --name cc --network none small sh -c 'echo made >/srv/file' >/dev/null
	run -0 box commit -c 'CMD ["cat", "/srv/file"]' -m first cc mine:1
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
	run -0 box run --rm --network none mine:1
	[[ $output == made ]]
	run -0 box container commit cc mine:2
	run -0 box images --format '{{.Repository}}:{{.Tag}}' mine
	[[ $output == $'mine:1\nmine:2' || $output == $'mine:2\nmine:1' ]]
	# untagged: a <none> image
	run -0 box commit cc
	run -0 box images -f dangling=true -q
	[[ -n $output ]]
	# a bad name: the client's parser's words, bare
	run --separate-stderr -1 box commit cc BAD
	[[ -z $output && $stderr == "invalid reference format: repository name must be lowercase" ]]
	run --separate-stderr -1 box commit cc 'a b'
	[[ $stderr == "invalid reference format" ]]
}
