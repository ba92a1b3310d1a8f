#!/usr/bin/env bats
# box history (img-list history), and box history / box diff against a
# private dockerd for the same steps

load ../helpers
load ../fixtures/net

setup () {
	box_setup
	skip_unless_root
	store_add small docker.io/library/small:latest
	store_add multi docker.io/library/multi:latest
}

teardown () {
	if [[ -n ${PN-} && -e $PN/mnt ]]; then
		pn dockerd_stop
		privnet_teardown
	fi
	box_teardown
}

@test "box history: Docker's columns, sizes of the layers, <missing> below the image" {
	run -0 box history multi
	[[ ${lines[0]} == "IMAGE          CREATED       CREATED BY                               SIZE      COMMENT" ]]
	[[ ${lines[1]} == "$(fixture_image_id multi | cut -c8-19)   "*"   RUN suid, fifo, private dir              30B       " ]]
	[[ ${lines[2]} == "<missing>      "*"RUN whiteout, opaque dir, links, xattr   17B       " ]]
	[[ ${lines[3]} == "<missing>      "*"ENV FOO=bar                              0B        " ]]
	[[ ${lines[4]} == "<missing>      "*"ADD base /                               1.98MB    " ]]
	run -0 box image history -q multi
	[[ $output == "$(fixture_image_id multi | cut -c8-19)"$'\n<missing>\n<missing>\n<missing>' ]]
	run -0 box history --no-trunc -H=false --format '{{.ID}} {{.CreatedAt}} {{.Size}}' small
	[[ $output == "$(fixture_image_id small) 2024-01-01T00:00:00Z 1984308" ]]
	run -0 box history --format json small
	[[ $(jq -r .CreatedBy <<<"$output") == "ADD busybox-static /" ]]
	# the daemon's answer, the name as it parsed it
	run --separate-stderr -1 box history nope
	[[ $stderr == "Error response from daemon: No such image: nope:latest" ]]
}

@test "box history: CREATED BY cut at 45 characters with …, the parent's id below a commit" {
	box run --name cc --network none small sh -c 'echo a long command line that does not fit >/srv/x' >/dev/null
	box commit -m hello cc com:1 >/dev/null
	run -0 box history com:1
	[[ ${lines[1]} == *"   sh -c echo a long command line that does not…   "*"hello" ]]
	[[ ${lines[2]} == "$(fixture_image_id small | cut -c8-19)   "* ]]
	run -0 box history --no-trunc --format '{{.CreatedBy}}' com:1
	[[ ${lines[0]} == "sh -c echo a long command line that does not fit >/srv/x" ]]
	# a commit of a commit: each local parent's id, <missing> below them
	box run --name c2 --network none com:1 touch /srv/y >/dev/null
	id=$(box commit c2 com:2)
	run -0 box history --no-trunc -q com:2
	[[ $output == "$id"$'\n'"$(box inspect -f '{{.Id}}' com:1)"$'\n'"$(fixture_image_id small)" ]]
}

# the v1 hierarchies (or the v2 one) of the host, in the namespace of pn,
# where a fresh sysfs hides them: dockerd's containers need them
pn_cgroups () {
	local dir type opts tmpfs=
	while read -r _ dir type opts _; do
		case $type in
		cgroup)
			[[ -n $tmpfs ]] || pn mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
			tmpfs=1
			pn sh -c "mkdir -p '$dir' && mount -t cgroup -o '$opts' cgroup '$dir'"
			;;
		cgroup2) [[ -n $tmpfs ]] || pn mount -t cgroup2 cgroup2 "$dir" ;;
		esac
	done </proc/self/mounts
}

dk () { docker -H "unix://$BATS_TEST_TMPDIR/dockerd/sock" "$@"; }

@test "box diff and box history print what a private dockerd prints for the same steps" {
	command -v dockerd >/dev/null || skip "dockerd is not installed (apt-get install docker.io)"
	privnet_setup
	run pn dockerd_start
	[[ $status == 0 ]] || skip "dockerd cannot start here: $output"
	pn_cgroups
	box save small multi | dk load >/dev/null
	script='echo hi >/srv/new; rm /etc/group; mkdir -p /tmp/d/e; touch /tmp/d/e/f; echo x >>/etc/passwd; ln -s a /root/l; rm -r /home/app; rm -r /srv; mkdir /srv; echo >/srv/again'
	box run --name ss --network none small sh -c "$script"
	dk run --name ss --network none small sh -c "$script"
	# Docker's order is its maps' (it varies): the lines, sorted
	diff <(box diff ss | sort) <(dk diff ss | sort)
	box commit -a me -m msg ss com:1 >/dev/null
	dk commit -a me -m msg ss com:1 >/dev/null
	f='{{.CreatedBy}}|{{.Size}}|{{.Comment}}'
	diff <(box history --format "$f" com:1) <(dk history --format "$f" com:1)
	diff <(box history -q com:1 | tail -n +2) <(dk history -q com:1 | tail -n +2)
	# the config as Docker's commit makes it (the layers' bytes differ: tar headers)
	f='{{.Parent}}|{{.Author}}|{{.Comment}}|{{json .Config.Cmd}}|{{json .Config.Env}}|{{json .Config.ExposedPorts}}|{{json .Config.Labels}}|{{.Config.WorkingDir}}|{{json .ContainerConfig.Cmd}}'
	diff <(box inspect -f "$f" com:1) <(dk inspect -f "$f" com:1)
	[[ $(box inspect -f '{{json .RootFS.Layers}}' com:1 | jq length) == 2 ]]
	[[ $(dk inspect -f '{{json .RootFS.Layers}}' com:1 | jq length) == 2 ]]
	# a loaded image: the same ids, times, sizes and words
	diff <(box history multi) <(dk history multi)
	diff <(box history --no-trunc -H=false multi) <(dk history --no-trunc -H=false multi)
	dk rm -f ss >/dev/null
}
