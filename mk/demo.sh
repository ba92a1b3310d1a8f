#!/bin/sh
# demo.sh BUILDDIR - README's first command, after the build: a busybox
# image made offline from busybox-static, loaded into box's store as
# "busybox", then run.
set -eu
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
sh tests/fixtures/mkimage.sh "$tmp" small
id=$("$build/bin/box" load -q -i "$tmp/small" | sed -n "s/^Loaded image ID: //p")
"$build/bin/box" tag "$id" busybox
"$build/bin/box" images busybox
"$build/bin/box" run --rm busybox echo "hello from a box container"
