#!/usr/bin/env bats
# box cp (ctr-cp): files between a container and the host, Docker's path rules

load ../helpers

setup () {
	box_setup
	skip_unless_root
	store_add small docker.io/library/small:latest
	box create --name cc --network none small sleep 100 >/dev/null
	H=$BATS_TEST_TMPDIR/h
	mkdir -p "$H"
}

teardown () {
	box_teardown
}

@test "box cp CTR:FILE DIR, CTR:FILE NEWFILE, CTR:DIR NEWDIR, CTR:DIR/. DIR" {
	box cp cc:/etc/passwd "$H"
	cmp "$H/passwd" "$BOX_ROOT"/containers/*/rootfs/etc/passwd
	box cp cc:/etc/passwd "$H/pw"
	[[ -f $H/pw ]]
	box cp cc:/etc "$H/e"
	[[ -f $H/e/passwd ]]
	box cp cc:/etc "$H/e"
	[[ -f $H/e/etc/passwd ]]
	mkdir "$H/d"
	box cp cc:/etc/. "$H/d"
	[[ -f $H/d/passwd && ! -e $H/d/etc ]]
	run --separate-stderr -1 box cp cc:/etc "$H/pw"
	[[ $stderr == "cannot copy directory" ]]
	run --separate-stderr -1 box cp cc:/nope "$H"
	[[ $stderr == "Error: No such container:path: cc:/nope" ]]
	run --separate-stderr -1 box container cp nope:/etc "$H"
	[[ $stderr == "Error: No such container:path: nope:/etc" ]]
}

@test "box cp HOST CTR:PATH into a stopped container; the archive's owner kept" {
	mkdir -p "$H/src/sub"
	echo one >"$H/src/sub/f"
	chown -R 1234:2345 "$H/src"
	box cp "$H/src" cc:/tmp/
	box cp "$H/src/sub/f" cc:/g
	box cp "$H/src/." cc:/tmp
	r=$(echo "$BOX_ROOT"/containers/*/rootfs)
	[[ $(cat "$r/tmp/src/sub/f") == one && $(cat "$r/g") == one && -f $r/tmp/sub/f ]]
	[[ $(stat -c %u:%g "$r/tmp/src/sub/f") == 1234:2345 ]]
	run --separate-stderr -1 box cp "$H/src" cc:/nope/x
	[[ $stderr == "Error response from daemon: Could not find the file /nope in container cc" ]]
	run --separate-stderr -1 box cp "$H/nope" cc:/tmp
	[[ $stderr == "lstat $H/nope: no such file or directory" ]]
}

@test "box cp to and from a running container" {
	box run -d --name rr --network none small sleep 100 >/dev/null
	echo live >"$H/f"
	box cp "$H/f" rr:/tmp/f
	run -0 box exec rr cat /tmp/f
	[[ $output == live ]]
	box exec rr sh -c 'echo made >/tmp/g'
	box cp rr:/tmp/g "$H/g"
	[[ $(cat "$H/g") == made ]]
	box kill rr >/dev/null
}

@test "box cp -a: what is copied in belongs to the container's User" {
	box create --name uu --user 7:8 --network none small true >/dev/null
	echo x >"$H/f"
	box cp -a "$H/f" uu:/f
	r=$BOX_ROOT/containers/$(readlink "$BOX_ROOT"/names/uu)/rootfs
	[[ $(stat -c %u:%g "$r/f") == 7:8 ]]
	box cp "$H/f" uu:/f2
	[[ $(stat -c %u:%g "$r/f2") == 0:0 ]]
}

@test "box cp with - : a tar stream out and in" {
	box cp cc:/etc - >"$H/t.tar"
	tar -tf "$H/t.tar" | grep -qx 'etc/passwd'
	mkdir -p "$H/x/y"
	echo z >"$H/x/y/z"
	tar -C "$H/x" -c y | box cp - cc:/tmp
	box cp cc:/tmp/y/z "$H/z"
	[[ $(cat "$H/z") == z ]]
	run --separate-stderr -1 box cp - cc:/etc/passwd <"$H/t.tar"
	[[ $stderr == 'Error: destination "cc:/etc/passwd" must be a directory' ]]
}

