# heapql frag fits its map to the terminal and colours it only where that
# makes sense: on a terminal (a pty from script(1)), not with TERM=dumb or
# NO_COLOR, always with --color always; width from TIOCGWINSZ or COLUMNS,
# height from LINES; ASCII when the locale is not UTF-8.
. "$(dirname "$0")/lib.sh"

record a.db "$HQ_PROGS/frag_alternate"
check_eq 0 "$RC" "recorded"
FRAG="$HEAPQL_BIN frag a.db --at end --points 0"
# on_tty ENV... : the frag output through a pty, with ENV set inside
on_tty() { script -qec "env $* $FRAG" /dev/null; }
rows() { grep -E $'^  [0-9a-f]{12} ' | sed $'s/\033\\[[0-9;]*m//g'; }

check_match $'\033\\[33m' "$(on_tty TERM=xterm LC_ALL=C.UTF-8)" "colour on a terminal"
check_eq "0" "$(on_tty TERM=xterm NO_COLOR=1 LC_ALL=C.UTF-8 | grep -c $'\033\\[')" "NO_COLOR honoured"
check_eq "0" "$(on_tty TERM=dumb LC_ALL=C.UTF-8 | grep -c $'\033\\[')" "no colour on a dumb terminal"
check_eq "0" "$(on_tty TERM=xterm LC_ALL=C.UTF-8 | rows | grep -c $'\033')" "colour codes only around cells"
check_eq "0" "$($FRAG --color never | grep -c $'\033\\[')" "--color never"
check_match $'\033\\[33m' "$($FRAG --color always)" "--color always, even into a pipe"

# width: 40 columns leave 24 cells a row (address column: 16)
W40=$(script -qec "stty cols 40 rows 50; env TERM=dumb LC_ALL=C.UTF-8 $FRAG" /dev/null | tr -d '\r' | rows)
check_eq "24" "$(printf '%s\n' "$W40" | head -n 1 | sed -E 's/^  [0-9a-f]{12} //' | grep -o '▒' | wc -l)" \
    "TIOCGWINSZ: 24 cells a row in 40 columns"
W60=$(COLUMNS=60 LC_ALL=C.UTF-8 $FRAG | rows)
check_eq "44" "$(printf '%s\n' "$W60" | head -n 1 | sed -E 's/^  [0-9a-f]{12} //' | grep -o '▒' | wc -l)" \
    "COLUMNS=60: 44 cells a row"
# height: 81 pages in 64-cell rows need 3 lines at 1 page a cell; LINES=6
# leaves 2 map lines (label + 1 row): 2 pages a cell
check_match "one cell = 4.00 KiB \(1 page\)" "$(COLUMNS=80 LINES=24 $FRAG)" "80x24: one page a cell"
check_match "one cell = 8.00 KiB \(2 pages\)" "$(COLUMNS=80 LINES=6 $FRAG)" "LINES=6: two pages a cell"
check_eq "1" "$(COLUMNS=80 LINES=6 $FRAG | rows | wc -l)" "LINES=6: one row"
# ASCII fallback
check_eq "0" "$(LC_ALL=C $FRAG | grep -c '[░▒▓█▁▂▃▄▅▆▇]')" "LC_ALL=C: no Unicode at all"
check_match $'^  [0-9a-f]{12} :+' "$(LC_ALL=C $FRAG)" "LC_ALL=C: ASCII shades"
finish
