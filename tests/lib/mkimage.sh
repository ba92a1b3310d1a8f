#!/bin/sh
# mkimage.sh OUTDIR [NAME...] - build the test image fixtures, offline
#
# Each NAME (default: small multi index) becomes an OCI image layout
# OUTDIR/NAME tagged "latest" (index.json ref.name annotation), made from
# the static busybox ($BUSYBOX, default /bin/busybox from busybox-static).
# The same busybox gives the same bytes, so digests are stable.
#
# small  1 layer: /bin/busybox and a symlink per applet (/bin/sh, ...),
#        /usr/bin/env, /etc/passwd (root 0, app 1000, nobody 65534),
#        /etc/group, /srv, /root, /home/app (1000:1000), /tmp (1777).
#        Config: Cmd ["sh"], Env [PATH, FOO=bar], WorkingDir /srv,
#        Labels {"org.example.k":"v"}, ExposedPorts {"80/tcp":{}}, amd64.
# multi  3 layers, same config, one empty_layer history entry:
#        1: the small tree + /etc/gone, /opq/a, /opq/b, /keep/x ("x1")
#        2: /etc/.wh.gone (whiteout), /opq/.wh..wh..opq + /opq/c (opaque),
#           /data/file ("file"), /data/hard (hardlink to it),
#           /data/link -> file, /data/xattr (xattr user.box=yes)
#        3: /data/suid (mode 4755), /data/fifo (FIFO), /keep/x ("x3"),
#           /data/private (dir 0700, 1000:1000) with /data/private/secret
#           (0600, 1000:1000)
#        Final tree: no /etc/gone, /opq holds only c, /keep/x is "x3".
# index  an image index: linux/amd64 and linux/arm64 (variant v8), both
#        the small layer; configs differ by architecture and ARCH=amd64 /
#        ARCH=arm64 in Env.
# shellcheck source-path=SCRIPTDIR
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=oci.sh
. "$here/oci.sh"

BUSYBOX=${BUSYBOX:-/bin/busybox}
umask 022

die () {
	printf 'mkimage.sh: %s\n' "$*" >&2
	exit 1
}

