# A report on a recording still being written: it says so, shows what is
# there, exits 0 promptly; once the recording ends, the same report is
# complete.
. "$(dirname "$0")/lib.sh"
H=$HEAPQL_BIN

"$H" run -q -o live.db -- "$HQ_PROGS/rep_slow" 15000 >/dev/null 2>&1 &
run_pid=$!
# read-only queries: a plain sqlite3 would create live.db before the collector
qro() { sqlite3 -batch -noheader -readonly "$1" "$2" 2>/dev/null; }
n=0
for _ in $(seq 1 30); do # the 5 freed blocks reach the database within ~0.2 s
    n=$(qro live.db 'SELECT count(*) FROM allocations')
    [ "${n:-0}" -ge 5 ] && break
    sleep 0.1
done
check_eq 5 "$n" "freed blocks written while recording"
check_eq recording "$(qro live.db "SELECT value FROM meta WHERE key='status'")" "status recording"

start=$(date +%s)
out=$(timeout 20 "$H" report live.db 2>"$T/e"); rc=$?
check_eq 0 "$rc" "summary on a live recording: exit 0"
check_match "^note: still recording: figures so far" "$out" "live: the note"
check_match "status         still recording" "$out" "live: status line"
check_match "allocations    5 calls, 5,000 B|allocations    5 calls, 4\.88 KiB" "$out" "live: what is there"
for r in top leaks temporary histogram timeline flamegraph; do
    timeout 20 "$H" report live.db "$r" >"$T/o" 2>"$T/e"
    check_eq 0 "$?" "live: report $r exits 0"
done
check_match "figures are incomplete" "$("$H" report live.db leaks)" "live: leaks say they are incomplete"
check_eq 0 "$(qro live.db "SELECT count(*) FROM meta WHERE key='symbolized' AND value=1")" "live: not symbolized under the collector"
check_true "live reports took under 10 s (the recording lasts 15)" test $(($(date +%s) - start)) -lt 10

wait "$run_pid"
check_eq 0 "$?" "recording finished"
out=$("$H" report live.db)
check_match "status         complete" "$out" "finished: complete"
check_match "allocations    10 calls, 9\.77 KiB" "$out" "finished: every block"
check_match "leaked         4\.88 KiB in 5 blocks" "$out" "finished: leaks known"
finish
