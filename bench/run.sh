#!/usr/bin/env bash
# bench/run.sh -- overhead of heapql against the bare program and heaptrack,
# measured in the same session, as ratios of medians.
#   usage: [BUILD=dir] [RESULTS=file] bench/run.sh [REPEATS=5]
# For each workload and each repeat it runs, back to back: the bare program,
# `heapql run` (including finalizing and symbolizing the database) and
# `heaptrack` (including its interpreter).  It prints a markdown table and
# writes it to $RESULTS (default bench/results.md).  Also reported: the
# collector's throughput (allocations per second of collector CPU),
# database bytes per allocation and the target's peak RSS with the shim
# against without.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${1:-5}
BUILD=$(realpath -m "${BUILD:-build}")
RESULTS=${RESULTS:-bench/results.md}
HEAPQL=$BUILD/bin/heapql
WORK=$(mktemp -d /tmp/heapql-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
. bench/workloads.sh
[ -x "$HEAPQL" ] || scripts/build.sh "$BUILD"
command -v heaptrack >/dev/null || { echo "bench: heaptrack is not installed (scripts/deps.sh)" >&2; exit 1; }

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

run_heapql() { "$HEAPQL" run -q --force -o "$WORK/h.db" -- "$@"; }
run_heaptrack() { heaptrack -o "$WORK/heaptrack.out" "$@" >/dev/null 2>&1; rm -f "$WORK"/heaptrack.out*; }

# time_ms WORKLOAD RUNNER: one timed run in milliseconds.
time_ms() {
    local t0 t1
    t0=$(now_ns)
    "wl_$1" $2 >/dev/null 2>&1
    t1=$(now_ns)
    echo $(( (t1 - t0) / 1000000 ))
}

# peak_rss_kb WORKLOAD [shim]: the program's own peak RSS (bench/maxrss).
peak_rss_kb() {
    if [ "${2:-}" = shim ]; then
        LD_PRELOAD="$BUILD/lib/libheapql.so" HEAPQL_OUTPUT="$WORK/rss.db" HEAPQL_BIN="$HEAPQL" \
            "wl_$1" "$BUILD/bench/maxrss" 2>&1 >/dev/null | tail -n 1
        for _ in $(seq 1 600); do
            [ "$(sqlite3 "$WORK/rss.db" "SELECT value FROM meta WHERE key='status'" 2>/dev/null)" = complete ] && break
            sleep 0.1
        done
        rm -f "$WORK"/rss.db*
    else
        "wl_$1" "$BUILD/bench/maxrss" 2>&1 >/dev/null | tail -n 1
    fi
}

table="| workload | bare (ms) | heapql (ms) | heaptrack (ms) | heapql slowdown | heaptrack slowdown | heapql / heaptrack | allocations | collector allocs/s (CPU) | DB bytes/alloc | RSS with shim / bare |
|---|---|---|---|---|---|---|---|---|---|---|"
for wl in $WORKLOADS; do
    : >"$WORK/t_bare" ; : >"$WORK/t_hq" ; : >"$WORK/t_ht"
    for _ in $(seq 1 "$REPEATS"); do
        time_ms "$wl" "" >>"$WORK/t_bare"
        time_ms "$wl" run_heapql >>"$WORK/t_hq"
        time_ms "$wl" run_heaptrack >>"$WORK/t_ht"
    done
    bare=$(median <"$WORK/t_bare"); hq=$(median <"$WORK/t_hq"); ht=$(median <"$WORK/t_ht")
    allocs=$(sqlite3 "$WORK/h.db" "SELECT count(*) FROM allocations")
    cpu=$(sqlite3 "$WORK/h.db" "SELECT value FROM meta WHERE key='collector_cpu_ns'")
    size=$(stat -c %s "$WORK/h.db")
    rss_bare=$(peak_rss_kb "$wl"); rss_hq=$(peak_rss_kb "$wl" shim)
    row=$(awk -v b="$bare" -v h="$hq" -v t="$ht" -v n="$allocs" -v c="${cpu:-0}" -v s="$size" \
              -v rb="$rss_bare" -v rh="$rss_hq" -v w="$wl" 'BEGIN {
        printf "| %s | %d | %d | %d | %.2fx | %.2fx | %.2f | %d | %s | %.1f | %.2fx |", w, b, h, t,
            h / b, t / b, (h / b) / (t / b), n, (c > 0 ? sprintf("%.2fM", n / (c / 1e9) / 1e6) : "n/a"),
            s / (n > 0 ? n : 1), rh / rb }')
    table="$table
$row"
    echo "$row" >&2
done
{
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $REPEATS repeats, medians; heaptrack $(heaptrack --version 2>/dev/null | awk '{print $2}')."
    echo
    echo "$table"
} | tee "$RESULTS"
