# heapql run --aggregate: no allocation rows; callsite_stats, processes and
# the last heap sample equal those of a full recording of the same
# deterministic program; the reports that read totals print the same
# figures, those that need rows say why they cannot; HEAPQL_AGGREGATE does
# the same for the standalone shim.
. "$(dirname "$0")/lib.sh"
P=$HQ_PROGS/mode_blocks

STATS_BY_STACK="
WITH RECURSIVE fr(id, t) AS (
  SELECT f.id, ifnull(m.path, '?') || '+' || f.rel_pc FROM frames f
  LEFT JOIN modules m ON m.id = f.module_id),
up(leaf, parent_id, sig) AS (
  SELECT s.callsite_id, c.parent_id, (SELECT t FROM fr WHERE fr.id = c.frame_id)
  FROM callsite_stats s JOIN callsites c ON c.id = s.callsite_id
  UNION ALL
  SELECT up.leaf, c.parent_id, up.sig || '<' || (SELECT t FROM fr WHERE fr.id = c.frame_id)
  FROM up JOIN callsites c ON c.id = up.parent_id)
SELECT up.sig, s.alloc_count, s.alloc_bytes, s.usable_bytes, s.free_count, s.peak_blocks,
       s.peak_bytes, s.leaked_blocks, s.leaked_bytes, s.temporary_count, s.failed_count
FROM up JOIN callsite_stats s ON s.callsite_id = up.leaf WHERE up.parent_id IS NULL
ORDER BY up.sig;"
PROC_FIGURES="SELECT pid > 0, ppid > 0, exe, cmdline, end_reason, exit_code, peak_heap_bytes,
       peak_heap_blocks, alloc_calls, free_calls, failed_allocs, unknown_frees, missed_frees,
       unsampled_frees, lost_events FROM processes ORDER BY start_ns"
LAST_SAMPLE="SELECT heap_bytes, heap_blocks FROM samples ORDER BY ns DESC LIMIT 1"

record full.db "$P" mix
check_eq "0|mix done" "$RC|$(cat out)" "full recording"
"$HEAPQL_BIN" run --aggregate -o agg.db -- "$P" mix >out 2>err; rc=$?
check_eq "0|mix done" "$rc|$(cat out)" "aggregated recording"
check_match "aggregated: per-call-site totals only" "$(cat err)" "run summary says aggregated"
check_eq "1|0|complete" "$(q agg.db "SELECT (SELECT value FROM meta WHERE key = 'aggregate'),
    (SELECT value FROM meta WHERE key = 'sample_rate'), (SELECT value FROM meta WHERE key = 'status')")" \
    "meta"
check_eq 0 "$(q agg.db 'SELECT count(*) FROM allocations')" "no allocation rows"
check_true "the full run has rows" test "$(q full.db 'SELECT count(*) FROM allocations')" -gt 2000
check_true "samples are kept" test "$(q agg.db 'SELECT count(*) FROM samples')" -ge 1
want=$(q full.db "$STATS_BY_STACK")
check_true "call sites to compare" test "$(printf '%s\n' "$want" | wc -l)" -gt 10
check_eq "$want" "$(q agg.db "$STATS_BY_STACK")" "callsite_stats equal the full run's"
check_eq "$(q full.db "$PROC_FIGURES")" "$(q agg.db "$PROC_FIGURES")" "processes equal"
check_eq "$(q full.db "$LAST_SAMPLE")" "$(q agg.db "$LAST_SAMPLE")" "heap at the end equal"
KINDS="SELECT kind, sum(alloc_count), sum(alloc_bytes) FROM kind_stats GROUP BY kind ORDER BY kind"
check_eq "$(q full.db "SELECT kind, count(*), sum(size) FROM allocations GROUP BY kind ORDER BY kind")" \
    "$(q full.db "$KINDS")" "kind_stats: the rows' calls and bytes per kind"
check_eq "$(q full.db "$KINDS")" "$(q agg.db "$KINDS")" "kind_stats equal the full run's"
check_eq "250|16750" "$(q agg.db "SELECT sum(s.leaked_blocks), sum(s.leaked_bytes) FROM callsite_stats s
    JOIN callsites c ON c.id = s.callsite_id JOIN frames f ON f.id = c.frame_id
    WHERE f.function = 'site_keep'")" "leaks of site_keep"
size_full=$(stat -c %s full.db); size_agg=$(stat -c %s agg.db)
check_true "the aggregated file is smaller ($size_agg < $size_full)" test "$size_agg" -lt "$size_full"

