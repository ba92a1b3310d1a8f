#!/usr/bin/env python3
"""dc-compare.py BOX.yaml DC.yaml: the services of box's `compose config`
and docker-compose 1.29's, compared on what both print the same way:
image, environment, labels, command, entrypoint, ports (published,
target), volumes (source, target, read-only). Prints the differences,
exits 1 when there are some."""
import sys

import yaml


def words(v):
    return v.split() if isinstance(v, str) else v


def port(p):
    return (str(p.get("published", "")), int(p["target"]))


def volume(v):
    if isinstance(v, str):
        parts = v.split(":")
        return (parts[0], parts[1], len(parts) > 2 and parts[2] == "ro")
    return (v.get("source"), v["target"], bool(v.get("read_only")))


def facts(svc):
    return {
        "image": svc.get("image"),
        "environment": {k: str(v) for k, v in (svc.get("environment") or {}).items()},
        "labels": {k: str(v) for k, v in (svc.get("labels") or {}).items()},
        "command": words(svc.get("command")),
        "entrypoint": words(svc.get("entrypoint")),
        "ports": sorted(port(p) for p in svc.get("ports") or []),
        "volumes": sorted(volume(v) for v in svc.get("volumes") or []),
    }


def main():
    box = yaml.safe_load(open(sys.argv[1]))["services"]
    dc = yaml.safe_load(open(sys.argv[2]))["services"]
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
