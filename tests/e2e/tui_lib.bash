# tui_lib.bash -- sourced by the tests/e2e/tui_*.sh tests (after lib.sh):
# drive `heapql tui` in a private tmux server and read what the screen
# shows.  Every wait polls capture-pane with a timeout, never a fixed sleep.
#   tui_start W H CMD       a detached session of W x H running CMD
#   tui_screen [-e]         the visible pane (-e: with colours/attributes)
#   tui_wait REGEX [SECS]   until the screen matches (default 10 s); 1 on timeout
#   tui_gone REGEX [SECS]   until the screen no longer matches
#   tui_keys KEY...         tmux send-keys
#   tui_exited [SECS]       the exit status of the pane's command, once it exited
#   check_screen REGEX WHAT [SECS]  a check: the screen comes to match
#   check_no_screen REGEX WHAT      a check: the screen does not match now
#   check_until WHAT SECS CMD...    a check: CMD comes to succeed
TUI_N=0
TUI_SOCK=heapql-e2e-$$-0
trap 'tmux -L "$TUI_SOCK" kill-server >/dev/null 2>&1; rm -rf "$T"' EXIT

command -v tmux >/dev/null || { echo "$(basename "$0"): tmux not installed: skipped"; exit 0; }

tui_tmux() { tmux -L "$TUI_SOCK" "$@"; }

tui_start() {
    local w=$1 h=$2; shift 2
    tui_tmux kill-server >/dev/null 2>&1
    TUI_N=$((TUI_N + 1))          # a new server each time: no race with the old one
    TUI_SOCK=heapql-e2e-$$-$TUI_N
    TUI_EXIT=$T/tui-exit.$TUI_N   # the command's exit status, once it exits
    # remain-on-exit before the pane starts: a command that exits at once
    # (a bad database) still leaves its last screen to read
    tui_tmux -f /dev/null start-server \; set-option -g remain-on-exit on \; \
        new-session -d -s main -x "$w" -y "$h" "$*; echo \$? >$TUI_EXIT"
}

tui_screen() { tui_tmux capture-pane -p "$@" -t main 2>/dev/null; }

tui_wait() {
    local re=$1 secs=${2:-10} i
    for ((i = 0; i < secs * 50; i++)); do
        tui_screen | grep -Eq -- "$re" && return 0
        sleep 0.02
    done
    return 1
}

tui_gone() {
    local re=$1 secs=${2:-10} i
    for ((i = 0; i < secs * 50; i++)); do
        tui_screen | grep -Eq -- "$re" || return 0
        sleep 0.02
    done
    return 1
}

tui_keys() { tui_tmux send-keys -t main "$@"; }

# tui_exited [SECS]: wait until the command started by tui_start has
# exited; prints its exit status (128 + N: killed by signal N), or
# "running" on timeout.
tui_exited() {
    local secs=${1:-10} i
    for ((i = 0; i < secs * 50; i++)); do
        [ -s "$TUI_EXIT" ] && { cat "$TUI_EXIT"; return 0; }
        sleep 0.02
    done
    echo running
}

check_screen() {
    CHECKS=$((CHECKS + 1))
    if ! tui_wait "$1" "${3:-10}"; then
        FAILS=$((FAILS + 1))
        echo "FAIL: $2: '$1' not on screen:" >&2
        tui_screen >&2
    fi
}

# check_until WHAT SECS COMMAND...: a check that COMMAND comes to succeed
# (the screen is repainted asynchronously: poll, never sleep)
check_until() {
    local what=$1 secs=$2 i; shift 2
    CHECKS=$((CHECKS + 1))
    for ((i = 0; i < secs * 50; i++)); do
        "$@" && return 0
        sleep 0.02
    done
    FAILS=$((FAILS + 1))
    echo "FAIL: $what" >&2
    tui_screen >&2
}

# screen_e_has REGEX: the screen with its attributes matches (one line)
screen_e_has() { tui_screen -e | grep -Eq -- "$1"; }

check_no_screen() {
    CHECKS=$((CHECKS + 1))
    if tui_screen | grep -Eq -- "$1"; then
        FAILS=$((FAILS + 1))
        echo "FAIL: $2: '$1' is on screen:" >&2
        tui_screen >&2
    fi
}
