#!/usr/bin/env bash
# bench/report_bench.sh -- how long the reports take on a large recording.
#   usage: bench/report_bench.sh [ALLOCATIONS=10000000] [REPEATS=3]
# Builds bench/gen_db.c, generates a synthetic recording of ALLOCATIONS
# allocations (kept in $BENCH_DIR, default /tmp/heapql-report-bench, and
# reused while it exists), then runs each report REPEATS times and prints
# the median wall and CPU (user + sys) times and the peak RSS as a markdown
# table.  summary, top and leaks read the recorder's aggregates and must
# stay under a second; the reports that scan every allocation are listed
# for reference.  bench/analysis.sh does the same on a real recording.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
REPEATS=${2:-3}
BUILD=${BUILD:-build}
HEAPQL=$BUILD/bin/heapql
DIR=${BENCH_DIR:-/tmp/heapql-report-bench}
mkdir -p "$DIR"
[ -x "$HEAPQL" ] || { echo "bench: build heapql first ($HEAPQL)" >&2; exit 1; }
cc -O2 -o "$DIR/gen_db" bench/gen_db.c -lsqlite3 -lm
DB=$DIR/gen_$N.db
[ -s "$DB" ] || "$DIR/gen_db" "$DB" "$N" schema/v1.sql
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "| report | median wall s | median CPU s | peak RSS MiB |"
echo "|---|---:|---:|---:|"
while IFS= read -r args; do
    times=() cpus=() rss=0
    for _ in $(seq "$REPEATS"); do
        /usr/bin/time -o "$DIR/time" -f '%e %U %S %M' "$HEAPQL" report "$DB" $args >/dev/null 2>&1 ||
            true
        read -r wall user sys r < <(tail -1 "$DIR/time")
        times+=("$wall")
        cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
        if [ "$r" -gt "$rss" ]; then rss=$r; fi
    done
    printf '| %s | %s | %s | %d |\n' "$args" "$(printf '%s\n' "${times[@]}" | median)" \
        "$(printf '%s\n' "${cpus[@]}" | median)" $((rss / 1024))
done <<LIST
summary
top
top --sort allocs --inclusive
leaks
leaks --all
flamegraph
lines file_3.c
timeline
diff $DB
temporary
histogram
top --from 10 --to 20
LIST
