# Every operator new/delete variant (tests/progs/rec_cxx.cpp).
. "$(dirname "$0")/lib.sh"

record c.db "$HQ_PROGS/rec_cxx"
check_eq 0 "$RC" "exit status"
check_eq "cxx done" "$(cat "$T/out")" "program output (bad_alloc still thrown)"
# 9 new, 10 new[], 11 new nothrow, 12 new[] nothrow, 13 new aligned,
# 14 new[] aligned, 15 new aligned nothrow, 16 new[] aligned nothrow
check_eq "9:11,19 10:12,20,23 11:13 12:14 13:15,21 14:16,22 15:17 16:18" \
    "$(qm c.db "SELECT kind || ':' || group_concat(size, ',') FROM (SELECT kind, size FROM mine
        WHERE size BETWEEN 11 AND 23 ORDER BY kind, size) GROUP BY kind ORDER BY kind" | tr '\n' ' ' | sed 's/ $//')" \
    "kinds and sizes"
check_eq "1|23" "$(qm c.db 'SELECT count(*), sum(size) FROM mine WHERE free_ns IS NULL AND size BETWEEN 11 AND 23')" "the leaked new[]"
check_eq "1" "$(q c.db 'SELECT failed_allocs FROM processes')" "the failed new"
finish
