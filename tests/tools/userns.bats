#!/usr/bin/env bats
# User namespaces in box's runtime (lib/base/userns, lib/runtime/spawn, mounts)
# through ctr-spawn and ctr-exec: a container's config.json with
# linux.uidMappings/gidMappings runs with its root mapped to an
# unprivileged uid of the host. ctr-oci's side is in ctr-oci.bats.

load ../helpers

setup () {
	box_setup_small
}

teardown () {
	cgroup2_sweep
	box_teardown
}

# mk_userns HOSTID CMD...: a container on network none whose config.json
# maps ids 0-65535 to HOSTID on, its rootfs a copy owned by that root (as
# the chowned fallback of the layers is), /vol a bind mount of a 1777
# directory; sets ID, D, VOL
mk_userns () {
	local host=$1 u=$BATS_TEST_TMPDIR/urootfs
	shift
	ID=$(ctr-create --network none small "$@")
	D=$BOX_ROOT/containers/$ID
	VOL=$BATS_TEST_TMPDIR/vol
	mkdir -m 1777 "$VOL"
	cp -a "$D/rootfs/." "$u"
	chown -R "$host:$host" "$u"
	# ping_group_range's ids must be mapped in the container's namespace:
	# left out here (the caller that writes the maps sets it to fit)
	jq --arg u "$u" --arg v "$VOL" --argjson h "$host" '.root.path = $u
		| .linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: $h, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $h, size: 65536}]
		| del(.linux.sysctl["net.ipv4.ping_group_range"])
		| .mounts += [{destination: "/vol", type: "bind", source: $v, options: ["rbind"]}]' \
		"$D/config.json" >"$D/c"
	mv "$D/c" "$D/config.json"
}

state () {
	sed -n "s/^$1=//p" "$D/state"
}

@test "ctr-spawn: root inside is the mapped uid outside, uid_map as configured, bind mount files owned by it" {
	mk_userns 300000 sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; touch /vol/made'
	run --separate-stderr -0 ctr-spawn "$ID"
	[[ ${lines[0]} == 0 && ${lines[1]} == 0 ]]
	[[ $(echo "${lines[2]}" | tr -s ' ') == " 0 300000 65536" ]]
	[[ $(echo "${lines[3]}" | tr -s ' ') == " 0 300000 65536" ]]
	[[ $(stat -c %u:%g "$VOL/made") == 300000:300000 ]]
}

@test "ctr-spawn -d: the payload runs as the mapped uid; ctr-exec joins its user namespace" {
	local pid
	mk_userns 300000 sleep 60
	ctr-spawn -d "$ID"
	pid=$(state pid)
	[[ $(awk '/^Uid:/ {print $2}' /proc/"$pid"/status) == 300000 ]]
	run --separate-stderr -0 ctr-exec "$ID" sh -c 'id -u; readlink /proc/self/ns/user; touch /vol/exec'
	[[ ${lines[0]} == 0 && ${lines[1]} == "$(readlink /proc/"$pid"/ns/user)" ]]
	[[ ${lines[1]} != "$(readlink /proc/self/ns/user)" ]]
	[[ $(stat -c %u "$VOL/exec") == 300000 ]]
	kill -KILL "$pid"
}

@test "ctr-spawn: bad mappings are refused naming the key, before anything runs" {
	mk_userns 300000 true
	jq '.linux.uidMappings[0].hostID = -1' "$D/config.json" >"$D/c" && mv "$D/c" "$D/config.json"
	run --separate-stderr -125 ctr-spawn "$ID"
	[[ $stderr == *"config.json: linux.uidMappings[0].hostID: an id from 0 to 4294967295 needed" ]]
	jq '.linux.uidMappings[0].hostID = 300000 | .linux.namespaces |= map(select(.type != "user"))' \
		"$D/config.json" >"$D/c" && mv "$D/c" "$D/config.json"
	run --separate-stderr -125 ctr-spawn "$ID"
	[[ $stderr == *"config.json: linux.uidMappings: given, but linux.namespaces has no user namespace" ]]
	[[ $(state status) != running && -z $(ls -A "$VOL") ]]
}

@test "cgroup v2: the container's cgroup is given to its root, as runc's OwnerUID (a cgroup2 hierarchy mounted here)" {
	local pid cg
	cgroup2_mount
	mk_userns 300000 sleep 60
	# a cgroup namespace and /sys/fs/cgroup read-write: runc's condition
	jq '.linux.namespaces |= (map(select(.type != "cgroup")) + [{type: "cgroup"}])
		| .mounts |= map(if .destination == "/sys/fs/cgroup" then .options -= ["ro"] else . end)' \
		"$D/config.json" >"$D/c" && mv "$D/c" "$D/config.json"
	ctr-spawn -d "$ID"
	pid=$(state pid)
	cg=$BOX_CGROUP2_ROOT/box/$ID
	[[ $(stat -c %u "$cg" "$cg/cgroup.procs" "$cg/cgroup.subtree_control" | sort -u) == 300000 ]]
	[[ $(stat -c %u "$cg/cgroup.max.descendants") == 0 ]]
	kill -KILL "$pid"
	for _ in $(seq 50); do rmdir "$cg" 2>/dev/null && break; sleep 0.1; done
	# read-only: the cgroup stays root's
	jq '.mounts |= map(if .destination == "/sys/fs/cgroup" then .options += ["ro"] else . end)' \
		"$D/config.json" >"$D/c" && mv "$D/c" "$D/config.json"
	ctr-spawn -d "$ID"
	pid=$(state pid)
	[[ $(stat -c %u "$cg") == 0 ]]
}

@test "ctr-spawn -d: a user namespace joined by path; ctr-exec joins it" {
	local holder pid
	mk_userns 300000 sh -c 'id -u; readlink /proc/self/ns/user; echo $$; touch /vol/joined; exec sleep 60'
	unshare --user sleep 60 &
	holder=$!
	for _ in $(seq 50); do [[ $(readlink /proc/"$holder"/ns/user) != "$(readlink /proc/self/ns/user)" ]] && break; sleep 0.05; done
	echo "0 300000 65536" >/proc/"$holder"/uid_map
	echo "0 300000 65536" >/proc/"$holder"/gid_map
	jq --arg p "/proc/$holder/ns/user" '.linux.namespaces |= (map(select(.type != "user")) + [{type: "user", path: $p}])
		| del(.linux.uidMappings, .linux.gidMappings)' "$D/config.json" >"$D/c" && mv "$D/c" "$D/config.json"
	ctr-spawn -d "$ID"
	pid=$(state pid)
	[[ $(readlink /proc/"$pid"/ns/user) == "$(readlink /proc/"$holder"/ns/user)" ]]
	[[ $(awk '/^Uid:/ {print $2}' /proc/"$pid"/status) == 300000 ]]
	for _ in $(seq 50); do [[ -e $VOL/joined ]] && break; sleep 0.05; done
	[[ $(stat -c %u "$VOL/joined") == 300000 ]]
	# its PID namespace made inside it: the payload is its PID 1
	for _ in $(seq 50); do grep -q ' stdout F 1$' "$D/log" && break; sleep 0.05; done
	grep -q ' stdout F 1$' "$D/log"
	run --separate-stderr -0 ctr-exec "$ID" sh -c 'id -u; readlink /proc/self/ns/user'
	[[ ${lines[0]} == 0 && ${lines[1]} == "$(readlink /proc/"$holder"/ns/user)" ]]
	kill -KILL "$pid"
	kill "$holder"
}