@test "box cp: neither ../ nor a container's symlink reaches the host" {
	box cp "$H" cc:/tmp/
	mkdir -p "$H/l"
	ln -s / "$H/l/up"
	ln -s ../../../../../.. "$H/l/dots"
	box cp "$H/l/." cc:/
	echo bad >"$H/bad"
	box cp "$H/bad" cc:/up/tmp/escape
	box cp "$H/bad" cc:/dots/escape2
	box cp "$H/bad" cc:/../../escape3
	[[ ! -e /tmp/escape && ! -e /escape2 && ! -e /escape3 ]]
	r=$(echo "$BOX_ROOT"/containers/*/rootfs)
	[[ -f $r/tmp/escape && -f $r/escape2 && -f $r/escape3 ]]
	box cp cc:/up/etc/passwd "$H/pw"
	cmp "$H/pw" "$r/etc/passwd"
	# a tar that climbs is refused
	python3 -c 'import tarfile,io,sys
t=tarfile.open(sys.argv[1],"w"); i=tarfile.TarInfo("../../climb"); i.size=1; t.addfile(i, io.BytesIO(b"x")); t.close()' "$H/climb.tar"
	run -1 box cp - cc:/tmp <"$H/climb.tar"
	[[ $output == *"invalid path"* ]]
	[[ ! -e $r/climb && ! -e $BOX_ROOT/containers/climb ]]
}

@test "box cp -L follows a symlink source; without, the link is copied" {
	box cp cc:/bin/sh "$H/sh"
	[[ -L $H/sh || -f $H/sh ]]
	ln -s passwd-target "$H/lnk"
	echo t >"$H/passwd-target"
	box cp "$H/lnk" cc:/tmp/lnk
	box cp -L "$H/lnk" cc:/tmp/lnk2
	r=$(echo "$BOX_ROOT"/containers/*/rootfs)
	[[ -L $r/tmp/lnk && -f $r/tmp/lnk2 && ! -L $r/tmp/lnk2 ]]
	box cp cc:/tmp/lnk "$H/o1"
	[[ -L $H/o1 ]]
}

@test "box cp into and out of a bind mount goes to its source; read-only and tmpfs refused" {
	mkdir "$H/vol" "$H/rovol"
	box create --name vv -v "$H/vol:/data" -v "$H/rovol:/ro:ro" --tmpfs /t --network none small true >/dev/null
	echo x >"$H/f"
	box cp "$H/f" vv:/data/f
	[[ $(cat "$H/vol/f") == x ]]
	r=$BOX_ROOT/containers/$(readlink "$BOX_ROOT"/names/vv)/rootfs
	[[ ! -e $r/data/f ]]
	mkdir "$H/out"
	box cp vv:/data "$H/out"
	[[ $(cat "$H/out/data/f") == x ]]
	ln -s /../../.. "$H/vol/up"
	box cp "$H/f" vv:/data/up/escaped
	[[ -f $H/vol/escaped && ! -e /escaped ]]
	run --separate-stderr -1 box cp "$H/f" vv:/ro/f
	[[ $stderr == "Error response from daemon: mounted volume is marked read-only" ]]
	[[ ! -e $H/rovol/f ]]
	run --separate-stderr -1 box cp "$H/f" vv:/t/f
	[[ $stderr == "Error: vv:/t/f is on the container's mount /t (not a directory bind mount): not implemented" ]]
}

@test "box cp out of a file bind mount: /etc/hosts, /etc/hostname, -v FILE:PATH, named as in the container" {
	echo conf >"$H/app.conf"
	box run -d --name fm --hostname fmhost -v "$H/app.conf:/etc/other.conf:ro" --network none small sleep 1000 >/dev/null
	mkdir "$H/out"
	box cp fm:/etc/hostname "$H/out/"
	[[ $(cat "$H/out/hostname") == fmhost ]]
	box cp fm:/etc/hosts "$H/out/h"
	[[ $(cat "$H/out/h") == *localhost* ]]
	box cp fm:/etc/other.conf "$H/out/"
	[[ $(cat "$H/out/other.conf") == conf && ! -e $H/out/app.conf ]]
	run -0 bash -c "box cp fm:/etc/other.conf - | tar -t"
	[[ $output == other.conf ]]
	run --separate-stderr -1 box cp "$H/app.conf" fm:/etc/hosts
	[[ $stderr == "Error: fm:/etc/hosts is the container's file mount /etc/hosts: copying into it is not implemented" ]]
	[[ $(cat "$H/app.conf") == conf ]]
}
