#!/usr/bin/env bats
# ctr-net: networks (create/ls/rm/inspect/prune), containers attached and
# detached (netns, veth, lease, routes, hosts, resolv.conf, network.json),
# published ports, names on user networks, isolation, connect/disconnect,
# crash recovery, no leaks. Containers here are made by hand (create.json
# and a namespace); tests/box/network.bats runs real ones with box run.

load ../helpers
load ../fixtures/net

setup () {
	box_setup
	skip_unless_root
	net_setup
}

teardown () {
	privnet_teardown
	net_teardown
	box_teardown
}

bridge_dev () {
	jq -r .Box.Bridge "$BOX_ROOT/networks/$1/config.json"
}

ctr_ip () {
	jq -r ".Networks[\"$2\"].IPAddress" "$BOX_ROOT/containers/$1/network.json"
}

@test "usage: no subcommand, an unknown one, missing operands: exit 2" {
	run -2 ctr-net
	[[ $output == usage:* ]]
	run -2 ctr-net frobnicate
	run -2 ctr-net attach
	run -2 ctr-net connect onlyone
	run -2 ctr-net port
}

@test "under box: an unknown flag of each subcommand in Docker's words, 125; missing operands 1" {
	local sub
	for sub in create ls rm inspect prune connect disconnect; do
		BOX_DOCKER="network $sub" run --separate-stderr -125 ctr-net "$sub" --nope x
		[[ -z $output && $stderr == "unknown flag: --nope"$'\n'"See 'box network $sub --help'." ]]
	done
	BOX_DOCKER="network ls" run --separate-stderr -125 ctr-net ls -z -q
	[[ $stderr == "unknown shorthand flag: 'z' in -z"$'\n'"See 'box network ls --help'." ]]
	BOX_DOCKER=port run --separate-stderr -125 ctr-net port --nope x
	[[ $stderr == "unknown flag: --nope"$'\n'"See 'box port --help'." ]]
	BOX_DOCKER="network connect" run -1 ctr-net connect onlyone
	BOX_DOCKER="network create" run -1 ctr-net create
}

