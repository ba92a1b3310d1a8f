# bench/lib.sh - helpers shared by the benchmarks (sourced: . bench/lib.sh)
# shellcheck shell=sh
#
#   bench_need CMD...            fail unless every CMD is installed
#   bench_once CMD...            one timed run: BENCH_SECS, BENCH_KB
#   bench_median N CMD...        N runs: medians in BENCH_SECS, BENCH_KB;
#                                prints "SECS KB"; $BENCH_BEFORE (a sh
#                                command) runs untimed before each run
#   bench_ratio A B [DECIMALS]   A/B with two (or DECIMALS) decimals ("-"
#                                when B is 0)
#   bench_header                 the column titles of bench_row
#   bench_row NAME SECS KB [BASE_SECS BASE_KB]   one result line, with the
#                                ratios to a baseline (the peer tool)
#   bench_bytes SEED N           N reproducible pseudo-random bytes on
#                                stdout (AES-CTR keyed by SEED)
#   bench_target WHAT VALUE LIMIT [UNIT]   one target line: VALUE must be
#                                <= LIMIT; "target:<TAB>WHAT<TAB>VALUE
#                                UNIT<TAB><= LIMIT UNIT<TAB>ok|MISSED", which
#                                bench/run-all gathers into its summary
#
# Times are wall-clock seconds, to the millisecond (date +%s%N around the
# run: GNU time's %e has 10 ms steps, a twelfth of a pull here); peak RSS is
# in KB from GNU time (/usr/bin/time -f %M; Debian package "time"): the
# peak is that of the largest single process of the command, not a sum. The command's own
# output goes to $BENCH_LOG (default /dev/null); it is shown on failure.

BENCH_TIME=${BENCH_TIME:-/usr/bin/time}
BENCH_LOG=${BENCH_LOG:-/dev/null}
BENCH_CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/box-bench}

bench_need () {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || {
			printf 'bench: %s: not found\n' "$_c" >&2
			return 1
		}
	done
}

bench_once () {
	[ -x "$BENCH_TIME" ] || {
		printf 'bench: %s: not found (install the "time" package)\n' "$BENCH_TIME" >&2
		return 1
	}
	_bt=$(mktemp "${TMPDIR:-/tmp}/bench-time.XXXXXX") || return 1
	_t0=$(date +%s%N)
	if ! "$BENCH_TIME" -f '%M' -o "$_bt" "$@" >>"$BENCH_LOG" 2>&1; then
		printf 'bench: failed: %s\n' "$*" >&2
		[ "$BENCH_LOG" = /dev/null ] || tail -n 20 "$BENCH_LOG" >&2
		rm -f "$_bt"
		return 1
	fi
	_t1=$(date +%s%N)
	BENCH_SECS=$(awk -v n="$((_t1 - _t0))" 'BEGIN { printf "%.3f", n / 1e9 }')
	read -r BENCH_KB <"$_bt"
	rm -f "$_bt"
}

# _bench_mid: the median of the numbers on stdin, one a line
_bench_mid () {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_median () {
	_n=$1
	shift
	_secs='' _kbs=''
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		if [ -n "${BENCH_BEFORE-}" ]; then
			sh -c "$BENCH_BEFORE" >>"$BENCH_LOG" 2>&1 || {
				printf 'bench: BENCH_BEFORE failed: %s\n' "$BENCH_BEFORE" >&2
				return 1
			}
		fi
		bench_once "$@" || return 1
		_secs="$_secs$BENCH_SECS
"
		_kbs="$_kbs$BENCH_KB
"
		_i=$((_i + 1))
	done
	BENCH_SECS=$(printf '%s' "$_secs" | _bench_mid)
	BENCH_KB=$(printf '%s' "$_kbs" | _bench_mid)
	printf '%s %s\n' "$BENCH_SECS" "$BENCH_KB"
}

bench_ratio () {
	awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.*f\n", d, a / b }'
}

bench_header () {
	printf '%-32s %9s %10s %8s %8s\n' what seconds peak-KB time/x rss/x
}

bench_row () {
	if [ $# -ge 5 ]; then
		printf '%-32s %9.3f %10d %8s %8s\n' "$1" "$2" "$3" \
			"$(bench_ratio "$2" "$4")" "$(bench_ratio "$3" "$5")"
	else
		printf '%-32s %9.3f %10d %8s %8s\n' "$1" "$2" "$3" - -
	fi
}

bench_bytes () {
	_key=$(printf '%s' "$1" | sha256sum | cut -c1-32)
	openssl enc -aes-128-ctr -nosalt -K "$_key" -iv 00000000000000000000000000000000 \
		-in /dev/zero 2>/dev/null | head -c "$2"
}

bench_target () {
	_ok=$(awk -v v="$2" -v l="$3" 'BEGIN { print (v != "" && v != "-" && v + 0 <= l + 0) ? "ok" : "MISSED" }')
	printf 'target:\t%s\t%s%s\t<= %s%s\t%s\n' "$1" "$2" "${4-}" "$3" "${4-}" "$_ok"
}
