#!/bin/sh
# mkbig.sh DIR - a big OCI image layout for the pull and unpack benchmarks
#
# Builds, offline and reproducibly, a 5-layer image tagged "latest" in the
# OCI layout DIR, and prints DIR. About 160 MB uncompressed, 90 MB gzip'd
# (the data is pseudo-random text with 4 bits of entropy a byte, so gzip
# has real work to do on both sides). Cached: an existing DIR built by the
# same scripts and busybox is kept as is.
#
#   1  busybox tree + 40 MB in 4 files          (bin/, etc/, big/a..d)
#   2  20,000 files of 1 KB in 200 directories  (many/d000/f00000 ...)
#   3  one 50 MB file                           (huge/blob)
#   4  300 files of 100 KB in 3 directories     (mid/m0/ .. mid/m2/)
#   5  whiteouts: the 100 files of many/d000 one by one, many/d001 whole,
#      mid/m0 made opaque (with mid/m0/new); plus 5 MB (late/blob)
# shellcheck source-path=SCRIPTDIR
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/fixtures/oci.sh
. "$here/../tests/fixtures/oci.sh"
# shellcheck source=lib.sh
. "$here/lib.sh"

[ $# -eq 1 ] || {
	echo "usage: mkbig.sh DIR" >&2
	exit 2
}
dir=$1
BUSYBOX=${BUSYBOX:-/bin/busybox}
umask 022
bench_need tar gzip jq sha256sum openssl split "$BUSYBOX"

stamp=$(cat "$0" "$here/../tests/fixtures/oci.sh" "$here/lib.sh" "$BUSYBOX" | sha256sum | cut -c1-16)
if [ "$(cat "$dir/.mkbig" 2>/dev/null)" = "$stamp" ]; then
	echo "$dir"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mkbig.XXXXXX")
trap 'rm -rf "$work"' EXIT
out=$work/layout

# text N SEED: N bytes of 16 letters, pseudo-random
letters=abcdefghijklmnop
map=$letters$letters$letters$letters$letters$letters$letters$letters
map=$map$map
text () {
	bench_bytes "$2" "$1" | tr '\000-\377' "$map"
}

# layer N: stage the layer's tree in $work/sN, then tar it to $work/l.tar
layer () {
	s=$work/s$1
	rm -rf "$s"
	mkdir -p "$s"
	"layer$1" "$s"
	oci_tar "$s" "$work/l.tar"
	rm -rf "$s"
}

layer1 () {
	oci_stage_busybox "$1"
	mkdir "$1/big"
	for f in a b c d; do
		text 10485760 "big/$f" >"$1/big/$f"
	done
}

layer2 () {
	mkdir "$1/many"
	(cd "$1/many" && text $((20000 * 1024)) many | split -b 1024 -a 5 -d - f)
	for p in $(seq -w 0 199); do
		mkdir "$1/many/d$p"
		mv "$1/many/f$p"?? "$1/many/d$p/"
	done
}

layer3 () {
	mkdir "$1/huge"
	text 52428800 huge >"$1/huge/blob"
}

layer4 () {
	for m in 0 1 2; do
		mkdir -p "$1/mid/m$m"
		(cd "$1/mid/m$m" && text $((100 * 102400)) "mid$m" | split -b 102400 -a 2 -d - f)
	done
}

layer5 () {
	mkdir -p "$1/many/d000" "$1/mid/m0" "$1/late"
	for f in $(seq -w 0 99); do
		: >"$1/many/d000/.wh.f000$f"
	done
	: >"$1/many/.wh.d001"
	: >"$1/mid/m0/.wh..wh..opq"
	echo new >"$1/mid/m0/new"
	text 5242880 late >"$1/late/blob"
}

oci_init "$out"
oci_image_begin
for n in 1 2 3 4 5; do
	layer "$n"
	oci_add_layer "$out" "$work/l.tar" "mkbig layer $n"
done
oci_image_end "$out" amd64 "$(jq -cn --arg p "PATH=$OCI_PATH" '{Env: [$p], Cmd: ["sh"]}')"
oci_tag "$out" "$OCI_MT_MANIFEST" "$OCI_DIGEST" "$OCI_SIZE" latest
printf '%s\n' "$stamp" >"$out/.mkbig"

rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mv "$out" "$dir"
echo "$dir"