@test "ls: bridge, host and none with Docker's columns, before any network exists" {
	run -0 ctr-net ls
	[[ ${lines[0]} == "NETWORK ID     NAME      DRIVER    SCOPE" ]]
	[[ ${lines[1]} =~ ^[0-9a-f]{12}\ +bridge\ +bridge\ +local$ ]]
	[[ ${lines[2]} =~ ^[0-9a-f]{12}\ +host\ +host\ +local$ ]]
	[[ ${lines[3]} =~ ^[0-9a-f]{12}\ +none\ +null\ +local$ ]]
	[[ ${#lines[@]} == 4 ]]
	# listing makes nothing
	[[ -z $(ip -o link | grep "$BOX_NET_PREFIX") ]]
	run -0 ctr-net ls -q
	[[ ${#lines[@]} == 3 && ${lines[0]} =~ ^[0-9a-f]{12}$ ]]
	run -0 ctr-net ls --no-trunc -q
	[[ ${lines[0]} =~ ^[0-9a-f]{64}$ ]]
	run -0 ctr-net ls --format '{{.Name}} {{.Driver}}'
	[[ $output == $'bridge bridge\nhost host\nnone null' ]]
}

@test "ls --filter: name, id, driver, label, type; values of one key are alternatives" {
	a=$(ctr-net create --label com.docker.compose.project=p1 --label tier=web front)
	ctr-net create --label com.docker.compose.project=p2 back
	run -0 ctr-net ls --filter label=com.docker.compose.project=p1 --format '{{.Name}}'
	[[ $output == front ]]
	run -0 ctr-net ls -f label=com.docker.compose.project --format '{{.Name}}'
	[[ $output == $'back\nfront' ]]
	run -0 ctr-net ls -f name=ron -f name=ack --format '{{.Name}}'
	[[ $output == $'back\nfront' ]]
	run -0 ctr-net ls -f name=ront -f label=tier=db --format '{{.Name}}'
	[[ -z $output ]]
	run -0 ctr-net ls -f "id=${a:0:5}" -q
	[[ $output == "${a:0:12}" ]]
	run -0 ctr-net ls -f type=builtin --format '{{.Name}}'
	[[ $output == $'bridge\nhost\nnone' ]]
	run -0 ctr-net ls -f type=custom -f driver=bridge --format '{{.Name}}'
	[[ $output == $'back\nfront' ]]
	run --separate-stderr -2 ctr-net ls -f color=red
	[[ $stderr == "ctr-net: invalid filter 'color'" ]]
}

@test "create: id, bridge device, address, nft table, resolver; inspect in Docker's shape" {
	run -0 ctr-net create --label team=a net1
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	id=$output
	dev=$(bridge_dev net1)
	[[ $dev == "$BOX_NET_PREFIX-${id:0:8}" ]]
	ip -o addr show dev "$dev" | grep -q 'inet 172\.'
	nft list table ip "$dev" >/dev/null
	pgrep -f -- "--pid-file=$BOX_ROOT/networks/net1/dnsmasq.pid" >/dev/null
	[[ $(cat /proc/sys/net/ipv4/ip_forward) == 1 ]]
	[[ $(cat "/proc/sys/net/ipv4/conf/$dev/route_localnet") == 1 ]]
	run -0 ctr-net inspect net1
	jq -e --arg id "$id" --arg dev "$dev" '.[0] | .Name == "net1" and .Id == $id and .Driver == "bridge"
		and .Scope == "local" and (.IPAM.Config[0].Subnet | startswith("172."))
		and .Options == {} and .Labels.team == "a"
		and .Containers == {} and (has("Box") | not)' <<<"$output"
	# Docker 20.10'"'"'s keys, in its order
	run -0 jq -c '.[0] | keys_unsorted' <<<"$output"
	[[ $output == '["Name","Id","Created","Scope","Driver","EnableIPv6","IPAM","Internal","Attachable","Ingress","ConfigFrom","ConfigOnly","Containers","Options","Labels"]' ]]
	run -0 ctr-net inspect -f '{{.Name}} {{.Driver}}' net1
	[[ $output == "net1 bridge" ]]
	run -0 ctr-net ls --format '{{.Name}}'
	[[ $output == *net1* ]]
}

@test "create: --subnet and --gateway; an overlapping subnet, a taken name, a bad name are refused" {
	run -0 ctr-net create --subnet 10.123.0.0/24 --gateway 10.123.0.254 n1
	ip -o addr show dev "$(bridge_dev n1)" | grep -q 'inet 10.123.0.254/24'
	run -0 ctr-net inspect -f '{{json .IPAM.Config}}' n1
	jq -e '. == [{"Gateway":"10.123.0.254","Subnet":"10.123.0.0/24"}]' <<<"$output"
	run --separate-stderr -4 ctr-net create --subnet 10.123.0.128/25 n2
	[[ $stderr == "ctr-net: Pool overlaps with other one on this address space" ]]
	run --separate-stderr -4 ctr-net create n1
	[[ $stderr == "ctr-net: network with name n1 already exists" ]]
	run --separate-stderr -2 ctr-net create 'bad/name'
	[[ $stderr == *'invalid network name'* ]]
	run --separate-stderr -4 ctr-net create host
	[[ $stderr == "ctr-net: operation is not permitted on predefined host network" ]]
	run -2 ctr-net create --gateway 10.1.1.1 n3
	run -2 ctr-net create --driver overlay n3
	[[ ! -e $BOX_ROOT/networks/n2 && ! -e $BOX_ROOT/networks/n3 ]]
}

@test "automatic subnets skip the host's routes and each other" {
	# a device of the host already on 172.17.0.0/16 (named with the
	# prefix, so teardown removes it)
	ip link add "${BOX_NET_PREFIX}host" type bridge
	ip addr add 172.17.0.1/16 dev "${BOX_NET_PREFIX}host"
	ip link set "${BOX_NET_PREFIX}host" up
	ctr-net create a
	ctr-net create b
	sa=$(jq -r '.IPAM.Config[0].Subnet' "$BOX_ROOT/networks/a/config.json")
	sb=$(jq -r '.IPAM.Config[0].Subnet' "$BOX_ROOT/networks/b/config.json")
	[[ $sa != 172.17.0.0/16 && $sb != 172.17.0.0/16 && $sa != "$sb" ]]
	# and no route of the host (other than its own) overlaps either
	[[ $(ip route | grep -c "^${sa%/*}") == 1 ]]
}

@test "rm: removes bridge, table, resolver and state; not found is 3; predefined ones are refused" {
	ctr-net create gone
	dev=$(bridge_dev gone)
	run -0 ctr-net rm gone
	[[ $output == gone ]]
	! ip link show "$dev" 2>/dev/null
	! nft list table ip "$dev" 2>/dev/null
	[[ -z $(pgrep -f -- "--pid-file=$BOX_ROOT/networks/gone/") ]]
	[[ ! -e $BOX_ROOT/networks/gone ]]
	run --separate-stderr -3 ctr-net rm gone
	[[ $stderr == "ctr-net: network gone not found" ]]
	run --separate-stderr -4 ctr-net rm bridge
	[[ $stderr == "ctr-net: bridge is a pre-defined network and cannot be removed" ]]
	run --separate-stderr -3 ctr-net inspect nope
	[[ $stderr == "ctr-net: No such network: nope" && $output == "[]" ]]
}

@test "attach none, host, container: does nothing" {
	for m in none host "container:abc"; do
		id=$(fake_ctr "c${RANDOM}" "{\"Name\":\"/x\",\"HostConfig\":{\"NetworkMode\":\"$m\"}}")
		run -0 ctr-net attach "$id"
		[[ ! -e $BOX_ROOT/containers/$id/netns && ! -e $BOX_ROOT/containers/$id/network.json ]]
	done
	[[ ! -e $BOX_ROOT/networks/bridge ]]
}

@test "attach on the default bridge: netns, lo and eth0, address, route, MAC, files; detach removes all" {
	id=$(fake_ctr web '{"Name":"/web","HostConfig":{"NetworkMode":"bridge","ExtraHosts":["db.local:10.9.8.7"]},"Config":{"Hostname":"webhost"}}')
	run -0 ctr-net attach web
	c=$BOX_ROOT/containers/$id
	grep -q " $c/netns .* nsfs " /proc/self/mountinfo
	dev=$(bridge_dev bridge)
	[[ $dev == "${BOX_NET_PREFIX}0" ]]
	run -0 nsenter --net="$c/netns" ip -o link
	[[ ${#lines[@]} == 2 && ${lines[0]} == *" lo: <LOOPBACK,UP"* && ${lines[1]} == *" eth0@"*"UP"* ]]
	ip=$(ctr_ip "$id" bridge)
	gw=$(jq -r .Gateway "$c/network.json")
	[[ $ip =~ ^[0-9.]+$ && $gw == "${ip%.*}.1" || $gw =~ \.0\.1$ ]]
	nsenter --net="$c/netns" ip route | grep -q "^default via $gw dev eth0"
	mac=$(jq -r .MacAddress "$c/network.json")
	IFS=. read -r a b cc d <<<"$ip"
	[[ $mac == "$(printf '02:42:%02x:%02x:%02x:%02x' "$a" "$b" "$cc" "$d")" ]]
	nsenter --net="$c/netns" ip -o link show eth0 | grep -q "link/ether $mac"
	# Docker's /etc/hosts: the defaults, --add-host, then the container
	[[ $(head -1 "$c/hosts") == $'127.0.0.1\tlocalhost' ]]
	[[ $(tail -2 "$c/hosts") == $'10.9.8.7\tdb.local\n'"$ip"$'\twebhost' ]]
	! grep -q '^nameserver 127\.' "$c/resolv.conf"
	grep -q '^nameserver ' "$c/resolv.conf"
	jq -e --arg ip "$ip" '.IPAddress == $ip and .IPPrefixLen == 16 and .Networks.bridge.IPAddress == $ip
		and (.Networks.bridge.NetworkID | length) == 64 and (.EndpointID | length) == 64
		and .Ports == {} and (.SandboxKey | endswith("/netns"))' "$c/network.json"
	# the host reaches it
	busybox ping -c1 -W2 "$ip" >/dev/null
	# attached already (box start attaches every time): nothing changes
	before=$(net_counts; cat "$c/network.json")
	run -0 ctr-net attach web
	[[ $(net_counts; cat "$c/network.json") == "$before" ]]
	run -0 ctr-net detach web
	[[ ! -e $c/netns && ! -e $c/network.json ]]
	! grep -q " $c/netns " /proc/self/mountinfo
	[[ -z $(ls "$BOX_ROOT/networks/bridge/leases") && -z $(ls "$BOX_ROOT/networks/bridge/endpoints") ]]
	run -0 ctr-net detach web
}

@test "a user network: containers find each other by name and alias, later ones too" {
	ctr-net create app
	web=$(fake_ctr web '{"Name":"/web","HostConfig":{"NetworkMode":"app"},"NetworkingConfig":{"EndpointsConfig":{"app":{"Aliases":["www","front"]}}}}')
	cli=$(fake_ctr cli '{"Name":"/cli","HostConfig":{"NetworkMode":"app"}}')
	ctr-net attach cli
	ctr-net attach web
	serve_http "$web"
	gw=$(jq -r .IPAM.Config[0].Gateway "$BOX_ROOT/networks/app/config.json")
	[[ $(cat "$BOX_ROOT/containers/$cli/resolv.conf") == "nameserver $gw"* ]]
	# cli was attached before web: it still finds web
	for n in web www front "${web:0:12}"; do
		run -0 in_ctr "$cli" busybox wget -q -O- "http://$n/"
		[[ $output == "hello from $web" ]]
	done
	run -0 in_ctr "$web" busybox nslookup cli "$gw"
	[[ $output == *"Address: $(ctr_ip "$cli" app)"* ]]
	# dockerd's: the short id among a user network's aliases
	jq -e --arg s "${web:0:12}" '.Networks.app.Aliases == ["www","front",$s] and .Networks.app.DNSNames == ["web","www","front",$s]' \
		"$BOX_ROOT/containers/$web/network.json"
	run -0 ctr-net inspect app
	jq -e --arg w "$web" --arg c "$cli" '.[0].Containers | keys == ([$w, $c] | sort)
		and .[$w].Name == "web" and (.[$w].IPv4Address | endswith("/16"))' <<<"$output"
	# gone from the resolver when detached
	ctr-net detach web
	run in_ctr "$cli" busybox nslookup web "$gw"
	[[ $status != 0 ]]
}

@test "published ports: the host reaches them on 127.0.0.1 and on its own address; port lists them" {
	p=$(free_port)
	id=$(fake_ctr web "{\"Name\":\"/web\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$p\"}]}}}")
	ctr-net attach web
	serve_http "$id"
	run -0 curl -s --max-time 5 "http://127.0.0.1:$p/"
	[[ $output == "hello from $id" ]]
	hostip=$(ip -o -4 addr show scope global | awk '$2 !~ /^'"$BOX_NET_PREFIX"'/ { sub("/.*", "", $4); print $4; exit }')
	if [[ -n $hostip ]]; then
		run -0 curl -s --max-time 5 "http://$hostip:$p/"
		[[ $output == "hello from $id" ]]
	fi
	# Docker lists them while the container runs only
	printf 'status=created\n' >"$BOX_ROOT/containers/$id/state"
	run -0 ctr-net port web
	[[ -z $output ]]
	run --separate-stderr -1 ctr-net port web 80
	printf 'status=running\n' >"$BOX_ROOT/containers/$id/state"
	# and on [::] too, the host having IPv6 (this one's lo has ::1)
	run -0 ctr-net port web
	[[ $output == "80/tcp -> 0.0.0.0:$p"$'\n'"80/tcp -> :::$p" ]]
	run -0 ctr-net port web 80
	[[ $output == "0.0.0.0:$p"$'\n'":::$p" ]]
	run --separate-stderr -1 ctr-net port web 81/tcp
	[[ $stderr == "ctr-net: No public port '81/tcp' published for web" ]]
	run --separate-stderr -2 ctr-net port web nope
	[[ $stderr == 'ctr-net: strconv.ParseUint: parsing "nope": invalid syntax' ]]
	jq -e --arg p "$p" '.Ports["80/tcp"] == [{"HostIp":"0.0.0.0","HostPort":$p},{"HostIp":"::","HostPort":$p}]' "$BOX_ROOT/containers/$id/network.json"
	run -0 curl -s --max-time 5 "http://[::1]:$p/"
	[[ $output == "hello from $id" ]]
	ctr-net detach web
	run curl -s --max-time 2 "http://127.0.0.1:$p/"
	[[ $status != 0 ]]
	[[ $(port_elements) == 0 ]]
}

@test "published ports: -p CTRPORT picks a free host port; -P publishes the exposed ones; a host ip binds one address" {
	id=$(fake_ctr a '{"Name":"/a","Config":{"ExposedPorts":{"80/tcp":{},"53/udp":{}}},"HostConfig":{"PublishAllPorts":true,"PortBindings":{"8000/tcp":[{"HostIp":"127.0.0.1","HostPort":""}]}}}')
	ctr-net attach a
	printf 'status=running\n' >"$BOX_ROOT/containers/$id/state"
	run -0 ctr-net port a
	# those given no host address: on [::] too (a relay)
	[[ ${#lines[@]} == 5 ]]
	[[ ${lines[0]} =~ ^53/udp\ -\>\ 0\.0\.0\.0:([0-9]+)$ ]]
	[[ ${lines[1]} == "53/udp -> :::${BASH_REMATCH[1]}" ]]
	[[ ${lines[2]} =~ ^80/tcp\ -\>\ 0\.0\.0\.0:([0-9]+)$ ]]
	[[ ${lines[3]} == "80/tcp -> :::${BASH_REMATCH[1]}" ]]
	[[ ${lines[4]} =~ ^8000/tcp\ -\>\ 127\.0\.0\.1:[0-9]+$ ]]
	p=$(ctr-net port a 8000)
	p=${p##*:}
	serve_http "$id" 8000
	run -0 curl -s --max-time 5 "http://127.0.0.1:$p/"
	[[ $output == "hello from $id" ]]
	# bound to 127.0.0.1 only
	hostip=$(ip -o -4 addr show scope global | awk '$2 !~ /^'"$BOX_NET_PREFIX"'/ { sub("/.*", "", $4); print $4; exit }')
	if [[ -n $hostip ]]; then
		run curl -s --max-time 2 "http://$hostip:$p/"
		[[ $status != 0 ]]
	fi
}

@test "UDP: a published udp port carries datagrams both ways" {
	p=$(free_port)
	id=$(fake_ctr u "{\"Name\":\"/u\",\"HostConfig\":{\"PortBindings\":{\"5353/udp\":[{\"HostPort\":\"$p\"}]}}}")
	ctr-net attach u
	# busybox nc has no -u: python is the UDP peer on both sides
	(cd "$BATS_TEST_TMPDIR" && nsenter --net="$BOX_ROOT/containers/$id/netns" \
		timeout 10 python3 "$TESTS_DIR/fixtures/udp.py" serve 5353 </dev/null >"$BATS_TEST_TMPDIR/udp.out" 2>&1 &)
	sleep 0.3
	run -0 python3 "$TESTS_DIR/fixtures/udp.py" send 127.0.0.1 "$p" ping-udp
	[[ $output == "pong ping-udp" ]]
	[[ $(cat "$BATS_TEST_TMPDIR/udp.out") == ping-udp ]]
}

@test "isolation: containers of two networks cannot reach each other; each reaches its own" {
	ctr-net create left
	ctr-net create right
	l1=$(fake_ctr l1 '{"Name":"/l1","HostConfig":{"NetworkMode":"left"}}')
	l2=$(fake_ctr l2 '{"Name":"/l2","HostConfig":{"NetworkMode":"left"}}')
	r1=$(fake_ctr r1 '{"Name":"/r1","HostConfig":{"NetworkMode":"right"}}')
	for c in l1 l2 r1; do ctr-net attach "$c"; done
	serve_http "$l1"
	serve_http "$r1"
	run -0 in_ctr "$l2" busybox wget -q -O- "http://$(ctr_ip "$l1" left)/"
	[[ $output == "hello from $l1" ]]
	run in_ctr "$l2" timeout 3 busybox wget -q -O- "http://$(ctr_ip "$r1" right)/"
	[[ $status != 0 ]]
	run in_ctr "$r1" timeout 3 busybox wget -q -O- "http://$(ctr_ip "$l1" left)/"
	[[ $status != 0 ]]
	# nor by name: each network's resolver knows its own containers only
	run in_ctr "$r1" timeout 3 busybox wget -q -O- "http://l1/"
	[[ $status != 0 ]]
}

@test "a host port published twice: the second attach fails naming it and leaves nothing behind" {
	p=$(free_port)
	bind="{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"$p\"}]}"
	a=$(fake_ctr a "{\"Name\":\"/a\",\"HostConfig\":$bind}}")
	b=$(fake_ctr b "{\"Name\":\"/b\",\"HostConfig\":$bind}}")
	ctr-net attach a
	before=$(net_counts)
	run --separate-stderr -4 ctr-net attach b
	[[ $stderr == "ctr-net: container ${b:0:12}: driver failed programming external connectivity on endpoint b ("*"): Bind for 0.0.0.0:$p failed: port is already allocated" ]]
	[[ $(net_counts) == "$before" ]]
	[[ ! -e $BOX_ROOT/containers/$b/netns && ! -e $BOX_ROOT/containers/$b/network.json ]]
	[[ $(ls "$BOX_ROOT/networks/bridge/leases" | wc -l) == 1 ]]
	# a port a host program listens on is taken too
	q=$(free_port)
	(cd "$BATS_TEST_TMPDIR" && timeout 20 busybox nc -l -p "$q" </dev/null >/dev/null 2>&1 &)
	sleep 0.2
	c=$(fake_ctr c "{\"Name\":\"/c\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"$q\"}]}}}")
	run --separate-stderr -4 ctr-net attach c
	[[ $stderr == *"Bind for 0.0.0.0:$q failed: port is already allocated" ]]
	# released by detach: b gets it then
	ctr-net detach a
	run -0 ctr-net attach b
}

@test "rm refuses a network with containers attached, in Docker's words" {
	id=$(ctr-net create busy)
	fake_ctr c1 '{"Name":"/c1","HostConfig":{"NetworkMode":"busy"}}'
	ctr-net attach c1
	run --separate-stderr -4 ctr-net rm busy
	[[ $stderr == "ctr-net: error while removing network: network busy id $id has active endpoints" ]]
	run -0 ctr-net prune -f
	[[ -z $output ]]
	ctr-net detach c1
	run -0 ctr-net prune -f
	[[ $output == $'Deleted Networks:\nbusy' ]]
}

@test "connect and disconnect: a second interface, names on it, refusals" {
	ctr-net create extra
	a=$(fake_ctr a '{"Name":"/a"}')
	b=$(fake_ctr b '{"Name":"/b","HostConfig":{"NetworkMode":"extra"}}')
	ctr-net attach a
	ctr-net attach b
	serve_http "$b"
	run -0 ctr-net connect --alias other extra a
	nsenter --net="$BOX_ROOT/containers/$a/netns" ip -o addr show eth1 | grep -q "inet $(ctr_ip "$a" extra)/"
	jq -e '.Networks | keys == ["bridge","extra"]' "$BOX_ROOT/containers/$a/network.json"
	run -0 in_ctr "$a" busybox wget -q -O- "http://$(ctr_ip "$b" extra)/"
	[[ $output == "hello from $b" ]]
	run -0 in_ctr "$b" busybox nslookup other "$(jq -r .IPAM.Config[0].Gateway "$BOX_ROOT/networks/extra/config.json")"
	run --separate-stderr -4 ctr-net connect extra a
	[[ $stderr == "ctr-net: endpoint with name a already exists in network extra" ]]
	run --separate-stderr -2 ctr-net connect --ip 172.30.0.9 extra b
	[[ $stderr == *"user specified IP address is supported only when connecting to networks with user configured subnets" ]]
	run -0 ctr-net disconnect extra a
	! nsenter --net="$BOX_ROOT/containers/$a/netns" ip link show eth1 2>/dev/null
	jq -e '.Networks | keys == ["bridge"]' "$BOX_ROOT/containers/$a/network.json"
	run --separate-stderr -1 ctr-net disconnect extra a
	[[ $stderr == "ctr-net: container $a is not connected to network extra" ]]
	run --separate-stderr -3 ctr-net connect nonet a
	[[ $stderr == "ctr-net: network nonet not found" ]]
}

@test "--ip on a network with a user subnet; a taken or foreign address is refused" {
	ctr-net create --subnet 10.77.0.0/24 fixed
	a=$(fake_ctr a '{"Name":"/a","HostConfig":{"NetworkMode":"fixed"},"NetworkingConfig":{"EndpointsConfig":{"fixed":{"IPAMConfig":{"IPv4Address":"10.77.0.50"}}}}}')
	ctr-net attach a
	[[ $(ctr_ip "$a" fixed) == 10.77.0.50 ]]
	jq -e '.Networks.fixed.IPAMConfig.IPv4Address == "10.77.0.50"' "$BOX_ROOT/containers/$a/network.json"
	b=$(fake_ctr b '{"Name":"/b","HostConfig":{"NetworkMode":"fixed"},"NetworkingConfig":{"EndpointsConfig":{"fixed":{"IPAMConfig":{"IPv4Address":"10.77.0.50"}}}}}')
	run --separate-stderr -4 ctr-net attach b
	[[ $stderr == *"address 10.77.0.50: Address already in use" ]]
	[[ ! -e $BOX_ROOT/containers/$b/netns ]]
	c=$(fake_ctr c '{"Name":"/c","HostConfig":{"NetworkMode":"fixed"},"NetworkingConfig":{"EndpointsConfig":{"fixed":{"IPAMConfig":{"IPv4Address":"10.78.0.5"}}}}}')
	run -2 ctr-net attach c
	d=$(fake_ctr d '{"Name":"/d","NetworkingConfig":{"EndpointsConfig":{"bridge":{"IPAMConfig":{"IPv4Address":"172.17.0.50"}}}}}')
	run -2 ctr-net attach d
	e=$(fake_ctr e '{"Name":"/e","HostConfig":{"NetworkMode":"nonet"}}')
	run --separate-stderr -3 ctr-net attach e
	[[ $stderr == *"network nonet not found" ]]
}

@test "detach after SIGKILL of everything; a container directory gone is swept by the next attach" {
	ctr-net create app
	a=$(fake_ctr a '{"Name":"/a","HostConfig":{"NetworkMode":"app"}}')
	ctr-net attach a
	serve_http "$a"
	pkill -KILL -f -- "httpd -p 80 -h $BATS_TEST_TMPDIR/www/$a"
	run -0 ctr-net detach "$a"
	[[ -z $(ls "$BOX_ROOT/networks/app/endpoints") ]]
	# a crash: the container's directory removed without a detach
	b=$(fake_ctr b '{"Name":"/b","HostConfig":{"NetworkMode":"app"}}')
	ctr-net attach b
	veth=$(sed -n 's/^veth=//p' "$BOX_ROOT/networks/app/endpoints/$b")
	ip=$(ctr_ip "$b" app)
	umount -l "$BOX_ROOT/containers/$b/netns"
	rm -rf "$BOX_ROOT/containers/$b"
	c=$(fake_ctr c '{"Name":"/c","HostConfig":{"NetworkMode":"app"}}')
	ctr-net attach c
	[[ ! -e $BOX_ROOT/networks/app/endpoints/$b ]]
	[[ $(readlink "$BOX_ROOT/networks/app/leases/$ip") != "$b" ]]
	for _ in $(seq 30); do ip link show "$veth" >/dev/null 2>&1 || break; sleep 0.1; done
	! ip link show "$veth" 2>/dev/null
	! grep -q "${b:0:12}" "$BOX_ROOT/networks/app/hosts"
	# and detach with the full id of a directory that is gone works
	run -0 ctr-net detach "$b"
}

@test "a bridge gone (a reboot) is made again by the next attach" {
	ctr-net create app
	dev=$(bridge_dev app)
	ip link del "$dev"
	nft delete table ip "$dev"
	a=$(fake_ctr a '{"Name":"/a","HostConfig":{"NetworkMode":"app"}}')
	b=$(fake_ctr b '{"Name":"/b","HostConfig":{"NetworkMode":"app"}}')
	ctr-net attach a
	ctr-net attach b
	nft list table ip "$dev" >/dev/null
	serve_http "$a"
	run -0 in_ctr "$b" busybox wget -q -O- http://a/
	[[ $output == "hello from $a" ]]
}

@test "a namespace file that is no namespace any more (a reboot): attach cleans up and attaches anew" {
	id=$(fake_ctr web '{"Name":"/web"}')
	ctr-net attach web
	c=$BOX_ROOT/containers/$id
	old=$(ctr_ip "$id" bridge)
	umount "$c/netns"
	run -0 ctr-net attach web
	grep -q " $c/netns .* nsfs " /proc/self/mountinfo
	[[ $(ls "$BOX_ROOT/networks/bridge/leases") == "$(ctr_ip "$id" bridge)" && -n $old ]]
	run -0 nsenter --net="$c/netns" ip -o addr show eth0
}

@test "a dead resolver is started again by the next attach" {
	ctr-net create app
	pkill -KILL -f -- "--pid-file=$BOX_ROOT/networks/app/dnsmasq.pid"
	sleep 0.2
	a=$(fake_ctr a '{"Name":"/a","HostConfig":{"NetworkMode":"app"}}')
	ctr-net attach a
	run -0 in_ctr "$a" busybox nslookup a "$(jq -r .IPAM.Config[0].Gateway "$BOX_ROOT/networks/app/config.json")"
}

# at_once VERB ID...: ctr-net VERB for every ID, all started together
at_once () {
	local verb=$1 id pids=()
	shift
	for id; do
		ctr-net "$verb" "$id" &
		pids+=($!)
	done
	wait "${pids[@]}"
}

@test "20 attaches at once to one network: 20 different addresses, all in the resolver" {
	ctr-net create app
	ids=()
	for i in $(seq 20); do
		ids+=("$(fake_ctr "p$i" "{\"Name\":\"/p$i\",\"HostConfig\":{\"NetworkMode\":\"app\"}}")")
	done
	at_once attach "${ids[@]}"
	for id in "${ids[@]}"; do ctr_ip "$id" app; done | sort -u >"$BATS_TEST_TMPDIR/ips"
	[[ $(wc -l <"$BATS_TEST_TMPDIR/ips") == 20 ]]
	[[ $(ls "$BOX_ROOT/networks/app/leases" | wc -l) == 20 ]]
	[[ $(wc -l <"$BOX_ROOT/networks/app/hosts") == 20 ]]
	at_once detach "${ids[@]}"
	[[ -z $(ls "$BOX_ROOT/networks/app/leases") && ! -s $BOX_ROOT/networks/app/hosts ]]
}

@test "nothing leaks across 100 attach/detach cycles" {
	ctr-net create app
	p=$(free_port)
	warm=$(fake_ctr warm '{"Name":"/warm"}')
	ctr-net attach warm
	ctr-net detach warm
	sleep 0.5
	before=$(net_counts)
	for i in $(seq 100); do
		if ((i % 2)); then
			json="{\"Name\":\"/c$i\",\"HostConfig\":{\"NetworkMode\":\"app\",\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"$p\"}]}}}"
		else
			json="{\"Name\":\"/c$i\"}"
		fi
		id=$(fake_ctr "c$i" "$json")
		ctr-net attach "$id"
		ctr-net detach "$id"
		rm -rf "$BOX_ROOT/containers/$id" "$BOX_ROOT/names/c$i"
	done
	# a released namespace takes its veth along a little later
	for _ in $(seq 50); do
		[[ $(net_counts) == "$before" ]] && break
		sleep 0.1
	done
	diff <(echo "$before") <(net_counts)
	[[ $(port_elements) == 0 ]]
}

gw_of () {
	jq -r .IPAM.Config[0].Gateway "$BOX_ROOT/networks/$1/config.json"
}

default_via () {
	nsenter --net="$BOX_ROOT/containers/$1/netns" ip route show default | awk '{ print $3 }'
}

@test "on two user networks: names of both resolve; the default route follows Docker's rule as networks come and go" {
	ctr-net create n1
	ctr-net create n2
	a=$(fake_ctr a '{"Name":"/a","HostConfig":{"NetworkMode":"n1"}}')
	p1=$(fake_ctr p1 '{"Name":"/p1","HostConfig":{"NetworkMode":"n1"}}')
	p2=$(fake_ctr p2 '{"Name":"/p2","HostConfig":{"NetworkMode":"n2"}}')
	for c in a p1 p2; do ctr-net attach "$c"; done
	serve_http "$p1"
	serve_http "$p2"
	run -0 ctr-net connect n2 a
	for p in p1 p2; do
		id=$(readlink "$BOX_ROOT/names/$p")
		run -0 in_ctr "$a" timeout 5 busybox wget -q -O- "http://$p/"
		[[ $output == "hello from $id" ]]
	done
	[[ $(cat "$BOX_ROOT/containers/$a/resolv.conf") == "nameserver 127.0.0.11"* ]]
	# p1 is on n1 only: n2's names are not its to see
	run in_ctr "$p1" timeout 3 busybox nslookup p2
	[[ $status != 0 ]]
	# a name attached later is found too
	q=$(fake_ctr q '{"Name":"/q","HostConfig":{"NetworkMode":"n2"}}')
	ctr-net attach q
	run -0 in_ctr "$a" busybox nslookup q
	[[ $output == *"Address: $(ctr_ip "$q" n2)"* ]]
	# the default route: the network whose name sorts first (n1)
	[[ $(default_via "$a") == "$(gw_of n1)" ]]
	run -0 ctr-net disconnect n1 a
	[[ $(default_via "$a") == "$(gw_of n2)" ]]
	[[ $(cat "$BOX_ROOT/containers/$a/resolv.conf") == "nameserver $(gw_of n2)"* ]]
	run -0 in_ctr "$a" timeout 5 busybox wget -q -O- http://p2/
	[[ $output == "hello from $p2" ]]
	run -0 ctr-net connect n1 a
	[[ $(default_via "$a") == "$(gw_of n1)" ]]
	run -0 in_ctr "$a" timeout 5 busybox wget -q -O- http://p1/
	# its own resolver goes with the container's network
	pid=$(cat "$BOX_ROOT/containers/$a/dnsmasq.pid")
	[[ -e /proc/$pid ]]
	ctr-net detach "$a"
	# gone, or a zombie its reaper has yet to collect
	run grep -s '^State:' "/proc/$pid/status"
	[[ -z $output || $output == *zombie* ]]
}

# what has the test's prefix: links, nft tables, iptables rules, resolvers
prefixed () {
	ip -o link | awk -F': ' '{ print $2 }' | cut -d@ -f1 | grep "^$BOX_NET_PREFIX" | sort
	nft list tables ip | awk '{ print $3 }' | grep "^$BOX_NET_PREFIX" | sort
	iptables-nft -w -S 2>/dev/null | grep -i -- "$BOX_NET_PREFIX"
	pgrep -f -- "--pid-file=$BOX_ROOT/networks/"
	return 0
}

@test "create and rm killed at any point: the next ctr-net removes what they left; the names can be made again" {
	names=()
	for i in $(seq 0 6 150); do
		ctr-net create "k$i" >/dev/null 2>&1 &
		pid=$!
		sleep "$(printf '0.%03d' "$i")"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		names+=("k$i")
	done
	# the next ctr-net call, whatever it is
	run -0 ctr-net ls --format '{{.Name}}'
	made=$(grep '^k' <<<"$output" || true)
	# nothing but whole networks in the store, and devices for those only
	diff <(ls -A "$BOX_ROOT/networks" | grep -v '^\.lock$' | grep -v '^\.ports$' | sort) <(grep . <<<"$made" | sort)
	want=$(for n in $made; do bridge_dev "$n"; done | sort)
	diff <(ip -o link | awk -F': ' '{ print $2 }' | grep "^$BOX_NET_PREFIX" | sort) <(grep . <<<"$want")
	diff <(nft list tables ip | awk '{ print $3 }' | grep "^$BOX_NET_PREFIX" | sort) <(grep . <<<"$want")
	for n in $made; do ctr-net rm "$n" >/dev/null; done
	[[ -z $(prefixed) ]]
	# rm killed at any point too
	for i in $(seq 0 4 60); do
		ctr-net create "r$i" >/dev/null
		ctr-net rm "r$i" >/dev/null 2>&1 &
		pid=$!
		sleep "$(printf '0.%03d' "$i")"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	run -0 ctr-net ls --format '{{.Name}}'
	for n in $(grep '^r' <<<"$output"); do ctr-net rm "$n" >/dev/null; done
	[[ -z $(prefixed) && -z $(ls "$BOX_ROOT/networks") ]]
	for n in "${names[@]}"; do ctr-net create "$n" >/dev/null; done
	[[ $(ctr-net ls -q | wc -l) == $((${#names[@]} + 3)) ]]
}

@test "a default bridge whose state directory is gone is taken over; while it lives, the clear error" {
	a=$(fake_ctr a '{"Name":"/a"}')
	ctr-net attach a
	dev=${BOX_NET_PREFIX}0
	[[ $(cat "/sys/class/net/$dev/ifalias") == "box "*" $BOX_ROOT/networks/bridge" ]]
	first=$BOX_ROOT
	export BOX_ROOT=$BATS_TEST_TMPDIR/root2
	b=$(fake_ctr b '{"Name":"/b"}')
	run --separate-stderr -4 ctr-net attach b
	[[ $stderr == "ctr-net: container ${b:0:12}: another state directory uses the device prefix (see BOX_NET_PREFIX): create bridge $dev: File exists" ]]
	# the first state directory deleted, with nothing undone
	umount "$first/containers/$a/netns"
	rm -rf "$first"
	run -0 ctr-net attach b
	[[ $(cat "/sys/class/net/$dev/ifalias") == "box "*" $BOX_ROOT/networks/bridge" ]]
	ip=$(ctr_ip "$b" bridge)
	busybox ping -c1 -W2 "$ip" >/dev/null
	nft list table ip "$dev" >/dev/null
}

# --- beside the host's firewall and Docker (in a network namespace of the
# test's own: see privnet_setup) ---------------------------------------------

# a network app with a and b (a serves http), a published port of a, and
# other with c; a, b and c are the ids
fw_scene () {
	pn ctr-net create app >/dev/null
	pn ctr-net create other >/dev/null
	port=$(free_port)
	a=$(fake_ctr a "{\"Name\":\"/a\",\"HostConfig\":{\"NetworkMode\":\"app\",\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"$port\"}]}}}")
	b=$(fake_ctr b '{"Name":"/b","HostConfig":{"NetworkMode":"app"}}')
	c=$(fake_ctr c '{"Name":"/c","HostConfig":{"NetworkMode":"other"}}')
	for x in a b c; do pn ctr-net attach "$x"; done
	pn serve_http "$a"
}

# what must work whatever the host's chains say, and what must not
fw_check () {
	# within the network, by name (bridged: br_netfilter sends it through FORWARD)
	run -0 pn in_ctr "$b" timeout 5 busybox wget -q -O- http://a/
	[[ $output == "hello from $a" ]]
	# out of the network: forwarded and masqueraded
	run -0 pn in_ctr "$a" timeout 5 busybox wget -q -O- http://10.251.0.2/
	[[ $output == "hello from outside" ]]
	# a published port, from beyond the host and from the host
	run -0 pn nsenter --net="$PN/out" timeout 5 busybox wget -q -O- "http://10.251.0.1:$port/"
	[[ $output == "hello from $a" ]]
	run -0 pn curl -s --max-time 5 "http://127.0.0.1:$port/"
	[[ $output == "hello from $a" ]]
	# and still no way from one network into another
	run pn in_ctr "$c" timeout 3 busybox wget -q -O- "http://$(ctr_ip "$a" app)/"
	[[ $status != 0 ]]
}

@test "FORWARD policy DROP (iptables-nft, iptables-legacy, nftables) and br_netfilter: networks still work" {
	privnet_setup
	modprobe br_netfilter 2>/dev/null || true
	pn sh -c 'echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables'
	pn iptables-nft -P FORWARD DROP
	pn iptables-legacy -P FORWARD DROP
	pn nft 'add table inet filter; add chain inet filter forward { type filter hook forward priority 0; policy drop; }'
	pn outside_up
	fw_scene
	fw_check
	chain=$(tr a-z A-Z <<<"$BOX_NET_PREFIX")-FORWARD
	for ipt in iptables-nft iptables-legacy; do
		[[ $(pn "$ipt" -S FORWARD 2>/dev/null | grep -m1 -- '^-A') == "-A FORWARD -j $chain" ]]
	done
	[[ $(pn nft list chain inet filter forward | grep -c "comment \"box:") == 6 ]]
	# removed with the networks: the rules, then the chain and its jump
	for x in a b c; do pn ctr-net detach "$x"; done
	pn ctr-net rm app other
	for ipt in iptables-nft iptables-legacy; do
		run -0 pn "$ipt" -S
		[[ $output != *"$chain"* ]]
	done
	[[ $(pn nft list chain inet filter forward | grep -c "comment \"box:") == 0 ]]
}

@test "beside a dockerd started first: networks made after it work" {
	command -v dockerd >/dev/null || skip "dockerd is not installed (apt-get install docker.io)"
	privnet_setup
	pn outside_up
	run pn dockerd_start
	[[ $status == 0 ]] || skip "dockerd cannot start here: $output"
	[[ $(pn iptables -S FORWARD 2>/dev/null | grep -- '^-P') == "-P FORWARD DROP" ]]
	fw_scene
	fw_check
	pn dockerd_stop
}

@test "beside a dockerd started after box: networks made before it keep working" {
	command -v dockerd >/dev/null || skip "dockerd is not installed (apt-get install docker.io)"
	privnet_setup
	pn outside_up
	fw_scene
	run pn dockerd_start
	[[ $status == 0 ]] || skip "dockerd cannot start here: $output"
	[[ $(pn iptables -S FORWARD 2>/dev/null | grep -- '^-P') == "-P FORWARD DROP" ]]
	pn sh -c '[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ]'
	fw_check
	pn dockerd_stop
}

@test "prune without -f asks Docker's question (base/confirm): only y or Y removes" {
	ctr-net create asked >/dev/null
	run --separate-stderr -0 ctr-net prune <<<"yes"
	# (bats drops the question's trailing space)
	[[ $stderr == $'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N]' ]]
	[[ -z $output ]]
	run -0 ctr-net ls -q -f name=asked
	[[ -n $output ]]
	run --separate-stderr -0 ctr-net prune <<<" Y"
	[[ $output == $'Deleted Networks:\nasked' ]]
}

# --- create's options (issue 14) -----------------------------------------------

@test "create --internal: its containers reach each other and the host, nothing beyond; nothing published" {
	privnet_setup
	pn outside_up
	pn ctr-net create --internal inner >/dev/null
	pn ctr-net create open >/dev/null
	port=$(free_port)
	a=$(fake_ctr a "{\"Name\":\"/a\",\"HostConfig\":{\"NetworkMode\":\"inner\",\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"$port\"}]}}}")
	b=$(fake_ctr b '{"Name":"/b","HostConfig":{"NetworkMode":"inner"}}')
	c=$(fake_ctr c '{"Name":"/c","HostConfig":{"NetworkMode":"open"}}')
	for x in a b c; do pn ctr-net attach "$x"; done
	pn serve_http "$a"
	run -0 pn in_ctr "$b" timeout 5 busybox wget -q -O- http://a/
	[[ $output == "hello from $a" ]]
	run -0 pn curl -s --max-time 5 "http://$(ctr_ip "$a" inner)/"
	[[ $output == "hello from $a" ]]
	# the open network's container gets out; the internal ones do not
	run -0 pn in_ctr "$c" timeout 5 busybox wget -q -O- http://10.251.0.2/
	[[ $output == "hello from outside" ]]
	run pn in_ctr "$a" timeout 3 busybox wget -q -O- http://10.251.0.2/
	[[ $status != 0 ]]
	# as Docker: the port is not published, from anywhere
	[[ $(jq -c .Ports "$BOX_ROOT/containers/$a/network.json") == "{}" ]]
	run pn curl -s --max-time 2 "http://127.0.0.1:$port/"
	[[ $status != 0 ]]
	run -0 pn ctr-net inspect -f '{{.Internal}}' inner open
	[[ $output == $'true\nfalse' ]]
	run -0 pn ctr-net ls -f name=inner --format '{{.Name}} {{.Internal}}'
	[[ $output == "inner true" ]]
}

@test "create --ip-range, --aux-address: leases from the range, aux addresses held; errors in Docker's words" {
	ctr-net create --subnet 10.231.0.0/24 --ip-range 10.231.0.128/25 --aux-address r1=10.231.0.129 ranged >/dev/null
	run -0 ctr-net inspect -f '{{json .IPAM.Config}}' ranged
	[[ $output == '[{"Subnet":"10.231.0.0/24","IPRange":"10.231.0.128/25","Gateway":"10.231.0.128","AuxiliaryAddresses":{"r1":"10.231.0.129"}}]' ]]
	a=$(fake_ctr a '{"Name":"/a","HostConfig":{"NetworkMode":"ranged"}}')
	b=$(fake_ctr b '{"Name":"/b","HostConfig":{"NetworkMode":"ranged"},"NetworkingConfig":{"EndpointsConfig":{"ranged":{"IPAMConfig":{"IPv4Address":"10.231.0.5"}}}}}')
	ctr-net attach a
	ctr-net attach b
	# the gateway is the range's first address (as libnetwork), r1 is held
	[[ $(ctr_ip "$a" ranged) == 10.231.0.130 && $(ctr_ip "$b" ranged) == 10.231.0.5 ]]
	[[ $(ip -4 -o addr show "$(bridge_dev ranged)" | awk '{ print $4 }') == 10.231.0.128/24 ]]
	[[ $(readlink "$BOX_ROOT/networks/ranged/leases/10.231.0.129") == aux:r1 ]]
	# a sweep keeps the aux lease; a container cannot have it
	ctr-net detach "$a"
	c=$(fake_ctr c '{"Name":"/c","HostConfig":{"NetworkMode":"ranged"},"NetworkingConfig":{"EndpointsConfig":{"ranged":{"IPAMConfig":{"IPv4Address":"10.231.0.129"}}}}}')
	run -4 ctr-net attach c
	[[ $output == *"address 10.231.0.129: Address already in use"* ]]
	[[ $(readlink "$BOX_ROOT/networks/ranged/leases/10.231.0.129") == aux:r1 ]]
	run -2 ctr-net create --ip-range 10.232.0.0/24 x
	[[ $output == "ctr-net: every ip-range or gateway must have a corresponding subnet" ]]
	run -2 ctr-net create --subnet 10.232.0.0/24 --ip-range 10.233.0.0/25 x
	[[ $output == "ctr-net: no matching subnet for range 10.233.0.0/25" ]]
	run -2 ctr-net create --subnet 10.232.0.0/24 --aux-address a=10.233.0.1 x
	[[ $output == "ctr-net: no matching subnet for aux-address 10.233.0.1" ]]
	run -4 ctr-net create --subnet 10.232.0.0/24 --aux-address a=10.232.0.1 x
	[[ $output == "ctr-net: failed to allocate secondary ip address (a:10.232.0.1): Address already in use" ]]
	run -2 ctr-net create --aux-address a x
	# nothing of the refused ones is left
	[[ ! -e $BOX_ROOT/networks/x ]]
	[[ $(ip -o link show type bridge | grep -c ": $BOX_NET_PREFIX-") == 1 ]]
}

@test "create -o: mtu, enable_icc=false, enable_ip_masquerade=false, host_binding_ipv4; bad values refused" {
	privnet_setup
	pn outside_up
	pn ctr-net create -o com.docker.network.driver.mtu=1400 -o com.docker.network.bridge.enable_icc=false \
		-o com.docker.network.bridge.enable_ip_masquerade=false \
		-o com.docker.network.bridge.host_binding_ipv4=127.0.0.1 -o com.example.other=kept quiet >/dev/null
	port=$(free_port)
	a=$(fake_ctr a "{\"Name\":\"/a\",\"HostConfig\":{\"NetworkMode\":\"quiet\",\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"$port\"}]}}}")
	b=$(fake_ctr b '{"Name":"/b","HostConfig":{"NetworkMode":"quiet"}}')
	for x in a b; do pn ctr-net attach "$x"; done
	pn serve_http "$a"
	run -0 pn ip -o link show "$(bridge_dev quiet)"
	[[ $output == *" mtu 1400 "* ]]
	run -0 pn nsenter --net="$BOX_ROOT/containers/$a/netns" ip -o link show eth0
	[[ $output == *" mtu 1400 "* ]]
	# no icc: b does not reach a; the host does, and by the published port
	run pn in_ctr "$b" timeout 3 busybox wget -q -O- http://a/
	[[ $status != 0 ]]
	run -0 pn curl -s --max-time 5 "http://$(ctr_ip "$a" quiet)/"
	[[ $output == "hello from $a" ]]
	run -0 pn curl -s --max-time 5 "http://127.0.0.1:$port/"
	[[ $output == "hello from $a" ]]
	# the IPv6 one stays [::] (Docker's bridge driver)
	run -0 pn curl -s --max-time 5 "http://[::1]:$port/"
	[[ $output == "hello from $a" ]]
	[[ $(jq -c '.Ports["80/tcp"]' "$BOX_ROOT/containers/$a/network.json") == "[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"},{\"HostIp\":\"::\",\"HostPort\":\"$port\"}]" ]]
	# no masquerade: the outside sees an address it has no way back to
	run pn in_ctr "$a" timeout 3 busybox wget -q -O- http://10.251.0.2/
	[[ $status != 0 ]]
	run -0 pn ctr-net inspect -f '{{index .Options "com.example.other"}}' quiet
	[[ $output == kept ]]
	run -2 ctr-net create -o com.docker.network.bridge.enable_icc=maybe x
	[[ $output == 'ctr-net: failed to parse com.docker.network.bridge.enable_icc value: maybe (strconv.ParseBool: parsing "maybe": invalid syntax)' ]]
	run -2 ctr-net create -o com.docker.network.driver.mtu=abc x
	[[ $output == 'ctr-net: failed to parse com.docker.network.driver.mtu value: abc (strconv.Atoi: parsing "abc": invalid syntax)' ]]
	run -2 ctr-net create -o com.docker.network.bridge.host_binding_ipv4=abc x
	[[ $output == 'ctr-net: failed to parse com.docker.network.bridge.host_binding_ipv4 value: abc (nil ip)' ]]
}

@test "rm -f: a missing network is no error; prune --filter until, label, label! as the daemon reads them" {
	ctr-net create --label a=1 n1 >/dev/null
	ctr-net create --label a=2 n2 >/dev/null
	ctr-net create n3 >/dev/null
	run --separate-stderr -0 ctr-net rm -f nope n3
	[[ $output == n3 && -z $stderr ]]
	run -3 ctr-net rm nope
	BOX_DOCKER='network rm' run --separate-stderr -1 ctr-net rm nope
	[[ $stderr == "Error: No such network: nope" ]]
	ctr-net create n3 >/dev/null
	run -0 ctr-net prune -f --filter until=1h
	[[ -z $output ]]
	run -0 ctr-net prune -f --filter label=a=1
	[[ $output == $'Deleted Networks:\nn1' ]]
	run -0 ctr-net prune -f --filter 'label!=a'
	[[ $output == $'Deleted Networks:\nn3' ]]
	run -0 ctr-net prune -f --filter "until=$(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)" --filter label=a
	[[ $output == $'Deleted Networks:\nn2' ]]
	run -1 ctr-net prune -f --filter nope=1
	[[ $output == "ctr-net: Invalid filter 'nope'" ]]
	run -1 ctr-net prune -f --filter until=bogus
	[[ $output == 'ctr-net: failed to parse value as time or duration: "bogus"' ]]
	run -2 ctr-net prune -f --filter label
	# several label= all match; several label!= exclude what has them all
	ctr-net create --label a=1 --label b=2 n4 >/dev/null
	ctr-net create --label a=1 n5 >/dev/null
	run -0 ctr-net prune -f --filter label=a --filter label=b
	[[ $output == $'Deleted Networks:\nn4' ]]
	run -0 ctr-net prune -f --filter 'label!=a' --filter 'label!=b'
	[[ $output == $'Deleted Networks:\nn5' ]]
	run -1 ctr-net prune -f --filter until=1h --filter until=2h
	[[ $output == "ctr-net: more than one until filter specified" ]]
}

@test "create --ipv6 --subnet fdxx::/64: containers get an IPv6 address, gateway and route; reach each other on it" {
	privnet_setup
	run -0 pn ctr-net create --ipv6 --subnet fd00:77::/64 --subnet 10.236.0.0/24 six
	run -0 pn ctr-net inspect -f '{{.EnableIPv6}} {{json .IPAM.Config}}' six
	[[ $output == 'true [{"Subnet":"10.236.0.0/24","Gateway":"10.236.0.1"},{"Subnet":"fd00:77::/64"}]' ]]
	port=$(free_port)
	a=$(fake_ctr a "{\"Name\":\"/a\",\"HostConfig\":{\"NetworkMode\":\"six\",\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"$port\"}]}}}")
	b=$(fake_ctr b '{"Name":"/b","HostConfig":{"NetworkMode":"six"}}')
	pn ctr-net attach a
	pn ctr-net attach b
	pn serve_http "$a"
	# as dockerd hands them out: ::1 the gateway, then ::2, ::3
	[[ $(jq -r '.Networks.six | "\(.GlobalIPv6Address)/\(.GlobalIPv6PrefixLen) \(.IPv6Gateway)"' "$BOX_ROOT/containers/$a/network.json") == "fd00:77::2/64 fd00:77::1" ]]
	[[ $(jq -r .Networks.six.GlobalIPv6Address "$BOX_ROOT/containers/$b/network.json") == fd00:77::3 ]]
	run -0 pn nsenter --net="$BOX_ROOT/containers/$b/netns" ip -6 route show default
	[[ $output == "default via fd00:77::1 dev eth0"* ]]
	run -0 pn in_ctr "$b" timeout 5 busybox wget -q -O- "http://[fd00:77::2]/"
	[[ $output == "hello from $a" ]]
	run -0 pn curl -gs --max-time 5 "http://[fd00:77::2]/"
	[[ $output == "hello from $a" ]]
	# published on 0.0.0.0 and on [::], as Docker 20.10 on a host with IPv6:
	# the host reaches it on an IPv6 address of its own (the gateway's)
	[[ $(jq -c '.Ports["80/tcp"]' "$BOX_ROOT/containers/$a/network.json") == "[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"$port\"},{\"HostIp\":\"::\",\"HostPort\":\"$port\"}]" ]]
	printf 'status=running\n' >"$BOX_ROOT/containers/$a/state"
	run -0 pn ctr-net port a
	[[ $output == "80/tcp -> 0.0.0.0:$port"$'\n'"80/tcp -> :::$port" ]]
	run -0 pn curl -gs --max-time 5 "http://[fd00:77::1]:$port/"
	[[ $output == "hello from $a" ]]
	run -0 pn curl -s --max-time 5 "http://127.0.0.1:$port/"
	[[ $output == "hello from $a" ]]
	run -0 pn ctr-net inspect -f '{{range .Containers}}{{.IPv6Address}} {{end}}' six
	[[ $output == *"fd00:77::2/64"* && $output == *"fd00:77::3/64"* ]]
	# an IPv4 network is not given IPv6
	pn ctr-net create four >/dev/null
	c=$(fake_ctr c '{"Name":"/c","HostConfig":{"NetworkMode":"four"}}')
	pn ctr-net attach c
	[[ $(jq -r .Networks.four.GlobalIPv6Address "$BOX_ROOT/containers/$c/network.json") == "" ]]
	# its port elements go with its endpoint, its table with the network
	dev=$(bridge_dev six)
	[[ $(pn nft list map ip6 "$dev" ports6) == *"tcp . $port : fd00:77::2 . 80"* ]]
	for x in a b; do pn ctr-net detach "$x"; done
	[[ $(pn nft list map ip6 "$dev" ports6) != *"$port"* ]]
	pn ctr-net rm six
	run ! pn nft list table ip6 "$dev"
	run -1 pn ctr-net create --ipv6 nosub
	[[ $output == "ctr-net: could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network" ]]
	run -2 pn ctr-net create --subnet fd00:78::/64 --gateway fd00:79::1 badgw
	[[ $output == "ctr-net: no matching subnet for gateway fd00:79::1" ]]
}
