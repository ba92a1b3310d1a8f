#!/usr/bin/env bats
# make lint's checker, mk/lint.sh, run on a copy of the tracked tree: the
# copy as it is passes, and each breach planted in it fails the check,
# named by its file and line. Each test plants one breach and looks only at
# what lint says of the planted file, so a breach elsewhere does not hide
# or fake the one under test.

load ../helpers

setup_file () {
	# one copy per file, a git checkout as the real one is (lint asks git
	# for the C files to format-check); each test works on a copy of it
	LINT_TREE=$BATS_FILE_TMPDIR/tree
	mkdir -p "$LINT_TREE"
	git -C "$REPO_DIR" ls-files -z | while IFS= read -r -d '' f; do
		# a path removed from the work tree but not yet from the index
		[[ -e $REPO_DIR/$f || -L $REPO_DIR/$f ]] && printf '%s\0' "$f"
	done | (cd "$REPO_DIR" && xargs -0 cp -a --parents -t "$LINT_TREE" --)
	git -C "$LINT_TREE" init -q
	git -C "$LINT_TREE" add -A
	export LINT_TREE
}

setup () {
	T=$BATS_TEST_TMPDIR/tree
	cp -a "$LINT_TREE" "$T"
	cd "$T"
}

# put_line FILE N TEXT: TEXT becomes line N of FILE, the lines from N on
# move down one
put_line () {
	LINE=$3 awk -v n="$2" 'NR == n { print ENVIRON["LINE"] } { print }' "$1" >"$1.new"
	mv "$1.new" "$1"
}

# set_line FILE N TEXT: line N of FILE becomes TEXT
set_line () {
	LINE=$3 awk -v n="$2" 'NR == n { print ENVIRON["LINE"]; next } { print }' "$1" >"$1.new"
	mv "$1.new" "$1"
}

# first_line FILE ERE: the number of FILE's first line that matches ERE
first_line () {
	grep -nE -m1 "$2" "$1" | cut -d: -f1
}

# lint_fails_on FILE:LINE: TEXT...: lint exits 1 and says exactly one
# thing of FILE, that line (a glob)
lint_fails_on () {
	local want=$1 file=${1%%:*} said
	run --separate-stderr -1 sh mk/lint.sh
	said=$(awk -v f="$file:" 'index($0, f) == 1' <<<"$output")
	[[ $said == $want && $said != *$'\n'* ]] || {
		printf 'lint on %s\nwant: %s\nsaid: %s\n' "$file" "$want" "$said" >&2
		return 1
	}
}

@test "the tree as it is passes" {
	run --separate-stderr sh mk/lint.sh
	[[ $status == 0 && -z $output ]] || {
		printf 'exit %s\n%s\n' "$status" "$output" >&2
		false
	}
}

@test "a forbidden include fails: image may not include net" {
	local hs=(lib/net/*.h) inc n
	inc=net/${hs[0]##*/}
	n=$(($(first_line lib/image/ref.c '^#include') + 1))
	put_line lib/image/ref.c "$n" "#include \"$inc\""
	lint_fails_on "lib/image/ref.c:$n: lib/image may not include $inc *"
}

@test "a misformatted line fails" {
	local n
	n=$(first_line lib/image/ref.c $'^\treturn ')
	set_line lib/image/ref.c "$n" "  $(sed -n "${n}p" lib/image/ref.c | sed 's/^\t//')"
	lint_fails_on "lib/image/ref.c:$n: *clang-format*"
}

@test "printf in lib fails: lib never prints" {
	local n
	n=$(($(first_line lib/image/ref.c '^\{$') + 1))
	put_line lib/image/ref.c "$n" $'\tprintf ("planted\\n");'
	lint_fails_on "lib/image/ref.c:$n: lib prints or exits*"
}

@test "a lib header function without its module's prefix fails" {
	local n
	n=$(first_line lib/image/ref.h '^#endif')
	put_line lib/image/ref.h "$n" "int planted_parse (const char *s);"
	put_line lib/image/ref.h "$((n + 1))" ""
	lint_fails_on "lib/image/ref.h:$n: planted_parse: a function of module ref is named ref_*"
}

@test "lib including a tool's module fails" {
	local hs=(tools/*/*.h) inc n
	inc=${hs[0]#tools/}
	n=$(($(first_line lib/image/ref.c '^#include') + 1))
	put_line lib/image/ref.c "$n" "#include \"$inc\""
	lint_fails_on "lib/image/ref.c:$n: lib/image may not include $inc *"
}
