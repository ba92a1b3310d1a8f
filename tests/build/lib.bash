# tests/build/lib.bash - the build corpus and how its results are compared,
# loaded after ../helpers by tests/box/build-corpus.bats,
# tests/system/build-docker.bats and tests/box/build-e2e.bats.
#
# A case is a directory tests/build/NAME/: its Dockerfile and its context
# (the directory itself), and
#   flags            optional: build flags, one per line (--target x,
#                    --build-arg K=V, --label K=V), given to df-build and
#                    docker build alike
#   expect.config    the image's config as bt_summary shows it
#   expect.tree      the rootfs as bt_delta shows it
#   buildkit-only    optional: why Docker's classic builder cannot build
#                    it (the Docker comparison leaves the case out)
#   known-diff       optional: "# " lines naming the difference of
#                    man/df-build.1 (DIFFERENCES) it shows, then the diff
#                    between Docker's result and df-build's
#                    (tests/system/build-docker.bats), exactly
#
#   bt_cases                  the case names, one a line
#   bt_flags NAME             the case's flags, one word a line
#   bt_config ROOT IMAGE      the image's config blob
#   bt_summary                (filter) a config -> what a build decides
#   bt_tree ROOT IMAGE        the image's rootfs, one line a file (treelist.py)
#   bt_delta ROOT IMAGE       that tree against small's: "+ line", "- line"
#   bt_result ROOT IMAGE OUT  OUT.config (bt_summary), OUT.tree (bt_delta)
#   bt_diff A B               result B against result A (bt_result's OUT)
#   bt_same CASE A B          B is A but for the case's known-diff
#   bt_build_box ROOT CASE TAG    df-build the case, its flags given

BT_CASES=$TESTS_DIR/build
BT_EMPTY_TAR=sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef

bt_cases () {
	local d
	for d in "$BT_CASES"/*/; do
		[[ -f $d/Dockerfile ]] && basename "$d"
	done
}

bt_flags () {
	[[ -f $BT_CASES/$1/flags ]] || return 0
	grep -v '^#' "$BT_CASES/$1/flags"
}

bt_config () {
	local id
	id=$(BOX_ROOT=$1 box inspect "$2" | jq -r '.[0].Id') || return 1
	cat "$1/images/blobs/sha256/${id#sha256:}"
}

# What the Dockerfile decides, as Docker's classic builder writes it: the
# container config's fields (absent and null alike), the author, and per
# history entry its created_by and whether it made a layer. A layer that
# holds nothing (Docker commits one for a RUN that changes nothing) counts
# as no layer: df-build adds none (man/df-build.1, DIFFERENCES). COPY and
# ADD name their sources by content hash in Docker's history, as written
# in df-build's: only "COPY ... in DEST" is compared.
bt_summary () {
	jq -S --arg empty "$BT_EMPTY_TAR" '
	def field($k): (.config[$k] // null) as $v
		| if ($v | type) == "object" and ($v | length) == 0 then null else $v end;
	(.rootfs.diff_ids // []) as $ids
	| [foreach (.history // [])[] as $h ({n: 0, e: false};
		if ($h.empty_layer // false) then {n, e: true}
		else {n: (.n + 1), e: ($ids[.n] == $empty)} end;
		[($h.created_by // "" | sub("#\\(nop\\) (?<k>COPY|ADD) .* in (?<d>[^ ]*) ?$"; "#(nop) \(.k) ... in \(.d)")), .e])] as $hist
	| {Env: field("Env"), Cmd: field("Cmd"), Entrypoint: field("Entrypoint"),
	   User: (field("User") // ""), WorkingDir: (field("WorkingDir") // ""),
	   Labels: field("Labels"), ExposedPorts: field("ExposedPorts"),
	   Volumes: field("Volumes"), Healthcheck: field("Healthcheck"),
	   StopSignal: field("StopSignal"), Shell: field("Shell"),
	   OnBuild: field("OnBuild"), author: (.author // ""),
	   os: .os, architecture: .architecture,
	   history: $hist,
	   layers: ([$ids[] | select(. != $empty)] | length)}'
}

# the image's rootfs, mounted (img-unpack) and listed by treelist.py
bt_tree () {
	local b
	b=$(mktemp -d "$BATS_TEST_TMPDIR/tree.XXXXXX") || return 1
	img-unpack --root "$1" -q "$2" "$b/bundle" >/dev/null || return 1
	python3 "$TESTS_DIR/fixtures/treelist.py" "$b/bundle/rootfs"
	img-unpack --root "$1" --unmount "$b/bundle"
	rm -rf "$b"
}

# the tree as a difference from small's (an image on a small base), or
# whole (one from scratch): "+ LINE" for what the build added or changed,
# "- LINE" for what it removed or changed
bt_delta () {
	local base=/dev/null small
	small=$(fixture_image_id small)
	if [[ $(bt_config "$1" "$2" | jq -r '.rootfs.diff_ids[0]') == \
		$(jq -r '.rootfs.diff_ids[0]' "$FIXTURES/small/blobs/sha256/${small#sha256:}") ]]; then
		base=$FIXTURES/small.tree
		if [[ ! -f $base ]]; then # parallel bats files: whole or absent
			_bt_small_tree "$1" >"$base.$$" && mv "$base.$$" "$base"
		fi
	fi
	diff "$base" <(bt_tree "$1" "$2") | sed -n 's/^< /- /p; s/^> /+ /p'
}

# small's tree, from whatever root holds it
_bt_small_tree () {
	bt_tree "$1" docker.io/library/small:latest
}

# the case's documented difference from Docker: its diff, or nothing
bt_known_diff () {
	[[ -f $BT_CASES/$1/known-diff ]] || return 0
	grep -v '^# ' "$BT_CASES/$1/known-diff"
}

# bt_result ROOT IMAGE OUT: OUT.config (bt_summary), OUT.tree (bt_delta)
bt_result () {
	bt_config "$1" "$2" | bt_summary >"$3.config"
	bt_delta "$1" "$2" >"$3.tree"
}

# bt_diff A B: how result B differs from result A (bt_result's files),
# without diff's file names
bt_diff () {
	{
		diff -U1 "$1.config" "$2.config"
		diff -U1 "$1.tree" "$2.tree"
	} | sed '/^[-+][-+][-+] /d'
}

# bt_same CASE EXPECTED ACTUAL: the results are equal but for the case's
# known-diff, exactly
bt_same () {
	bt_diff "$2" "$3" >"$3.diff"
	bt_known_diff "$1" | diff -u - "$3.diff" || {
		echo "case $1: the result differs from Docker's beyond the documented differences (- documented, + found)"
		return 1
	}
}

# bt_build_box ROOT CASE TAG: df-build the case as TAG; its RUNs need no
# network (and a bridge of the test's own would cost each build)
bt_build_box () {
	local flags
	mapfile -t flags < <(bt_flags "$2")
	df-build --root "$1" -q --network none -t "$3" "${flags[@]}" "$BT_CASES/$2"
}
