# 8 producers allocate, 8 consumers free: 1.6M blocks cross threads, none leak.
. "$(dirname "$0")/lib.sh"

record t.db "$HQ_PROGS/rec_threads"
check_eq 0 "$RC" "exit status"
check_eq "threads done" "$(cat "$T/out")" "program output"
check_eq complete "$(q t.db "SELECT value FROM meta WHERE key='status'")" "status"
check_eq "1600000|76800000" "$(qm t.db 'SELECT count(*), sum(size) FROM mine WHERE size = 48')" "blocks allocated"
check_eq "0" "$(qm t.db 'SELECT count(*) FROM mine WHERE size = 48 AND free_ns IS NULL')" "none leaked"
check_eq "8" "$(qm t.db 'SELECT count(DISTINCT tid) FROM mine WHERE size = 48')" "allocated by 8 threads"
check_eq "0" "$(q t.db 'SELECT sum(unknown_frees) FROM processes')" "every free paired"
check_eq "0" "$(q t.db 'SELECT count(*) FROM allocations WHERE free_ns IS NOT NULL AND free_ns <= alloc_ns')" "frees after allocations"
check_true "17 threads seen" test "$(q t.db 'SELECT count(DISTINCT tid) FROM threads')" -ge 17
finish
