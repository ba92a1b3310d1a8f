#!/usr/bin/env bats
# box system df (ctr-list df): Docker's four rows and -v's sections, the
# sizes as Docker counts them (images unpacked, shared layers, a
# container's writable layer, a volume's files, the build cache), and
# --format as Docker runs it.

load ../helpers

setup () {
	box_setup_small
	store_add multi docker.io/library/multi:latest
}

teardown () {
	box_teardown
}

# Docker's DiffSize of a directory: files and symlinks (by their target's
# length), hard links once, directories nothing
dir_size () {
	find "$1" -mindepth 1 ! -type d -printf '%i %s\n' | sort -u | awk '{ n += $2 } END { print n + 0 }'
}

# go-units' HumanSizeWithPrecision with PREC significant digits
human () {
	awk -v s="$1" -v p="${2:-4}" 'BEGIN { split("B kB MB GB TB", u, " "); i = 1
		while (s >= 1000 && i < 5) { s /= 1000; i++ }
		printf "%.*g%s\n", p, s, u[i] }'
}

# the unpacked size of IMAGE's layers, read from its blobs
image_size () {
	skopeo inspect --raw "oci:$BOX_ROOT/images:docker.io/library/$1:latest" | jq -r '.layers[].digest' | python3 -c '
import sys, tarfile
n = 0
for d in sys.stdin.read().split():
	with tarfile.open(sys.argv[1] + "/" + d.split(":")[1]) as t:
		n += sum(m.size if m.isreg() else len(m.linkname) if m.issym() else 0 for m in t)
print(n)' "$BOX_ROOT/images/blobs/sha256"
}

@test "system df: Docker's rows; images, containers and volumes as Docker counts them" {
	local small multi total rw
	box volume create v1 >/dev/null
	box run --name wv -v v1:/data --network none small sh -c 'printf 12345 >/data/x; head -c 4000 /dev/zero >/big'
	box run -d --name up --network none small sleep 1000 >/dev/null
	box create --name idle --network none multi >/dev/null
	run -0 box system df
	small=$(image_size small) multi=$(image_size multi)
	total=$((small + multi))
	rw=$(dir_size "$BOX_ROOT/containers/$(readlink "$BOX_ROOT/names/wv")/upper")
	((rw >= 4000))
	[[ ${lines[0]} == "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE" ]]
	# an image with a container, running or not, is active (Docker's)
	[[ ${lines[1]} =~ ^Images\ +2\ +2\ +$(human $total)\ +0B\ \(0%\)$ ]]
	[[ ${lines[2]} =~ ^Containers\ +3\ +1\ +$(human $rw)\ +$(human $rw)\ \(100%\)$ ]]
	[[ ${lines[3]} =~ ^Local\ Volumes\ +1\ +1\ +5B\ +0B\ \(0%\)$ ]]
	[[ ${lines[4]} =~ ^Build\ Cache\ +0\ +0\ +0B\ +0B$ ]]
	run -0 box system df --format '{{.Type}}|{{.TotalCount}}|{{.Active}}'
	[[ $output == $'Images|2|2\nContainers|3|1\nLocal Volumes|1|1\nBuild Cache|0|0' ]]
	# without multi's container, multi's layers could go
	box rm idle >/dev/null
	run -0 box system df --format json
	[[ $(head -1 <<<"$output") == "{\"Active\":\"1\",\"Reclaimable\":\"$(human $multi) ($((multi * 100 / total))%)\",\"Size\":\"$(human $total)\",\"TotalCount\":\"2\",\"Type\":\"Images\"}" ]]
	box rm -f up wv >/dev/null
	box volume rm v1 >/dev/null
	run -0 box system df --format '{{.Type}} {{.Reclaimable}}'
	[[ $output == $'Images '"$(human $total)"$' (100%)\nContainers 0B\nLocal Volumes 0B\nBuild Cache 0B' ]]
}

@test "system df: a layer two images have is shared, counted once in the total" {
	local small top
	box run --name cc --network none small sh -c 'printf abcdef >/f'
	box commit cc derived >/dev/null
	box rm cc >/dev/null
	small=$(image_size small)
	top=$(($(image_size derived) - small))
	((top >= 6))
	run -0 box system df -v --format '{{range .Images}}{{.Repository}} {{.SharedSize}} {{.UniqueSize}} {{.Size}}{{println}}{{end}}'
	[[ $(sort <<<"$output") == "$(printf '%s\n' "derived $(human $small) $(human $top) $(human $((small + top)) 3)" \
		"multi 0B $(human "$(image_size multi)") $(human "$(image_size multi)" 3)" \
		"small $(human $small) 0B $(human $small 3)" | sort)" ]]
	run -0 box system df --format '{{.Size}}'
	[[ ${lines[0]} == "$(human $((small + top + $(image_size multi))))" ]]
}

