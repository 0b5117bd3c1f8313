# `heapql run --live`: the TUI takes the terminal while the program runs,
# the program's output goes to DB.log, and when the program ends the TUI
# says so and stays open until q; then heapql exits with the program's status.
. "$(dirname "$0")/lib.sh"
S="heapql-runlive-$$"
trap 'tmux -L "$S" kill-server 2>/dev/null; rm -rf "$T"' EXIT
screen() { tmux -L "$S" capture-pane -p -t live 2>/dev/null; }
wait_for() { # REGEX SECONDS
    for _ in $(seq 1 $(($2 * 10))); do screen | grep -Eq -- "$1" && return 0; sleep 0.1; done
    return 1
}
tmux -L "$S" new-session -d -s live -x 120 -y 40 \
    "TERM=xterm-256color '$HEAPQL_BIN' run --live -o '$T/l.db' -- '$HQ_PROGS/rep_slow' 6000; echo \"rc=\$?\" >'$T/rc'; sleep 30"
check_true "the TUI shows the recording live" wait_for "LIVE" 20
check_true "it says when the program ended" wait_for "recording ended" 60
tmux -L "$S" send-keys -t live q
for _ in $(seq 1 100); do [ -s "$T/rc" ] && break; sleep 0.1; done
check_eq "rc=0" "$(cat "$T/rc" 2>/dev/null)" "heapql exits with the program's status after q"
check_true "program output went to the log" test -f "$T/l.db.log"
check_eq complete "$(q "$T/l.db" "SELECT value FROM meta WHERE key='status'")" "database complete"
check_eq "10" "$(q "$T/l.db" 'SELECT count(*) FROM allocations WHERE size = 1000')" "the program's blocks"
finish
