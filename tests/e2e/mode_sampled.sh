# heapql run --sample-rate: with rate 1 every block is recorded with weight 1
# (the figures are those of a full recording); blocks of at least the rate
# are always recorded; with rate 4096 the estimates of 100000 blocks of 64
# bytes fall within 5 standard deviations of the truth; bad values are
# refused; HEAPQL_SAMPLE_RATE does the same for the standalone shim.
. "$(dirname "$0")/lib.sh"
P=$HQ_PROGS/mode_blocks

# Every callsite_stats row keyed by its whole stack (module path + rel_pc per
# frame, innermost first): comparable between two recordings.
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
# unknown and unsampled frees together: a sampled run cannot tell them apart
PROC_FIGURES="SELECT peak_heap_bytes, peak_heap_blocks, alloc_calls, free_calls, failed_allocs,
       unknown_frees + unsampled_frees, missed_frees FROM processes ORDER BY start_ns"
# site(DB, FUNCTION, COLUMN): a callsite_stats column of the call site in FUNCTION
site() {
    q "$1" "SELECT sum(s.$3) FROM callsite_stats s JOIN callsites c ON c.id = s.callsite_id
            JOIN frames f ON f.id = c.frame_id WHERE f.function = '$2'"
}

# ---- rate 1: exact ---------------------------------------------------------------
record full.db "$P" mix
check_eq "0|mix done" "$RC|$(cat out)" "full recording"
"$HEAPQL_BIN" run --sample-rate 1 -o one.db -- "$P" mix >out 2>err; rc=$?
check_eq "0|mix done" "$rc|$(cat out)" "rate 1 recording"
check_match "sampled: estimates \(1 sample per 1 bytes\)" "$(cat err)" "run summary says sampled"
check_eq 1 "$(q one.db "SELECT value FROM meta WHERE key = 'sample_rate'")" "meta sample_rate"
check_eq 0 "$(q full.db "SELECT value FROM meta WHERE key = 'sample_rate'")" "full: sample_rate 0"
want=$(q full.db "$STATS_BY_STACK")
check_true "full recording has call sites" test "$(printf '%s\n' "$want" | wc -l)" -gt 10
check_eq "$want" "$(q one.db "$STATS_BY_STACK")" "rate 1: callsite_stats equal the full run's"
check_eq "$(q full.db "$PROC_FIGURES")" "$(q one.db "$PROC_FIGURES")" "rate 1: processes equal"
check_eq "$(q full.db 'SELECT count(*), sum(size) FROM allocations')" \
    "$(q one.db 'SELECT count(*), sum(size) FROM allocations')" "rate 1: every block is a row"
check_eq "1|1" "$(q one.db 'SELECT min(weight) = 1, max(weight) = 1 FROM allocations')" "rate 1: weights"
check_eq 250 "$(site one.db site_keep leaked_blocks)" "rate 1: leaks of site_keep"
check_eq 800 "$(site one.db site_temp temporary_count)" "rate 1: temporaries (500 main + 300 thread)"
# reports read the same figures; the note says how they were made
TIMING='^(status|run_ns|ring_wait.*|peak_ns|peak_rss_bytes),'
sum_full=$("$HEAPQL_BIN" report full.db --format csv | grep -Ev "$TIMING")
sum_one=$("$HEAPQL_BIN" report one.db --format csv | grep -Ev "$TIMING")
check_eq "$sum_full" "$sum_one" "rate 1: summary figures"
check_match "^note: sampled: estimates \(1 sample per 1 bytes\)" "$("$HEAPQL_BIN" report one.db)" \
    "summary note"

# ---- blocks of at least the rate: always ---------------------------------------------
R=1048576
"$HEAPQL_BIN" run -q --sample-rate $R -o big.db -- "$P" big $R >out 2>&1
check_eq "80|1|1" "$(q big.db "SELECT count(*), min(weight) = 1, max(weight) = 1 FROM allocations
                               WHERE size >= $R")" "every block >= rate is a row, weight 1"
check_eq "80|$((120 * R))|0" "$(site big.db site_big alloc_count)|$(site big.db site_big alloc_bytes)|$(site big.db site_big leaked_blocks)" \
    "site_big is exact"
small_rows=$(q big.db "SELECT count(*) FROM allocations WHERE size = 100")
check_true "few of the 2000 small blocks are rows ($small_rows)" test "$small_rows" -lt 20

# ---- rate 4096: estimates within 5 sigma -------------------------------------------
N=100000; S=64; RATE=4096
"$HEAPQL_BIN" run -q --sample-rate $RATE -o est.db -- "$P" uniform $N $S >out 2>&1
check_eq "uniform $N x $S done" "$(cat out)" "uniform ran"
# p = 1 - exp(-S/R); estimate of the count: Var = N (1 - p) / p; rows ~ Binomial(N, p)
read -r p sd_n rows_mean rows_sd <<EOF
$(awk -v n=$N -v s=$S -v r=$RATE 'BEGIN { p = 1 - exp(-s / r);
    printf "%.12f %.3f %.3f %.3f\n", p, sqrt(n * (1 - p) / p), n * p, sqrt(n * p * (1 - p)) }')
