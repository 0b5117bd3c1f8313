# heapql tui on other terminals: monochrome (vt100, NO_COLOR), 8 colours
# (xterm), 256 colours; ASCII only when the locale is not UTF-8 (LANG=C);
# resizes redraw at the new size, a terminal under 40x10 gets a message,
# and q gives the shell back with the terminal modes restored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.bash"

record leaky.db "$HQ_EXAMPLES/leaky"
check_eq 0 "$RC" "recorded"
TUI="$HEAPQL_BIN tui leaky.db"
colours() { tui_screen -e | grep -Eo $'\033\\[[0-9;]*m' | grep -Ec '\[(3[0-7]|4[0-7]|38;5|48;5)' ; }

# vt100: no colour at all, the cursor row in reverse video
tui_start 100 30 "env TERM=vt100 LANG=C.UTF-8 $TUI"
check_screen "^ Summary " "vt100: summary"
tui_keys 2
check_screen "session_open" "vt100: call sites"
check_eq 0 "$(colours)" "vt100: no colour codes"
check_match $'\033\\[7m' "$(tui_screen -e)" "vt100: reverse video for the cursor row"
# n / p on the source view: the reverse-video row moves between the malloc lines
tui_keys / s e s s i o n Enter Enter Enter
check_screen "^ Source " "vt100: source"
check_screen "session_t \*s = malloc" "vt100: the source text"
R=$'\033\\[7m'
check_until "source: the cursor on the session malloc" 10 screen_e_has "$R.*session_t \*s = malloc"
tui_keys n
check_until "n: the cursor on the next allocating line" 10 \
    screen_e_has "$R.*(malloc\(512\)|calloc\(1, 1024\)|session_open\(id\))"
tui_keys p
check_until "p: back on the session malloc" 10 screen_e_has "$R.*session_t \*s = malloc"
tui_keys q

# NO_COLOR with a colour terminal: no colour either
tui_start 100 30 "env TERM=xterm-256color NO_COLOR=1 LANG=C.UTF-8 $TUI"
check_screen "^ Summary " "NO_COLOR: summary"
check_eq 0 "$(colours)" "NO_COLOR: no colour codes"
tui_keys q

# xterm: 8 colours, never the 256-colour ones
tui_start 100 30 "env TERM=xterm LANG=C.UTF-8 $TUI"
check_screen "^ Summary " "xterm: summary"
check_true "xterm: colours" test "$(colours)" -gt 0
check_eq 0 "$(tui_screen -e | grep -c '38;5;')" "xterm: only the 8 basic colours"
tui_keys q

# xterm-256color: the 256-colour theme
tui_start 100 30 "env TERM=xterm-256color LANG=C.UTF-8 $TUI"
check_screen "^ Summary " "256 colours: summary"
check_true "256 colours: palette colours" test "$(tui_screen -e | grep -c '38;5;\|48;5;')" -gt 0
tui_keys q

# LANG=C: every character ASCII, charts and borders included
tui_start 100 30 "env TERM=xterm-256color LANG=C LC_ALL=C $TUI"
check_screen "^ Summary " "LANG=C: summary"
check_screen "\^ peak [0-9.]+ KiB" "LANG=C: ASCII peak mark"
ascii_ok=1
for v in 1 2 3 5 6; do
    tui_keys $v
    tui_wait "^ (Summary|Call sites|Call tree|Leaks|Fragmentation) " 5
    sleep 0.3
    if tui_screen | LC_ALL=C grep -q '[^ -~]'; then ascii_ok=0; echo "non-ASCII in view $v:" >&2; tui_screen >&2; fi
done
check_eq 1 "$ascii_ok" "LANG=C: only ASCII on every view"
tui_keys 6
check_screen "^  +[0-9a-f]{12} [ .:#@]+" "LANG=C: the map in ASCII shades"
tui_keys 2 Enter
check_screen "^ +\+-" "LANG=C: ASCII borders"
tui_keys Escape q

# resize: redraw at the new size; too small says so; back again
tui_start 120 40 "env TERM=xterm-256color LANG=C.UTF-8 $TUI"
check_screen "^ Summary " "resize: start at 120x40"
tui_tmux resize-window -t main -x 80 -y 24
check_screen "^ heapql +1 Summary +2 Sites +3 Tree" "80x24: short tabs"
check_eq 24 "$(tui_screen | wc -l)" "80x24: 24 lines"
last_is_status() { tui_screen | tail -n 1 | grep -q '? help  q quit$'; }
check_until "80x24: status bar on the last line" 10 last_is_status
check_true "80x24: nothing beyond column 80" test "$(tui_screen | LC_ALL=C.UTF-8 wc -L)" -le 80
tui_keys 2
check_screen "session_open" "80x24: call sites"
tui_tmux resize-window -t main -x 30 -y 8
check_screen "terminal too small: 30x8" "30x8: says it is too small"
check_screen "needs 40x10" "30x8: says what it needs"
tui_tmux resize-window -t main -x 160 -y 50
check_screen "^ Call sites +4 stacks" "160x50: the view again"
check_gone_too_small() { tui_gone "terminal too small" 5; }
check_true "160x50: the message is gone" check_gone_too_small
tui_keys q

# q gives the shell its prompt back, with the terminal modes it had
tui_start 100 30 "env PS1='PROMPT$ ' TERM=xterm-256color LANG=C.UTF-8 bash --norc --noprofile -i"
check_screen "^PROMPT\\$" "shell"
tui_keys "$TUI" Enter
check_screen "^ Summary " "tui started from the shell"
tui_keys q
check_screen "^PROMPT\\$ ?$" "q: the prompt is back"
check_no_screen "Summary|Call sites" "q: the alternate screen is gone"
tui_keys "stty -a | tr ' ' '\\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\\n' ' '; echo" Enter
check_screen "^icanon isig echo $|^isig icanon echo $|^icanon echo isig $|icanon.*echo" "q: cooked mode and echo restored"
check_no_screen "-icanon|-echo " "q: no raw mode left"
finish
