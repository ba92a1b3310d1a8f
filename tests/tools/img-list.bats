#!/usr/bin/env bats
# img-list: listing (Docker's columns and formats), inspect, tag, rm, gc,
# over images put in the store by skopeo (an independent writer)

load ../helpers

setup () {
	box_setup
	IMG=$BOX_ROOT/images
}

teardown () {
	box_teardown
}

# the store's manifest, config and layer bytes for REF
manifest_of () { skopeo inspect --raw "oci:$IMG:$1"; }
config_digest () { manifest_of "$1" | jq -r .config.digest; }
config_of () { cat "$IMG/blobs/sha256/$(config_digest "$1" | cut -d: -f2)"; }
# the image's size as Docker's: its layers' files once extracted (regular
# files, symlinks by their target's length), read from the blobs here
size_of () {
	manifest_of "$1" | jq -r '.layers[].digest' | python3 -c '
import sys, tarfile
n = 0
for d in sys.stdin.read().split():
	with tarfile.open(sys.argv[1] + "/" + d.split(":")[1]) as t:
		n += sum(m.size if m.isreg() else len(m.linkname) if m.issym() else 0 for m in t)
print(n)' "$IMG/blobs/sha256"
}

# what go-units prints: decimal units, 3 significant digits
human_size () {
	awk -v s="$1" 'BEGIN { split("B kB MB GB TB", u, " "); i = 1
		while (s >= 1000 && i < 5) { s /= 1000; i++ }
		printf "%.3g%s\n", s, u[i] }'
}

# "N years ago" for the fixtures' created time (2024-01-01T00:00:00Z)
since_fixture () {
	local d=$(($(date +%s) - 1704067200))
	if ((d / 3600 < 24 * 365 * 2)); then
		echo "$(((d + 1800) / 3600 / 24 / 30)) months ago"
	else
		echo "$((d / 3600 / 24 / 365)) years ago"
	fi
}

