#!/usr/bin/env python3
"""mklayers.py OUT CASE [OUTSIDE] - an OCI layout with crafted layer tars

Writes OUT as an OCI image layout tagged "latest" whose layers are built
entry by entry with tarfile, so they can hold what no honest tar tool
writes. OUTSIDE is a directory outside the store that the hostile cases
aim at (absolute paths, symlinks, hardlink targets).

Cases (each a list of layers, bottom first):
  plain-gzip, plain-zstd, plain-none   two ordinary layers, compressed so
  dotdot          "../escape"
  dotdot-deep     "a/../../escape"
  absolute        OUTSIDE/abs (an absolute name)
  symlink-escape  layer 1: a -> OUTSIDE; layer 2: a/passwd
  symlink-same    one layer: a -> OUTSIDE, then a/passwd
  symlink-rel     one layer: b -> ../../../../../../.., then b/OUTSIDE/rel
  hardlink-dotdot h hardlinked to ../../secret
  hardlink-abs    h hardlinked to OUTSIDE/secret
  hardlink-via-symlink  l -> OUTSIDE, h hardlinked to l/secret
  hardlink-dir    h hardlinked to the directory d
  long-name       a 5000-byte name
  long-component  a 300-byte name component
  truncated       a file claiming 1 TiB, cut short
  device          a character device (1,3) and a block device (7,0)
  overlay-xattr   layer 1: d/x; layer 2: d with trusted.overlay.opaque=y
                  smuggled in as a pax xattr (it must not hide d/x)
  bad-whiteout    ".wh.." (whiteout of "..")
  diffid-mismatch an ordinary layer whose config diff_id is wrong
  same-layer-wh   one layer: d/x, then .wh.d, then d/y (only d/y shows
                  above a lower d, per the spec a same-layer whiteout
                  does not hide that layer's own entries)
  caps            a file with security.capability (cap_net_raw+ep)
  many            40,000 small files in 400 directories (slow enough to
                  kill mid-extraction), over a small first layer
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

MT_LAYER = {"gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
            "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
            "none": "application/vnd.oci.image.layer.v1.tar"}


def entry(t, name, kind="file", data=b"", mode=None, link="", pax=None, size=None, dev=(0, 0)):
    ti = tarfile.TarInfo(name)
    ti.mtime = 0
    ti.uid = ti.gid = 0
    ti.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
               "hardlink": tarfile.LNKTYPE, "char": tarfile.CHRTYPE, "block": tarfile.BLKTYPE,
               "fifo": tarfile.FIFOTYPE}[kind]
    ti.mode = mode if mode is not None else (0o755 if kind == "dir" else 0o644)
    ti.linkname = link
    ti.devmajor, ti.devminor = dev
    if pax:
        ti.pax_headers = dict(pax)
    if kind == "file":
        ti.size = len(data) if size is None else size
        t.addfile(ti, io.BytesIO(data))
    else:
        t.addfile(ti)


def tar_of(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            entry(t, **e)
    return buf.getvalue()


def truncated_tar():
    """A header claiming 1 TiB followed by one block of data, no end."""
    ti = tarfile.TarInfo("big")
    ti.size = 1 << 40
    ti.mtime = 0
    return ti.tobuf(format=tarfile.GNU_FORMAT) + b"x" * 512


def cases(outside):
    o = outside.lstrip("/")
    f = lambda n, d=b"x\n", **k: dict(name=n, data=d, **k)
    return {
        "plain": [[dict(name="d", kind="dir"), f("d/one", b"one\n"), f("gone", b"g\n")],
                  [f("d/two", b"two\n"), f(".wh.gone"), dict(name="l", kind="symlink", link="d/one")]],
        "dotdot": [[f("ok"), f("../escape")]],
        "dotdot-deep": [[f("a/../../escape")]],
        "absolute": [[f(outside + "/abs")]],
        "symlink-escape": [[dict(name="a", kind="symlink", link=outside)], [f("a/passwd", b"pwned\n")]],
        "symlink-same": [[dict(name="a", kind="symlink", link=outside), f("a/passwd", b"pwned\n")]],
        "symlink-rel": [[dict(name="b", kind="symlink", link="../../../../../../.."),
                         f("b/" + o + "/rel", b"pwned\n")]],
        "hardlink-dotdot": [[dict(name="h", kind="hardlink", link="../../secret")]],
        "hardlink-abs": [[dict(name="h", kind="hardlink", link=outside + "/secret")]],
        "hardlink-via-symlink": [[dict(name="l", kind="symlink", link=outside),
                                  dict(name="h", kind="hardlink", link="l/secret")]],
        "hardlink-dir": [[dict(name="d", kind="dir"), dict(name="h", kind="hardlink", link="d")]],
        "long-name": [[f("n" * 5000)]],
        "long-component": [[f("d/" + "c" * 300)]],
        "device": [[dict(name="null", kind="char", dev=(1, 3)), dict(name="loop", kind="block", dev=(7, 0)),
                    dict(name="fifo", kind="fifo"), f("file")]],
        "overlay-xattr": [[dict(name="d", kind="dir"), f("d/x")],
                          [dict(name="d", kind="dir", pax={"SCHILY.xattr.trusted.overlay.opaque": "y"}),
                           f("d/y")]],
        "bad-whiteout": [[f(".wh..")]],
        "same-layer-wh": [[dict(name="d", kind="dir"), f("d/lower")],
                          [dict(name="d", kind="dir"), f("d/x"), f(".wh.d"), f("d/y")]],
        "caps": [[f("ping", b"#!/bin/sh\n", mode=0o755, pax={
            "SCHILY.xattr.security.capability":
                "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"})]],
        "many": [[f("first")],
                 [f("m%03d/f%05d" % (i // 100, i), b"%d\n" % i) for i in range(40000)]],
    }


def compress(data, how):
    if how == "gzip":
        return gzip.compress(data, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout
    return data


def blob(out, data):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(out, "blobs", "sha256", h), "wb") as fh:
        fh.write(data)
    return "sha256:" + h, len(data)


def layout(out, tars, how="gzip", bad_diffid=False):
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "oci-layout"), "w") as fh:
        fh.write('{"imageLayoutVersion":"1.0.0"}')
    layers, diffids = [], []
    for t in tars:
        d, n = blob(out, compress(t, how))
        layers.append({"mediaType": MT_LAYER[how], "digest": d, "size": n})
        diffids.append("sha256:" + hashlib.sha256(t).hexdigest())
    if bad_diffid:
        diffids[-1] = "sha256:" + hashlib.sha256(b"not this").hexdigest()
    cfg = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
           "rootfs": {"type": "layers", "diff_ids": diffids}}
    cd, cn = blob(out, json.dumps(cfg).encode())
    man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cn},
           "layers": layers}
    md, mn = blob(out, json.dumps(man).encode())
    idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
           "manifests": [{"mediaType": man["mediaType"], "digest": md, "size": mn,
                          "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}
    with open(os.path.join(out, "index.json"), "w") as fh:
        json.dump(idx, fh)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    out, case = sys.argv[1], sys.argv[2]
    outside = os.path.abspath(sys.argv[3]) if len(sys.argv) == 4 else "/nonexistent-box-outside"
    all_cases = cases(outside)
    how = "gzip"
    if case.startswith("plain-"):
        case, how = "plain", case[len("plain-"):]
    if case == "truncated":
        tars = [truncated_tar()]
    elif case == "diffid-mismatch":
        tars = [tar_of(l) for l in all_cases["plain"]]
    elif case in all_cases and how in MT_LAYER:
        tars = [tar_of(l) for l in all_cases[case]]
    else:
        sys.exit("mklayers.py: %s: unknown case" % sys.argv[2])
    layout(out, tars, how, bad_diffid=(case == "diffid-mismatch"))


if __name__ == "__main__":
    main()
