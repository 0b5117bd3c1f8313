# Fault matrix, the disk fills up: the collector's database cannot grow
# (HEAPQL_FAULT_DB_MAX_PAGES, a test hook; then a real RLIMIT_FSIZE set on
# the collector alone).  `heapql run` says so in one line, the program is not
# harmed (output, exit status, fork children not held up), and the file is
# valid SQLite that does not claim to be complete.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"
N=400000

# 40 pages of 64 KiB: the schema and some 60,000 rows fit.
HEAPQL_FAULT_DB_MAX_PAGES=40 "$HEAPQL_BIN" run -q -o full.db -- "$HQ_PROGS/rel_disk" "$N" 10 \
    >out 2>err; rc=$?
check_eq 7 "$rc" "the program's exit status"
check_eq "disk done $N" "$(head -1 out)" "the program's output"
slow=$(awk '/^slowest child/ { print $3 }' out)
check_true "fork children after the failure start at once (slowest ${slow:-?} ms)" \
    test "${slow:-99999}" -lt 5000
check_eq 1 "$(grep -c 'recording stopped: .*database or disk is full (the program keeps running)' err)" \
    "one clear line says why the recording stopped"
check_eq 0 "$(grep -vc '^heapql: ' err)" "nothing but heapql's own lines on stderr"
check_valid full.db "disk full"
check_eq truncated "$(meta full.db status)" "status"
check_match "disk is full" "$(meta full.db truncated_reason)" "reason"
check_eq 0 "$(q full.db 'SELECT count(*) FROM allocations WHERE free_ns < alloc_ns')" "rows are consistent"
out=$("$HEAPQL_BIN" report full.db 2>rep.err); rc=$?
check_eq 0 "$rc" "report on the truncated database"
check_match "truncated: .*disk is full" "$out" "report shows the reason"
no_crash_in err "run"; no_crash_in rep.err "report"

# A limit too small for the schema: refused before the program starts.
HEAPQL_FAULT_DB_MAX_PAGES=2 "$HEAPQL_BIN" run -q -o tiny.db -- "$HQ_PROGS/rel_disk" 1 0 >out 2>err; rc=$?
check_eq 1 "$rc" "no room for the schema: an error"
check_eq "" "$(cat out)" "the program did not start"
check_eq 1 "$(wc -l <err)" "one line"
check_match "disk is full" "$(cat err)" "message"
check_true "nothing left behind" test ! -e tiny.db
for bad in 0 -1 x 1e3 99999999999; do
    HEAPQL_FAULT_DB_MAX_PAGES=$bad "$HEAPQL_BIN" run -q -o bad.db -- "$HQ_PROGS/rel_disk" 1 0 >out 2>err; rc=$?
    check_eq "1|1" "$rc|$(wc -l <err)" "malformed HEAPQL_FAULT_DB_MAX_PAGES='$bad'"
    check_match "HEAPQL_FAULT_DB_MAX_PAGES must be" "$(cat err)" "message for '$bad'"
done

# phased DB LIMIT-COMMAND...: rel_collkill under heapql run; once its first
# phase is committed (seen by a reader), the limit is applied and the second
# phase overflows the database.  Sets RC, and $hq/$target.
phased() {
    local db=$1; shift
    rm -f "$T/ready" "$T/go" "$T/pid"
    "$HEAPQL_BIN" run -q -o "$db" -- "$HQ_PROGS/rel_collkill" "$T" 20000 "$N" >out 2>err &
    hq=$!
    check_true "$db: the program reached its pause" wait_until 120 test -e "$T/ready"
    target=$(cat "$T/pid")
    committed() { [ "$(q "$db" 'SELECT count(*) FROM allocations WHERE size = 101' 2>/dev/null)" = 20000 ]; }
    check_true "$db: first phase committed" wait_until 120 committed
    "$@"
    touch "$T/go"
    if ! wait_until 120 eval '! kill -0 $hq 2>/dev/null'; then
        check_true "$db: heapql finished" false
        kill -9 "$hq" "$target" 2>/dev/null
    fi
    wait "$hq"; RC=$?
    check_eq 42 "$RC" "$db: the program's exit status"
    check_eq "collkill done $N" "$(cat out)" "$db: the program's output"
    # while the program runs, or (a fast program: its rows still queued when it
    # ends) at the final commit
    local why
    why=$(( $(grep -c 'recording stopped: .*(the program keeps running)' err) +
            $(grep -c 'could not finish the database: ' err) ))
    check_eq 1 "$why" "$db: one line says why (once)"
    check_valid "$db" "$db"
    check_eq 20000 "$(q "$db" 'SELECT count(*) FROM allocations WHERE size = 101')" \
        "$db: rows committed before the disk filled are kept"
    check_eq 0 "$(q "$db" 'SELECT count(*) FROM allocations WHERE free_ns < alloc_ns')" "$db: consistent rows"
    no_crash_in err "$db"
}

# The page limit only once the first phase is in: a disk that fills later.
# (The hook is read at the start, so here the limit is large enough for the
# first phase and too small for the second.)
export HEAPQL_FAULT_DB_MAX_PAGES=60
phased late.db true
unset HEAPQL_FAULT_DB_MAX_PAGES
check_eq truncated "$(meta late.db status)" "late: status"
check_match "disk is full" "$(meta late.db truncated_reason)" "late: reason"

# RLIMIT_FSIZE on the collector only: set on `heapql run` while the program
# runs (the program keeps its own limit).
fsize() {
    check_true "prlimit on the collector" prlimit --pid "$hq" --fsize=4000000
    check_eq "unlimited" "$(prlimit --pid "$target" --fsize --output SOFT --noheadings | xargs)" \
        "the program's own limit is untouched"
}
phased fsize.db fsize
check_true "RLIMIT_FSIZE: status is not complete" test "$(meta fsize.db status)" != complete
check_match "File too large" "$(cat err)" "RLIMIT_FSIZE: the system's reason"
finish
