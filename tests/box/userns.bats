#!/usr/bin/env bats
# User namespaces (issue 15, users): root in a remapped container is an
# unprivileged id of the host; --userns=auto ranges are disjoint; the
# userns-remap setting (box config) and BOX_USERNS_REMAP map every
# container, --userns=host opts out; exec, cp, volumes, networking and
# build work in a remapped container.
#
# userns-copy.bats is a link to this file: there every test runs over
# the layers' per-range chowned copies (BOX_IDMAP_LAYERS=copy,
# ctr-create(1)), the fallback of kernels without idmapped layers; here
# over idmapped layers, as this kernel has them.

load ../helpers
load ../fixtures/net

setup () {
	box_setup_small
	net_setup
	SUBUSERS=()
	LAYERS_MODE=auto
	[[ $BATS_TEST_FILENAME != *-copy.bats ]] || LAYERS_MODE=copy
	export BOX_IDMAP_LAYERS=$LAYERS_MODE
}

teardown () {
	local u
	net_teardown
	box_teardown
	for u in "${SUBUSERS[@]}"; do userdel "$u" 2>/dev/null || true; done
}

# subuser NAME START: a user NAME with START..START+65535 in /etc/subuid
# and /etc/subgid (userdel, in teardown, removes the lines)
subuser () {
	useradd -M -r -s /bin/false "$1"
	SUBUSERS+=("$1")
	usermod -v "$2-$(($2 + 65535))" -w "$2-$(($2 + 65535))" "$1"
}

# host_uid PID: the uid the host sees for PID
host_uid () { awk '/^Uid:/ { print $2 }' "/proc/$1/status"; }

@test "root in an --userns=auto container is an unprivileged uid of the host; uid_map as configured" {
	run -0 box run -d --name ua --userns=auto --network none small sleep 300
	id=$output
	D=$BOX_ROOT/containers/$id
	host=$(jq '.linux.uidMappings[0].hostID' "$D/config.json")
	((host > 0))
	run -0 box exec ua id -u
	[[ $output == 0 ]]
	pid=$(box inspect -f '{{.State.Pid}}' ua)
	[[ $(host_uid "$pid") == "$host" ]]
	run -0 box exec ua cat /proc/self/uid_map /proc/self/gid_map
	[[ $(echo $output) == "0 $host 65536 0 $(jq '.linux.gidMappings[0].hostID' "$D/config.json") 65536" ]]
	# idmapped layers where the kernel has them, copies only when asked
	if [[ $LAYERS_MODE == copy ]]; then [[ -e $D/idcopied ]]; else [[ ! -e $D/idcopied && ! -e $BOX_ROOT/idcopies ]]; fi
	run -0 box exec ua stat -c %u:%g / /etc/passwd
	[[ $(echo $output) == "0:0 0:0" ]]
	# root of the container is nobody's root on the host: it cannot read what
	# host root keeps to itself, even through a bind mount
	mkdir -m 700 "$BATS_TEST_TMPDIR/private"
	echo secret >"$BATS_TEST_TMPDIR/private/f"
	run box run --rm --userns=auto --network none -v "$BATS_TEST_TMPDIR/private:/p" small cat /p/f
	[[ $status != 0 && $output == *"Permission denied"* ]]
	[[ $(box inspect -f '{{.HostConfig.UsernsMode}}' ua) == auto ]]
}

@test "a file made by container root on a bind mount is owned by the mapped uid" {
	mkdir -m 777 "$BATS_TEST_TMPDIR/shared"
	run -0 box run --name ub --userns=auto:size=1000 --network none -v "$BATS_TEST_TMPDIR/shared:/s" small \
		sh -c 'touch /s/made && mkdir /s/dir && chown 7:7 /s/dir'
	host=$(jq '.linux.uidMappings[0].hostID' "$BOX_ROOT/containers/$(box inspect -f '{{.Id}}' ub)/config.json")
	[[ $(stat -c %u:%g "$BATS_TEST_TMPDIR/shared/made") == "$host:$host" ]]
	[[ $(stat -c %u:%g "$BATS_TEST_TMPDIR/shared/dir") == "$((host + 7)):$((host + 7))" ]]
}

@test "two --userns=auto containers get disjoint ranges, and the image's files are their own" {
	run -0 box run -d --name ua --userns=auto --network none small sleep 300
	run -0 box run -d --name ub --userns=auto --network none small sleep 300
	ha=$(host_uid "$(box inspect -f '{{.State.Pid}}' ua)")
	hb=$(host_uid "$(box inspect -f '{{.State.Pid}}' ub)")
	((hb >= ha + 65536 || hb + 65536 <= ha))
	# the layers are shared, seen by each as its own root's: each writes /etc
	run -0 box exec ua sh -c 'echo a >/etc/owned && stat -c %u /etc/passwd'
	[[ $output == 0 ]]
	run -0 box exec ub sh -c 'echo b >/etc/owned && cat /etc/owned'
	[[ $output == b ]]
	# the upper keeps the image's ids: a commit is an ordinary image
	run -0 box commit ua committed
	run -0 box run --rm --network none committed stat -c %u /etc/owned
	[[ $output == 0 ]]
	run -0 box rm -f ua ub
	[[ ! -s $BOX_ROOT/userns-ranges ]]
}

