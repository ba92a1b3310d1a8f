#!/usr/bin/env bats
# df-build's and ctr-commit's layer (lib/layers/layer): a directory of the
# image whose own mode, owner or xattrs a step changed is in the step's
# layer though nothing inside it was written; one copied up only to hold
# the run's mount points is not

load ../helpers

df-build () { command df-build --network none "$@"; }

setup () {
	box_setup
	skip_unless_root
	store_add small docker.io/library/small:latest
}

teardown () {
	box_teardown
}

# "mode uid/gid path" of each entry of the last layer of image REF
last_layer () {
	local m l
	m=$(jq -r --arg r "docker.io/library/$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $r) | .digest' "$BOX_ROOT/images/index.json")
	l=$(jq -r '.layers[-1].digest' "$BOX_ROOT/images/blobs/sha256/${m#sha256:}")
	tar -tvf "$BOX_ROOT/images/blobs/sha256/${l#sha256:}" --numeric-owner | awk '{print $1, $2, $NF}'
}

# the number of layers of image REF
layer_count () {
	box inspect "$1" | jq '.[0].RootFS.Layers | length'
}

@test "RUN chmod on an image directory, nothing written inside: the directory in the layer, its mode in the image" {
	run -0 box run --rm --network none small stat -c %a /srv
	[[ $output != 700 ]]
	run -0 df-build -q -t m:latest - <<<$'FROM small\nRUN chmod 700 /srv'
	run -0 last_layer m:latest
	[[ $output == "drwx------ 0/0 srv/" ]]
	run -0 box run --rm --network none m stat -c %a /srv
	[[ $output == 700 ]]
}

@test "RUN chown on an image directory, nothing written inside: the directory in the layer, its owner in the image" {
	run -0 df-build -q -t o:latest - <<<$'FROM small\nRUN chown 1:2 /srv'
	run -0 last_layer o:latest
	[[ $output == "d"*" 1/2 srv/" && ${#lines[@]} == 1 ]]
	run -0 box run --rm --network none o stat -c %u:%g /srv
	[[ $output == 1:2 ]]
}

@test "RUN chmod and back on an image directory: its metadata as the image's, no layer" {
	run -0 df-build -q -t x:latest - <<<$'FROM small\nRUN chmod 711 /srv && chmod 755 /srv'
	[[ $(layer_count x) == $(layer_count small) ]]
}

@test "a directory copied up only to hold a RUN's mount point stays out, its mtime changed or not" {
	local before
	before=$(layer_count small)
	run -0 df-build -q -t t:latest - <<<$'FROM small\nRUN --mount=type=tmpfs,target=/srv/m true\nRUN --mount=type=tmpfs,target=/etc/x/y true'
	# no layer: /srv and /etc came up only for the mount points
	[[ $(layer_count t) == "$before" ]]
	run -0 box run --rm --network none t sh -c 'ls -d /srv/m /etc/x 2>&1; true'
	[[ $output == *"/srv/m: No such file"* && $output == *"/etc/x: No such file"* ]]
}

@test "RUN chmod on /etc, nothing written inside: in the layer, the run's mount points not" {
	run -0 df-build -q -t e:latest - <<<$'FROM small\nRUN chmod 750 /etc'
	run -0 last_layer e:latest
	[[ $output == "drwxr-x--- 0/0 etc/" ]]
}

@test "commit: a container's chmod and chown of an image directory, nothing written inside, in the layer" {
	box run --name c1 --network none small sh -c 'chmod 700 /srv && chown 3:4 /srv' >/dev/null
	run -0 ctr-commit c1 docker.io/library/com:latest
	run -0 last_layer com:latest
	[[ $output == "drwx------ 3/4 srv/" ]]
	run -0 box run --rm --network none com stat -c '%a %u:%g' /srv
	[[ $output == "700 3:4" ]]
	# a container that changed nothing: no layer
	box run --name c2 --network none small true >/dev/null
	run -0 ctr-commit c2 docker.io/library/com2:latest
	[[ $(layer_count com2) == $(layer_count small) ]]
}
