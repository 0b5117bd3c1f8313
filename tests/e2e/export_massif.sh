# export --format massif, read by valgrind's own ms_print: the peak it
# reports is the recording's, the heap trees name the functions, --pid and
# --time-unit B do what they say.
. "$(dirname "$0")/lib.sh"

# The text of a massif file's last snapshot.
last_snapshot() {
    local n
    n=$(grep -c '^snapshot=' "$1")
    sed -n "/^snapshot=$((n - 1))\$/,\$p" "$1"
}

# ms_print's "12,345" for 12345
commify() { printf '%s' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }

record l.db "$HQ_EXAMPLES/leaky"
check_eq 0 "$RC" "leaky ran"
peak=$(q l.db 'SELECT peak_heap_bytes FROM processes')
check_eq 91904 "$peak" "leaky's peak: cache 64 KiB, 100 sessions + 1, one scratch buffer"

"$HEAPQL_BIN" export l.db --format massif -o l.massif 2>"$T/e"
check_eq "0|" "$?|$(cat "$T/e")" "export massif"
ms_print l.massif >ms.txt 2>"$T/e"
check_eq "0|" "$?|$(cat "$T/e")" "ms_print reads it"
out=$(cat ms.txt)
check_match "Detailed snapshots: \[.*[0-9]+ \(peak\)" "$out" "ms_print found the peak snapshot"
# the peak snapshot's row (useful-heap column) and its heap tree's root
peakn=$(grep -o '[0-9]* (peak)' ms.txt | cut -d' ' -f1)
check_match "^ *$peakn +[0-9,]+ +[0-9,]+ +$(commify "$peak") " "$(grep -E "^ *$peakn " ms.txt)" \
    "ms_print's row of the peak snapshot shows the peak"
check_match "\($(commify "$peak")B\) \(heap allocation functions\)" "$out" "peak tree total"
check_match "\(65,536B\) 0x[0-9A-F]+: cache_put \(leaky.c:[0-9]+\)" "$out" "cache_put at the peak"
check_match "\(25,856B\) 0x[0-9A-F]+: session_open \(leaky.c:[0-9]+\)" "$out" \
    "session_open at the peak: 100 leaked sessions and the live one"
check_match "handle_request \(leaky.c" "$out" "inlined callers are levels of their own"
check_eq 0 "$(grep -c '__libc_start' ms.txt)" "stacks stop at main, as massif's"
# the last snapshot: what was never freed
check_eq "mem_heap_B=$(q l.db 'SELECT sum(size) FROM leaks')" \
    "$(last_snapshot l.massif | grep mem_heap_B)" "the end: the leaks"

# --time-unit B: the last snapshot's time is every byte allocated
"$HEAPQL_BIN" export l.db --format massif --time-unit B -o lb.massif
check_true "ms_print reads --time-unit B" ms_print lb.massif >/dev/null
check_eq "time_unit: B" "$(grep '^time_unit' lb.massif)" "time unit"
check_eq "time=$(q l.db 'SELECT sum(size) FROM allocations')" "$(grep '^time=' lb.massif | tail -1)" \
    "bytes allocated by the end"

# Two processes: by default the one with the highest peak (the child), --pid
# the other.
record p.db "$HQ_PROGS/exp_procs"
check_eq 0 "$RC" "exp_procs ran"
parent=$(q p.db 'SELECT pid FROM processes WHERE forked = 0')
child=$(q p.db 'SELECT pid FROM processes WHERE forked = 1')
"$HEAPQL_BIN" export p.db --format massif -o child.massif
out=$(ms_print child.massif)
check_match "^Massif arguments: .*\(pid $child\)" "$out" "default: the child"
check_match "\(131,072B\) 0x[0-9A-F]+: child_work \(exp_procs.c:[0-9]+\)" "$out" "child's peak tree"
"$HEAPQL_BIN" export p.db --format massif --pid "$parent" -o parent.massif
out=$(ms_print parent.massif)
check_match "\(16,384B\) 0x[0-9A-F]+: parent_work \(exp_procs.c:[0-9]+\)" "$out" "parent's peak tree"
check_eq 0 "$(printf '%s' "$out" | grep -c child_work)" "nothing of the child in the parent's"
check_match "^ n1: 300 0x[0-9A-F]+: parent_leak \(exp_procs.c:[0-9]+\)" "$(last_snapshot parent.massif)" \
    "the parent's end: its 3 leaked blocks"
"$HEAPQL_BIN" export p.db --format massif --pid 1 -o none.massif 2>"$T/e"
check_eq "1|heapql: no process 1 in the recording" "$?|$(cat "$T/e")" "unknown pid"
check_true "no file left behind" test ! -e none.massif
finish
