# Fault matrix, allocation inside signal handlers.
#  - A handler running outside any hook (raise() from plain code, on an
#    alternate signal stack) is recorded exactly like other code.
#  - A handler that interrupts a hook (asynchronous signals during a
#    malloc/free loop) runs with that hook's recursion guard held: its own
#    events pass through unrecorded (docs/RELIABILITY.md).  The interrupted
#    event itself is recorded exactly, and nothing is corrupted.
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"
K=1000
M=300000

record s.db "$HQ_PROGS/rel_sigalloc" "$K" "$M"
check_eq 0 "$RC" "exit status"
h=$(awk '{ print $4 }' "$T/out")
check_match "^sigalloc $K $M [0-9]+$" "$(cat "$T/out")" "program output"
check_valid s.db "signals"
check_eq complete "$(meta s.db status)" "status"
check_eq "$K|0|$K|$K" "$(q s.db 'SELECT sum(size = 81), sum(size = 81 AND free_ns IS NULL),
    sum(size = 82), sum(size = 82 AND free_ns IS NULL) FROM allocations')" "synchronous handlers: exact"
check_eq "$M|0" "$(q s.db 'SELECT count(*), sum(free_ns IS NULL) FROM allocations WHERE size = 83')" \
    "interrupted hooks: every event of the main loop, exactly"
check_eq "on_usr1" "$(q s.db "SELECT DISTINCT f.function FROM allocations a JOIN callsites c ON c.id = a.callsite_id
    JOIN frames f ON f.id = c.frame_id WHERE a.size = 82")" "stacks through the alternate signal stack"
mmaps=$(q s.db "SELECT count(*) FROM vm_events v JOIN kinds k ON k.id = v.kind WHERE k.name = 'mmap' AND v.length = 12288")
munmaps=$(q s.db "SELECT count(*) FROM vm_events v JOIN kinds k ON k.id = v.kind WHERE k.name = 'munmap' AND v.length = 12288")
check_true "asynchronous handlers: some ran outside hooks and were recorded ($mmaps of $h)" \
    test "$mmaps" -ge 1 -a "$mmaps" -le "$h"
check_eq "$mmaps" "$munmaps" "asynchronous handlers: map and unmap recorded together"
check_eq "0|0" "$(q s.db 'SELECT unknown_frees, missed_frees FROM processes')" "no unknown or missed frees"
finish
