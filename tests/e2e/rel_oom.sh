# Fault matrix, malloc failing: impossible sizes through every allocation
# function (operator new throws std::bad_alloc), then RLIMIT_AS.  Each
# failure is counted as a failed allocation, the program is unharmed.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"

record o.db "$HQ_PROGS/rel_oom"
check_eq 0 "$RC" "exit status"
check_match "^oom [0-9]+ [0-9]+$" "$(cat "$T/out")" "program output"
failed=$(awk '{ print $2 }' "$T/out"); got=$(awk '{ print $3 }' "$T/out")
check_true "RLIMIT_AS let some 1 MiB blocks through ($got)" test "${got:-0}" -gt 10
check_valid o.db "oom"
check_eq complete "$(meta o.db status)" "status"
check_eq "$failed" "$(q o.db 'SELECT failed_allocs FROM processes')" "every failure counted"
check_eq "$got|0" "$(q o.db 'SELECT count(*), sum(free_ns IS NULL) FROM allocations WHERE size = 1048576')" \
    "every 1 MiB block obtained, all freed"
check_eq 0 "$(q o.db "SELECT count(*) FROM allocations WHERE size > 1000000000000")" "failures are never blocks"
# failures with a stack are counted at their call site (a failed realloc has none)
check_eq "$((failed - 20))" "$(q o.db 'SELECT sum(failed_count) FROM callsite_stats')" "failures by call site"
out=$("$HEAPQL_BIN" report o.db 2>rep.err); rc=$?
check_eq 0 "$rc" "report"
check_match "failed +$failed" "$out" "report shows the failures"
no_crash_in rep.err "report"
finish
