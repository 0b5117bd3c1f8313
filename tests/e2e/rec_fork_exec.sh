# fork children and exec'd images are recorded as processes of their own.
. "$(dirname "$0")/lib.sh"

record f.db "$HQ_PROGS/rec_fork"
check_eq 5 "$RC" "exit status (the child's, passed on)"
check_eq 2 "$(q f.db 'SELECT count(*) FROM processes')" "two processes"
parent=$(q f.db 'SELECT pid FROM processes WHERE forked = 0')
check_eq "1|$parent|5" "$(q f.db 'SELECT count(*), ppid, exit_code FROM processes WHERE forked = 1')" "child row"
child=$(q f.db 'SELECT pid FROM processes WHERE forked = 1')
check_eq "7|5|385" "$(q f.db "SELECT count(*), sum(free_ns IS NULL), sum(CASE WHEN free_ns IS NULL THEN size END) FROM allocations WHERE pid = $child AND size = 77")" "child's allocations"
check_eq "3|2" "$(q f.db "SELECT sum(size = 33), sum(size = 22) FROM allocations WHERE pid = $parent")" "parent's allocations"
check_eq "0" "$(q f.db "SELECT count(*) FROM allocations WHERE pid = $child AND size IN (22, 33)")" "no parent rows in the child"

# A shell script whose children exec: every image is there.
record s.db sh -c "$HQ_PROGS/rec_basic; $HQ_PROGS/rec_basic; true"
check_eq 0 "$RC" "script status"
check_eq 2 "$(q s.db "SELECT count(*) FROM processes WHERE exe LIKE '%/rec_basic'")" "both rec_basic images"
check_eq "2|10|1000" "$(q s.db 'SELECT sum(size = 5000), sum(size = 100 AND free_ns IS NULL), sum(CASE WHEN size = 100 AND free_ns IS NULL THEN size END) FROM allocations')" "figures of both runs"
check_true "the shell is there too" test "$(q s.db "SELECT count(*) FROM processes WHERE exe LIKE '%sh'")" -ge 1
finish