@test "userns-remap: the setting (box config) and BOX_USERNS_REMAP; --userns=host opts out" {
	subuser "boxu$$" 1600000000
	run -0 box config userns-remap "boxu$$"
	run -0 box run --rm --network none small cat /proc/self/uid_map
	[[ $(echo $output) == "0 1600000000 65536" ]]
	run -0 box run -d --name ur --network none small sleep 300
	[[ $(host_uid "$(box inspect -f '{{.State.Pid}}' ur)") == 1600000000 ]]
	run -0 box run --rm --userns=host --network none small cat /proc/self/uid_map
	[[ $(echo $output) == "0 0 4294967295" ]]
	run -125 box run --rm --privileged small true
	[[ $output == *"privileged mode is incompatible with user namespaces."* ]]
	run -0 box config --unset userns-remap
	run -0 box run --rm --network none small cat /proc/self/uid_map
	[[ $(echo $output) == "0 0 4294967295" ]]
	subuser "boxv$$" 1600131072
	BOX_USERNS_REMAP=boxv$$ run -0 box run --rm --network none small cat /proc/self/uid_map
	[[ $(echo $output) == "0 1600131072 65536" ]]
}

@test "exec, cp and a named volume in a remapped container" {
	run -0 box run -d --name uc --userns=auto --network none -v vol:/data small sleep 300
	host=$(host_uid "$(box inspect -f '{{.State.Pid}}' uc)")
	# the volume is the container's root's; what it writes there is the mapped uid's
	run -0 box exec uc sh -c 'echo hi >/data/f && stat -c %u /data /data/f'
	[[ $(echo $output) == "0 0" ]]
	[[ $(stat -c %u "$BOX_ROOT/volumes/vol/_data/f") == "$host" ]]
	# cp in: owned by the container's root; cp out: the container's ids
	echo copied >"$BATS_TEST_TMPDIR/in"
	run -0 box cp "$BATS_TEST_TMPDIR/in" uc:/in
	run -0 box exec uc stat -c %u:%g /in
	[[ $output == 0:0 ]]
	run -0 box exec uc sh -c 'touch /seven && chown 7:8 /seven'
	# /etc/hosts is the container's root's, as in a remapped dockerd
	run -0 box exec uc sh -c 'echo "10.9.9.9 extra" >>/etc/hosts && stat -c %u /etc/hosts'
	[[ $output == 0 ]]
	box cp uc:/seven - | tar tvf - >"$BATS_TEST_TMPDIR/list"
	[[ $(cat "$BATS_TEST_TMPDIR/list") == "-rw-r--r-- 7/8 "* ]]
	run -0 box cp uc:/in "$BATS_TEST_TMPDIR/out"
	[[ $(cat "$BATS_TEST_TMPDIR/out") == copied ]]
	box export uc | tar tvf - etc/passwd >"$BATS_TEST_TMPDIR/list"
	[[ $(cat "$BATS_TEST_TMPDIR/list") == "-rw-r--r-- 0/0 "* ]]
}

@test "build under userns-remap: RUN steps remapped, the layers with the image's ids" {
	subuser "boxb$$" 1600262144
	mkdir "$BATS_TEST_TMPDIR/ctx"
	printf 'FROM small\nRUN touch /built && chown 5:5 /built && cat /proc/self/uid_map >/map\n' \
		>"$BATS_TEST_TMPDIR/ctx/Dockerfile"
	BOX_USERNS_REMAP=boxb$$ run -0 box build --network none -q -t built "$BATS_TEST_TMPDIR/ctx"
	run -0 box run --rm --userns=host --network none built sh -c 'stat -c %u:%g /built; cat /map'
	[[ $(echo $output) == "5:5 0 1600262144 65536" ]]
}

@test "networking in a remapped container: the default bridge, a published port, a user network" {
	port=$(free_port)
	run -0 box run -d --name web --userns=auto -p "127.0.0.1:$port:80" small httpd -f -p 80 -h /etc
	# root of the container binds port 80 in its network namespace
	for _ in $(seq 50); do curl -sf -m 2 "http://127.0.0.1:$port/hostname" >/dev/null && break; sleep 0.1; done
	run -0 curl -sf -m 5 "http://127.0.0.1:$port/hostname"
	[[ $output == "$(box inspect -f '{{.Config.Hostname}}' web)" ]]
	run -0 box exec web cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/ipv4/ping_group_range
	[[ $(echo $output) == "0 0 65535" ]]
	run -0 box network create usernet
	run -0 box network connect usernet web
	run -0 box run --rm --userns=auto --network usernet small wget -q -O- http://web/hostname
	[[ $output == "$(box inspect -f '{{.Config.Hostname}}' web)" ]]
}

