#!/usr/bin/env bats
# ctr-create: docker create flags + image config -> containers/<id>/, an OCI
# bundle that crun runs; Docker's merge rules, the name reservation, and
# nothing left behind when it fails.

load ../helpers

setup () {
	box_setup
	skip_unless_root
	store_add small docker.io/library/small:latest
	CRUN_ROOT=$BATS_TEST_TMPDIR/crun
	CRUN_IDS=()
	SUBUSERS=()
}

teardown () {
	local c
	subusers_remove
	for c in "${CRUN_IDS[@]}"; do
		crun --root "$CRUN_ROOT" delete -f "$c" >/dev/null 2>&1 || true
		runc --root "$CRUN_ROOT.runc" delete -f "$c" >/dev/null 2>&1 || true
	done
	box_teardown
}

# mk [FLAGS] IMAGE [CMD]: create, the id in $id (the command must succeed)
mk () {
	run --separate-stderr -0 ctr-create "$@"
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	id=$output
	D=$BOX_ROOT/containers/$id
}

cfg () { jq -c "$1" "$D/config.json"; }
crt () { jq -c "$1" "$D/create.json"; }

# host_caps: how many capabilities this process's bounding set holds
host_caps () {
	local b n=0
	b=$((16#$(awk '/^CapBnd/ { print $2 }' /proc/self/status)))
	while ((b)); do
		n=$((n + (b & 1)))
		b=$((b >> 1))
	done
	echo "$n"
}

# custom_image CONFIG: docker.io/library/custom:latest in the store: the
# small image's layer, then what the script on stdin makes in the directory
# $1 as a second layer, with CONFIG as the image config's "config"
custom_image () {
	local d=$BATS_TEST_TMPDIR/custom st=$BATS_TEST_TMPDIR/stage m l
	# shellcheck source=../fixtures/oci.sh
	. "$TESTS_DIR/fixtures/oci.sh"
	rm -rf "$d" "$st"
	mkdir -p "$st"
	BATS_TEST_TMPDIR=$BATS_TEST_TMPDIR bash -s "$st"
	oci_init "$d"
	oci_image_begin
	m=$(fixture_manifest_digest small)
	l=$(jq -r '.layers[0].digest' "$FIXTURES/small/blobs/sha256/${m#sha256:}")
	gzip -dc "$FIXTURES/small/blobs/sha256/${l#sha256:}" >"$BATS_TEST_TMPDIR/l1.tar"
	oci_add_layer "$d" "$BATS_TEST_TMPDIR/l1.tar" base
	oci_tar "$st" "$BATS_TEST_TMPDIR/l2.tar"
	oci_add_layer "$d" "$BATS_TEST_TMPDIR/l2.tar" extra
	oci_image_end "$d" amd64 "$1"
	oci_tag "$d" "$OCI_MT_MANIFEST" "$OCI_DIGEST" "$OCI_SIZE" latest
	store_add "$d" docker.io/library/custom:latest
}

# state: what $BOX_ROOT holds (names, containers, volumes), to compare
state () {
	(cd "$BOX_ROOT" && find names containers volumes -maxdepth 2 2>/dev/null | sort)
	findmnt -rn -o TARGET | grep -F "$BOX_ROOT" || true
}

# crun_run: run the bundle $D under crun, from a private mount namespace
# without the cgroup2 mount crun refuses (PEERS.md)
crun_run () {
	local c=t$RANDOM$RANDOM
	CRUN_IDS+=("$c")
	unshare --mount --propagation private sh -c \
		'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun --root "$1" run -b "$2" "$3" </dev/null' \
		sh "$CRUN_ROOT" "$D" "$c"
}

@test "a container directory: the contract's files, the name, the mounted rootfs" {
	mk small
	[[ -f $D/config.json && -f $D/create.json && -f $D/hosts && -f $D/hostname && -f $D/resolv.conf ]]
	[[ $(cat "$D/image") == "$(fixture_image_id small)" ]]
	grep -qx status=created "$D/state"
	grep -q '^created=20[0-9-]*T[0-9:.]*Z$' "$D/state"
	[[ $(findmnt -n -o FSTYPE "$D/rootfs") == overlay ]]
	[[ -x $D/rootfs/bin/busybox ]]
	local name
	name=$(crt .Name)
	[[ $name =~ ^\"/[a-z]+_[a-z]+[0-9]?\"$ ]]
	name=${name//\"/}
	[[ $(readlink "$BOX_ROOT/names/${name#/}") == "$id" ]]
	[[ $(crt .Id) == "\"$id\"" && $(crt .Image) == "\"$(fixture_image_id small)\"" ]]
	[[ $(crt .ImageRef) == '"small"' && $(crt .Config.Image) == '"small"' ]]
	[[ $(cfg .ociVersion) == '"1.0.2"' && $(cfg .root) == '{"path":"rootfs","readonly":false}' ]]
	[[ $(cfg .linux.cgroupsPath) == "\"/box/$id\"" ]]
	# nothing temporary left
	[[ -z $(ls "$BOX_ROOT/containers" | grep tmp) ]]
}

@test "the first container of an image extracts its layers; a bad layer fails cleanly" {
	local hex
	hex=$(jq -r '.config.digest' "$FIXTURES/small/blobs/sha256/$(fixture_manifest_digest small | cut -d: -f2)")
	hex=$(jq -r '.rootfs.diff_ids[0]' "$FIXTURES/small/blobs/sha256/${hex#sha256:}")
	[[ ! -e $BOX_ROOT/layers/${hex#sha256:} ]]
	mk small
	[[ -d $BOX_ROOT/layers/${hex#sha256:} && -x $D/rootfs/bin/busybox ]]
	# a layer whose content is not its diff_id: img-unpack's words, exit 1, nothing left
	python3 "$TESTS_DIR/fixtures/mklayers.py" "$BATS_TEST_TMPDIR/bad" diffid-mismatch
	store_add "$BATS_TEST_TMPDIR/bad" docker.io/library/bad:latest
	local before
	before=$(state)
	run --separate-stderr -1 ctr-create --name badone bad
	[[ $stderr == *"img-unpack: "*"diff_id mismatch"* ]]
	[[ $stderr == *"ctr-create: image sha256:"*": extracting its layers failed (img-unpack)" ]]
	[[ $(state) == "$before" ]]
}

@test "the init layer: an image's mount points made once, on top of its layers; a run leaves upper empty" {
	local init
	init=$BOX_ROOT/cache/init/$(fixture_image_id small | cut -d: -f2)
	# the first container extracts the layers (img-unpack, whose bundles
	# show the image alone); the second makes the init layer
	mk small
	[[ ! -e $init ]]
	mk small
	(cd "$init" && find . | sort | tr '\n' ' ') >"$BATS_TEST_TMPDIR/tree"
	[[ $(cat "$BATS_TEST_TMPDIR/tree") == ". ./dev ./etc ./etc/hostname ./etc/hosts ./etc/resolv.conf ./proc ./sys " ]]
	# the image's /etc (0755 root) shows through the init layer's copy
	[[ $(stat -c '%a %u %g' "$init/etc") == "755 0 0" ]]
	mk --network none small cat /etc/passwd
	[[ $(findmnt -no OPTIONS "$D/rootfs") == *"cache/init/${init##*/}"* ]]
	run -0 ctr-spawn "$id"
	[[ ${lines[0]} == root:x:0:0:root:/root:/bin/sh ]]
	[[ -z $(ls -A "$D/upper") ]]
}

@test "the init layer keeps an image's /etc that is a link one" {
	custom_image '{"Cmd":["sh"]}' <<-'EOF'
		mkdir -p "$1/usr/etc"
		ln -s usr/etc "$1/etc"
	EOF
	mk custom
	mk custom
	mk --network none custom sh -c 'readlink /etc; cat /etc/hostname'
	local init=$BOX_ROOT/cache/init/$(fixture_image_id "$BATS_TEST_TMPDIR/custom" | cut -d: -f2)
	[[ -d $init/proc && ! -e $init/etc ]]
	run -0 ctr-spawn "$id"
	[[ $output == "usr/etc"$'\n'"${id:0:12}" ]]
}

@test "the image's CMD, run args, --entrypoint as Docker merges them" {
	mk small
	[[ $(cfg .process.args) == '["sh"]' && $(crt .Config.Cmd) == '["sh"]' ]]
	[[ $(crt .Config.Entrypoint) == null && $(crt .Path) == '"sh"' && $(crt .Args) == '[]' ]]
	mk small echo hi there
	[[ $(cfg .process.args) == '["echo","hi","there"]' ]]
	# --entrypoint replaces ENTRYPOINT and drops the image's CMD
	mk --entrypoint env small
	[[ $(cfg .process.args) == '["env"]' && $(crt .Config.Cmd) == null ]]
	[[ $(crt .Config.Entrypoint) == '["env"]' ]]
	mk --entrypoint=echo small a b
	[[ $(cfg .process.args) == '["echo","a","b"]' && $(crt .Config.Cmd) == '["a","b"]' ]]
	mk --entrypoint "" small ls /
	[[ $(cfg .process.args) == '["ls","/"]' && $(crt .Config.Entrypoint) == null ]]
	run --separate-stderr -2 ctr-create --entrypoint "" small
	[[ $stderr == "ctr-create: No command specified" ]]
}

@test "an image ENTRYPOINT: run args replace CMD only; image StopSignal, no PATH, VOLUME" {
	custom_image '{"Entrypoint":["echo","e"],"Cmd":["c"],"StopSignal":"SIGQUIT","Env":["X=1"],"Volumes":{"/vol":{}}}' <<-'EOF'
		mkdir -p "$1/vol"
		echo seed >"$1/vol/seed"
	EOF
	mk custom
	[[ $(cfg .process.args) == '["echo","e","c"]' && $(crt .Path) == '"echo"' && $(crt .Args) == '["e","c"]' ]]
	[[ $(crt .Config.StopSignal) == '"SIGQUIT"' && $(cfg .process.cwd) == '"/"' ]]
	[[ $(cfg .process.env) == "[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"HOSTNAME=${id:0:12}\",\"X=1\"]" ]]
	[[ $(crt .Config.Env) == '["X=1"]' ]]
	# the image's VOLUME: an anonymous volume, pre-filled
	local src
	src=$(cfg '.mounts[] | select(.destination == "/vol") | .source' | tr -d '"')
	[[ $src =~ /volumes/[0-9a-f]{64}/_data$ && $(cat "$src/seed") == seed ]]
	mk custom x y
	[[ $(cfg .process.args) == '["echo","e","x","y"]' && $(crt .Config.Entrypoint) == '["echo","e"]' ]]
	mk --entrypoint ls custom
	[[ $(cfg .process.args) == '["ls"]' ]]
	mk --stop-signal 9 -v /vol custom
	[[ $(crt .Config.StopSignal) == '"9"' ]]
	[[ $(cfg '[.mounts[] | select(.destination == "/vol")] | length') == 1 ]]
}

@test "env: PATH, HOSTNAME, TERM with -t, image Env, -e and --env-file by name" {
	mk small
	[[ $(cfg .process.env) == "[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"HOSTNAME=${id:0:12}\",\"FOO=bar\"]" ]]
	[[ $(cfg .process.terminal) == false ]]
	printf '# comment\n\nFILE=1\nFOO=from-file\n  SPACED=x y\nHOSTVAR\nUNSETVAR\n' >"$BATS_TEST_TMPDIR/env"
	HOSTVAR=hv mk -t -e FOO=baz -e NEW=1 --env-file "$BATS_TEST_TMPDIR/env" -h box1 small
	[[ $(cfg .process.terminal) == true ]]
	[[ $(cfg .process.env) == '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","HOSTNAME=box1","TERM=xterm","FILE=1","FOO=baz","SPACED=x y","HOSTVAR=hv","NEW=1"]' ]]
	# Config.Env: the user's entries first, then the image's not overridden
	[[ $(crt .Config.Env) == '["FILE=1","FOO=from-file","SPACED=x y","HOSTVAR=hv","FOO=baz","NEW=1","PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]' ]]
	# -e VAR without a host value unsets the image's VAR
	unset FOO
	mk -e FOO small
	[[ $(cfg '.process.env | map(select(startswith("FOO")))') == '[]' ]]
	run --separate-stderr -2 ctr-create -e =x small
	[[ $stderr == "ctr-create: invalid environment variable: =x" ]]
}

@test "working directory: the image's, -w, made in the rootfs when missing" {
	mk small
	[[ $(cfg .process.cwd) == '"/srv"' && $(crt .Config.WorkingDir) == '"/srv"' ]]
	mk -w /work/./deep//er/ small
	[[ $(cfg .process.cwd) == '"/work/deep/er"' ]]
	[[ -d $D/rootfs/work/deep/er && -d $D/upper/work/deep/er ]]
	[[ $(stat -c '%a %u' "$D/rootfs/work/deep/er") == "755 0" ]]
	run --separate-stderr -2 ctr-create -w rel small
	[[ $stderr == "ctr-create: the working directory 'rel' is invalid, it needs to be an absolute path" ]]
}

@test "a working directory through a hostile symlink is made inside the rootfs" {
	custom_image '{"Cmd":["sh"]}' <<-'EOF'
		ln -s ../../../../../../../..$BATS_TEST_TMPDIR/outside "$1/esc"
	EOF
	mkdir "$BATS_TEST_TMPDIR/outside"
	mk -w /esc/made custom
	[[ -z $(ls -A "$BATS_TEST_TMPDIR/outside") ]]
	[[ -d $D/upper$BATS_TEST_TMPDIR/outside/made ]]
}

@test "-u resolves names and ids in the image's passwd and group" {
	mk small
	[[ $(cfg .process.user) == '{"uid":0,"gid":0,"additionalGids":[0]}' && $(crt .Config.User) == '""' ]]
	mk -u app small
	[[ $(cfg .process.user) == '{"uid":1000,"gid":1000,"additionalGids":[1000]}' && $(crt .Config.User) == '"app"' ]]
	mk --user nobody:app small
	[[ $(cfg .process.user) == '{"uid":65534,"gid":1000,"additionalGids":[1000]}' ]]
	mk -u 1000:nogroup small
	[[ $(cfg .process.user) == '{"uid":1000,"gid":65534,"additionalGids":[65534]}' ]]
	mk -u 4321:4321 small
	[[ $(cfg .process.user) == '{"uid":4321,"gid":4321,"additionalGids":[4321]}' ]]
	mk -u 4321 small
	[[ $(cfg .process.user) == '{"uid":4321,"gid":0,"additionalGids":[0]}' ]]
	local before
	before=$(state)
	run --separate-stderr -1 ctr-create -u ghost small
	[[ $stderr == "ctr-create: unable to find user ghost: no matching entries in passwd file" ]]
	run --separate-stderr -1 ctr-create -u app:ghosts small
	[[ $stderr == "ctr-create: unable to find group ghosts: no matching entries in group file" ]]
	[[ $(state) == "$before" ]]
}

@test "-u: additionalGids: the primary group, then the image's groups of the user" {
	custom_image '{"Cmd":["sh"],"User":"app"}' <<-'EOF'
		mkdir "$1/etc"
		printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' >"$1/etc/passwd"
		printf 'root:x:0:root\napp:x:1000:\nwheel:x:10:app,other\naudio:x:29:app\n' >"$1/etc/group"
	EOF
	mk custom
	[[ $(cfg .process.user) == '{"uid":1000,"gid":1000,"additionalGids":[1000,10,29]}' ]]
	[[ $(crt .Config.User) == '"app"' ]]
	mk -u app:app custom
	[[ $(cfg .process.user.additionalGids) == '[1000]' ]]
	mk -u app:10 --group-add audio custom
	[[ $(cfg .process.user.additionalGids) == '[10,29]' ]]
	mk -u root custom
	[[ $(cfg .process.user) == '{"uid":0,"gid":0,"additionalGids":[0]}' ]]
}

@test "--env-file and --label-file refused in Docker's words, nothing created" {
	local t=$BATS_TEST_TMPDIR
	printf 'A=1\r\nB C=2\r\n' >"$t/space"
	printf 'A=1\n\n=x\n' >"$t/noname"
	printf 'A B\n' >"$t/bare"
	printf 'A=1\n\nB=\xc0\xaf\n' >"$t/utf8"
	printf '\xef\xbb\xbfBOM=1\n' >"$t/bom"
	run --separate-stderr -2 ctr-create --env-file "$t/space" small
	[[ $stderr == "ctr-create: poorly formatted environment: variable 'B C' contains whitespaces" ]]
	run --separate-stderr -2 ctr-create --env-file "$t/noname" small
	[[ $stderr == "ctr-create: poorly formatted environment: no variable name on line '=x'" ]]
	run --separate-stderr -2 ctr-create --label-file "$t/bare" small
	[[ $stderr == "ctr-create: poorly formatted environment: variable 'A B' contains whitespaces" ]]
	run --separate-stderr -2 ctr-create --env-file "$t/utf8" small
	[[ $stderr == "ctr-create: env file $t/utf8 contains invalid utf8 bytes at line 3: [66 61 192 175]" ]]
	run --separate-stderr -2 ctr-create --env-file "$t/nope" small
	[[ $stderr == "ctr-create: open $t/nope: no such file or directory" ]]
	run --separate-stderr -2 ctr-create --env-file "$t" small
	[[ $stderr == "ctr-create: read $t: is a directory" ]]
	[[ -z $(ls "$BOX_ROOT/containers" 2>/dev/null) ]]
	# a byte order mark before the first line is dropped, as Docker's
	mk --env-file "$t/bom" small
	[[ $(crt '.Config.Env[0]') == '"BOM=1"' ]]
}

@test "labels: the image's merged with -l and --label-file, keys sorted as Go's map; a file's bare name none" {
	printf 'from.file=1\nbare\n' >"$BATS_TEST_TMPDIR/labels"
	mk -l a=1 --label org.example.k=over --label-file "$BATS_TEST_TMPDIR/labels" small
	[[ $(crt .Config.Labels) == '{"a":"1","from.file":"1","org.example.k":"over"}' ]]
	mk small
	[[ $(crt .Config.Labels) == '{"org.example.k":"v"}' ]]
}

@test "annotations: config.json's and HostConfig's, none by default" {
	mk --annotation org.example.a=1 --annotation bare small
	[[ $(cfg .annotations) == '{"org.example.a":"1","bare":""}' ]]
	[[ $(crt .HostConfig.Annotations) == '{"org.example.a":"1","bare":""}' ]]
	mk small
	[[ $(cfg .annotations) == null && $(crt .HostConfig.Annotations) == null ]]
}

@test "hostname: the short id by default, -h, the host's with --network host" {
	mk small
	[[ $(cfg .hostname) == "\"${id:0:12}\"" && $(cat "$D/hostname") == "${id:0:12}" ]]
	[[ $(crt .Config.Hostname) == "\"${id:0:12}\"" ]]
	mk --hostname web small
	[[ $(cfg .hostname) == '"web"' && $(cat "$D/hostname") == web ]]
	mk --network host --cgroupns private small
	[[ $(cfg .hostname) == "\"$(hostname)\"" ]]
	[[ $(cfg '.linux.namespaces | map(.type)') == '["pid","ipc","uts","mount","cgroup"]' ]]
	diff "$D/hosts" /etc/hosts
	[[ $(cfg .linux.sysctl) == null ]]
}

@test "network modes: bridge joins BUNDLE/netns, none has its own, container: shares" {
	mk --cgroupns private small
	[[ $(cfg '.linux.namespaces | map(.type)') == '["pid","network","ipc","uts","mount","cgroup"]' ]]
	[[ $(cfg '.linux.namespaces[1]') == "{\"type\":\"network\",\"path\":\"$D/netns\"}" ]]
	# Docker records "default" for no --network and --network default
	[[ $(crt .HostConfig.NetworkMode) == '"default"' ]]
	[[ $(crt '.NetworkingConfig.EndpointsConfig | keys') == '["bridge"]' ]]
	[[ $(cfg .linux.sysctl) == '{"net.ipv4.ip_unprivileged_port_start":"0","net.ipv4.ping_group_range":"0 2147483647"}' ]]
	grep -qx '127.0.0.1	localhost' "$D/hosts"
	grep -qx 'ff02::2	ip6-allrouters' "$D/hosts"
	local peer=$id peerdir=$D
	mk --network default small
	[[ $(crt .HostConfig.NetworkMode) == '"default"' && $(cfg '.linux.namespaces[1].path') == "\"$D/netns\"" ]]
	mk --network bridge small
	[[ $(crt .HostConfig.NetworkMode) == '"bridge"' ]]
	mk --network none small
	[[ $(cfg '.linux.namespaces[1]') == '{"type":"network"}' ]]
	mk --net "container:${peer:0:12}" small
	[[ $(crt .HostConfig.NetworkMode) == "\"container:$peer\"" ]]
	[[ $(cfg '.linux.namespaces[1].path') == "\"$peerdir/netns\"" ]]
	[[ $(cfg '.mounts[] | select(.destination == "/etc/hosts") | .source') == "\"$peerdir/hosts\"" ]]
	[[ $(cfg .hostname) == "\"${peer:0:12}\"" && $(crt .Config.Hostname) == "\"${peer:0:12}\"" ]]
	run --separate-stderr -3 ctr-create --network container:nope small
	[[ $stderr == "ctr-create: No such container: nope" ]]
	run --separate-stderr -2 ctr-create --network container:$peer -h x small
	[[ $stderr == "ctr-create: conflicting options: hostname and the network mode" ]]
}

@test "network flags are recorded for ctr-net in Docker's shapes" {
	mkdir -p "$BOX_ROOT/networks/mynet"
	printf '{"Name":"mynet","Id":"%064d","Driver":"bridge","IPAM":{"Config":[{"Subnet":"10.1.0.0/16","Gateway":"10.1.0.1"}]},"Box":{"Bridge":"boxt-x","UserSubnet":true}}' 1 \
		>"$BOX_ROOT/networks/mynet/config.json"
	mk --network mynet -p 8080:80 -p 127.0.0.1:5353:53/udp -p 9000-9001:90-91 --expose 7000 \
		-P --ip 10.1.2.3 --network-alias web --network-alias www --add-host db:10.0.0.9 \
		--add-host v6=::1 --dns 192.0.2.53 small
	[[ $(crt .HostConfig.NetworkMode) == '"mynet"' && $(crt .HostConfig.PublishAllPorts) == true ]]
	# keys in Go's order for a map (sorted), as Docker's inspect writes them
	[[ $(crt '.HostConfig.PortBindings') == '{"53/udp":[{"HostIp":"127.0.0.1","HostPort":"5353"}],"80/tcp":[{"HostIp":"","HostPort":"8080"}],"90/tcp":[{"HostIp":"","HostPort":"9000"}],"91/tcp":[{"HostIp":"","HostPort":"9001"}]}' ]]
	[[ $(crt '.Config.ExposedPorts | keys_unsorted') == '["53/udp","7000/tcp","80/tcp","90/tcp","91/tcp"]' ]]
	[[ $(crt .NetworkingConfig) == '{"EndpointsConfig":{"mynet":{"IPAMConfig":{"IPv4Address":"10.1.2.3"},"Aliases":["web","www"]}}}' ]]
	[[ $(crt .HostConfig.ExtraHosts) == '["db:10.0.0.9","v6:::1"]' ]]
	[[ $(crt .HostConfig.Dns) == '["192.0.2.53"]' ]]
	grep -qx '10.0.0.9	db' "$D/hosts"
	grep -qx '::1	v6' "$D/hosts"
	[[ $(grep nameserver "$D/resolv.conf") == "nameserver 192.0.2.53" ]]
	[[ $(cfg '.linux.namespaces[1].path') == "\"$D/netns\"" ]]
	# by id prefix: recorded by name
	mk --network 0000000 small
	[[ $(crt .HostConfig.NetworkMode) == '"mynet"' ]]
	run --separate-stderr -3 ctr-create --network nonet small
	[[ $stderr == "ctr-create: network nonet not found" ]]
}

@test "--dns, --dns-search, --dns-option write resolv.conf and HostConfig" {
	mk --dns 192.0.2.1 --dns 192.0.2.2 --dns-search a.example --dns-search b.example --dns-option ndots:2 small
	[[ $(grep -E '^(nameserver|search|options)' "$D/resolv.conf") == $'nameserver 192.0.2.1\nnameserver 192.0.2.2\nsearch a.example b.example\noptions ndots:2' ]]
	[[ $(crt '.HostConfig | [.Dns, .DnsSearch, .DnsOptions]') == '[["192.0.2.1","192.0.2.2"],["a.example","b.example"],["ndots:2"]]' ]]
	mk --dns-search . small
	! grep -q '^search' "$D/resolv.conf"
	run --separate-stderr -2 ctr-create --network host --dns-search x small
	[[ $stderr == "ctr-create: conflicting options: dns and the network mode" ]]
}

@test "resolv.conf: the host's without localhost nameservers" {
	mk small
	! grep -q '^nameserver 127\.' "$D/resolv.conf"
	grep -q '^nameserver ' "$D/resolv.conf"
	grep -v '^nameserver' /etc/resolv.conf | while read -r l; do grep -qxF "$l" "$D/resolv.conf"; done
}

@test "--read-only, -v binds and named volumes, --tmpfs become mounts" {
	mkdir -p "$BATS_TEST_TMPDIR/host"
	mk --read-only -v "$BATS_TEST_TMPDIR/host:/data:ro" -v "$BATS_TEST_TMPDIR/new:/new" \
		-v etcvol:/etc -v /anon --tmpfs /run:size=1m,exec --tmpfs /scratch small
	[[ $(cfg .root.readonly) == true && $(crt .HostConfig.ReadonlyRootfs) == true ]]
	[[ -d $BATS_TEST_TMPDIR/new ]]
	[[ $(cfg '.mounts[] | select(.destination == "/data")') == "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/host\",\"options\":[\"rbind\",\"ro\",\"rprivate\"]}" ]]
	[[ $(cfg '.mounts[] | select(.destination == "/new") | .options') == '["rbind","rprivate"]' ]]
	[[ $(cfg '.mounts[] | select(.destination == "/etc") | .source') == "\"$BOX_ROOT/volumes/etcvol/_data\"" ]]
	[[ $(cfg '.mounts[] | select(.destination == "/run")') == '{"destination":"/run","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","rprivate","size=1m","exec"]}' ]]
	[[ $(cfg '.mounts[] | select(.destination == "/scratch") | .options') == '["noexec","nosuid","nodev","rprivate"]' ]]
	[[ $(cfg '.mounts[] | select(.destination == "/etc/hosts") | .options') == '["rbind","rprivate","ro"]' ]]
	# parents before children
	[[ $(cfg '[.mounts[].destination] | index("/etc") < index("/etc/hosts")') == true ]]
	# the anonymous volume: 64 hex characters
	[[ $(cfg '.mounts[] | select(.destination == "/anon") | .source') =~ /volumes/[0-9a-f]{64}/_data\"$ ]]
	[[ $(crt .HostConfig.Binds | jq length) == 4 && $(crt .HostConfig.Tmpfs) == '{"/run":"size=1m,exec","/scratch":""}' ]]
	[[ $(crt '.Mounts | map(.Type)') == '["bind","bind","volume","volume"]' ]]
	run --separate-stderr -2 ctr-create -v relative small
	[[ $stderr == *"mount path must be absolute" ]]
	run --separate-stderr -2 ctr-create -v /x:/y:bogus small
	[[ $stderr == "ctr-create: invalid mode: bogus" ]]
	run --separate-stderr -2 ctr-create --tmpfs /t:bogus small
	[[ $stderr == 'ctr-create: invalid tmpfs option "bogus"' ]]
}

@test "--mount: bind (must exist), volume, tmpfs" {
	mkdir -p "$BATS_TEST_TMPDIR/src"
	mk --mount "type=bind,source=$BATS_TEST_TMPDIR/src,target=/b,readonly" --mount type=volume,src=mv,dst=/etc \
		--mount type=volume,source=empty,target=/home,volume-nocopy --mount type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=700 small
	[[ $(cfg '.mounts[] | select(.destination == "/b")') == "{\"destination\":\"/b\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/src\",\"options\":[\"rbind\",\"ro\",\"rprivate\"]}" ]]
	[[ -f $BOX_ROOT/volumes/mv/_data/passwd && -z $(ls -A "$BOX_ROOT/volumes/empty/_data") ]]
	[[ $(cfg '.mounts[] | select(.destination == "/t") | .options') == '["noexec","nosuid","nodev","rprivate","size=1048576","mode=700"]' ]]
	[[ $(crt '.HostConfig.Mounts | map(.Type)') == '["bind","volume","volume","tmpfs"]' ]]
	[[ $(crt '.HostConfig.Mounts[0] | [.Source, .Target, .ReadOnly]') == "[\"$BATS_TEST_TMPDIR/src\",\"/b\",true]" ]]
	run --separate-stderr -2 ctr-create --mount type=bind,source=/nonexistent,target=/x small
	[[ $stderr == 'ctr-create: invalid mount config for type "bind": bind source path does not exist: /nonexistent' ]]
	run --separate-stderr -2 ctr-create --mount type=tmpfs small
	[[ $stderr == 'ctr-create: invalid argument "type=tmpfs" for "--mount" flag: target is required' ]]
	run --separate-stderr -2 ctr-create --mount type=volume,target=/x,colour=red small
	[[ $stderr == "ctr-create: invalid argument \"type=volume,target=/x,colour=red\" for \"--mount\" flag: unexpected key 'colour' in 'type=volume,target=/x,colour=red'" ]]
}

@test "--volumes-from: another container's binds and volumes" {
	mkdir -p "$BATS_TEST_TMPDIR/h"
	mk --name src -v "$BATS_TEST_TMPDIR/h:/h:ro" -v data:/data -v /anon small
	local srcid=$id
	mk --volumes-from src -v "$BATS_TEST_TMPDIR:/data" small
	[[ $(cfg '.mounts[] | select(.destination == "/h") | [.source, .options]') == "[\"$BATS_TEST_TMPDIR/h\",[\"rbind\",\"ro\",\"rprivate\"]]" ]]
	# its own -v at /data wins
	[[ $(cfg '.mounts[] | select(.destination == "/data") | .source') == "\"$BATS_TEST_TMPDIR\"" ]]
	[[ $(cfg '.mounts[] | select(.destination == "/anon") | .source') == $(jq -c '.mounts[] | select(.destination == "/anon") | .source' "$BOX_ROOT/containers/$srcid/config.json") ]]
	[[ $(crt .HostConfig.VolumesFrom) == '["src"]' ]]
	mk --volumes-from "${srcid:0:12}:rw" small
	[[ $(cfg '.mounts[] | select(.destination == "/h") | .options') == '["rbind","rprivate"]' ]]
	run --separate-stderr -3 ctr-create --volumes-from nope small
	[[ $stderr == "ctr-create: No such container: nope" ]]
}

@test "a named volume is made once, pre-filled from the image" {
	mk -v conf:/etc small
	local v=$BOX_ROOT/volumes/conf/_data
	[[ $(cat "$v/passwd") == "$(cat "$D/rootfs/etc/passwd")" ]]
	[[ -z $(ls "$BOX_ROOT/volumes" | grep tmp) ]]
	echo changed >"$v/passwd"
	mk -v conf:/etc small
	[[ $(cat "$v/passwd") == changed ]]
	# home/app belongs to app: the volume's root takes its owner and mode
	mk -v homevol:/home/app small
	[[ $(stat -c '%u:%g %a' "$BOX_ROOT/volumes/homevol/_data") == "1000:1000 755" ]]
	run --separate-stderr -2 ctr-create -v 'bad name!:/x' small
	[[ $stderr == *'includes invalid characters for a local volume name'* ]]
}

@test "a create that fails after its volumes: the anonymous ones go, the named ones stay" {
	run --separate-stderr -3 ctr-create -v /anon -v keep:/keep --volumes-from nope small
	[[ $stderr == *nope* ]]
	[[ $(ls "$BOX_ROOT/volumes") == keep ]]
}

@test "resources: -m, --memory-swap, --cpus, --pids-limit" {
	mk -m 64m --cpus 0.5 --pids-limit 50 small
	[[ $(cfg .linux.resources.memory) == '{"limit":67108864,"swap":134217728}' ]]
	[[ $(cfg .linux.resources.cpu) == '{"quota":50000,"period":100000}' ]]
	[[ $(cfg .linux.resources.pids) == '{"limit":50}' ]]
	[[ $(crt '.HostConfig | [.Memory, .MemorySwap, .NanoCpus, .PidsLimit]') == '[67108864,134217728,500000000,50]' ]]
	mk --memory=1g --memory-swap -1 small
	[[ $(cfg .linux.resources.memory) == '{"limit":1073741824,"swap":-1}' ]]
	mk small
	[[ $(cfg .linux.resources.memory) == null && $(cfg .linux.resources.pids) == null ]]
	run --separate-stderr -2 ctr-create -m 1k small
	[[ $stderr == "ctr-create: Minimum memory limit allowed is 6MB" ]]
	run --separate-stderr -2 ctr-create --cpus lots small
	[[ $stderr == *'failed to parse lots as a rational number' ]]
}

@test "capabilities: Docker's default set, --cap-add, --cap-drop, ALL" {
	local dflt='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_NET_RAW","CAP_SYS_CHROOT","CAP_MKNOD","CAP_AUDIT_WRITE","CAP_SETFCAP"]'
	mk small
	[[ $(cfg .process.capabilities.bounding) == "$dflt" ]]
	[[ $(cfg .process.capabilities.effective) == "$dflt" && $(cfg .process.capabilities.permitted) == "$dflt" ]]
	[[ $(cfg .process.capabilities.inheritable) == null && $(cfg .process.capabilities.ambient) == null ]]
	mk --cap-drop ALL --cap-add net_admin --cap-add CAP_KILL small
	[[ $(cfg .process.capabilities.bounding) == '["CAP_KILL","CAP_NET_ADMIN"]' ]]
	[[ $(crt .HostConfig.CapAdd) == '["CAP_NET_ADMIN","CAP_KILL"]' && $(crt .HostConfig.CapDrop) == '["ALL"]' ]]
	# ALL: what the host's bounding set holds (this one lacks CAP_SYS_RESOURCE)
	mk --cap-add ALL --cap-drop MKNOD small
	[[ $(cfg '.process.capabilities.bounding | length') == $(($(host_caps) - 1)) ]]
	[[ $(cfg '.process.capabilities.bounding | index("CAP_MKNOD")') == null ]]
	[[ $(crt .HostConfig.CapAdd) == '["ALL"]' ]]
	run --separate-stderr -2 ctr-create --cap-add bogus small
	[[ $stderr == 'ctr-create: unknown capability: "CAP_BOGUS"' ]]
}

@test "--privileged: all capabilities and devices, no seccomp, no masked paths" {
	mk --privileged small
	[[ $(cfg '.process.capabilities.bounding | length') == $(host_caps) ]]
	[[ $(cfg .linux.seccomp) == null && $(cfg .linux.maskedPaths) == null && $(cfg .linux.readonlyPaths) == null ]]
	[[ $(cfg .linux.resources.devices) == '[{"allow":true,"access":"rwm"}]' ]]
	[[ $(cfg '.linux.devices | map(.path) | index("/dev/null") != null') == true ]]
	[[ $(cfg '.mounts[] | select(.destination == "/sys") | .options') == '["nosuid","noexec","nodev","rw"]' ]]
	[[ $(crt .HostConfig.Privileged) == true ]]
}

@test "masked and read-only paths, devices, default mounts: Docker's" {
	mk small
	[[ $(cfg .linux.maskedPaths) == '["/proc/asound","/proc/acpi","/proc/interrupts","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware","/sys/devices/virtual/powercap"]' ]]
	[[ $(cfg .linux.readonlyPaths) == '["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]' ]]
	[[ $(cfg '.mounts | map(.destination)') == '["/proc","/dev","/dev/pts","/sys","/sys/fs/cgroup","/dev/mqueue","/dev/shm","/etc/resolv.conf","/etc/hostname","/etc/hosts"]' ]]
	[[ $(cfg '.mounts[2].options') == '["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]' ]]
	# moby's rules, as dockerd gives them to runc (which adds its own)
	[[ $(cfg '.linux.resources.devices | map("\(.allow) \(.type // "a") \(.major // "*"):\(.minor // "*") \(.access)")') == '["false a *:* rwm","true c 1:5 rwm","true c 1:3 rwm","true c 1:9 rwm","true c 1:8 rwm","true c 5:0 rwm","true c 5:1 rwm","false c 10:229 rwm"]' ]]
	[[ $(cfg .linux.devices) == '[]' && $(cfg .process.noNewPrivileges) == false ]]
}

@test "seccomp: Docker's default profile, resolved for the container's capabilities" {
	mk small
	[[ $(cfg .linux.seccomp.defaultAction) == '"SCMP_ACT_ERRNO"' && $(cfg .linux.seccomp.defaultErrnoRet) == 1 ]]
	[[ $(cfg .linux.seccomp.architectures) == '["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"]' ]]
	[[ $(cfg '[.linux.seccomp.syscalls[].names[]] | index("read") != null') == true ]]
	[[ $(cfg '[.linux.seccomp.syscalls[].names[]] | index("mount")') == null ]]
	# Docker 26: io_uring blocked, the kernel 6.7 syscalls allowed
	[[ $(cfg '[.linux.seccomp.syscalls[].names[]] | index("io_uring_setup")') == null ]]
	[[ $(cfg '[.linux.seccomp.syscalls[].names[]] | (index("fchmodat2") != null and index("futex_wake") != null)') == true ]]
	[[ $(cfg '.linux.seccomp.syscalls[] | select(.names == ["clone"]) | .args') == '[{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}]' ]]
	[[ $(cfg '.linux.seccomp.syscalls[] | select(.names == ["clone3"])') == '{"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38}' ]]
	[[ $(cfg '[.linux.seccomp.syscalls[].names[]] | index("arch_prctl") != null') == true ]]
	[[ $(cfg '[.linux.seccomp.syscalls[].names[]] | index("s390_runtime_instr")') == null ]]
	# CAP_SYS_ADMIN brings mount and unrestricted clone
	mk --cap-add SYS_ADMIN small
	[[ $(cfg '[.linux.seccomp.syscalls[].names[]] | index("mount") != null') == true ]]
	[[ $(cfg '[.linux.seccomp.syscalls[] | select(.names == ["clone"])] | length') == 0 ]]
	mk --security-opt seccomp=unconfined --security-opt no-new-privileges small
	[[ $(cfg .linux.seccomp) == null && $(cfg .process.noNewPrivileges) == true ]]
	[[ $(crt .HostConfig.SecurityOpt) == '["seccomp=unconfined","no-new-privileges"]' ]]
	mk --security-opt no-new-privileges:false small
	[[ $(cfg .process.noNewPrivileges) == false ]]
}

@test "seccomp=FILE: a Docker-format profile converted" {
	cat >"$BATS_TEST_TMPDIR/prof.json" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]},
		             {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": []}],
		 "syscalls": [
		   {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
		   {"name": "chmod", "action": "SCMP_ACT_ERRNO"},
		   {"names": ["reboot"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_BOOT"]}},
		   {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "excludes": {"arches": ["amd64"]}},
		   {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 9, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]}]}
	EOF
	mk --security-opt "seccomp=$BATS_TEST_TMPDIR/prof.json" small
	[[ $(cfg .linux.seccomp) == '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":13},{"names":["chmod"],"action":"SCMP_ACT_ERRNO"},{"names":["kill"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"value":9,"op":"SCMP_CMP_EQ"}]}]}' ]]
	[[ $(crt '.HostConfig.SecurityOpt[0] | startswith("seccomp={")') == true ]]
	run --separate-stderr -2 ctr-create --security-opt seccomp=/nonexistent small
	[[ $stderr == "ctr-create: opening seccomp profile (/nonexistent) failed: open /nonexistent: No such file or directory" ]]
	run --separate-stderr -2 ctr-create --security-opt bogus=1 small
	[[ $stderr == 'ctr-create: invalid --security-opt 2: "bogus=1"' ]]
}

@test "--no-sync: the same container, its files not synced; not docker create's" {
	mk small true
	syncs_counted ctr-create small true >/dev/null
	((SYNCS > 0))
	syncs_counted ctr-create --no-sync small true >"$BATS_TEST_TMPDIR/id"
	((SYNCS == 0))
	D=$BOX_ROOT/containers/$(cat "$BATS_TEST_TMPDIR/id")
	[[ $(jq -c .Config.Cmd "$D/create.json") == '["true"]' && $(sed -n 's/^status=//p' "$D/state") == created ]]
	run -0 ctr-create --flags
	[[ $output != *no-sync* ]]
}

@test "--init, --stop-signal, --stop-timeout, -i, --rm, --restart" {
	mk --init --stop-signal SIGUSR1 --stop-timeout 3 -i --rm small echo x
	[[ $(cfg .process.args) == '["/sbin/docker-init","--","echo","x"]' ]]
	[[ $(cfg '.mounts[-1]') == '{"destination":"/sbin/docker-init","type":"bind","source":"/usr/bin/tini-static","options":["bind","ro"]}' ]]
	[[ $(crt '.Config | [.StopSignal, .StopTimeout, .OpenStdin, .AttachStdin, .Tty]') == '["SIGUSR1",3,true,true,false]' ]]
	[[ $(crt '.HostConfig | [.Init, .AutoRemove]') == '[true,true]' ]]
	[[ $(crt .HostConfig.RestartPolicy) == '{"Name":"no","MaximumRetryCount":0}' ]]
	mk --restart on-failure:3 small
	[[ $(crt .HostConfig.RestartPolicy) == '{"Name":"on-failure","MaximumRetryCount":3}' ]]
	[[ $(crt .Config.StopSignal) == null && $(crt .HostConfig.Init) == null ]]
	mk --restart=unless-stopped small
	[[ $(crt .HostConfig.RestartPolicy.Name) == '"unless-stopped"' ]]
	run --separate-stderr -2 ctr-create --restart always --rm small
	[[ $stderr == "ctr-create: Conflicting options: --restart and --rm" ]]
	run --separate-stderr -2 ctr-create --restart sometimes small
	[[ $stderr == "ctr-create: invalid restart policy 'sometimes'" ]]
	run --separate-stderr -2 ctr-create --restart always:3 small
	[[ $stderr == "ctr-create: maximum retry count cannot be used with restart policy 'always'" ]]
	run --separate-stderr -2 ctr-create --restart on-failure:-1 small
	[[ $stderr == "ctr-create: maximum retry count cannot be negative" ]]
	run --separate-stderr -2 ctr-create --restart on-failure:x small
	[[ $stderr == "ctr-create: maximum retry count must be an integer" ]]
	run --separate-stderr -2 ctr-create --restart a:b:c small
	[[ $stderr == "ctr-create: invalid restart policy format" ]]
	run --separate-stderr -2 ctr-create --stop-signal SIGNOPE small
	[[ $stderr == "ctr-create: Invalid signal: SIGNOPE" ]]
}

@test "more of docker create: --shm-size, --group-add, --sysctl, -c, --cpuset-cpus, --ulimit, --device, --log-*" {
	mk --shm-size 128m --group-add app --group-add 4242 --sysctl net.ipv4.ip_forward=1 --sysctl kernel.shmmax=1000000 \
		-c 512 --cpuset-cpus 0 --ulimit nofile=1024:2048 --ulimit nproc=100 --domainname ex.org \
		--device /dev/null:/dev/mynull:r --log-driver local --log-opt max-size=1m --log-opt compress=false small
	[[ $(cfg '.mounts[] | select(.destination == "/dev/shm") | .options[-1]') == '"size=134217728"' ]]
	[[ $(cfg .process.user) == '{"uid":0,"gid":0,"additionalGids":[0,1000,4242]}' ]]
	[[ $(cfg .linux.sysctl) == '{"net.ipv4.ip_unprivileged_port_start":"0","net.ipv4.ping_group_range":"0 2147483647","net.ipv4.ip_forward":"1","kernel.shmmax":"1000000"}' ]]
	[[ $(cfg .linux.resources.cpu) == '{"shares":512,"cpus":"0"}' ]]
	[[ $(cfg .process.rlimits) == '[{"type":"RLIMIT_NOFILE","hard":2048,"soft":1024},{"type":"RLIMIT_NPROC","hard":100,"soft":100}]' ]]
	[[ $(cfg .domainname) == '"ex.org"' && $(crt .Config.Domainname) == '"ex.org"' ]]
	[[ $(cfg .linux.devices) == '[{"path":"/dev/mynull","type":"c","major":1,"minor":3,"fileMode":438,"uid":0,"gid":0}]' ]]
	[[ $(cfg '.linux.resources.devices[-1]') == '{"allow":true,"type":"c","major":1,"minor":3,"access":"r"}' ]]
	[[ $(crt '.HostConfig | [.ShmSize, .CpuShares, .CpusetCpus, .GroupAdd, .Sysctls, .Ulimits, .Devices, .LogConfig]') == '[134217728,512,"0",["app","4242"],{"net.ipv4.ip_forward":"1","kernel.shmmax":"1000000"},[{"Name":"nofile","Hard":2048,"Soft":1024},{"Name":"nproc","Hard":100,"Soft":100}],[{"PathOnHost":"/dev/null","PathInContainer":"/dev/mynull","CgroupPermissions":"r"}],{"Type":"local","Config":{"compress":"false","max-size":"1m"}}]' ]]
	run --separate-stderr -1 ctr-create --group-add ghosts small
	[[ $stderr == "ctr-create: unable to find group ghosts: no matching entries in group file" ]]
	run --separate-stderr -2 ctr-create --sysctl kernel.hostname=x small
	[[ $stderr == "ctr-create: sysctl 'kernel.hostname=x' is not allowed" ]]
	run --separate-stderr -2 ctr-create --ulimit bogus=1 small
	[[ $stderr == 'ctr-create: invalid argument "bogus=1" for "--ulimit" flag: invalid ulimit type: bogus' ]]
	run --separate-stderr -2 ctr-create --device /nonexistent small
	[[ $stderr == 'ctr-create: error gathering device information while adding custom device "/nonexistent": no such file or directory' ]]
}

@test "--device and --device-cgroup-rule: Docker's spec, HostConfig and words" {
	mkdir -p "$BATS_TEST_TMPDIR/devs/sub"
	mknod "$BATS_TEST_TMPDIR/devs/sub/one" c 1 3
	mknod "$BATS_TEST_TMPDIR/devs/two" b 7 99
	ln -s /dev/zero "$BATS_TEST_TMPDIR/devs/link"
	mkdir "$BATS_TEST_TMPDIR/empty"
	touch "$BATS_TEST_TMPDIR/file" "$BATS_TEST_TMPDIR/devs/file"
	mk --device /dev/null:rw --device "$BATS_TEST_TMPDIR/devs:/dev/mine:r" \
		--device-cgroup-rule 'c 1:5 rwm' --device-cgroup-rule 'b *:* r' small
	# a directory: every device below it, links not followed (dockerd's walk)
	[[ $(cfg '.linux.devices | map("\(.path) \(.type) \(.major):\(.minor)")') == "[\"/dev/null c 1:3\",\"/dev/mine/sub/one c 1:3\",\"/dev/mine/two b 7:99\"]" ]]
	# after moby's: --device's rules, then --device-cgroup-rule's ("*" as -1)
	[[ $(cfg '.linux.resources.devices[8:]') == '[{"allow":true,"type":"c","major":1,"minor":3,"access":"rw"},{"allow":true,"type":"c","major":1,"minor":3,"access":"r"},{"allow":true,"type":"b","major":7,"minor":99,"access":"r"},{"allow":true,"type":"c","major":1,"minor":5,"access":"rwm"},{"allow":true,"type":"b","major":-1,"minor":-1,"access":"r"}]' ]]
	[[ $(crt '.HostConfig | [.Devices, .DeviceCgroupRules, .Privileged]') == "[[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/null\",\"CgroupPermissions\":\"rw\"},{\"PathOnHost\":\"$BATS_TEST_TMPDIR/devs\",\"PathInContainer\":\"/dev/mine\",\"CgroupPermissions\":\"r\"}],[\"c 1:5 rwm\",\"b *:* r\"],false]" ]]
	mk small
	[[ $(crt '.HostConfig | [.Devices, .DeviceCgroupRules]') == '[[],null]' ]]
	# privileged: the host's devices and allow all; a device mapped to its
	# own path is there once, the rules are dropped, as dockerd does
	mk --privileged --device /dev/null --device /dev/null:/dev/other --device-cgroup-rule 'c 1:5 r' small
	[[ $(cfg '[.linux.devices[] | select(.path == "/dev/null" or .path == "/dev/other")] | length') == 2 ]]
	[[ $(cfg .linux.resources.devices) == '[{"allow":true,"access":"rwm"}]' ]]
	# the docker client's words
	local bad
	for bad in '/dev/null:/x:rwz|bad mode specified: rwz' '/dev/null:rel|rel is not an absolute path' \
		'/dev/null:/x:r:z|bad format for path: /dev/null:/x:r:z' ':/x|bad format for path: :/x' \
		'null|null is not an absolute path' '/dev/null:/x:rr|bad mode specified: rr' \
		"$BATS_TEST_TMPDIR/file|error gathering device information while adding custom device \"$BATS_TEST_TMPDIR/file\": not a device node" \
		"$BATS_TEST_TMPDIR/empty|error gathering device information while adding custom device \"$BATS_TEST_TMPDIR/empty\": not a device node"; do
		run --separate-stderr -2 ctr-create --device "${bad%%|*}" small
		[[ $stderr == "ctr-create: ${bad#*|}" ]]
	done
	for bad in 'x 1:5 rwm' a 'c 1:5' 'c 1:5 rwx' 'c 1:5 rwmr' 'c :5 r' 'c 1-5 r'; do
		run --separate-stderr -2 ctr-create --device-cgroup-rule "$bad" small
		[[ $stderr == "ctr-create: invalid argument \"$bad\" for \"--device-cgroup-rule\" flag: invalid device cgroup format '$bad'" ]]
	done
}

@test "--cpu-quota, --cpu-period, --memory-reservation, --oom-kill-disable, --oom-score-adj, --mac-address" {
	mk --cpu-quota 20000 --cpu-period 50000 -m 64m --memory-reservation 32m --oom-kill-disable --oom-score-adj 500 \
		--mac-address 02:42:ac:11:00:09 small
	[[ $(cfg .linux.resources.cpu) == '{"quota":20000,"period":50000}' ]]
	[[ $(cfg .linux.resources.memory) == '{"limit":67108864,"reservation":33554432,"swap":134217728,"disableOOMKiller":true}' ]]
	[[ $(cfg .process.oomScoreAdj) == 500 ]]
	[[ $(crt '.HostConfig | [.CpuQuota, .CpuPeriod, .MemoryReservation, .OomKillDisable, .OomScoreAdj]') == '[20000,50000,33554432,true,500]' ]]
	[[ $(crt .NetworkingConfig.EndpointsConfig.bridge.MacAddress) == '"02:42:ac:11:00:09"' ]]
	run --separate-stderr -2 ctr-create --cpus 1 --cpu-quota 5000 small
	[[ $stderr == "ctr-create: Conflicting options: Nano CPUs and CPU Quota cannot both be set" ]]
	run --separate-stderr -2 ctr-create --oom-score-adj 2000 small
	[[ $stderr == "ctr-create: Invalid value 2000, range for oom score adj is [-1000, 1000]" ]]
	run --separate-stderr -2 ctr-create --mac-address 02:42 small
	[[ $stderr == "ctr-create: 02:42 is not a valid mac address" ]]
}

@test "--pid, --ipc, --uts, --cgroupns host; --ipc none; --cidfile" {
	mk --pid host --ipc host --uts host --cgroupns host --cidfile "$BATS_TEST_TMPDIR/cid" small
	[[ $(cfg '.linux.namespaces') == "[{\"type\":\"network\",\"path\":\"$D/netns\"},{\"type\":\"mount\"}]" ]]
	[[ $(cfg .hostname) == null ]]
	[[ $(cfg '.mounts[] | select(.destination == "/dev/shm")') == '{"destination":"/dev/shm","type":"bind","source":"/dev/shm","options":["rbind","rprivate"]}' ]]
	[[ $(crt '.HostConfig | [.PidMode, .IpcMode, .UTSMode, .CgroupnsMode]') == '["host","host","host","host"]' ]]
	[[ $(cat "$BATS_TEST_TMPDIR/cid") == "$id" ]]
	run --separate-stderr -2 ctr-create --cidfile "$BATS_TEST_TMPDIR/cid" small
	[[ $stderr == "ctr-create: container ID file found, make sure the other container isn't running or delete $BATS_TEST_TMPDIR/cid" ]]
	mk --ipc none small
	[[ $(cfg '[.mounts[] | select(.destination == "/dev/shm")] | length') == 0 ]]
	# dockerd's default cgroupns: host on a v1 host, private on v2
	local cgns=host
	[[ ! -e /sys/fs/cgroup/cgroup.controllers ]] || cgns=private
	[[ $(crt '.HostConfig | [.PidMode, .IpcMode, .UTSMode, .CgroupnsMode]') == "[\"\",\"none\",\"\",\"$cgns\"]" ]]
	run --separate-stderr -2 ctr-create --uts host -h x small
	[[ $stderr == "ctr-create: conflicting options: hostname and the UTS mode" ]]
	run --separate-stderr -2 ctr-create --ipc host --sysctl kernel.sem=1 small
	[[ $stderr == "ctr-create: sysctl 'kernel.sem=1' not allowed in host IPC namespace" ]]
	run --separate-stderr -2 ctr-create --pid bogus small
	[[ $stderr == "ctr-create: invalid pid mode: bogus" ]]
}

@test "crun: --group-add, --sysctl, --ulimit, --device, --pid host as the process sees them" {
	mk --network none --group-add app --sysctl kernel.shmmax=1000000 --ulimit nofile=1024:2048 --pid host \
		--device /dev/null:/dev/mynull:rw small sh -c 'id; cat /proc/sys/kernel/shmmax; ulimit -n; ulimit -Hn
		echo x >/dev/mynull && echo dev-ok; [ -d /proc/$PPID ] && [ $$ != 1 ] && echo host-pids'
	run -0 crun_run
	[[ $output == $'uid=0(root) gid=0(root) groups=0(root),1000(app)\n1000000\n1024\n2048\ndev-ok\nhost-pids' ]]
}

@test "names: --name reserves, a taken name exits 4 in Docker's words" {
	mk --name web small
	[[ $(crt .Name) == '"/web"' && $(readlink "$BOX_ROOT/names/web") == "$id" ]]
	local before
	before=$(state)
	run --separate-stderr -4 ctr-create --name /web small
	[[ $stderr == "ctr-create: Conflict. The container name \"/web\" is already in use by container \"$id\". You have to remove (or rename) that container to be able to reuse that name." ]]
	[[ -z $output && $(state) == "$before" ]]
	run --separate-stderr -2 ctr-create --name 'a b' small
	[[ $stderr == "ctr-create: Invalid container name (a b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed" ]]
}

@test "a name left by a creator that died is taken over, a live creator's is not" {
	local ghost
	ghost=$(printf '%064d' 7)
	mkdir -p "$BOX_ROOT/names"
	# a creator makes its directory before it reserves the name: a name of
	# no container and no live creator is stale from the start
	ln -s "$ghost" "$BOX_ROOT/names/old"
	mk --name old small
	[[ $(readlink "$BOX_ROOT/names/old") == "$id" ]]
	# a creator still at work (its containers/<id>.tmp-<pid>) keeps its name
	ln -s "$ghost" "$BOX_ROOT/names/busy"
	mkdir "$BOX_ROOT/containers/$ghost.tmp-$$"
	run --separate-stderr -4 ctr-create --name busy small
	[[ $stderr == *'"/busy" is already in use by container "'$ghost'"'* ]]
	rmdir "$BOX_ROOT/containers/$ghost.tmp-$$"
	# a creator killed by SIGKILL: its half-made directory (rootfs mounted) goes with its name
	local dead
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	mkdir -p "$BOX_ROOT/containers/$ghost.tmp-$dead/rootfs" "$BOX_ROOT/containers/$ghost.tmp-$dead/upper/x"
	mount -t tmpfs t "$BOX_ROOT/containers/$ghost.tmp-$dead/rootfs"
	mk --name busy small
	[[ ! -e $BOX_ROOT/containers/$ghost.tmp-$dead ]]
	[[ $(findmnt -rn -o TARGET | grep -c "$ghost") == 0 ]]
}

# leftovers: what is under containers/ and names/ besides containers, and
# mounts under the state directory other than the rootfs of container $1
leftovers () {
	ls -A "$BOX_ROOT/containers" | grep -v -x -e "${1:-none}" || true
	ls -A "$BOX_ROOT/names" 2>/dev/null | while read -r n; do
		[[ -e $BOX_ROOT/containers/$(readlink "$BOX_ROOT/names/$n") ]] || echo "name $n"
	done
	findmnt -rn -o TARGET | grep -F "$BOX_ROOT/" | grep -v -F "$BOX_ROOT/containers/${1:-none}/" || true
}

@test "killed at any step (BOX_TEST_CRASH), the next command reaps what ctr-create left" {
	local p
	for p in create-named create-mounted create-written; do
		# the first container of an image (img-unpack), then one of layers extracted
		BOX_TEST_CRASH=$p run -137 ctr-create --name web small
		[[ -n $(leftovers) ]]
		# ps: nothing half made is listed, and nothing is left
		run --separate-stderr -0 ctr-list -a -q
		[[ -z $output && -z $stderr ]]
		[[ -z $(leftovers) ]]
		# rm -f of the name reaches it: done, nothing left
		BOX_TEST_CRASH=$p run -137 ctr-create --name web small
		run -0 ctr-rm -f web
		[[ $output == web && -z $(leftovers) ]]
		# create with the same name takes it over
		BOX_TEST_CRASH=$p run -137 ctr-create --name web small
		mk --name web small
		[[ -z $(leftovers "$id") ]]
		run -0 ctr-rm web
	done
}

@test "two creates of one name at once: exactly one wins, the loser leaves nothing" {
	local i pids=()
	for i in 1 2 3 4 5 6; do
		ctr-create --name race small >"$BATS_TEST_TMPDIR/out.$i" 2>"$BATS_TEST_TMPDIR/err.$i" &
		pids+=($!)
	done
	# explicit pids: bats' BATS_TEST_TIMEOUT watchdog is a job of this shell too
	local ok=0 conflict=0
	for i in "${pids[@]}"; do
		if wait "$i"; then ok=$((ok + 1)); else conflict=$((conflict + 1)); fi
	done
	[[ $ok == 1 && $conflict == 5 ]]
	[[ $(cat "$BATS_TEST_TMPDIR"/out.* | wc -l) == 1 ]]
	[[ $(ls "$BOX_ROOT/containers") == "$(cat "$BATS_TEST_TMPDIR"/out.*)" ]]
	[[ $(grep -l Conflict "$BATS_TEST_TMPDIR"/err.* | wc -l) == 5 ]]
	[[ $(findmnt -rn -o TARGET | grep -cF "$BOX_ROOT/containers") == 1 ]]
}

@test "SIGINT or SIGTERM at any moment: a whole container or nothing" {
	local i d n
	for i in $(seq 1 24); do
		timeout -s "$( ((i % 2)) && echo INT || echo TERM)" "0.00$((i % 9 + 1))" ctr-create small true >/dev/null 2>&1 || true
	done
	[[ -z $(ls "$BOX_ROOT/containers" 2>/dev/null | grep -v '^[0-9a-f]\{64\}$') ]]
	n=0
	for d in "$BOX_ROOT"/containers/*/; do
		[[ -d $d ]] || continue
		n=$((n + 1))
		[[ -s $d/config.json && -s $d/create.json && -s $d/state && -s $d/image && -s $d/hosts ]]
		findmnt "$d/rootfs" >/dev/null
	done
	# every name points at a container, every container has a name
	[[ $(ls "$BOX_ROOT/names" 2>/dev/null | wc -l) == "$n" ]]
	for d in "$BOX_ROOT"/names/*; do
		[[ -e $d ]] || continue
		[[ -d $BOX_ROOT/containers/$(readlink "$d") ]]
	done
	[[ $(findmnt -rn -o TARGET | grep -cF "$BOX_ROOT/containers") == "$n" ]]
}

@test "bad input leaves \$BOX_ROOT unchanged" {
	mk small
	local before
	before=$(state)
	run --separate-stderr -3 ctr-create nosuch
	[[ $stderr == "ctr-create: Unable to find image 'nosuch:latest' locally" ]]
	run --separate-stderr -3 ctr-create example.com/a/b:1
	[[ $stderr == "ctr-create: Unable to find image 'example.com/a/b:1' locally" ]]
	run --separate-stderr -2 ctr-create -m lots small
	[[ $stderr == "ctr-create: invalid argument \"lots\" for \"-m, --memory\" flag: invalid size: 'lots'" ]]
	run --separate-stderr -2 ctr-create -p 80:http small
	[[ $stderr == "ctr-create: Invalid containerPort: http" ]]
	run --separate-stderr -2 ctr-create -p 1.2.3:80:80 small
	[[ $stderr == "ctr-create: Invalid ip address: 1.2.3" ]]
	run --separate-stderr -2 ctr-create --bogus small
	[[ $stderr == "ctr-create: unknown flag: --bogus" ]]
	run --separate-stderr -2 ctr-create -tX small
	[[ $stderr == "ctr-create: unknown shorthand flag: 'X' in -tX" ]]
	run --separate-stderr -2 ctr-create -d small
	[[ $stderr == "ctr-create: unknown shorthand flag: 'd' in -d" ]]
	run --separate-stderr -2 ctr-create --name
	[[ $stderr == "ctr-create: flag needs an argument: --name" ]]
	run --separate-stderr -2 ctr-create
	[[ $stderr == 'ctr-create: "create" requires at least 1 argument' ]]
	run --separate-stderr -0 ctr-create --help
	[[ $output == "usage: ctr-create [--root DIR] [OPTIONS] IMAGE [COMMAND] [ARG...]"* && -z $stderr ]]
	[[ $(state) == "$before" ]]
}

@test "flags after the image belong to the command" {
	mk small echo --name -e x
	[[ $(cfg .process.args) == '["echo","--name","-e","x"]' ]]
	[[ ! -e $BOX_ROOT/names/x ]]
}

@test "crun runs the bundle: uid, gid, groups, env, cwd, hostname, caps, cgroup limits" {
	mk --network none -u app -w /work -e A=1 -h boxhost -m 64m --cpus 0.5 --pids-limit 50 small \
		sh -c 'id; pwd; hostname; echo A=$A; grep CapBnd /proc/self/status; grep Seccomp: /proc/self/status
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us
		cat /etc/hostname; grep -c localhost /etc/hosts; wc -c </proc/keys'
	run -0 crun_run
	[[ ${lines[0]} == "uid=1000(app) gid=1000(app) groups=1000(app)" ]]
	[[ ${lines[1]} == /work && ${lines[2]} == boxhost && ${lines[3]} == A=1 ]]
	[[ ${lines[4]} == "CapBnd:	00000000a80425fb" ]]
	[[ ${lines[5]} == "Seccomp:	2" ]]
	[[ ${lines[6]} == 67108864 && ${lines[7]} == 50 && ${lines[8]} == 50000 ]]
	[[ ${lines[9]} == boxhost && ${lines[10]} == 2 && ${lines[11]} == 0 ]]
}

@test "runc runs the same bundle: the process sees the same" {
	mk --network none -u app:nogroup -w /work -h rc -m 64m --pids-limit 20 small \
		sh -c 'id; pwd; hostname; grep -E "CapBnd|Seccomp:" /proc/self/status; cat /sys/fs/cgroup/pids/pids.max'
	local c=r$RANDOM$RANDOM
	CRUN_IDS+=("$c")
	run -0 runc --root "$CRUN_ROOT.runc" run -b "$D" "$c" </dev/null
	[[ $output == $'uid=1000(app) gid=65534(nogroup) groups=65534(nogroup)\n/work\nrc\nCapBnd:\t00000000a80425fb\nSeccomp:\t2\n20' ]]
	run -0 crun_run
	[[ $output == $'uid=1000(app) gid=65534(nogroup) groups=65534(nogroup)\n/work\nrc\nCapBnd:\t00000000a80425fb\nSeccomp:\t2\n20' ]]
}

@test "crun: --read-only makes the rootfs read-only, :ro binds too, tmpfs stay writable" {
	mkdir -p "$BATS_TEST_TMPDIR/host"
	mk --network none --read-only -v "$BATS_TEST_TMPDIR/host:/data:ro" --tmpfs /scratch small \
		sh -c 'touch /x 2>/dev/null && echo root-writable; touch /data/x 2>/dev/null && echo data-writable
		touch /scratch/x && echo scratch-ok; (echo hi >/etc/hosts) 2>/dev/null && echo hosts-writable; echo done'
	run -0 crun_run
	[[ $output == $'scratch-ok\ndone' ]]
	[[ ! -e $BATS_TEST_TMPDIR/host/x ]]
}

@test "crun: mount and unshare fail under the default profile, work with SYS_ADMIN" {
	mk --network none small sh -c 'unshare -m true 2>/dev/null && echo unshared; mkdir /m; mount -t tmpfs t /m 2>/dev/null && echo mounted; echo end'
	run -0 crun_run
	[[ $output == end ]]
	mk --network none --cap-add SYS_ADMIN small sh -c 'mkdir /m; mount -t tmpfs t /m && echo mounted'
	run -0 crun_run
	[[ $output == mounted ]]
}

@test "crun: a named volume's content and --init's tini as PID 1" {
	mk --network none --init -v cfg:/etc small sh -c 'cat /etc/hostname >/dev/null; grep -c app /etc/passwd; cat /proc/1/cmdline | tr "\0" " "'
	run -0 crun_run
	[[ ${lines[0]} == 1 && ${lines[1]} == "/sbin/docker-init -- sh -c "* ]]
}

# --- user namespaces (issue 15): --userns, --uidmap, --gidmap, userns-remap ---

# subuser NAME START: a user NAME with START..START+65535 in /etc/subuid
# and /etc/subgid, removed (with its lines) by teardown
subuser () {
	useradd -M -r -s /bin/false "$1"
	SUBUSERS+=("$1")
	usermod -v "$2-$(($2 + 65535))" -w "$2-$(($2 + 65535))" "$1"
}

subusers_remove () {
	local u
	for u in "${SUBUSERS[@]}"; do userdel "$u" 2>/dev/null || true; done
}

@test "--userns auto: a user namespace on a range of its own, disjoint, given back by ctr-rm" {
	mk --userns auto small
	a=$id
	[[ $(cfg '[.linux.namespaces[].type] | index("user") != null') == true ]]
	[[ $(cfg '.linux.uidMappings | length') == 1 && $(cfg '.linux.uidMappings[0] | [.containerID, .size]') == '[0,65536]' ]]
	[[ $(cfg '.linux.gidMappings[0].size') == 65536 ]]
	[[ $(crt .HostConfig.UsernsMode) == '"auto"' ]]
	# ping for every gid the namespace maps (the kernel refuses others)
	[[ $(cfg '.linux.sysctl["net.ipv4.ping_group_range"]') == '"0 65535"' ]]
	ha=$(cfg '.linux.uidMappings[0].hostID')
	mk --userns auto:size=1000 small
	hb=$(cfg '.linux.uidMappings[0].hostID')
	[[ $(cfg '.linux.uidMappings[0].size') == 1000 && $(crt .HostConfig.UsernsMode) == '"auto:size=1000"' ]]
	# disjoint: one range ends before the other starts
	((hb >= ha + 65536 || hb + 1000 <= ha))
	[[ $(wc -l <"$BOX_ROOT/userns-ranges") == 2 ]]
	# the rootfs shows the image's root as the range's first id; the layers are not copied
	[[ $(stat -c %u:%g "$D/rootfs/bin") == "$hb:$hb" ]]
	[[ $(findmnt -no FSTYPE "$D/rootfs") == overlay ]]
	run -0 ctr-rm "$a"
	[[ $(cat "$BOX_ROOT/userns-ranges") == *" $id" && $(wc -l <"$BOX_ROOT/userns-ranges") == 1 ]]
	# the lowest free range is taken again
	mk --userns auto small
	[[ $(cfg '.linux.uidMappings[0].hostID') == "$ha" ]]
}

@test "--uidmap, --gidmap: explicit maps; the rootfs idmapped, the upper keeps image ids" {
	mk --uidmap 0:300000:65536 --gidmap 0:400000:1000 --gidmap 1000:500000:1 -w /made small
	[[ $(cfg '.linux.uidMappings') == '[{"containerID":0,"hostID":300000,"size":65536}]' ]]
	[[ $(cfg '.linux.gidMappings') == '[{"containerID":0,"hostID":400000,"size":1000},{"containerID":1000,"hostID":500000,"size":1}]' ]]
	[[ $(crt .HostConfig.UsernsMode) == '""' ]]
	[[ $(stat -c %u:%g "$D/rootfs/etc") == 300000:400000 ]]
	# the working directory is made as the container's root: its on the
	# host, the image's root in the upper
	[[ $(stat -c %u:%g "$D/rootfs/made") == 300000:400000 ]]
	[[ $(stat -c %u:%g "$D/upper/made") == 0:0 ]]
	# the files bound at /etc are its root's, as dockerd gives them to the remapped root
	[[ $(stat -c %u:%g "$D/hosts") == 300000:400000 && $(stat -c %u:%g "$D/resolv.conf") == 300000:400000 ]]
	[[ $(stat -c %u:%g "$D/config.json") == 0:0 ]]
	[[ $(cfg '.linux.sysctl["net.ipv4.ping_group_range"]') == '"0 1000"' ]]
	# one map stands for both
	mk --uidmap 0:300000:10 small
	[[ $(cfg '.linux.gidMappings') == '[{"containerID":0,"hostID":300000,"size":10}]' ]]
	[[ ! -e $BOX_ROOT/userns-ranges ]]
}

@test "--userns, --uidmap: bad values and conflicts name the flag, nothing made" {
	run --separate-stderr -2 ctr-create --userns private small
	[[ $stderr == "ctr-create: --userns: invalid USER mode: private" ]]
	run --separate-stderr -2 ctr-create --userns auto:size=0 small
	[[ $stderr == "ctr-create: --userns auto:size=0: the size must be a number from 1 to 4294967294" ]]
	run --separate-stderr -2 ctr-create --userns auto:uidmapping=0:1 small
	[[ $stderr == "ctr-create: --userns auto:uidmapping=0:1: uidmapping: not CONTAINER_ID:HOST_ID:COUNT" ]]
	run --separate-stderr -2 ctr-create --userns auto:size=10,color=red small
	[[ $stderr == "ctr-create: --userns auto:size=10,color=red: unknown option color=red" ]]
	run --separate-stderr -2 ctr-create --uidmap 0:100000 small
	[[ $stderr == 'ctr-create: invalid argument "0:100000" for "--uidmap" flag: not CONTAINER_ID:HOST_ID:COUNT' ]]
	run --separate-stderr -2 ctr-create --gidmap 0:100000:10 --gidmap 5:200000:10 small
	[[ $stderr == 'ctr-create: invalid argument "5:200000:10" for "--gidmap" flag: container ids 5-14 mapped twice' ]]
	run --separate-stderr -2 ctr-create --userns auto --uidmap 0:100000:10 small
	[[ $stderr == "ctr-create: conflicting options: --userns and --uidmap/--gidmap" ]]
	run --separate-stderr -2 ctr-create --userns auto --privileged small
	[[ $stderr == "ctr-create: privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode" ]]
	run --separate-stderr -2 ctr-create --userns auto --pid host small
	[[ $stderr == "ctr-create: cannot share the host PID namespace when user namespaces are enabled" ]]
	# more than the pool holds (root's ranges, else 2^31 - 65536 ids): a conflict
	run --separate-stderr -4 ctr-create --userns auto:size=4294967294 small
	[[ $stderr == "ctr-create: --userns=auto: no room for 4294967294 ids left in the pool of "* ]]
	[[ -z $(ls "$BOX_ROOT/containers") ]]
	[[ ! -s $BOX_ROOT/userns-ranges ]]
}

@test "userns-remap: the setting and BOX_USERNS_REMAP map every container; --userns host opts out" {
	u=boxt$$
	subuser "$u" 1500000000
	run -0 sys-config userns-remap "$u"
	mk small
	[[ $(cfg '.linux.uidMappings') == '[{"containerID":0,"hostID":1500000000,"size":65536}]' ]]
	[[ $(cfg '.linux.gidMappings') == '[{"containerID":0,"hostID":1500000000,"size":65536}]' ]]
	[[ $(crt .HostConfig.UsernsMode) == '""' ]]
	[[ $(stat -c %u "$D/rootfs/bin") == 1500000000 ]]
	mk --userns host small
	[[ $(cfg '.linux.uidMappings') == null && $(cfg '[.linux.namespaces[].type] | index("user")') == null ]]
	[[ $(crt .HostConfig.UsernsMode) == '"host"' ]]
	run --separate-stderr -2 ctr-create --privileged small
	[[ $stderr == "ctr-create: privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode" ]]
	mk --privileged --userns host small
	# the environment wins over the setting; empty turns it off
	subuser "${u}b" 1500131072
	BOX_USERNS_REMAP=${u}b mk small
	[[ $(cfg '.linux.uidMappings[0].hostID') == 1500131072 ]]
	BOX_USERNS_REMAP= mk small
	[[ $(cfg '.linux.uidMappings') == null ]]
	# a user without ranges: refused when a container is made, naming it
	BOX_USERNS_REMAP=nobody run --separate-stderr -2 ctr-create small
	[[ $stderr == "ctr-create: userns-remap nobody: no ranges for nobody in /etc/subuid" ]]
}

@test "a remapped container's new volumes are its root's; bind mounts are left alone" {
	mkdir "$BATS_TEST_TMPDIR/host"
	mk --uidmap 0:300000:65536 -v data:/data -v /anon -v "$BATS_TEST_TMPDIR/host:/host" small
	[[ $(stat -c %u:%g "$BOX_ROOT/volumes/data/_data") == 300000:300000 ]]
	anon=$(crt '.Mounts[] | select(.Destination == "/anon") | .Name' | tr -d '"')
	[[ $(stat -c %u:%g "$BOX_ROOT/volumes/$anon/_data") == 300000:300000 ]]
	[[ $(stat -c %u "$BATS_TEST_TMPDIR/host") == 0 ]]
	# one filled from the image keeps the owner of what it holds (as the container sees it)
	mk --uidmap 0:300000:65536 -v etcvol:/etc small
	[[ $(stat -c %u "$BOX_ROOT/volumes/etcvol/_data") == 300000 ]]
	[[ $(stat -c %u "$BOX_ROOT/volumes/etcvol/_data/passwd") == 300000 ]]
}

@test "--userns auto: the lowest gap that fits; a range of a container that is gone is taken back" {
	local a=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
	local b=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
	local gone=cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc
	mkdir -p "$BOX_ROOT/containers/$a" "$BOX_ROOT/containers/$b"
	printf '0 65536 %s\n131072 65536 %s\n65536 65536 %s\n' "$a" "$b" "$gone" >"$BOX_ROOT/userns-ranges"
	pool=$(awk -F: '$1 == "root" || $1 == "0" { print $2; exit }' /etc/subuid)
	pool=${pool:-2147483648}
	# the gone container's range is free again, and it is the lowest gap
	mk --userns auto small
	[[ $(cfg '.linux.uidMappings[0].hostID') == $((pool + 65536)) ]]
	# too big for that gap: after the last one
	mk --userns auto:size=65537 small
	[[ $(cfg '.linux.uidMappings[0].hostID') == $((pool + 196608)) ]]
	[[ $(grep -c "$gone" "$BOX_ROOT/userns-ranges") == 0 && $(wc -l <"$BOX_ROOT/userns-ranges") == 4 ]]
	# a malformed file is an error naming its line, and is left as it is
	echo "junk" >>"$BOX_ROOT/userns-ranges"
	run --separate-stderr -1 ctr-create --userns auto small
	[[ $stderr == "ctr-create: userns-ranges:5: not OFFSET SIZE ID" ]]
	[[ $(tail -1 "$BOX_ROOT/userns-ranges") == junk ]]
}

@test "--userns auto:size=N,uidmapping=,gidmapping= (Podman's): those ids mapped as asked, the rest from the range" {
	mk --userns auto:size=1000,uidmapping=0:7000:1,gidmapping=500:8000:2 small
	host=$(cfg '[.linux.uidMappings[] | select(.containerID == 1)][0].hostID')
	[[ $(cfg '.linux.uidMappings') == "[{\"containerID\":1,\"hostID\":$host,\"size\":999},{\"containerID\":0,\"hostID\":7000,\"size\":1}]" ]]
	ghost=$(cfg '.linux.gidMappings[0].hostID')
	[[ $(cfg '.linux.gidMappings | length') == 3 && $(cfg '.linux.gidMappings[2]') == '{"containerID":500,"hostID":8000,"size":2}' ]]
	[[ $(cfg '.linux.gidMappings[1]') == "{\"containerID\":502,\"hostID\":$((ghost + 502)),\"size\":498}" ]]
	[[ $(crt .HostConfig.UsernsMode) == '"auto:size=1000,uidmapping=0:7000:1,gidmapping=500:8000:2"' ]]
	# the image's root shows as the forced host id
	[[ $(stat -c %u "$D/rootfs/bin") == 7000 ]]
}
