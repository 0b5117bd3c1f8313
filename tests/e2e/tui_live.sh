# heapql tui on a recording still being written: the LIVE marker, figures
# that grow about once a second, leaks said to be unknown yet; when the
# program ends, the status bar says the recording ended and the final
# figures stay on screen (tests/progs/tui_live 8000: 400 steps, a page of
# 4096 B leaked every 25th: 16 blocks, 64 KiB).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.bash"

"$HEAPQL_BIN" run -q -o live.db -- "$HQ_PROGS/tui_live" 8000 >/dev/null 2>&1 &
run_pid=$!
qro() { sqlite3 -batch -noheader -readonly "$1" "$2" 2>/dev/null; }
for _ in $(seq 1 100); do # the collector creates the file and commits every ~0.2 s
    [ "$(qro live.db "SELECT value FROM meta WHERE key='status'")" = recording ] && break
    sleep 0.05
done
check_eq recording "$(qro live.db "SELECT value FROM meta WHERE key='status'")" "recording"

tui_start 120 40 "env TERM=xterm-256color LANG=C.UTF-8 $HEAPQL_BIN tui live.db"
check_screen "● LIVE" "LIVE marker in the status bar"
check_screen "status +recording \(live: figures so far\)" "summary: live status"
check_screen "allocations +[0-9,]+ freed so far" "summary: rows so far"
check_screen "processes +1 \(pid [0-9]+, running\)" "summary: the process runs"
tui_keys 2
check_screen "^ Call sites +[0-9]+ stacks, by peak +\[live: figures so far\]" "call sites: live figures"
# symbols come when the recording ends: until then, module+offset
check_screen "tui_live\+0x[0-9a-f]+" "call sites: stacks while recording (not symbolized yet)"
tui_keys 5
check_screen "still recording: leaks are known when the recording ends" "leaks: unknown while live"
tui_keys 1
check_screen "^ Summary .*freed so far|allocations +[0-9,]+ freed so far" "back on the summary"
# the figures grow: read the count twice, a second and more apart
first=$(tui_screen | sed -nE 's/.*allocations +([0-9,]+) freed so far.*/\1/p' | tr -d ,)
grown=0
for _ in $(seq 1 60); do
    sleep 0.1
    now=$(tui_screen | sed -nE 's/.*allocations +([0-9,]+) freed so far.*/\1/p' | tr -d ,)
    if [ -n "$now" ] && [ -n "$first" ] && [ "$now" -gt "$first" ]; then grown=1; break; fi
done
check_eq 1 "$grown" "live figures grow ($first, then ${now:-?})"
check_screen "run time +[0-9.]+ s so far" "summary: run time so far"


# the end
wait "$run_pid"
check_eq 0 "$?" "recording finished"
check_screen "recording ended: complete" "status bar: recording ended" 15
check_no_screen "● LIVE" "no LIVE marker after the end"
tui_keys 5
check_screen "^ Leaks +64\.00 KiB leaked in 16 blocks from 1 stack" "final leaks: 16 x 4096 B" 15
check_screen "leak_page \(tui_live\.c:[0-9]+\)" "final leaks: leak_page's stack, symbolized"
tui_keys 2
check_screen "churn \(tui_live\.c:[0-9]+\)" "final call sites: churn, symbolized"
tui_keys 1
check_screen "status +complete \(recording ended\)" "summary: complete"
check_screen "leaked +64\.00 KiB in 16 blocks" "summary: final leaks"
check_screen "processes +1 \(pid [0-9]+, exited 0\)" "summary: the process exited"
tui_keys q
check_eq 0 "$(tui_exited 10)" "q quits, exit status 0"
finish