[ $# -ge 1 ] || die "usage: mkimage.sh OUTDIR [small|multi|index...]"
out=$1
shift
[ $# -gt 0 ] || set -- small multi index
[ -x "$BUSYBOX" ] || die "$BUSYBOX: not found (install busybox-static)"
for t in tar gzip jq sha256sum; do
	command -v "$t" >/dev/null || die "$t: not found"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mkimage.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# the image config shared by small and multi, extra Env appended
config () {
	jq -cn --arg p "PATH=$OCI_PATH" --argjson extra "${1:-[]}" '{
		ExposedPorts: {"80/tcp": {}},
		Env: ([$p, "FOO=bar"] + $extra),
		Cmd: ["sh"],
		WorkingDir: "/srv",
		Labels: {"org.example.k": "v"}
	}'
}

# base_tar OUT: the small layer's tar (home/app belongs to app), made once
# and copied: the symlink per applet is slow to create on some filesystems
base_tar () {
	if [ ! -f "$work/base.tar" ]; then
		mkdir "$work/base"
		oci_stage_busybox "$work/base"
		oci_tar "$work/base" "$work/base.tar" --exclude=home/app
		oci_tar_append "$work/base" "$work/base.tar" 1000 1000 home/app
		rm -rf "$work/base"
	fi
	cp "$work/base.tar" "$1"
}

# set_xattr FILE NAME VALUE, with whatever the system has
set_xattr () {
	if command -v setfattr >/dev/null; then
		setfattr -n "$2" -v "$3" "$1"
	else
		python3 -c 'import os, sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())' \
			"$1" "$2" "$3"
	fi
}

# pax_xattr TAR MEMBER NAME VALUE: add the xattr as a pax record when the
# build filesystem refused it
pax_xattr () {
	python3 - "$@" <<'EOF'
import sys, tarfile
path, member, name, value = sys.argv[1:]
with tarfile.open(path) as t:
    members = [(m, t.extractfile(m).read() if m.isreg() else None) for m in t.getmembers()]
with tarfile.open(path + ".new", "w", format=tarfile.PAX_FORMAT) as t:
    for m, data in members:
        if m.name == member:
            m.pax_headers["SCHILY.xattr." + name] = value
        t.addfile(m, None if data is None else __import__("io").BytesIO(data))
EOF
	mv "$1.new" "$1"
}

build_small () {
	d=$out/small
	oci_init "$d"
	oci_image_begin
	base_tar "$work/l.tar"
	oci_add_layer "$d" "$work/l.tar" "ADD busybox-static /"
	oci_image_end "$d" amd64 "$(config)"
	oci_tag "$d" "$OCI_MT_MANIFEST" "$OCI_DIGEST" "$OCI_SIZE" latest
}

# the base tar, then the files that later layers delete or replace
multi_layer1 () {
	s=$work/m1
	rm -rf "$s"
	mkdir -p "$s/etc" "$s/opq" "$s/keep"
	echo gone >"$s/etc/gone"
	echo a >"$s/opq/a"
	echo b >"$s/opq/b"
	echo x1 >"$s/keep/x"
	base_tar "$1"
	oci_tar_append "$s" "$1" 0 0 etc/gone keep keep/x opq opq/a opq/b
}

multi_layer2 () {
	s=$work/m2
	rm -rf "$s"
	mkdir -p "$s/etc" "$s/opq" "$s/data"
	: >"$s/etc/.wh.gone"
	: >"$s/opq/.wh..wh..opq"
	echo c >"$s/opq/c"
	echo file >"$s/data/file"
	ln "$s/data/file" "$s/data/hard"
	ln -s file "$s/data/link"
	echo xattr >"$s/data/xattr"
	if set_xattr "$s/data/xattr" user.box yes 2>/dev/null; then
		oci_tar "$s" "$1" --xattrs --xattrs-include='user.*'
	else
		oci_tar "$s" "$1"
		pax_xattr "$1" data/xattr user.box yes
	fi
	tar --xattrs -tvvf "$1" | grep -q 'user\.box' || die "multi: xattr missing from layer 2"
}

multi_layer3 () {
	s=$work/m3
	rm -rf "$s"
	mkdir -p "$s/data/private" "$s/keep"
	printf '#!/bin/sh\necho suid\n' >"$s/data/suid"
	chmod 4755 "$s/data/suid"
	mkfifo "$s/data/fifo"
	echo x3 >"$s/keep/x"
	echo secret >"$s/data/private/secret"
	chmod 700 "$s/data/private"
	chmod 600 "$s/data/private/secret"
	oci_tar "$s" "$1" --exclude=data/private
	oci_tar_append "$s" "$1" 1000 1000 data/private data/private/secret
}

build_multi () {
	d=$out/multi
	oci_init "$d"
	oci_image_begin
	multi_layer1 "$work/l.tar"
	oci_add_layer "$d" "$work/l.tar" "ADD base /"
	oci_add_history "ENV FOO=bar"
	multi_layer2 "$work/l.tar"
	oci_add_layer "$d" "$work/l.tar" "RUN whiteout, opaque dir, links, xattr"
	multi_layer3 "$work/l.tar"
	oci_add_layer "$d" "$work/l.tar" "RUN suid, fifo, private dir"
	oci_image_end "$d" amd64 "$(config)"
	oci_tag "$d" "$OCI_MT_MANIFEST" "$OCI_DIGEST" "$OCI_SIZE" latest
}

build_index () {
	d=$out/index
	oci_init "$d"
	mans='[]'
	for p in amd64 arm64; do
		oci_image_begin
		base_tar "$work/l.tar"
		oci_add_layer "$d" "$work/l.tar" "ADD busybox-static /"
		oci_image_end "$d" "$p" "$(config "[\"ARCH=$p\"]")"
		plat=$(jq -cn --arg a "$p" 'if $a == "arm64" then {architecture:$a, os:"linux", variant:"v8"}
			else {architecture:$a, os:"linux"} end')
		mans=$(printf '%s' "$mans" | jq -c --arg m "$OCI_MT_MANIFEST" --arg d "$OCI_DIGEST" \
			--argjson s "$OCI_SIZE" --argjson p "$plat" '. + [{mediaType:$m, digest:$d, size:$s, platform:$p}]')
	done
	oci_json_blob "$d" "$(jq -cn --arg m "$OCI_MT_INDEX" --argjson l "$mans" \
		'{schemaVersion:2, mediaType:$m, manifests:$l}')"
	oci_tag "$d" "$OCI_MT_INDEX" "$OCI_DIGEST" "$OCI_SIZE" latest
}

for n in "$@"; do
	case $n in
	small) build_small ;;
	multi) build_multi ;;
	index) build_index ;;
	*) die "$n: unknown fixture" ;;
	esac
done