@test "system df -v: Docker's four sections" {
	local id
	box volume create --label k=v data >/dev/null
	id=$(box create --name made -v data:/d --network none small)
	run -0 box system df -v
	[[ $output == $'Images space usage:\n\nREPOSITORY   TAG       IMAGE ID       CREATED       SIZE      SHARED SIZE   UNIQUE SIZE   CONTAINERS\n'* ]]
	[[ $output =~ $'\n'small\ +latest\ +[0-9a-f]{12}\ +[0-9]+\ years?\ ago\ +[0-9.]+[kM]B\ +0B\ +[0-9.]+[kM]B\ +1$'\n' ]]
	[[ $output == *$'\n\nContainers space usage:\n\nCONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED'*$'STATUS    NAMES\n'"${id:0:12}   small     \"sh\"      1               0B        "* ]]
	[[ $output == *$'\n\nLocal Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\ndata          1         0B\n\nBuild cache usage: 0B\n\nCACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED' ]]
	# a template runs once over the four lists, with nothing after it
	run -0 box system df -v --format '{{len .Images}} {{len .Containers}} {{len .Volumes}} {{len .BuildCache}}'
	[[ $output == "2 1 1 0" ]]
	run -0 box system df -v --format '{{range .Volumes}}{{.Name}} {{.Labels}} {{.Links}} {{.Driver}} {{.Mountpoint}}{{end}}'
	[[ $output == "data k=v 1 local $BOX_ROOT/volumes/data/_data" ]]
	run -0 box system df -v --format '{{range .Containers}}{{.ID}} {{.Command}} {{.Size}}{{end}}'
	[[ $output == "$id \"sh\" 0B" ]]
	run -0 box system df -v --format json
	[[ $(jq -c 'keys_unsorted' <<<"$output") == '["Images","Containers","Volumes","BuildCache"]' ]]
}

@test "system df: the build cache is what builder prune -a frees" {
	local layer
	mkdir -p "$BATS_TEST_TMPDIR/ctx"
	printf 'FROM small\nRUN printf 0123456789 >/f\n' >"$BATS_TEST_TMPDIR/ctx/Dockerfile"
	box build -q --network none -t built "$BATS_TEST_TMPDIR/ctx" >/dev/null
	# the step's layer is the image's too: shared, nothing to free yet
	run -0 box system df -v --format '{{range .BuildCache}}{{.CacheType}} {{.Size}} {{.Shared}} {{.Description}}{{end}}'
	[[ $output == "regular 0B true "*"printf 0123456789 >/f" ]]
	box rmi built >/dev/null
	layer=$(dir_size "$BOX_ROOT/layers/$(ls -t "$BOX_ROOT/layers" | grep -v '\.' | head -1)")
	run -0 box system df --format '{{.Type}} {{.TotalCount}} {{.Size}} {{.Reclaimable}}'
	[[ ${lines[3]} == "Build Cache 1 $(human "$layer") $(human "$layer")" ]]
	box builder prune -af >/dev/null
	run -0 box system df --format '{{.Type}} {{.TotalCount}} {{.Size}}'
	[[ ${lines[3]} == "Build Cache 0 0B" ]]
}

@test "system df: Docker's errors for a template, an argument, a flag" {
	run --separate-stderr -1 box system df --format '{{.Nope}}'
	[[ $stderr == 'template parsing error: template: :1:2: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type *formatter.diskUsageImagesContext' ]]
	run --separate-stderr -1 box system df -v --format '{{.Nope}}'
	[[ $stderr == 'template: :1:2: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type *formatter.diskUsageContext' ]]
	run --separate-stderr -1 box system df -v --format '{{'
	[[ $stderr == 'template parsing error: template: :1: unclosed action' ]]
	run --separate-stderr -1 box system df extra
	[[ $stderr == "\"box system df\" accepts no arguments."$'\n'"See 'box system df --help'."$'\n\n'"Usage:  box system df [OPTIONS]"$'\n\n'"Show box disk usage" ]]
	# a template is no operand
	run -0 box system df --format '{{.Type}}'
	run --separate-stderr -125 box system df --nope
	[[ $stderr == "unknown flag: --nope"$'\n'"See 'box system df --help'." ]]
	run -0 box system df --help
	[[ $output == *"Usage:  box system df [OPTIONS]"* ]]
}
