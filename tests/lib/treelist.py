#!/usr/bin/env python3
"""treelist.py DIR - one line per file under DIR, sorted, to diff two trees.

Each line: path, type, mode (permission bits in octal), uid:gid, then
for files size and sha256, for symlinks the target, for devices
major,minor; then the xattrs (name=hex value, sorted) and, for a file
with more than one name, the first name of its link group. Overlayfs's
own xattrs (trusted.overlay.*, user.overlay.*) and security.selinux are
left out: they are how a tree is stored, not what it holds. mtimes are
left out too: umoci and Docker disagree on directory mtimes.
"""
import hashlib
import os
import stat
import sys

SKIP_XATTR = ("trusted.overlay.", "user.overlay.", "security.selinux")


def kind(m):
    for t, name in ((stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "symlink"),
                    (stat.S_ISCHR, "char"), (stat.S_ISBLK, "block"), (stat.S_ISFIFO, "fifo"),
                    (stat.S_ISSOCK, "socket")):
        if t(m):
            return name
    return "unknown"


def xattrs(path):
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return ""
    out = []
    for n in sorted(names):
        if n.startswith(SKIP_XATTR):
            continue
        out.append("%s=%s" % (n, os.getxattr(path, n, follow_symlinks=False).hex()))
    return ",".join(out)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def main(top):
    lines, groups = [], {}
    paths = []
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            paths.append(os.path.join(d, n))
    paths.append(top)
    for p in sorted(paths):
        rel = "/" + os.path.relpath(p, top) if p != top else "/"
        rel = rel.replace("/./", "/") if rel != "/." else "/"
        st = os.lstat(p)
        k = kind(st.st_mode)
        f = [rel, k, "%04o" % stat.S_IMODE(st.st_mode), "%d:%d" % (st.st_uid, st.st_gid)]
        if k == "file":
            f += [str(st.st_size), sha256(p)]
            if st.st_nlink > 1:
                key = (st.st_dev, st.st_ino)
                f.append("link=" + groups.setdefault(key, rel))
        elif k == "symlink":
            f.append("-> " + os.readlink(p))
        elif k in ("char", "block"):
            f.append("%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)))
        x = xattrs(p)
        if x:
            f.append("xattrs " + x)
        lines.append(" ".join(f))
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: treelist.py DIR")
    main(sys.argv[1])
