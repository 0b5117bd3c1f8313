# Fault matrix, allocations at thread exit: pthread key destructors (two
# rounds) and C++ thread_local destructors, in 8 threads and in the main
# thread at exit().  Every one is recorded, frees are paired.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"

record t.db "$HQ_PROGS/rel_tls" 8
check_eq 0 "$RC" "exit status"
check_eq "tls 8" "$(cat "$T/out")" "program output"
check_valid t.db "tls"
check_eq complete "$(meta t.db status)" "status"
check_eq "90|8|0
91|8|0
92|8|8
93|9|0
94|9|0
95|9|9
96|8|0" "$(q t.db 'SELECT size, count(*), sum(free_ns IS NULL) FROM allocations
    WHERE size BETWEEN 90 AND 96 GROUP BY size')" "every destructor's allocations and frees"
check_eq 9 "$(q t.db 'SELECT count(DISTINCT tid) FROM allocations WHERE size = 93')" "nine threads"
check_eq "0|0" "$(q t.db 'SELECT unknown_frees, missed_frees FROM processes')" "every free paired"
finish
