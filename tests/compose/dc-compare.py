#!/usr/bin/env python3
"""dc-compare.py BOX.yaml DC.yaml: the services of box's `compose config`
and docker-compose 1.29's, compared on what both print the same way:
image, environment, labels, command, entrypoint, ports (published,
target), volumes (source, target, read-only). Prints the differences,
exits 1 when there are some."""
import shlex
import sys

import yaml


def words(v):
    return shlex.split(v) if isinstance(v, str) else v


def port(p):
    return (str(p.get("published", "")), int(p["target"]))


def volume(v):
    if isinstance(v, str):
        parts = v.split(":")
        if len(parts) == 1:
            return (None, parts[0], False)
        return (parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(","))
    return (v.get("source"), v["target"], bool(v.get("read_only")))


def facts(svc):
    return {
        "image": svc.get("image"),
        "environment": {k: str(v) for k, v in (svc.get("environment") or {}).items()},
        "labels": {k: str(v) for k, v in (svc.get("labels") or {}).items()},
        "command": words(svc.get("command")),
        "entrypoint": words(svc.get("entrypoint")),
        "ports": sorted(port(p) for p in svc.get("ports") or []),
        "volumes": sorted((volume(v) for v in svc.get("volumes") or []), key=repr),
    }


def unescape(v):
    """1.29 prints a dollar as $$, so that its output reads back as a file"""
    if isinstance(v, str):
        return v.replace("$$", "$")
    if isinstance(v, list):
        return [unescape(x) for x in v]
    if isinstance(v, dict):
        return {k: unescape(x) for k, x in v.items()}
    return v


def main():
    box = yaml.safe_load(open(sys.argv[1]))["services"]
    dc = unescape(yaml.safe_load(open(sys.argv[2]))["services"])
    bad = 0
    if sorted(box) != sorted(dc):
        print("services: box %s, docker-compose %s" % (sorted(box), sorted(dc)))
        return 1
    for name in sorted(box):
        b, d = facts(box[name]), facts(dc[name])
        for k in b:
            if b[k] != d[k]:
                print("%s.%s: box %r, docker-compose %r" % (name, k, b[k], d[k]))
                bad = 1
    return bad


sys.exit(main())
