#!/bin/sh
# deps.sh PKG... - install the Debian packages among PKG that are missing
set -eu
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "make: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "make: need root to install:$missing" >&2
	exit 1
fi
apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
