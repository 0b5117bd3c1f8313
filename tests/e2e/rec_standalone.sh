# LD_PRELOAD=libheapql.so HEAPQL_OUTPUT=out.db PROG: the shim starts its own
# collector; the program runs as usual.
. "$(dirname "$0")/lib.sh"

LD_PRELOAD="$HEAPQL_SHIM" HEAPQL_OUTPUT="$T/s.db" HEAPQL_BIN="$HEAPQL_BIN" \
    "$HQ_PROGS/rec_basic" >out 2>err; rc=$?
check_eq 0 "$rc" "program status"
check_eq "basic done" "$(cat out)" "program output"
check_eq "" "$(cat err)" "nothing on stderr"
for i in $(seq 1 300); do
    [ "$(q s.db "SELECT value FROM meta WHERE key='status'" 2>/dev/null)" = complete ] && break
    sleep 0.1
done
check_eq complete "$(q s.db "SELECT value FROM meta WHERE key='status'")" "collector finished"
check_eq 1 "$(q s.db "SELECT value FROM meta WHERE key='symbolized'")" "symbolized before 'complete'"
check_eq 1 "$(q s.db "SELECT count(*) > 0 FROM frames WHERE function = 'main'")" "main symbolized"
check_eq "21|6885" "$(qm s.db 'SELECT count(*), sum(size) FROM mine')" "allocations"
check_eq "5|500" "$(q s.db 'SELECT count(*), sum(size) FROM leaks')" "leaks"

# A child started from a standalone-recorded shell joins the same database.
LD_PRELOAD="$HEAPQL_SHIM" HEAPQL_OUTPUT="$T/sh.db" HEAPQL_BIN="$HEAPQL_BIN" \
    sh -c "$HQ_PROGS/rec_basic >/dev/null; true"; rc=$?
check_eq 0 "$rc" "script status"
for i in $(seq 1 300); do
    [ "$(q sh.db "SELECT value FROM meta WHERE key='status'" 2>/dev/null)" = complete ] && break
    sleep 0.1
done
check_eq 1 "$(q sh.db "SELECT count(*) FROM processes WHERE exe LIKE '%/rec_basic'")" "child recorded"
check_eq 1 "$(q sh.db "SELECT count(*) FROM allocations WHERE size = 5000")" "child's figures"

# A malformed HEAPQL_DEPTH: one clear line, the program still runs.
LD_PRELOAD="$HEAPQL_SHIM" HEAPQL_OUTPUT="$T/bad.db" HEAPQL_DEPTH=zero HEAPQL_BIN="$HEAPQL_BIN" \
    "$HQ_PROGS/rec_basic" >out 2>err; rc=$?
sleep 0.5
check_eq 0 "$rc" "program status with bad depth"
check_eq "basic done" "$(cat out)" "program output with bad depth"
check_match "HEAPQL_DEPTH" "$(cat err)" "bad depth message"
finish