EOF
within() { # within WHAT VALUE EXPECTED SD
    CHECKS=$((CHECKS + 1))
    if ! awk -v v="$2" -v e="$3" -v sd="$4" 'BEGIN { exit !(v - e <= 5 * sd && e - v <= 5 * sd) }'; then
        FAILS=$((FAILS + 1))
        echo "FAIL: $1: $2 is not within 5 x $4 of $3" >&2
    fi
}
n_est=$(site est.db site_uniform alloc_count)
within "estimated allocations" "$n_est" $N "$sd_n"
within "estimated bytes" "$(site est.db site_uniform alloc_bytes)" $((N * S)) "$(awk -v s="$sd_n" -v b=$S 'BEGIN { print s * b }')"
within "estimated blocks live at the peak" "$(site est.db site_uniform peak_blocks)" $N "$sd_n"
check_eq "$n_est|0" "$(site est.db site_uniform free_count)|$(site est.db site_uniform leaked_blocks)" \
    "every sampled block freed: frees = allocations"
rows=$(q est.db "SELECT count(*) FROM allocations a JOIN callsites c ON c.id = a.callsite_id
                 JOIN frames f ON f.id = c.frame_id WHERE f.function = 'site_uniform'")
within "recorded rows" "$rows" "$rows_mean" "$rows_sd"
# (callsite_stats keeps the sum in fixed point, rounded down: within 1)
check_eq "$rows|1" "$rows|$(q est.db "SELECT abs(sum(weight) - $n_est) < 1 FROM allocations a
    JOIN callsites c ON c.id = a.callsite_id JOIN frames f ON f.id = c.frame_id
    WHERE f.function = 'site_uniform'")" "SQL: sum(weight) is the estimate"
unsampled=$(q est.db "SELECT unsampled_frees, unknown_frees FROM processes")
check_true "frees of unsampled blocks counted apart ($unsampled)" \
    awk -v u="${unsampled%|*}" -v n=$N -v r="$rows" -v k="${unsampled#*|}" 'BEGIN { exit !(u >= n - r && k == 0) }'
out=$("$HEAPQL_BIN" report est.db top --format json)
check_match '"sample_rate": 4096' "$out" "top JSON names the rate"
check_match "other frees" "$("$HEAPQL_BIN" report est.db)" "summary: frees of unsampled blocks"

# ---- rate 0 is a full recording ---------------------------------------------------
"$HEAPQL_BIN" run -q --sample-rate 0 -o zero.db -- "$P" mix >out 2>&1
check_eq "$want" "$(q zero.db "$STATS_BY_STACK")" "rate 0: a full recording"

# ---- bad values: one line, exit 2, nothing started ---------------------------------------
for v in -1 abc 4k 1.5 1073741825 99999999999999999999 ""; do
    "$HEAPQL_BIN" run --sample-rate "$v" -o bad.db -- "$P" mix >out 2>err; rc=$?
    check_eq "2|1|" "$rc|$(wc -l <err)|$(cat out)" "--sample-rate '$v': exit 2, one line"
    check_match "^heapql: --sample-rate must be a whole number of bytes from 0 \(record every allocation\) to 1073741824, not '$v'" \
        "$(cat err)" "--sample-rate '$v': message"
done
"$HEAPQL_BIN" run -o bad.db --sample-rate >out 2>err; rc=$?
check_eq "2|heapql: option --sample-rate needs a value" "$rc|$(cat err)" "--sample-rate without value"
check_true "no database for bad values" test ! -e bad.db

# ---- standalone: HEAPQL_SAMPLE_RATE --------------------------------------------------------
wait_complete() {
    for _ in $(seq 1 300); do
        [ "$(q "$1" "SELECT value FROM meta WHERE key='status'" 2>/dev/null)" = complete ] && return 0
        sleep 0.1
    done
    return 1
}
LD_PRELOAD="$HEAPQL_SHIM" HEAPQL_OUTPUT="$T/st.db" HEAPQL_SAMPLE_RATE=$RATE HEAPQL_BIN="$HEAPQL_BIN" \
    "$P" uniform 20000 $S >out 2>err
check_true "standalone sampled recording completes" wait_complete st.db
check_eq "$RATE" "$(q st.db "SELECT value FROM meta WHERE key = 'sample_rate'")" "standalone: meta"
check_true "standalone: sampled rows only" test "$(q st.db 'SELECT count(*) FROM allocations')" -lt 2000
LD_PRELOAD="$HEAPQL_SHIM" HEAPQL_OUTPUT="$T/sb.db" HEAPQL_SAMPLE_RATE=lots HEAPQL_BIN="$HEAPQL_BIN" \
    "$P" uniform 10 8 >out 2>err; rc=$?
for _ in $(seq 1 100); do grep -q HEAPQL_SAMPLE_RATE err && break; sleep 0.1; done
check_eq "0|uniform 10 x 8 done" "$rc|$(cat out)" "standalone, bad rate: the program runs"
check_match "^heapql: HEAPQL_SAMPLE_RATE must be a whole number of bytes from 0 \(every allocation\) to 1073741824, not 'lots': not recording" \
    "$(cat err)" "standalone, bad rate: message"
HEAPQL_SAMPLE_RATE=-5 "$HEAPQL_BIN" run -q -o env.db -- "$P" mix >out 2>err; rc=$?
check_eq "1|" "$rc|$(cat out)" "heapql run refuses a malformed HEAPQL_SAMPLE_RATE like HEAPQL_DEPTH"
finish
