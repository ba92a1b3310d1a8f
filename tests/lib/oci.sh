# oci.sh - write OCI image layouts with tar, gzip, sha256sum and jq (sourced)
# shellcheck shell=sh
#
# Reproducible: the same inputs give the same bytes, hence the same digests
# (tar --sort=name --mtime=@0, numeric owners, pax headers without times or
# pids, gzip -n). Functions return through variables, not stdout, so that a
# caller in sh needs no subshell per value:
#
#   oci_init DIR
#   oci_tar STAGE OUT.tar [TAR-OPTION...]   a layer tar of STAGE's contents
#   oci_tar_append STAGE OUT.tar UID GID NAME...
#   oci_image_begin
#   oci_add_layer DIR LAYER.tar CREATED_BY   (consumes LAYER.tar)
#   oci_add_history CREATED_BY               an empty_layer history entry
#   oci_image_end DIR ARCH CONFIG-JSON       sets OCI_DIGEST, OCI_SIZE (manifest)
#   oci_json_blob DIR JSON                   sets OCI_DIGEST, OCI_SIZE
#   oci_tag DIR MEDIATYPE DIGEST SIZE NAME   index.json entry with ref.name NAME

OCI_MT_INDEX=application/vnd.oci.image.index.v1+json
OCI_MT_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_MT_CONFIG=application/vnd.oci.image.config.v1+json
OCI_MT_LAYER=application/vnd.oci.image.layer.v1.tar+gzip
OCI_CREATED=2024-01-01T00:00:00Z
# shellcheck disable=SC2034 # used by the scripts that source this
OCI_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

oci_init () {
	mkdir -p "$1/blobs/sha256"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$1/oci-layout"
	[ -f "$1/index.json" ] ||
		printf '{"schemaVersion":2,"mediaType":"%s","manifests":[]}' "$OCI_MT_INDEX" >"$1/index.json"
}

# oci_hex FILE: its sha256 in OCI_HEX
oci_hex () {
	OCI_HEX=$(sha256sum <"$1") || return 1
	OCI_HEX=${OCI_HEX%% *}
}

# oci_blob DIR FILE: move FILE into DIR's blobs; OCI_DIGEST, OCI_SIZE
oci_blob () {
	oci_hex "$2" || return 1
	OCI_SIZE=$(wc -c <"$2") || return 1
	OCI_SIZE=$((OCI_SIZE + 0))
	OCI_DIGEST=sha256:$OCI_HEX
	mv -f "$2" "$1/blobs/sha256/$OCI_HEX"
}

# oci_json_blob DIR JSON: store JSON (compact, as given) as a blob
oci_json_blob () {
	printf '%s' "$2" >"$1/blobs/sha256/.new" &&
		oci_blob "$1" "$1/blobs/sha256/.new"
}

# oci_tar STAGE OUT [TAR-OPTION...]: the contents of STAGE, names without "./"
oci_tar () {
	_st=$1 _out=$2
	shift 2
	# shellcheck disable=SC2046 # names made by our own scripts, no blanks
	(cd "$_st" && tar --format=posix \
		--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		--sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		"$@" -cf - -- $(ls -A)) >"$_out"
}

