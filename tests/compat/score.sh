#!/bin/sh
# score.sh RESULTS - the differential suite's score from the results file
# compat.bats writes ($COMPAT_RESULTS: expected, measured, case, command),
# then each case that is not identical
set -eu
[ -s "$1" ] || { echo "score.sh: $1: no results (did the suite run?)" >&2; exit 1; }
awk -F '\t' '
	{ n++ }
	$1 == "d" { d++; next }
	$2 == "=" { same++ } $2 == "~" { word++ } $2 == "!" { diff++ }
	END {
		printf "compat: %d cases: %d identical, %d wording-only, %d different, %d deliberate (man pages)\n",
			n, same, word, diff, d
	}' "$1"
awk -F '\t' '$2 != "=" { printf "  %s %-14s %s\n", ($1 == "d" ? "d" : $2), $3, $4 }' "$1" | sort -k1,1 -s
