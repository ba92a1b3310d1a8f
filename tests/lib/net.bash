# net.bash - loaded by the networking tests after ../helpers:
#   load ../helpers; load ../lib/net
#
# Every test gets its own device prefix (BOX_NET_PREFIX, from the test's
# directory), so its bridges, veths and nft tables are its own, and
# net_teardown removes them whatever the test left: containers detached,
# networks removed, then anything still named with the prefix.
#
#   net_setup, net_teardown       call from setup / teardown
#   fake_ctr NAME JSON            a container directory with create.json (no
#                                 rootfs: until a test uses box run); its id
#   in_ctr ID CMD...              run CMD in the container's network
#                                 namespace, with its hosts and resolv.conf
#   serve_http ID [PORT]          busybox httpd on PORT (80) in it, serving
#                                 "hello from NAME"
#   net_counts                    links, nft rules, leases, endpoints,
#                                 reservations, dnsmasq processes, netns mounts
#   free_port                     a free TCP port on the host

net_setup () {
	local h
	h=$(printf '%s' "$BATS_TEST_TMPDIR" | md5sum | cut -c1-4)
	export BOX_NET_PREFIX=t$h
	mkdir -p "$BATS_TEST_TMPDIR/www"
}

# the links, tables and resolvers named with this test's prefix go, even
# when ctr-net could not remove them
net_teardown () {
	local d id l t
	# the test's processes first: a process in a namespace keeps its veth
	_box_kill_under "$BATS_TEST_TMPDIR"
	for d in "$BOX_ROOT"/containers/*/; do
		[[ -d $d ]] || continue
		id=$(basename "$d")
		ctr-net detach "$id" 2>/dev/null || true
	done
	for d in "$BOX_ROOT"/networks/*/; do
		[[ -f $d/config.json ]] || continue
		ctr-net rm "$(basename "$d")" >/dev/null 2>&1 || true
	done
	pkill -KILL -f -- "--pid-file=$BOX_ROOT/networks/" 2>/dev/null || true
	for l in $(ip -o link | awk -F': ' '{ print $2 }' | cut -d@ -f1 | grep "^$BOX_NET_PREFIX"); do
		ip link del "$l" 2>/dev/null || true
	done
	for t in $(nft list tables ip 2>/dev/null | awk '{ print $3 }' | grep "^$BOX_NET_PREFIX"); do
		nft delete table ip "$t" 2>/dev/null || true
	done
	return 0
}

fake_ctr () {
	local name=$1 json=$2 id
	id=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	mkdir -p "$BOX_ROOT/containers/$id" "$BOX_ROOT/names"
	printf '%s\n' "$json" >"$BOX_ROOT/containers/$id/create.json"
	ln -s "$id" "$BOX_ROOT/names/$name"
	echo "$id"
}

in_ctr () {
	local c=$BOX_ROOT/containers/$1
	shift
	# shellcheck disable=SC2016 # the inner sh expands them
	nsenter --net="$c/netns" unshare -m sh -c 'mount --bind "$1/resolv.conf" /etc/resolv.conf &&
		mount --bind "$1/hosts" /etc/hosts && shift && exec "$@"' sh "$c" "$@"
}

serve_http () {
	local dir=$BATS_TEST_TMPDIR/www/$1
	mkdir -p "$dir"
	echo "hello from $1" >"$dir/index.html"
	# its cwd is in the test directory: box_teardown kills it
	(cd "$dir" && nsenter --net="$BOX_ROOT/containers/$1/netns" busybox httpd -p "${2:-80}" -h "$dir" </dev/null >/dev/null 2>&1 3>&-)
}

net_counts () {
	echo "links $(ip -o link | grep -c "$BOX_NET_PREFIX")"
	echo "rules $(for t in $(nft list tables ip | awk '{ print $3 }' | grep "^$BOX_NET_PREFIX"); do
		nft list table ip "$t"; done | wc -l)"
	echo "tables $(nft list tables ip | grep -c "$BOX_NET_PREFIX")"
	echo "leases $(find "$BOX_ROOT/networks" -path '*/leases/*' 2>/dev/null | wc -l)"
	echo "endpoints $(find "$BOX_ROOT/networks" -path '*/endpoints/*' 2>/dev/null | wc -l)"
	echo "ports $(find "$BOX_ROOT/networks/.ports" -mindepth 1 2>/dev/null | wc -l)"
	echo "dnsmasq $(pgrep -f -- "--pid-file=$BOX_ROOT/networks/" | wc -l)"
	echo "netns $(grep -c " $BOX_ROOT/containers/[^ ]*/netns " /proc/self/mountinfo)"
}

# the elements of the port maps of every table of this test
port_elements () {
	local t
	for t in $(nft list tables ip 2>/dev/null | awk '{ print $3 }' | grep "^$BOX_NET_PREFIX"); do
		nft list table ip "$t"
	done | grep -c "elements" || true
}

free_port () {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