# oci_tar_append STAGE OUT UID GID NAME...: append NAMEs (no recursion), owned
# by UID:GID, to the tar OUT: one way to give a few entries another owner
oci_tar_append () {
	_st=$1 _out=$2 _u=$3 _g=$4
	shift 4
	case $_out in /*) ;; *) _out=$PWD/$_out ;; esac
	(cd "$_st" && tar --format=posix \
		--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		--mtime=@0 --owner="$_u" --group="$_g" --numeric-owner --no-recursion \
		-rf "$_out" -- "$@")
}

# The accumulators hold JSON array members, joined into arrays by
# oci_image_end (printf, not jq, per layer: each jq costs a fork and ~20 ms;
# digests and numbers need no escaping, CREATED_BY goes through jq)
oci_image_begin () {
	OCI_ACC_LAYERS=''
	OCI_ACC_DIFFIDS=''
	OCI_ACC_HISTORY=''
}

# oci_add_layer DIR TAR CREATED_BY: gzip TAR into DIR's blobs
oci_add_layer () {
	oci_hex "$2" || return 1
	_diffid=sha256:$OCI_HEX
	gzip -n -c <"$2" >"$1/blobs/sha256/.new" || return 1
	rm -f "$2"
	oci_blob "$1" "$1/blobs/sha256/.new" || return 1
	OCI_ACC_LAYERS="$OCI_ACC_LAYERS${OCI_ACC_LAYERS:+,}{\"mediaType\":\"$OCI_MT_LAYER\",\"digest\":\"$OCI_DIGEST\",\"size\":$OCI_SIZE}"
	OCI_ACC_DIFFIDS="$OCI_ACC_DIFFIDS${OCI_ACC_DIFFIDS:+,}\"$_diffid\""
	_oci_history "$3" false
}

oci_add_history () {
	_oci_history "$1" true
}

# _oci_history CREATED_BY EMPTY_LAYER
_oci_history () {
	_h=$(printf '%s' "$1" | jq -Rsc --arg c "$OCI_CREATED" --argjson e "$2" \
		'{created:$c, created_by:.} + (if $e then {empty_layer:true} else {} end)') || return 1
	OCI_ACC_HISTORY="$OCI_ACC_HISTORY${OCI_ACC_HISTORY:+,}$_h"
}

# oci_image_end DIR ARCH CONFIG: write the config and the manifest
oci_image_end () {
	_cfg=$(jq -cn --arg c "$OCI_CREATED" --arg a "$2" --argjson cfg "$3" \
		--argjson d "[$OCI_ACC_DIFFIDS]" --argjson h "[$OCI_ACC_HISTORY]" \
		'{created:$c, architecture:$a, os:"linux", config:$cfg,
		  rootfs:{type:"layers", diff_ids:$d}, history:$h}') || return 1
	oci_json_blob "$1" "$_cfg" || return 1
	_man=$(jq -cn --arg mm "$OCI_MT_MANIFEST" --arg cm "$OCI_MT_CONFIG" \
		--arg d "$OCI_DIGEST" --argjson s "$OCI_SIZE" --argjson l "[$OCI_ACC_LAYERS]" \
		'{schemaVersion:2, mediaType:$mm, config:{mediaType:$cm, digest:$d, size:$s}, layers:$l}') ||
		return 1
	oci_json_blob "$1" "$_man"
}

# oci_tag DIR MEDIATYPE DIGEST SIZE NAME: (re)point the ref.name NAME
oci_tag () {
	_idx=$(jq -c --arg m "$2" --arg d "$3" --argjson s "$4" --arg n "$5" '
		.manifests |= (map(select(.annotations["org.opencontainers.image.ref.name"] != $n))
		+ [{mediaType:$m, digest:$d, size:$s,
		    annotations:{"org.opencontainers.image.ref.name":$n}}])' "$1/index.json") || return 1
	printf '%s' "$_idx" >"$1/index.json"
}

# oci_stage_busybox DIR: the tree of a busybox image: $BUSYBOX (default
# /bin/busybox, which must be static) as /bin/busybox and a symlink per
# applet, /usr/bin/env, /etc/passwd (root 0, app 1000, nobody 65534),
# /etc/group, /srv, /root (0700), /home/app, /tmp (1777). Owners are left to
# the tar options (home/app belongs to 1000:1000 in the fixtures).
oci_stage_busybox () {
	mkdir -p "$1/bin" "$1/etc" "$1/srv" "$1/root" "$1/home/app" "$1/tmp" "$1/usr/bin"
	cp "${BUSYBOX:-/bin/busybox}" "$1/bin/busybox"
	chmod 755 "$1/bin/busybox"
	for a in $("${BUSYBOX:-/bin/busybox}" --list); do
		[ "$a" = busybox ] || ln -s busybox "$1/bin/$a"
	done
	ln -s ../../bin/busybox "$1/usr/bin/env"
	cat >"$1/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
	cat >"$1/etc/group" <<'EOF'
root:x:0:
app:x:1000:
nogroup:x:65534:
EOF
	chmod 700 "$1/root"
	chmod 1777 "$1/tmp"
}
