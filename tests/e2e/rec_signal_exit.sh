# A program killed by SIGKILL after 1000 allocations: all 1000 are there,
# heapql exits 128+9, the database is complete.
. "$(dirname "$0")/lib.sh"

record k.db "$HQ_PROGS/rec_kill" 1000
check_eq 137 "$RC" "exit status 128+SIGKILL"
check_eq "1000|64000" "$(qm k.db 'SELECT count(*), sum(size) FROM mine WHERE size = 64')" "all allocations"
check_eq "1000" "$(qm k.db 'SELECT count(*) FROM mine WHERE size = 64 AND free_ns IS NULL')" "all live at death"
check_eq "9|signal" "$(q k.db 'SELECT exit_signal, end_reason FROM processes')" "death by signal recorded"
check_eq complete "$(q k.db "SELECT value FROM meta WHERE key='status'")" "status"

# A program that exits at once keeps its status.
record e.db "$HQ_PROGS/rec_exit" 7
check_eq 7 "$RC" "exit status passed through"
check_eq "1|7" "$(q e.db 'SELECT count(*), max(exit_code) FROM processes')" "process row"

# One that closes every descriptor, daemon-style, is still recorded.
record f.db "$HQ_PROGS/rec_closefds"
check_eq 0 "$RC" "closefds exit"
check_eq "10|6" "$(qm f.db 'SELECT count(*), sum(free_ns IS NULL) FROM mine WHERE size = 55')" "closefds allocations"
finish
