#!/usr/bin/env bash
# bench/analysis.sh -- how fast the results of one recording can be read:
# heapql's symbolization and `report summary|top|leaks` against
# heaptrack_print on heaptrack's recording of the same workload (default the
# CPython one of bench/workloads.sh, ~9.5M allocations).  Medians of REPEATS.
#   usage: bench/analysis.sh [WORKLOAD=python] [REPEATS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
WL=${1:-python}
REPEATS=${2:-3}
BUILD=$(realpath -m "${BUILD:-build}")
HEAPQL=$BUILD/bin/heapql
WORK=$(mktemp -d /tmp/heapql-analysis.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
. bench/workloads.sh

ms() { local t0; t0=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - t0) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

rec_heapql() { "$HEAPQL" run -q --no-symbolize -o "$WORK/h.db" -- "$@"; }
rec_heaptrack() { heaptrack -o "$WORK/ht" "$@"; }
"wl_$WL" rec_heapql >/dev/null 2>&1
"wl_$WL" rec_heaptrack >/dev/null 2>&1
HT=$(ls "$WORK"/ht.*)
allocs=$(sqlite3 "$WORK/h.db" 'SELECT count(*) FROM allocations')
frames=$(sqlite3 "$WORK/h.db" 'SELECT count(*) FROM frames')
sym=$(ms "$HEAPQL" symbolize "$WORK/h.db")
row() { local name=$1; shift; for _ in $(seq 1 "$REPEATS"); do ms "$@"; done | median | xargs printf "| %s | %s |\n" "$name"; }
{
    echo "Analysis of one $WL recording ($allocs allocations, $frames distinct frames), $(date -u +%Y-%m-%d), medians of $REPEATS, ms:"
    echo
    echo "| step | ms |"
    echo "|---|---|"
    echo "| heapql symbolize (once, cached after) | $sym |"
    row "heapql report summary" "$HEAPQL" report "$WORK/h.db" summary
    row "heapql report top" "$HEAPQL" report "$WORK/h.db" top
    row "heapql report leaks" "$HEAPQL" report "$WORK/h.db" leaks
    row "heaptrack_print (all its reports, one run)" heaptrack_print "$HT"
} | tee bench/analysis.md