# every blob index.json reaches: entries, their repo digest, manifests,
# index children, configs, layers (those present)
reachable () {
	walk () {
		local f=$IMG/blobs/sha256/${1#sha256:}
		echo "$1"
		[[ -f $f ]] || return 0
		jq -r '(.config.digest // empty), (.layers[]?.digest)' "$f"
		for c in $(jq -r '.manifests[]?.digest' "$f"); do walk "$c"; done
	}
	for m in $(jq -r '.manifests[].digest, (.manifests[].annotations["io.box.repo.digest"] // empty)' "$IMG/index.json"); do
		walk "$m"
	done | sort -u | while read -r d; do
		[[ -f $IMG/blobs/sha256/${d#sha256:} ]] && echo "$d"
	done
}
present () { ls "$IMG/blobs/sha256" | grep -v '\.tmp-' | sed 's/^/sha256:/' | sort; }

# add_variant N: an image like small whose config has label n=N, written
# straight into the store as docker.io/library/vN:latest; prints its id
add_variant () {
	local m c cd md
	m=$(manifest_of docker.io/library/small:latest)
	c=$(config_of docker.io/library/small:latest | jq -c --arg n "$1" '.config.Labels.n = $n')
	cd=sha256:$(printf %s "$c" | sha256sum | cut -d' ' -f1)
	printf %s "$c" >"$IMG/blobs/sha256/${cd#sha256:}"
	m=$(jq -c --arg d "$cd" --argjson s "${#c}" '.config.digest = $d | .config.size = $s' <<<"$m")
	md=sha256:$(printf %s "$m" | sha256sum | cut -d' ' -f1)
	printf %s "$m" >"$IMG/blobs/sha256/${md#sha256:}"
	jq -c --arg d "$md" --argjson s "${#m}" --arg r "docker.io/library/v$1:latest" \
		'.manifests += [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
			annotations: {"org.opencontainers.image.ref.name": $r}}]' "$IMG/index.json" >"$IMG/index.json.new"
	mv "$IMG/index.json.new" "$IMG/index.json"
	echo "$cd"
}

# a container (not running) made from image ID
fake_container () {
	mkdir -p "$BOX_ROOT/containers/$1"
	echo "$2" >"$BOX_ROOT/containers/$1/image"
}

CID=4be1c0d3e0b8f00dfeedbeef00000000000000000000000000000000000000ab

@test "usage errors exit 2" {
	run -2 img-list a b
	[[ $output == *"usage: img-list"* ]]
	run -2 img-list tag onlyone
	run -2 img-list rm
	run -2 img-list inspect
	run -2 img-list gc extra
	run --separate-stderr -2 img-list -o ref,bogus
	[[ $stderr == "img-list: -o: unknown field 'bogus' (known: ref,repo,tag,digest,id,created,size)" ]]
}

@test "an empty store lists the header only" {
	run -0 img-list
	[[ $output == "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE" ]]
	run -0 img-list -q
	[[ -z $output ]]
}

@test "the table: Docker's columns, widths and words" {
	local small multi s1 s2 since
	store_add small docker.io/library/small:latest
	store_add multi 127.0.0.1:5000/multi:v1
	small=$(config_digest docker.io/library/small:latest)
	multi=$(config_digest 127.0.0.1:5000/multi:v1)
	s1=$(human_size "$(size_of docker.io/library/small:latest)")
	s2=$(human_size "$(size_of 127.0.0.1:5000/multi:v1)")
	since=$(since_fixture)
	run -0 img-list
	# tabwriter: each column as wide as its widest cell + 3, at least 10
	[[ ${lines[0]} == "$(printf '%-23s%-10s%-15s%-*s%s' REPOSITORY TAG 'IMAGE ID' $((${#since} + 3)) CREATED SIZE)" ]]
	# same created time: by name
	[[ ${lines[1]} == "$(printf '%-23s%-10s%-15s%-*s%s' 127.0.0.1:5000/multi v1 "${multi:7:12}" $((${#since} + 3)) "$since" "$s2")" ]]
	[[ ${lines[2]} == "$(printf '%-23s%-10s%-15s%-*s%s' small latest "${small:7:12}" $((${#since} + 3)) "$since" "$s1")" ]]
	[[ ${#lines[@]} == 3 ]]
	[[ $s1 == *MB ]]
}

@test "-q, --no-trunc: an id per row, as docker images -q" {
	local id
	store_add small docker.io/library/small:latest
	store_add small docker.io/library/other:1
	id=$(config_digest docker.io/library/small:latest)
	run -0 img-list -q
	[[ $output == "${id:7:12}"$'\n'"${id:7:12}" ]]
	run -0 img-list -q --no-trunc
	[[ ${lines[0]} == "$id" && ${#lines[@]} == 2 ]]
	run -0 img-list --no-trunc
	[[ ${lines[1]} == "other"*"$id"* ]]
}

@test "--digests adds DIGEST after TAG: <none> for an image no registry gave" {
	store_add small docker.io/library/small:latest
	run -0 img-list --digests
	[[ ${lines[0]} == "REPOSITORY   TAG       DIGEST"*"   IMAGE ID       CREATED"* ]]
	[[ ${lines[1]} == "small        latest    <none>   "* ]]
}

@test "--format json: one object per line with docker's keys" {
	local id
	store_add small docker.io/library/small:latest
	store_add multi 127.0.0.1:5000/multi:v1
	id=$(config_digest docker.io/library/small:latest)
	run -0 img-list --format json
	[[ ${#lines[@]} == 2 ]]
	run -0 jq -sc '.[1] | keys' <<<"$output"
	[[ $output == '["Containers","CreatedAt","CreatedSince","Digest","ID","Repository","SharedSize","Size","Tag","UniqueSize","VirtualSize"]' ]]
	run -0 img-list --format json small
	run -0 jq -r '[.Repository, .Tag, .ID, .Digest, .CreatedAt, .Size, .Containers] | join("|")' <<<"$output"
	[[ $output == "small|latest|${id:7:12}|<none>|2024-01-01 00:00:00 +0000 UTC|$(human_size "$(size_of docker.io/library/small:latest)")|N/A" ]]
	# Go's encoder escapes < and >
	run -0 img-list --format json small
	[[ $output == *'"Digest":"\u003cnone\u003e"'* ]]
}

@test "--format templates: plain, table, json of a field; bad ones exit 2, failing ones 1" {
	store_add small docker.io/library/small:latest
	run -0 img-list --format '{{.Repository}}:{{.Tag}}'
	[[ $output == "small:latest" ]]
	run -0 img-list --format 'table {{.Repository}}\t{{.Tag}}'
	[[ $output == "REPOSITORY   TAG"$'\n'"small        latest" ]]
	run -0 img-list --format '{{json .Tag}} {{upper .Repository}} {{if .Digest}}d{{else}}n{{end}}'
	[[ $output == '"latest" SMALL d' ]]
	run -0 img-list --format '{{.Tag | printf "%-8s|"}}{{range $i, $c := split .Repository "m"}}{{$i}}={{$c}} {{end}}'
	[[ $output == "latest  |0=s 1=all " ]]
	run --separate-stderr -2 img-list --format '{{nope .Tag}}'
	[[ $stderr == 'img-list: template: :1: function "nope" not defined' ]]
	run --separate-stderr -2 img-list --format '{{.Tag'
	[[ $stderr == "img-list: template: :1: unclosed action" ]]
	run --separate-stderr -1 img-list --format '{{.Nope}}'
	[[ $stderr == 'img-list: template: :1:2: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type *formatter.imageContext' ]]
}

@test "REPO[:TAG] and --filter reference/dangling/label choose rows" {
	store_add small docker.io/library/small:latest
	store_add small docker.io/library/small:v2
	store_add multi 127.0.0.1:5000/multi:v1
	run -0 img-list --format '{{.Repository}}:{{.Tag}}' small
	[[ $output == "small:latest"$'\n'"small:v2" ]]
	run -0 img-list --format '{{.Repository}}:{{.Tag}}' small:v2
	[[ $output == "small:v2" ]]
	# path.Match: the domain must be matched too
	run -0 img-list --format '{{.Repository}}:{{.Tag}}' --filter 'reference=mul*'
	[[ $output == "" ]]
	run -0 img-list --format '{{.Repository}}:{{.Tag}}' --filter 'reference=*/mul*'
	[[ $output == "127.0.0.1:5000/multi:v1" ]]
	run -0 img-list --format '{{.Repository}}:{{.Tag}}' --filter 'reference=127.0.0.1:5000/*'
	[[ $output == "127.0.0.1:5000/multi:v1" ]]
	run -0 img-list --format '{{.Tag}}' -f label=org.example.k=v -f reference=small
	[[ $output == "latest"$'\n'"v2" ]]
	run -0 img-list -q -f label=org.example.k=nope
	[[ -z $output ]]
	run -0 img-list -q -f dangling=true
	[[ -z $output ]]
	run --separate-stderr -2 img-list -f bogus=1
	[[ $stderr == "img-list: Invalid filter 'bogus'" ]]
	run --separate-stderr -1 img-list -f until=1h
	[[ $stderr == "img-list: filter until: not implemented" ]]
}

@test "-o: tab-separated fields for scripts and completion" {
	local id
	store_add small docker.io/library/small:latest
	id=$(config_digest docker.io/library/small:latest)
	run -0 img-list -o ref,repo,tag,id,created,size
	[[ $output == "small:latest"$'\t'"small"$'\t'"latest"$'\t'"$id"$'\t'"1704067200"$'\t'"$(size_of docker.io/library/small:latest)" ]]
}

@test "an untagged entry is <none> <none>; an index entry shows this machine's platform" {
	local id
	store_add small docker.io/library/small:latest
	jq '.manifests[0].annotations = {}' "$IMG/index.json" >"$IMG/i" && mv "$IMG/i" "$IMG/index.json"
	run -0 img-list --format '{{.Repository}} {{.Tag}} {{.Digest}}'
	[[ $output == "<none> <none> <none>" ]]
	run -0 img-list -q -f dangling=true
	[[ -n $output ]]
	[[ $(uname -m) == x86_64 ]] || skip "platform check written for amd64"
	store_add --all index docker.io/library/idx:latest
	id=$(jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest' "$FIXTURES/index/blobs/sha256/$(fixture_digest index | cut -d: -f2)")
	id=$(jq -r .config.digest "$FIXTURES/index/blobs/sha256/${id#sha256:}")
	run -0 img-list --no-trunc --format '{{.ID}}' idx
	[[ $output == "$id" ]]
	run -0 img-list inspect -f '{{.Architecture}} {{json .RepoDigests}}' idx
	[[ $output == "amd64 []" ]]
}

@test "inspect: Docker's fields from the image config" {
	local cfg id md
	store_add small docker.io/library/small:latest
	store_add small docker.io/library/again:1
	cfg=$(config_of docker.io/library/small:latest)
	id=$(config_digest docker.io/library/small:latest)
	md=sha256:$(manifest_of docker.io/library/small:latest | sha256sum | cut -d' ' -f1)
	run -0 img-list inspect small
	insp=$output
	[[ $(jq length <<<"$insp") == 1 ]]
	[[ $(jq -r '.[0].Id' <<<"$insp") == "$id" ]]
	[[ $(jq -c '.[0].RepoTags' <<<"$insp") == '["small:latest","again:1"]' ]]
	# not pulled: no registry gave it a digest (Docker's loaded images)
	[[ $(jq -c '.[0].RepoDigests' <<<"$insp") == "[]" ]]
	for f in Env Cmd WorkingDir Labels ExposedPorts; do
		[[ $(jq -c ".[0].Config.$f" <<<"$insp") == "$(jq -c ".config.$f" <<<"$cfg")" ]]
	done
	[[ $(jq -c '.[0].Config.Entrypoint, .[0].Config.User, .[0].Parent' <<<"$insp") == $'null\n""\n""' ]]
	[[ $(jq -c '.[0].RootFS' <<<"$insp") == "$(jq -c '{Type: "layers", Layers: .rootfs.diff_ids}' <<<"$cfg")" ]]
	[[ $(jq -r '.[0] | "\(.Architecture) \(.Os) \(.Created) \(.Size)"' <<<"$insp") == "amd64 linux 2024-01-01T00:00:00Z $(size_of docker.io/library/small:latest)" ]]
	# a template sees Docker's nil slices and maps typed, as docker inspect
	run -0 img-list inspect -f '{{.Config.Entrypoint}} {{.Config.Volumes}} {{.Config.OnBuild}} {{json .Config.Entrypoint}}' small
	[[ $output == "[] map[] [] null" ]]
	# by id prefix, full id, manifest digest: the same object
	for n in "${id:7:5}" "$id" "${id#sha256:}" "$md" small@"$md"; do
		run -0 img-list inspect "$n"
		[[ $output == "$insp" ]]
	done
}

@test "inspect: unknown names exit 3 after printing what was found" {
	store_add small docker.io/library/small:latest
	run --separate-stderr -3 img-list inspect nope
	[[ $output == "[]" && $stderr == "img-list: No such image: nope" ]]
	run --separate-stderr -3 img-list inspect -f '{{.Os}}' small nope
	[[ $output == "linux" && $stderr == "img-list: No such image: nope" ]]
	run --separate-stderr -2 img-list inspect 'Bad/Name'
	[[ $stderr == "img-list: invalid reference format: Bad/Name: repository name must be lowercase" ]]
	run --separate-stderr -1 img-list inspect --type container small
	[[ $stderr == "img-list: inspect --type container: not implemented" ]]
}

@test "an ambiguous id prefix exits 2" {
	local ids=() n p
	store_add small docker.io/library/small:latest
	for n in $(seq 1 17); do
		ids+=("$(add_variant "$n")")
	done
	# 18 ids, 16 first digits: two share one
	p=$(printf '%s\n' "${ids[@]}" "$(config_digest docker.io/library/small:latest)" | cut -c8 | sort | uniq -d | head -1)
	run --separate-stderr -2 img-list inspect "$p"
	[[ $stderr == "img-list: $p: ambiguous image id prefix" ]]
	run --separate-stderr -2 img-list rm "$p"
	[[ $(jq '.manifests | length' "$IMG/index.json") == 18 ]]
}

@test "tag: a second name for the image; skopeo reads it" {
	local id before
	store_add small docker.io/library/small:latest
	id=$(config_digest docker.io/library/small:latest)
	run -0 img-list tag small 127.0.0.1:5000/copy:v1
	[[ -z $output ]]
	run -0 img-list --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	[[ $output == "127.0.0.1:5000/copy:v1 ${id:7:12}"$'\n'"small:latest ${id:7:12}" ]]
	run -0 skopeo inspect --config "oci:$IMG:127.0.0.1:5000/copy:v1"
	# by id, into the same repository, default tag
	run -0 img-list tag "${id:7:12}" small
	run -0 img-list tag small:latest small:two
	[[ $(config_digest docker.io/library/small:two) == "$id" ]]
	before=$(sha256sum <"$IMG/index.json")
	run --separate-stderr -2 img-list tag small 'UPPER:x'
	[[ $stderr == "img-list: invalid reference format: UPPER:x: repository name must be lowercase" ]]
	run --separate-stderr -3 img-list tag nope x
	[[ $stderr == "img-list: No such image: nope" ]]
	run --separate-stderr -2 img-list tag small "x@$id"
	[[ $stderr == "img-list: x@$id: refusing to create a tag with a digest reference" ]]
	[[ $(sha256sum <"$IMG/index.json") == "$before" ]]
}

@test "tag: a registry digest stays with its repository" {
	store_add small docker.io/library/small:latest
	jq '.manifests[0].annotations["io.box.repo.digest"] = "sha256:'"$(printf '%064d' 7)"'"' "$IMG/index.json" >"$IMG/i" && mv "$IMG/i" "$IMG/index.json"
	img-list tag small small:b
	img-list tag small other:c
	run -0 jq -c '[.manifests[] | .annotations["io.box.repo.digest"]]' "$IMG/index.json"
	[[ $output == "[\"sha256:$(printf '%064d' 7)\",\"sha256:$(printf '%064d' 7)\",null]" ]]
}

@test "concurrent tags all land" {
	store_add small docker.io/library/small:latest
	pids=()
	for i in $(seq 1 20); do
		img-list tag small "small:t$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	[[ $(jq '.manifests | length' "$IMG/index.json") == 21 ]]
	run -0 skopeo inspect --config "oci:$IMG:docker.io/library/small:t13"
}

@test "rm by tag untags; the last name deletes; blobs shrink to what is reachable" {
	local id
	store_add small docker.io/library/small:latest
	store_add multi docker.io/library/multi:latest
	img-list tag small small:two
	id=$(config_digest docker.io/library/small:latest)
	run -0 img-list rm small
	[[ $output == "Untagged: small:latest" ]]
	[[ $(present) == "$(reachable)" ]]
	run -0 img-list rm small:two
	[[ $output == "Untagged: small:two"$'\n'"Deleted: $id" ]]
	[[ ! -e $IMG/blobs/sha256/${id#sha256:} ]]
	[[ $(present) == "$(reachable)" ]]
	# the layer small shares with nothing now is gone; multi still reads
	run -0 skopeo inspect "oci:$IMG:docker.io/library/multi:latest"
	run --separate-stderr -3 img-list rm small
	[[ $stderr == "img-list: No such image: small" ]]
	run -0 img-list rm multi
	[[ -z $(present) ]]
}

@test "rm by id: refused with names in several repositories unless -f" {
	local id before
	store_add small docker.io/library/small:latest
	img-list tag small other:1
	id=$(config_digest docker.io/library/small:latest)
	before=$(sha256sum <"$IMG/index.json")
	run --separate-stderr -4 img-list rm "${id:7:12}"
	[[ $stderr == "img-list: conflict: unable to delete ${id:7:12} (must be forced) - image is referenced in multiple repositories" ]]
	[[ $(sha256sum <"$IMG/index.json") == "$before" ]]
	run -0 img-list rm -f "${id:7:12}"
	[[ $output == "Untagged: small:latest"$'\n'"Untagged: other:1"$'\n'"Deleted: $id" ]]
	[[ -z $(present) ]]
}

@test "rm: several names, the first failure's code, the others done" {
	store_add small docker.io/library/small:latest
	store_add multi docker.io/library/multi:latest
	run --separate-stderr -3 img-list rm nope small
	[[ $stderr == "img-list: No such image: nope" ]]
	[[ ${lines[0]} == "Untagged: small:latest" && ${lines[1]} == "Deleted: sha256:"* ]]
	run -0 img-list -q
	[[ ${#lines[@]} == 1 ]]
}

@test "rm refuses an image a container uses; -f removes it unless it runs" {
	local id
	store_add small docker.io/library/small:latest
	id=$(config_digest docker.io/library/small:latest)
	fake_container "$CID" "$id"
	run --separate-stderr -4 img-list rm small
	[[ $stderr == "img-list: conflict: unable to remove repository reference \"small\" (must force) - container ${CID:0:12} is using its referenced image ${id:7:12}" ]]
	run --separate-stderr -4 img-list rm "${id:7:12}"
	[[ $stderr == "img-list: conflict: unable to delete ${id:7:12} (must be forced) - image is being used by stopped container ${CID:0:12}" ]]
	run -0 skopeo inspect "oci:$IMG:docker.io/library/small:latest"
	# a second tag can go: the image keeps a name
	img-list tag small small:two
	run -0 img-list rm small:two
	[[ $output == "Untagged: small:two" ]]
	# running (its lock held): -f untags but the image stays, as <none>
	exec {fd}>"$BOX_ROOT/containers/$CID/lock"
	flock -x "$fd"
	run --separate-stderr -4 img-list rm -f "${id:7:12}"
	[[ $stderr == "img-list: conflict: unable to delete ${id:7:12} (cannot be forced) - image is being used by running container ${CID:0:12}" ]]
	run -0 img-list rm -f small
	[[ $output == "Untagged: small:latest" ]]
	run -0 img-list --format '{{.Repository}} {{.Tag}} {{.ID}}'
	[[ $output == "<none> <none> ${id:7:12}" ]]
	[[ $(present) == "$(reachable)" && -e $IMG/blobs/sha256/${id#sha256:} ]]
	exec {fd}>&-
	# stopped again: -f by id deletes it
	run -0 img-list rm -f "${id:7:12}"
	[[ $output == "Deleted: $id" ]]
	[[ -z $(present) ]]
}

@test "gc: unreachable blobs and dead temporary files go; a pin stops it" {
	local orphan
	store_add small docker.io/library/small:latest
	orphan=$(printf orphan | sha256sum | cut -d' ' -f1)
	printf orphan >"$IMG/blobs/sha256/$orphan"
	: >"$IMG/blobs/sha256/$orphan.tmp-999999999"
	: >"$IMG/index.json.tmp-999999999"
	: >"$IMG/blobs/sha256/$orphan.tmp-$$"
	# a writer holds the pin: nothing is removed, exit 4
	exec {fd}>"$IMG/gc.lock"
	flock -s "$fd"
	run --separate-stderr -4 img-list gc
	[[ $stderr == "img-list: image store: gc: blobs are being added" ]]
	[[ -e $IMG/blobs/sha256/$orphan ]]
	# rm while pinned: untagged now, blobs kept for later
	img-list tag small small:two
	run --separate-stderr -0 img-list rm small:two small
	[[ $stderr == "img-list: warning: image store: gc: blobs are being added; blobs kept (img-list gc removes them)" ]]
	exec {fd}>&-
	run -0 img-list gc
	[[ ${#lines[@]} == 4 && $output == *"sha256:$orphan"* ]]
	[[ ! -e $IMG/blobs/sha256/$orphan.tmp-999999999 && ! -e $IMG/index.json.tmp-999999999 ]]
	# a live process's temporary file stays
	[[ -e $IMG/blobs/sha256/$orphan.tmp-$$ ]]
	[[ -z $(present) ]]
}

@test "the store stays an OCI layout skopeo and umoci read after tag and rm" {
	store_add multi docker.io/library/multi:latest
	store_add small docker.io/library/small:latest
	img-list tag multi m:2
	img-list rm small
	run -0 skopeo inspect "oci:$IMG:docker.io/library/m:2"
	run -0 skopeo inspect "oci:$IMG:docker.io/library/multi:latest"
	if command -v umoci >/dev/null; then
		run -0 umoci stat --image "$IMG:docker.io/library/m:2"
	fi
}

# the entry of REF loses its name: a dangling image
dangle () {
	jq --arg r "$1" '.manifests |= map(if .annotations["org.opencontainers.image.ref.name"] == $r
		then del(.annotations["org.opencontainers.image.ref.name"]) else . end)' "$IMG/index.json" >"$IMG/i" &&
		mv "$IMG/i" "$IMG/index.json"
}

@test "prune: dangling images no container uses go, and partial downloads; Docker's lines" {
	local small multi
	store_add small docker.io/library/small:latest
	store_add multi docker.io/library/multi:latest
	small=$(config_digest docker.io/library/small:latest)
	multi=$(config_digest docker.io/library/multi:latest)
	store_add small docker.io/library/other:latest
	dangle docker.io/library/small:latest
	dangle docker.io/library/multi:latest
	mkdir -p "$BOX_ROOT/containers/c0ffee" "$BOX_ROOT/tmp/ingest"
	echo "$multi" >"$BOX_ROOT/containers/c0ffee/image"
	head -c 8192 /dev/zero >"$BOX_ROOT/tmp/ingest/$(printf %064d 1)"
	run -0 img-list prune -f
	# small is still tagged as other, multi is used: only the partial goes
	[[ $output == "Total reclaimed space: 8.192kB" ]]
	[[ -z $(ls -A "$BOX_ROOT/tmp/ingest") ]]
	rm -r "$BOX_ROOT/containers/c0ffee"
	run -0 img-list prune -f
	[[ $output == "Deleted Images:"$'\n'"deleted: $multi"$'\n\nTotal reclaimed space: '* ]]
	[[ $output != *"space: 0B" ]]
	run -0 img-list -o id
	[[ $output == "$small" ]]
}

@test "prune -a: every image no container uses, untagged then deleted; --bytes-fd; the question" {
	local small
	store_add small docker.io/library/small:latest
	store_add small docker.io/library/again:latest
	store_add multi docker.io/library/multi:latest
	small=$(config_digest docker.io/library/small:latest)
	mkdir -p "$BOX_ROOT/containers/c0ffee"
	echo "$(config_digest docker.io/library/multi:latest)" >"$BOX_ROOT/containers/c0ffee/image"
	run --separate-stderr -0 img-list prune -a <<<"n"
	# (bats drops the question's trailing space)
	[[ $stderr == $'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N]' ]]
	[[ -z $output ]]
	run --separate-stderr -0 img-list prune <<<"n"
	[[ $stderr == $'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N]' ]]
	run --separate-stderr -0 img-list prune -a --bytes-fd 3 <<<"y" 3>"$BATS_TEST_TMPDIR/bytes"
	[[ $output == "Deleted Images:"$'\n'"untagged: "*$'\n'"untagged: "*$'\n'"deleted: $small" ]]
	[[ $output == *"untagged: small:latest"* && $output == *"untagged: again:latest"* ]]
	[[ $(cat "$BATS_TEST_TMPDIR/bytes") -gt 0 ]]
	run -0 img-list -o ref
	[[ $output == "multi:latest" ]]
	run -2 img-list prune x
}

@test "prune --plus-bytes: the total counts what box system prune's other parts reclaimed" {
	run -0 img-list prune -f --plus-bytes 1500
	[[ $output == "Total reclaimed space: 1.5kB" ]]
	run -2 img-list prune -f --plus-bytes x
}

@test "history: newest first, Docker's sizes from the blobs, then from the extracted layers" {
	store_add multi docker.io/library/multi:latest
	run -0 img-list history -H=false --format '{{.ID}}|{{.CreatedAt}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}' multi
	[[ $output == "$(config_digest docker.io/library/multi:latest | cut -c8-19)|2024-01-01T00:00:00Z|RUN suid, fifo, private dir|30|
<missing>|2024-01-01T00:00:00Z|RUN whiteout, opaque dir, links, xattr|17|
<missing>|2024-01-01T00:00:00Z|ENV FOO=bar|0|
<missing>|2024-01-01T00:00:00Z|ADD base /|1984320|" ]]
	from_blobs=$output
	# extracted (as a container's first run does): the same sizes from the trees
	img-unpack -q multi "$BATS_TEST_TMPDIR/bundle" >/dev/null
	umount "$BATS_TEST_TMPDIR/bundle/rootfs" 2>/dev/null || true
	[[ -n $(ls "$BOX_ROOT/layers") ]]
	run -0 img-list history -H=false --format '{{.ID}}|{{.CreatedAt}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}' multi
	[[ $output == "$from_blobs" ]]
	run -0 img-list history --no-trunc -q multi
	[[ ${lines[0]} == "$(config_digest docker.io/library/multi:latest)" && ${lines[3]} == "<missing>" ]]
	run -0 img-list history --format json multi
	[[ $(head -1 <<<"$output" | jq -c 'keys') == '["Comment","CreatedAt","CreatedBy","CreatedSince","ID","Size"]' ]]
	run --separate-stderr -3 img-list history nope
	[[ $stderr == "img-list: No such image: nope" ]]
	run -2 img-list history
	run -2 img-list history -H=maybe multi
}
