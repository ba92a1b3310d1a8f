#!/usr/bin/env bats
# box stats: Docker's columns from the container's cgroups (v1 here; the
# CPU time on a cgroup2 hierarchy the test mounts) and its network
# namespace; --no-stream, --all, --no-trunc, --format (table, json,
# {{json .}}), the streaming redraw, Docker's errors.

load ../helpers
load ../fixtures/net

setup () {
	box_setup_small
	net_setup
}

teardown () {
	if [[ -n ${CG2-} ]]; then
		umount "$CG2" 2>/dev/null || true
	fi
	net_teardown
	box_teardown
}

HEADER="CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT     MEM %     NET I/O   BLOCK I/O         PIDS"

# the host's memory as docker stats prints an unlimited container's limit
host_mem () {
	awk '/^MemTotal:/ { print $2 * 1024 }' /proc/meminfo
}

@test "stats --no-stream: the running containers, newest first, Docker's columns" {
	local id
	box run -d --name idle --network none small sleep 1000 >/dev/null
	id=$(box run -d --name busy --network none small sh -c 'while :; do :; done')
	box create --name cr --network none small true >/dev/null
	run -0 box stats --no-stream
	[[ ${#lines[@]} == 3 ]]
	[[ ${lines[0]} =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]]
	[[ ${lines[1]} =~ ^${id:0:12}\ +busy\ +([0-9.]+)%\ +[0-9.]+[KMG]?i?B\ /\ [0-9.]+GiB\ +[0-9.]+%\ +0B\ /\ 0B\ +[0-9.]+[kMG]?B\ /\ [0-9.]+[kMG]?B\ +1$ ]]
	# a busy loop shows CPU time (Docker's figure: of one CPU, up to 100% each)
	[[ ${BASH_REMATCH[1]%.*} -ge 5 ]]
	[[ ${lines[2]} == *" idle "* ]]
	# --all: the created one, all zero
	run -0 box container stats --no-stream -a --format '{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.MemPerc}}|{{.NetIO}}|{{.BlockIO}}|{{.PIDs}}'
	[[ ${lines[0]} == "cr|0.00%|0B / 0B|0.00%|0B / 0B|0B / 0B|0" ]]
	[[ ${#lines[@]} == 3 ]]
}

@test "stats: memory usage and limit, PIDS, block I/O as the kernel counts them" {
	local id blk
	id=$(box run -d --name io --memory 64m --network none small sh -c \
		'{ dd if=/dev/zero of=/x bs=1M count=5 oflag=direct 2>/dev/null; head -c 20000000 /dev/zero >/dev/shm/x; sleep 1000; } | cat')
	sleep 1
	run -0 box stats --no-stream --format '{{.MemUsage}}|{{.MemPerc}}|{{.BlockIO}}|{{.PIDs}}' io
	[[ $output =~ ^([0-9.]+)MiB\ /\ 64MiB\|([0-9.]+)%\|(.*)\|3$ ]]
	# the 20 MB in /dev/shm are the container's memory
	[[ ${BASH_REMATCH[1]%.*} -ge 19 && ${BASH_REMATCH[2]%.*} -ge 29 ]]
	# block I/O: the blkio cgroup's Read and Write (this kernel counts
	# direct I/O there only with a throttle rule: Docker shows 0B too)
	blk=$(awk 'function h(b,  u, i) { split("B kB MB GB TB", u, " "); i = 1; while (b >= 1000) { b /= 1000; i++ }; return sprintf("%.3g%s", b, u[i]) }
		$2 == "Read" { r += $3 } $2 == "Write" { w += $3 } END { print h(r + 0) " / " h(w + 0) }' \
		"/sys/fs/cgroup/blkio/box/$id/blkio.throttle.io_service_bytes")
	[[ ${BASH_REMATCH[3]} == "$blk" ]]
	# unlimited: the host's memory, as Docker
	box run -d --name free --network none small sleep 1000 >/dev/null
	run -0 box stats --no-stream --format '{{.MemUsage}}' free
	[[ ${output#* / } == "$(awk -v m="$(host_mem)" 'BEGIN { u = "B KiB MiB GiB TiB"; split(u, a, " "); i = 1; while (m >= 1024) { m /= 1024; i++ }; printf "%.4g%s", m, a[i] }')" ]]
}

@test "stats: a container without a blkio cgroup (an older box's): its processes' I/O" {
	local id
	id=$(box run -d --name io --network none small sh -c \
		'{ dd if=/dev/zero bs=1M count=5 2>/dev/null; sleep 1000; } | tee /x >/dev/null')
	sleep 1
	# what an older box left: no blkio cgroup (the processes moved out first)
	for p in $(cat "/sys/fs/cgroup/blkio/box/$id/cgroup.procs"); do
		echo "$p" >/sys/fs/cgroup/blkio/cgroup.procs
	done
	rmdir "/sys/fs/cgroup/blkio/box/$id"
	run -0 box stats --no-stream --format '{{.BlockIO}}' io
	[[ $output =~ ^[0-9.]+[kM]?B\ /\ ([0-9.]+)MB$ ]]
	[[ ${BASH_REMATCH[1]%.*} -ge 5 ]]
}

@test "stats: NET I/O counts the container's interfaces, not lo" {
	local a b
	box network create side >/dev/null
	box run -d --name web --network side small httpd -f -p 80 -h /etc >/dev/null
	run -0 box stats --no-stream --format '{{.NetIO}}' web
	a=$output
	box run --rm --network side small sh -c 'for i in 1 2 3 4 5; do wget -q -O- http://web/passwd; done' >/dev/null
	run -0 box stats --no-stream --format '{{.NetIO}}' web
	b=$output
	[[ $b =~ ^([0-9.]+)(B|kB)\ /\ ([0-9.]+)(B|kB)$ ]]
	[[ $a != "$b" ]]
	# the bytes sent: 5 copies of /etc/passwd and more
	[[ ${BASH_REMATCH[4]} == kB || ${BASH_REMATCH[3]%.*} -gt 500 ]]
	# lo only (--network none) counts nothing
	box run -d --name lo --network none small sh -c 'while :; do wget -q -O- http://127.0.0.1:1/ 2>/dev/null; sleep 0.1; done' >/dev/null
	run -0 box stats --no-stream --format '{{.NetIO}}' lo
	[[ $output == "0B / 0B" ]]
	# nor the host's namespace (--network host), as Docker
	box run -d --name hostnet --network host small sleep 1000 >/dev/null
	run -0 box stats --no-stream --format '{{.NetIO}}' hostnet
	[[ $output == "0B / 0B" ]]
}

@test "stats: --no-trunc, --format table and json, Container as given" {
	local id
	id=$(box run -d --name web --network none small sleep 1000)
	run -0 box stats --no-stream --no-trunc --format '{{.ID}}' web
	[[ $output == "$id" ]]
	run -0 box stats --no-stream --format 'table {{.Container}}\t{{.ID}}\t{{.PIDs}}' "${id:0:5}"
	[[ $output == "CONTAINER   CONTAINER ID   PIDS
${id:0:5}       ${id:0:12}   1" ]]
	run -0 box stats --no-stream --format '{{json .}}' web
	[[ $(jq -r 'keys | join(",")' <<<"$output") == "BlockIO,CPUPerc,Container,ID,MemPerc,MemUsage,Name,NetIO,PIDs" ]]
	[[ $(jq -r .Name <<<"$output") == web && $(jq -r .Container <<<"$output") == web ]]
	run -0 box stats --no-stream --format json web
	[[ $(jq -r .ID <<<"$output") == "${id:0:12}" ]]
	# without CONTAINER, Container is the short id
	run -0 box stats --no-stream --format '{{.Container}}'
	[[ $output == "${id:0:12}" ]]
}

@test "stats: Docker's errors, exit 1, no table" {
	box run -d --name web --network none small sleep 1000 >/dev/null
	run --separate-stderr -1 box stats --no-stream nope web nope2
	[[ -z $output ]]
	[[ $stderr == "Error response from daemon: No such container: nope
Error response from daemon: No such container: nope2" ]]
	run --separate-stderr box stats --no-stream --format '{{.Bogus}}' web
	[[ $status == 1 && $stderr == "template parsing error: template: :1:2: executing \"\" at <.Bogus>: can't evaluate field Bogus in type *container.statsContext" ]]
	run --separate-stderr -125 box stats --nope
	[[ -z $output && $stderr == "unknown flag: --nope"$'\n'"See 'box stats --help'." ]]
}

@test "stats streams: the screen cleared and the table drawn again; none running ends it" {
	box run -d --name web --network none small sleep 1000 >/dev/null
	run timeout 1.6 box stats
	[[ $status == 124 ]]
	[[ $(grep -o $'\033\\[2J\033\\[H' <<<"$output" | wc -l) -ge 2 ]]
	[[ $output == *" web "* ]]
	box rm -f web >/dev/null
	run -0 timeout 5 box stats
	[[ $output == $'\033[2J\033[H'"CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS" ]]
}

@test "stats on cgroup v2: the CPU time of cpu.stat" {
	local id p
	id=$(box run -d --name busy --network none small sh -c 'while :; do :; done')
	CG2=$BATS_TEST_TMPDIR/cg2
	mkdir -p "$CG2"
	mount -t cgroup2 none "$CG2"
	mkdir -p "$CG2/box/$id"
	for p in $(cat "/sys/fs/cgroup/pids/box/$id/cgroup.procs"); do
		echo "$p" >"$CG2/box/$id/cgroup.procs"
	done
	export BOX_CGROUP2_ROOT=$CG2
	run -0 box stats --no-stream --format '{{.CPUPerc}}' busy
	[[ ${output%.*} -ge 5 ]]
	run -0 box rm -f busy
	[[ ! -e $CG2/box/$id ]]
}
