#!/bin/sh
# lint.sh - the conventions of docs/STYLE.md that a machine can check:
#   1. the dependency rule of docs/ARCHITECTURE.md, over the #include lines;
#   2. lib/ never prints or exits (base/err, which tools call to print their
#      one message, is the only exception);
#   3. every function a module's header declares starts with the module's name;
#   4. clang-format clean;
#   5. no bare `wait` in a bats test: it also waits for bats' timeout
#      watchdog, so the test hangs for the whole timeout.
# Prints one line per breach, "FILE:LINE: what"; exit 1 when there is any.
set -u
cd "$(dirname "$0")/.." || exit 1

# What each lib subsystem may include besides itself. Nothing else: base is
# below everything, and no subsystem includes one above it.
allowed () {
	case $1 in
	base) echo "" ;;
	image) echo "base" ;;
	layers) echo "base image" ;;
	runtime) echo "base image layers" ;;
	net) echo "base runtime" ;;
	dockerfile) echo "base" ;;
	*) echo "?" ;;
	esac
}

subsystems=$(for d in lib/*/; do basename "$d"; done)

# 1. includes: FILE, its place (lib subsystem or tool), each quoted include
check_includes () {
	for f in lib/*/*.[ch] tools/*.c tools/*/*.[ch]; do
		case $f in
		lib/*) from=lib; sub=${f#lib/}; sub=${sub%%/*} ;;
		tools/*/*) from=toolmod; sub=${f#tools/}; sub=${sub%%/*} ;;
		*) from=tool; sub=$(basename "$f" .c) ;;
		esac
		grep -n '^#include "' "$f" | while IFS= read -r line; do
			n=${line%%:*}
			inc=${line#*\"}
			inc=${inc%%\"*}
			dir=${inc%/*}
			[ "$dir" = "$inc" ] && dir=
			case $from in
			lib)
				if [ -z "$dir" ]; then
					echo "$f:$n: \"$inc\": a lib header is named by its subsystem"
				elif [ "$dir" != "$sub" ]; then
					ok=no
					echo " $(allowed "$sub") " | grep -q " $dir " && ok=yes
					[ $ok = yes ] || echo "$f:$n: lib/$sub may not include $inc (docs/ARCHITECTURE.md, the dependency rule)"
				fi
				;;
			*)
				# a tool and its own modules: lib, or the tool's own folder
				if [ -z "$dir" ]; then
					[ "$from" = toolmod ] && [ -f "tools/$sub/$inc" ] ||
						echo "$f:$n: \"$inc\" is neither in lib/ nor in tools/$sub/"
				elif echo " $subsystems " | tr '\n' ' ' | grep -q " $dir "; then
					:
				elif [ "$dir" = "$sub" ] && [ "$from" = tool ]; then
					:
				else
					echo "$f:$n: $inc belongs to another tool; what two tools share lives in lib/"
				fi
				;;
			esac
		done
	done
}

# 2. lib never prints or exits: calls and streams outside comments and strings
check_prints () {
	for f in lib/*/*.c; do
		[ "$f" = lib/base/err.c ] && continue
		sed -E -e 's/"([^"\\]|\\.)*"/""/g' -e 's|//.*||' "$f" |
			awk -v f="$f" '
			{ line = $0
			  if (inc) { if (sub(/.*\*\//, "", line)) inc = 0; else next }
			  gsub(/\/\*([^*]|\*[^\/])*\*\//, "", line)
			  if (sub(/\/\*.*/, "", line)) inc = 1 }
			line ~ /(^|[^a-z_])(printf|puts|putchar|perror|exit|abort|err_die|err_warn|err_report) \(/ ||
			line ~ /(^|[^a-z_])(stdout|stderr)([^a-z_]|$)/ {
				print f ":" NR ": lib prints or exits; return the error to the tool" }'
	done
}

# 3. one prefix per module: what a header declares starts with its name
check_prefixes () {
	for h in lib/*/*.h tools/*/*.h; do
		m=$(basename "$h" .h)
		case $m in cleanup | layout) continue ;; esac # macros and inline helpers only
		awk -v f="$h" -v m="$m" '
		{ line = $0
		  if (inc) { if (sub(/.*\*\//, "", line)) inc = 0; else next }
		  gsub(/\/\*([^*]|\*[^\/])*\*\//, "", line)
		  if (sub(/\/\*.*/, "", line)) inc = 1 }
		line ~ /^[a-z][a-z0-9_ ]*[ *]+[a-z_][a-z0-9_]* \(/ && line !~ /^(typedef|return|struct [a-z_]+ \{)/ {
			s = line; sub(/ \(.*/, "", s); sub(/.*[ *]/, "", s)
			if (index(s, m "_") != 1)
				print f ":" NR ": " s ": a function of module " m " is named " m "_..." }' "$h"
	done
}

# 4. clang-format, naming the first line that it would change
check_format () {
	for f in $(git ls-files '*.c' '*.h' 2>/dev/null || ls lib/*/*.[ch] tools/*.c tools/*/*.[ch]); do
		[ -f "$f" ] || continue
		clang-format "$f" | diff "$f" - | awk -v f="$f" '/^[0-9]/ {
			n = $0; sub(/[^0-9].*/, "", n)
			print f ":" n ": not clang-format clean (clang-format -i " f ")"; exit }'
	done
}

# 5. a bats test waits for the pids it started, not for every child
check_waits () {
	for f in $(git ls-files 'tests/*.bats' 'tests/*/*.bats' 2>/dev/null); do
		awk -v f="$f" '/^[ \t]*wait([ \t]*(\|\||;|$))/ { print f ":" NR ": a bare wait (wait for the pids started)" }' "$f"
	done
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
{
	check_includes
	check_prints
	check_prefixes
	check_format
	check_waits
} >"$out"

if [ -s "$out" ]; then
	cat "$out"
	echo "lint: $(wc -l <"$out") problems" >&2
	exit 1
fi
