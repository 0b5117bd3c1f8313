# heapql attach to a C++ server (tests/progs/att_cxx, att_server's loop with
# new[]/delete[] tags, a std::vector, an aligned new and a leaked 4242-byte
# object every 7th request, a caught std::bad_alloc every 11th): the
# operators reach the shim through the executable's GOT, each block recorded
# once with its operator's kind, the exception objects (allocated by the
# runtime inside the failing operator) as malloc'd blocks freed after the
# catch, and the slots hold libstdc++'s operators again after the detach.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/att_lib.bash"

att_start "$HQ_PROGS/att_cxx"
got0=$(att_got "$APID")
check_match "_Znam -> libstdc\+\+" "$got0" "new[] bound to libstdc++ before"
if att_attach c.db; then
    sleep 1.2
    check_match "_Znam -> libheapql\.so" "$(att_got "$APID")" "new[] leads to heapql while attached"
    att_detach
    check_eq 0 "$ARC" "heapql attach exit status"
else
    check_true "attached ($(cat "$T/att.err"))" false
fi
check_eq "$got0" "$(att_got "$APID")" "GOT slots restored"
att_stop
check_eq 0 "$PRC" "exit status of the server"
check_match "^served [0-9]+ requests, leaked [0-9]+$" "$(cat "$T/prog.out")" "its output"

a=$(tq c.db "SELECT min(i) FROM tags")
b=$(tq c.db "SELECT max(i) FROM tags")
n=$((b - a + 1))
l=$((b / 7 - (a - 1) / 7))
x=$((b / 11 - (a - 1) / 11))
check_eq complete "$(q c.db "SELECT value FROM meta WHERE key='status'")" "status"
check_eq "$n|0" "$(tq c.db "SELECT count(*), sum(free_ns IS NULL) FROM tags")" "requests $a..$b, all freed"
check_eq "malloc|$x|0
operator new|$((n + l))|$l
operator new(align)|$n|0
operator new[]|$n|0" "$(q c.db "SELECT k.name, count(*), sum(a.free_ns IS NULL) FROM allocations a
    JOIN kinds k ON k.id = a.kind GROUP BY k.name ORDER BY k.name")" "every block once, by operator"
check_eq "$l" "$(q c.db "SELECT count(*) FROM leaks WHERE size = 4242")" "one Leak per 7 requests"
check_eq "$x" "$(q c.db "SELECT failed_allocs FROM processes")" "one failed new[] per 11 requests"
check_eq "0|0|0" "$(q c.db "SELECT preexisting_frees, unknown_frees, missed_frees FROM processes")" \
    "nothing unpaired"
finish
