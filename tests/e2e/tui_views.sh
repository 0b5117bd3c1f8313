# heapql tui on a recording of examples/leaky (1000 requests: every 10th
# leaks its 256-byte session from session_open: 100 blocks, 25600 bytes):
# every view shows its title and the known figures, stacks, source lines
# and map; the keys move, sort, filter, open stacks and jump to source.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.bash"

record leaky.db "$HQ_EXAMPLES/leaky"
check_eq 0 "$RC" "recorded"
tui_start 120 40 "env TERM=xterm-256color LANG=C.UTF-8 $HEAPQL_BIN tui leaky.db"

# 1 Summary
check_screen "^ heapql +1 Summary +2 Call sites +3 Call tree +4 Source +5 Leaks +6 Fragmentation +7 Allocations" "tab bar"
check_screen "^ Summary " "summary title"
check_screen "allocations +3,00[0-9] calls" "summary: allocation calls"
check_screen "leaked +29\.00 KiB in 101 blocks" "summary: leaks (with the stdout buffer)"
check_screen "peak heap +[0-9.]+ KiB in [0-9]+ blocks at" "summary: peak"
check_screen "▲ peak [0-9.]+ KiB at" "summary: peak marked under the chart"
check_screen "[▁▂▃▄▅▆▇█]" "summary: the heap is drawn with block characters"
check_screen "cursor [0-9.]+ s  heap" "summary: time cursor"
check_screen "\? help  q quit" "status bar"

# 5 Leaks: grouped by stack, runtime one-time allocations set apart
tui_keys 5
check_screen "^ Leaks +25\.00 KiB leaked in 100 blocks from 1 stack" "leaks title: 25600 bytes"
check_screen "25\.00 KiB +100 +100\.0% +1,000 +session_open \(leaky\.c:[0-9]+\)" "leaks: the session_open stack"
check_screen "#[0-9]+ +handle_request" "leaks: stack panel shows the callers"
check_screen "#[0-9]+ +main" "leaks: stack panel down to main"
tui_keys a
check_screen "_IO_file_doallocate.*\[runtime" "leaks: a lists runtime one-time allocations"
tui_keys a

# 2 Call sites: sortable, filterable, Enter opens the stack
tui_keys 2
check_screen "^ Call sites +4 stacks, by peak" "call sites title"
check_screen "▼Peak" "call sites: sort mark"
check_screen "1,000 +250\.00 KiB +[0-9.]+ KiB +25\.00 KiB +- +session_open \(leaky\.c:[0-9]+\) < handle_request" "call sites: session_open row"
tui_keys s
check_screen "by leaked" "s: sorted by leaked"
check_screen "▼Leaked" "s: sort mark moves"
tui_keys r
check_screen "by leaked \(ascending\)" "r: reversed"
tui_keys r / s e s s i o n
check_screen "1 stacks, by leaked, filter \"session\"" "filter while typing"
tui_keys Enter
check_no_screen "cache_put \(leaky" "filter keeps only matching stacks"
tui_keys Enter
check_screen "stack of session_open" "Enter: stack popup"
check_screen "#[0-9]+ +handle_request" "popup: caller frame"
check_screen "leaky\.c:[0-9]+" "popup: source locations"
# Enter on the (first with a line) frame: the source, at the malloc line
tui_keys Enter
check_screen "^ Source +/.*leaky\.c" "Enter on a frame: Source view"
check_screen "250\.00 KiB +[0-9.]+ KiB +25\.00 KiB +1,000 .*session_t \*s = malloc\(sizeof \*s\);" "source: the malloc line with its figures"
check_screen "char \*scratch = malloc\(512\);" "source: the file's other lines"
tui_keys n
check_screen "." "n works"
tui_keys i
check_screen "inclusive \(i: self\)" "i: inclusive figures"
tui_keys i

# 7 Allocations of the selected stack
tui_keys 7
check_screen "^ Allocations +session_open \(leaky\.c:[0-9]+\): 1,000 rows by time" "allocations title"
check_screen "0x[0-9a-f]{12} +256 B +[0-9]+ +0\.[0-9]{6} s +never freed" "allocations: a leaked session"
check_screen "0x[0-9a-f]{12} +256 B +[0-9]+ +0\.[0-9]{6} s +[0-9.]+ [nu]s" "allocations: a freed one with its lifetime"
tui_keys s
check_screen "rows by size" "s: by size"

# 3 Call tree, top-down then bottom-up
tui_keys Escape 2 Escape 3
check_screen "^ Call tree +top-down" "tree title"
check_screen "100\.0% .*_start" "tree: the root is _start, 100%"
check_screen "handle_request" "tree: heaviest path opened"
tui_keys b
check_screen "^ Call tree +bottom-up" "b: bottom-up"
check_screen "▾ cache_put|▸ cache_put" "bottom-up: allocating functions at the top"
tui_keys s
check_screen "\(leaked\)" "s: tree shows leaked"
tui_keys g
check_screen "25\.00 KiB +[0-9.]+% +25\.00 KiB +[▸▾] session_open" "bottom-up by leaked: session_open self"
tui_keys -
tui_keys +
check_screen "      ▾ |      ▸ |        " "+: expanded"

# 6 Fragmentation at the time cursor (the peak)
tui_keys 6
check_screen "^ Fragmentation +pid [0-9]+ .* at [0-9.]+ s" "fragmentation title"
check_screen "live [0-9.]+ KiB in [0-9]+ blocks" "fragmentation: metrics"
check_screen "brk heap 0x[0-9a-f]+-0x[0-9a-f]+" "fragmentation: region"
check_screen "^  +[0-9a-f]{12} [ ░▒▓█]+" "fragmentation: the map"
tui_keys Left
check_screen "at [0-9.]+ s" "fragmentation: cursor moved"

# help, then quit
tui_keys '?'
check_screen "Help: keys of heapql tui" "help"
check_screen "bottom-up \(allocating functions first\)" "help lists the tree keys"
check_screen "next / previous line that allocates" "help lists the source keys"
tui_keys q
check_screen "^ Fragmentation" "q closes the help first"
tui_keys q
check_eq 0 "$(tui_exited 10)" "q quits, exit status 0"

# tests/progs/rec_basic: every allocation kind once; 5 blocks of 100 B
# leaked, peak 5500 B, 2 failed allocations
record basic.db "$HQ_PROGS/rec_basic"
check_eq 0 "$RC" "rec_basic recorded"
tui_start 120 40 "env TERM=xterm-256color LANG=C.UTF-8 $HEAPQL_BIN tui --view leaks basic.db"
check_screen "^ Leaks +500 B leaked in 5 blocks from 1 stack" "--view leaks: rec_basic's 5 x 100 B"
tui_keys 1
check_screen "allocations +21 calls, .*malloc 11" "rec_basic: 21 calls, 11 malloc"
check_screen "peak heap +5\.37 KiB in [0-9]+ blocks" "rec_basic: peak 5500 B"
check_screen "leaked +500 B in 5 blocks" "rec_basic: leaked"
check_screen "failed +2" "rec_basic: failed allocations"
tui_keys 2 s s s
check_screen "^ Call sites +14 stacks, by allocations" "rec_basic: 14 stacks (failed ones included)"
check_screen "10 +1000 B +500 B +500 B +- +main \(rec_basic\.c:[0-9]+\)" "rec_basic: the leaking call site"
check_screen "- +- +- +- +- +main \(rec_basic\.c:[0-9]+\) \[1 failed\]" "rec_basic: a failed allocation's stack"
tui_keys q
check_eq 0 "$(tui_exited 10)" "rec_basic: q quits"
finish
