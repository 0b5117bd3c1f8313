# The collector is killed but its parent has not reaped it yet.  A writer
# waiting on a full ring must take the zombie for gone (common/hq_ring.c
# reads /proc/PID/stat, since kill(pid, 0) succeeds on a zombie) and detach:
# the program finishes on its own, as it does once the collector is reaped
# (rel_fault_collector.sh).
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"

# rel_reaper holds its child (heapql) unreaped for 60 s.
"$HQ_PROGS/rel_reaper" --hold 60 reap.txt -- "$HEAPQL_BIN" run -q --ring-mb 1 -o z.db -- \
    "$HQ_PROGS/rel_collkill" "$T" 1000 300000 >out 2>err &
reaper=$!
check_true "the program reached its pause" wait_until 60 test -e "$T/ready"
hq=$(awk '/^child / { print $2 }' reap.txt)
kill -9 "$hq"
touch "$T/go"
check_true "the program finishes while its dead collector is a zombie" \
    wait_until 20 grep -q "collkill done" out
kill -9 "$reaper" 2>/dev/null # the program, orphaned again, then runs on and ends
wait "$reaper" 2>/dev/null
finish