# --- BOX_IDMAP_LAYERS=copy: per-range chowned copies of the layers --------

@test "copied layers: root inside owns /, the copy is made once for a range, rmi and gc remove it" {
	export BOX_IDMAP_LAYERS=copy
	run -0 box run -d --name ca --userns=auto --network none small sleep 300
	id=$output
	D=$BOX_ROOT/containers/$id
	host=$(jq '.linux.uidMappings[0].hostID' "$D/config.json")
	# over the range's copies, the mapped root's upper, not idmapped
	[[ $(cat "$D/idcopied") == "u0-$host-65536_0-$host-65536" ]]
	key=$(cat "$D/idcopied")
	grep -F " $D/rootfs " /proc/self/mountinfo | grep -q "idcopies/$key/"
	[[ $(stat -c %u:%g "$D/upper") == "$host:$host" ]]
	run -0 box exec ca stat -c %u:%g / /etc /etc/passwd /bin/busybox
	[[ $(echo $output) == "0:0 0:0 0:0 0:0" ]]
	# on the host, the copy's files are the mapped root's
	layer=$(box image inspect -f '{{index .RootFS.Layers 0}}' small)
	layer=${layer#sha256:}
	[[ $(stat -c %u "$BOX_ROOT/idcopies/$key/$layer/etc/passwd") == "$host" ]]
	[[ $(stat -c %u "$BOX_ROOT/layers/$layer/etc/passwd") == 0 ]]
	run -0 box exec ca sh -c 'echo x >/etc/new && stat -c %u /etc/new'
	[[ $output == 0 ]]
	[[ $(stat -c %u "$D/upper/etc/new") == "$host" ]]
	# the changes are the container's, the copied-up /etc not one by itself
	run -0 box diff ca
	[[ $(echo $output) == "C /etc A /etc/new" ]]
	# a second container of the range uses the copy made for the first
	ino=$(stat -c %i "$BOX_ROOT/idcopies/$key/$layer")
	run -0 box run --rm --uidmap "0:$host:65536" --gidmap "0:$host:65536" --network none small stat -c %u /etc/passwd
	[[ $output == 0 ]]
	[[ $(stat -c %i "$BOX_ROOT/idcopies/$key/$layer") == "$ino" ]]
	run -0 box rm -f ca
	run -0 box rmi small
	run -0 box system prune -f
	[[ ! -e $BOX_ROOT/idcopies/$key/$layer ]]
}

@test "copied layers: two containers of one range racing make the copy once" {
	export BOX_IDMAP_LAYERS=copy
	box create --name r1 --uidmap 0:1700000000:65536 --gidmap 0:1700000000:65536 --network none small true \
		>"$BATS_TEST_TMPDIR/r1" 2>&1 &
	p1=$!
	box create --name r2 --uidmap 0:1700000000:65536 --gidmap 0:1700000000:65536 --network none small true \
		>"$BATS_TEST_TMPDIR/r2" 2>&1 &
	p2=$!
	wait "$p1" || { cat "$BATS_TEST_TMPDIR/r1"; false; }
	wait "$p2" || { cat "$BATS_TEST_TMPDIR/r2"; false; }
	layer=$(box image inspect -f '{{index .RootFS.Layers 0}}' small)
	run -0 ls -A "$BOX_ROOT/idcopies/u0-1700000000-65536_0-1700000000-65536"
	[[ $(echo $output) == "${layer#sha256:} ${layer#sha256:}.lock" ]]
	run -0 box start -a r1
	run -0 box start -a r2
}

@test "auto: layers on a filesystem without idmapped mounts (ramfs) are copied" {
	mkdir "$BATS_TEST_TMPDIR/ramfs"
	mount -t ramfs ramfs "$BATS_TEST_TMPDIR/ramfs"
	export BOX_ROOT=$BATS_TEST_TMPDIR/ramfs/root
	store_add small docker.io/library/small:latest
	run -0 box run -d --name ra --userns=auto --network none small sleep 300
	D=$BOX_ROOT/containers/$output
	[[ -e $D/idcopied ]]
	run -0 box exec ra stat -c %u:%g / /etc/passwd
	[[ $(echo $output) == "0:0 0:0" ]]
	# where the kernel refuses them, idmap asks for nothing else
	BOX_IDMAP_LAYERS=idmap run -125 box run --rm --userns=auto --network none small true
	[[ ${lines[0]} == "box: Error response from daemon: image sha256:"*": idmapped mount of $BOX_ROOT/layers/"*": not supported here." ]]
}
