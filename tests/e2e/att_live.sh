# heapql attach --live: the terminal UI opens on the recording while it
# runs (the LIVE marker, the attached process running); quitting it ends
# the recording: heapql detaches, finishes the database and prints its
# summary; the server runs on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/att_lib.bash"
. "$(dirname "$0")/tui_lib.bash"

att_start "$HQ_PROGS/att_server"
tui_start 120 40 "env TERM=xterm-256color LANG=C.UTF-8 $HEAPQL_BIN attach $APID --live -o live.db"
check_screen "● LIVE" "LIVE marker in the status bar" 20
check_screen "processes +1 \(pid $APID, running\)" "summary: the attached process runs"
check_screen "allocations +[0-9,]+ freed so far" "summary: allocations so far"
sleep 0.5
tui_keys q
check_eq 0 "$(tui_exited 60)" "quitting the UI ends the recording: exit status 0"
check_match "recorded process $APID \(att_server\) for [0-9.]+ s, then detached \(it runs on\)" \
    "$(tui_tmux capture-pane -p -S - -t main)" "the summary after the UI"
check_eq complete "$(q live.db "SELECT value FROM meta WHERE key='status'")" "status"
check_eq "attach|detached" "$(q live.db "SELECT (SELECT value FROM meta WHERE key='mode'), end_reason
    FROM processes")" "mode and end"
check_true "still running after the detach" kill -0 "$APID"
att_stop
check_eq 0 "$PRC" "exit status of the server"
finish
