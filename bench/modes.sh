#!/usr/bin/env bash
# bench/modes.sh -- what the long-run modes cost and save: wall time against
# the bare program, and database growth per hour, for a full recording,
# --sample-rate 4096 / 65536 / 1 MiB and --aggregate, on the churn example
# (PAIRS DEPTH THREADS = $CHURN_ARGS) and the python workload of
# bench/workloads.sh.  Medians of REPEATS runs, each repeat running the bare
# program and every mode back to back.
#   usage: bench/modes.sh [REPEATS=5]
# The binaries are copied first, so a rebuild meanwhile does not disturb
# the runs; a failed run stops the benchmark.
# Wall time is that of `heapql run` including finalizing and symbolizing
# (as in bench/run.sh).  Growth per hour: the bytes per second of run of the
# tables that grow with the run's length (allocations, samples, vm_events,
# threads: their used bytes per dbstat; allocations are stored in alloc_rows)
# extrapolated to an hour.  The rest
# (schema, modules, frames, call sites, callsite_stats: 16 KiB pages each at
# least) is a fixed part that a short run would otherwise spread over its
# few seconds; "file / s" gives that naive figure too.  "allocations (est.)"
# is what the database says (processes.alloc_calls: an estimate when
# sampled), to compare with the full recording's exact count.  Prints a
# markdown table and writes bench/modes.md.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${1:-5}
SRC_BUILD=${BUILD:-build}
CHURN_ARGS=${CHURN_ARGS:-"2000000 20 2"}
WORK=$(mktemp -d /tmp/heapql-modes.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
[ -x "$SRC_BUILD/bin/heapql" ] || scripts/build.sh "$SRC_BUILD"
BUILD=$WORK/build
mkdir -p "$BUILD"
cp -r "$SRC_BUILD/bin" "$SRC_BUILD/lib" "$SRC_BUILD/examples" "$BUILD/"
HEAPQL=$BUILD/bin/heapql
. bench/workloads.sh

# label|options, in table order
MODES=("full|" "--sample-rate 4096|--sample-rate 4096" "--sample-rate 65536|--sample-rate 65536"
       "--sample-rate 1 MiB|--sample-rate 1048576" "--aggregate|--aggregate")

wl_churnmt() { "$@" "$BUILD/examples/churn" $CHURN_ARGS >/dev/null; }
now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
MODE_ARGS=""
run_mode() { "$HEAPQL" run -q --force -o "$WORK/m.db" $MODE_ARGS -- "$@"; }

# time_ms WORKLOAD RUNNER: one timed run in milliseconds; stops the
# benchmark when it fails.
time_ms() {
    local t0 t1
    t0=$(now_ns)
    if ! "wl_$1" $2 >/dev/null 2>"$WORK/err"; then
        echo "bench: $1 ${2:-bare} $MODE_ARGS failed: $(head -c 300 "$WORK/err")" >&2
        exit 1
    fi
    t1=$(now_ns)
    echo $(( (t1 - t0) / 1000000 ))
}

# Used bytes of the tables that grow with the run's length (dbstat reports
# an empty table's one page as used: cells count).
GROWING="SELECT sum(CASE WHEN ncell > 0 THEN pgsize - unused ELSE 0 END) FROM dbstat
         WHERE name IN ('alloc_rows', 'samples', 'vm_events', 'threads')"

mib() { awk -v b="$1" 'BEGIN { printf (b >= 1048576 ? "%.1f MiB" : "%.0f KiB"), (b >= 1048576 ? b / 1048576 : b / 1024) }'; }

table="| workload | mode | wall (ms) | slowdown | database | growth per hour | file / s x 3600 | allocation rows | allocations (est.) |
|---|---|---|---|---|---|---|---|---|"
for wl in churnmt python; do
    : >"$WORK/bare"
    for m in "${!MODES[@]}"; do
        : >"$WORK/wall.$m"; : >"$WORK/size.$m"; : >"$WORK/rate.$m"; : >"$WORK/naive.$m"
    done
    for _ in $(seq 1 "$REPEATS"); do
        time_ms "$wl" "" >>"$WORK/bare"
        for m in "${!MODES[@]}"; do
            MODE_ARGS=${MODES[$m]#*|}
            ms=$(time_ms "$wl" run_mode)
            size=$(stat -c %s "$WORK/m.db")
            grow=$(sqlite3 "$WORK/m.db" "$GROWING")
            echo "$ms" >>"$WORK/wall.$m"
            echo "$size" >>"$WORK/size.$m"
            awk -v s="${grow:-0}" -v ms="$ms" 'BEGIN { printf "%.0f\n", s / (ms / 1000) * 3600 }' >>"$WORK/rate.$m"
            awk -v s="$size" -v ms="$ms" 'BEGIN { printf "%.0f\n", s / (ms / 1000) * 3600 }' >>"$WORK/naive.$m"
            sqlite3 "$WORK/m.db" "SELECT (SELECT count(*) FROM allocations), (SELECT sum(alloc_calls) FROM processes)" \
                >"$WORK/counts.$m"
        done
    done
    bare=$(median <"$WORK/bare")
    name=$([ "$wl" = churnmt ] && echo "churn $CHURN_ARGS" || echo "$wl")
    for m in "${!MODES[@]}"; do
        wall=$(median <"$WORK/wall.$m"); size=$(median <"$WORK/size.$m"); rate=$(median <"$WORK/rate.$m")
        naive=$(median <"$WORK/naive.$m")
        IFS='|' read -r rows allocs <"$WORK/counts.$m"
        row=$(awk -v w="$name" -v mode="${MODES[$m]%%|*}" -v b="$bare" -v h="$wall" -v s="$(mib "$size")" \
                  -v g="$(mib "$rate")" -v n="$(mib "$naive")" -v r="$rows" -v a="$allocs" 'BEGIN {
            printf "| %s | %s | %d (bare %d) | %.2fx | %s | %s | %s | %d | %d |", w, mode, h, b, h / b, s, g, n, r, a }')
        table="$table
$row"
        echo "$row" >&2
    done
done
NOTES='
- wall: `heapql run` including finalizing and symbolizing; slowdown against the bare program.
- growth per hour: bytes per second of run of the tables that grow with time (allocations,
  samples, vm_events, threads) times 3600; "file / s x 3600" divides the whole file (with its
  fixed part: schema, modules, frames, call sites, 16 KiB pages each) by a run of seconds.
- allocations (est.): processes.alloc_calls, an estimate in sampled runs; the full and
  aggregated runs give the exact count.
- A sampled run still sends every free through the ring (no stack), so its floor is set by
  the frees; --aggregate still unwinds every allocation and saves only the database.'
{
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $REPEATS repeats, medians (bench/modes.sh)."
    echo
    echo "$table"
    echo "$NOTES"
} | tee bench/modes.md