# ---- reports from totals: the figures of the full run --------------------------------
same_report() { # WHAT ARGS...: the same output for both databases (timing lines aside)
    local what=$1; shift
    a=$("$HEAPQL_BIN" report full.db "$@" 2>&1 | grep -Ev '^(status|run_ns|ring_wait.*|peak_ns|peak_rss_bytes),')
    b=$("$HEAPQL_BIN" report agg.db "$@" 2>&1 | grep -Ev '^(status|run_ns|ring_wait.*|peak_ns|peak_rss_bytes),')
    check_eq "$a" "$b" "report $what"
}
same_report "top" top --format csv --top 0
same_report "top --sort temporary" top --sort temporary --format csv
same_report "top --inclusive" top --inclusive --format csv
same_report "leaks" leaks --format csv --all
same_report "flamegraph" flamegraph --metric leaked
same_report "lines" lines site_keep --format csv
out=$("$HEAPQL_BIN" report agg.db); rc=$?
check_eq 0 "$rc" "summary works"
check_match "^note: aggregated: per-call-site totals only, no allocation rows" "$out" "summary note"
check_match "allocations +2,167 calls" "$out" "summary: allocation calls"
check_match "posix_memalign +50 calls +2\.3%" "$out" "summary: calls by kind (kind_stats)"
check_match "leaked +20\.65 KiB in 252 blocks" "$out" "summary: leaks"
check_match "temporary +1,165 allocations" "$out" "summary: temporaries"
check_match '"aggregate": true' "$("$HEAPQL_BIN" report agg.db top --format json)" "JSON says aggregated"
"$HEAPQL_BIN" report agg.db timeline >out 2>err; rc=$?
check_eq "0|" "$rc|$(cat err)" "timeline works (samples)"
"$HEAPQL_BIN" report agg.db leaks >out 2>err; rc=$?
check_match "in 250 blocks" "$(cat out)" "leaks from callsite_stats.leaked_*"

# ---- reports that need rows: why not -------------------------------------------------------
refused() { # WHAT REGEX ARGS...
    local what=$1 re=$2; shift 2
    "$HEAPQL_BIN" report agg.db "$@" >out 2>err; local rc=$?
    check_eq "1|1|" "$rc|$(wc -l <err)|$(cat out)" "$what: exit 1, one line"
    check_match "^heapql: this recording is aggregated \(heapql run --aggregate\): .*$re" "$(cat err)" "$what: message"
}
refused "histogram" "the allocation rows that histograms need" histogram
refused "temporary" "lifetimes .*report top --sort temporary" temporary
refused "time window" "time windows \(--from, --to\)" top --from 0.001
refused "time window leaks" "time windows" leaks --to peak

# ---- with sampling -------------------------------------------------------------------
"$HEAPQL_BIN" run -q --aggregate --sample-rate 4096 -o both.db -- "$P" uniform 50000 64 >out 2>&1
check_eq "0|1|4096" "$(q both.db "SELECT (SELECT count(*) FROM allocations),
    (SELECT value FROM meta WHERE key = 'aggregate'), (SELECT value FROM meta WHERE key = 'sample_rate')")" \
    "aggregated and sampled"
check_match "^note: sampled: estimates \(1 sample per 4096 bytes\); aggregated" \
    "$("$HEAPQL_BIN" report both.db)" "both notes"

# ---- standalone ------------------------------------------------------------------------
wait_complete() {
    for _ in $(seq 1 300); do
        [ "$(q "$1" "SELECT value FROM meta WHERE key='status'" 2>/dev/null)" = complete ] && return 0
        sleep 0.1
    done
    return 1
}
LD_PRELOAD="$HEAPQL_SHIM" HEAPQL_OUTPUT="$T/st.db" HEAPQL_AGGREGATE=1 HEAPQL_BIN="$HEAPQL_BIN" \
    "$P" mix >out 2>err
check_true "standalone aggregated recording completes" wait_complete st.db
check_eq "1|0" "$(q st.db "SELECT (SELECT value FROM meta WHERE key = 'aggregate'),
    (SELECT count(*) FROM allocations)")" "standalone: aggregated"
# (usable sizes of aligned blocks depend on the heap's layout, not compared here)
TOTALS="SELECT count(*), sum(alloc_count), sum(alloc_bytes), sum(free_count), sum(leaked_blocks),
        sum(temporary_count), sum(failed_count) FROM callsite_stats"
check_eq "$(q full.db "$TOTALS")" "$(q st.db "$TOTALS")" "standalone: the same totals"
LD_PRELOAD="$HEAPQL_SHIM" HEAPQL_OUTPUT="$T/sb.db" HEAPQL_AGGREGATE=yes HEAPQL_BIN="$HEAPQL_BIN" \
    "$P" uniform 10 8 >out 2>err; rc=$?
for _ in $(seq 1 100); do grep -q HEAPQL_AGGREGATE err && break; sleep 0.1; done
check_eq "0|uniform 10 x 8 done" "$rc|$(cat out)" "standalone, bad HEAPQL_AGGREGATE: the program runs"
check_match "^heapql: HEAPQL_AGGREGATE must be 0 or 1, not 'yes': not recording" "$(cat err)" \
    "standalone, bad HEAPQL_AGGREGATE: message"
finish
