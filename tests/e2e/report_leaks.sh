# report leaks / summary / top / flamegraph / diff on a real recording of
# tests/progs/rep_leaks.c: leak_three() leaks 3 x 100 B, leak_one() 1 x 64 B.
. "$(dirname "$0")/lib.sh"
H=$HEAPQL_BIN
SRC=$HQ_SRC/tests/progs/rep_leaks.c
line_of() { grep -n "/\* $1 \*/" "$SRC" | head -1 | cut -d: -f1; }
L3=$(line_of LEAK-THREE)
L1=$(line_of LEAK-ONE)

record l.db "$HQ_PROGS/rep_leaks"
check_eq 0 "$RC" "recording exit status"
# the recorder's own figures, to compare with
check_eq "364|4" "$(q l.db 'SELECT sum(leaked_bytes), sum(leaked_blocks) FROM callsite_stats')" "callsite_stats leaks"

out=$("$H" report l.db leaks 2>"$T/e"); rc=$?
check_eq 0 "$rc" "leaks exit status"
check_eq "" "$(cat "$T/e")" "leaks: nothing on stderr"
check_eq "364 B leaked in 4 blocks from 2 stacks" "$(printf '%s\n' "$out" | head -1)" "leaks headline"
check_match "300 B in 3 blocks \(82\.4% of the leaked bytes\), callsite [0-9]+" "$out" "biggest stack first"
check_match "#0  leak_three \(/.*/rep_leaks\.c:$L3\)" "$out" "leak_three's allocating line"
check_match "#1  main \(/.*/rep_leaks\.c:[0-9]+\)" "$out" "full stack: main"
check_match "#0  leak_one \(/.*/rep_leaks\.c:$L1\)" "$out" "leak_one's allocating line"
first=$(printf '%s\n' "$out" | grep -n 'leak_three (' | head -1 | cut -d: -f1)
second=$(printf '%s\n' "$out" | grep -n 'leak_one (' | head -1 | cut -d: -f1)
check_true "300 B stack listed before the 64 B one" test "$first" -lt "$second"

json=$("$H" report l.db leaks --format json)
check_match '"leaked": \{ *"bytes": 364, *"blocks": 4, *"stacks": 2 *\}' "$(printf '%s' "$json" | tr -d '\n')" "leaks json totals"
check_match '"leaked_bytes": 300, *"leaked_blocks": 3,' "$(printf '%s' "$json" | tr -d '\n')" "leaks json first row"

printf '# ours\nleak:leak_one\n' > supp.txt
out=$("$H" report l.db leaks --suppressions supp.txt)
check_eq "300 B leaked in 3 blocks from 1 stack" "$(printf '%s\n' "$out" | head -1)" "suppressed leak_one"
check_match "suppressed: 64 B in 1 blocks from 1 stack by supp.txt; --all lists them" "$out" "suppression line"
out=$("$H" report l.db leaks --suppressions supp.txt --all)
check_match "\[suppressed: leak:leak_one \(supp.txt:2\)\]" "$out" "--all shows the suppressed stack"

out=$("$H" report l.db)
check_match "allocations    9 calls, 564 B" "$out" "summary allocations"
check_match "frees          5" "$out" "summary frees"
check_match "peak heap      404 B in 5 blocks at [0-9.]+ s" "$out" "summary peak"
check_match "leaked         364 B in 4 blocks" "$out" "summary leaked"
check_match "temporary      5 allocations \(55\.6%\)" "$out" "summary temporary"
check_match "malloc +9 calls +100\.0%" "$out" "summary by kind"
check_match "leak_three \(rep_leaks\.c:$L3\)" "$out" "summary top call sites"

csv=$("$H" report l.db top --sort leaked --format csv)
check_match "^1,3,300,300,300,0,3,3,0,0,1,leak_three,leak_three \(/.*rep_leaks\.c:$L3\);main" "$(printf '%s\n' "$csv" | sed -n 2p)" "top --sort leaked first row"
check_eq 2 "$("$H" report l.db top --function '^leak_one$' --format csv | wc -l)" "top --function: one row"

fold=$("$H" report l.db flamegraph --metric leaked)
check_match ";main;leak_three 300$" "$fold" "folded leak_three"
check_match ";main;leak_one 64$" "$fold" "folded leak_one"
check_eq 2 "$(printf '%s\n' "$fold" | wc -l)" "one line per stack"
check_eq 0 "$(printf '%s\n' "$fold" | grep -cvE '^[^; ][^;]*(;[^;]+)* [0-9]+$')" "folded format"
check_eq 564 "$("$H" report l.db flamegraph --metric bytes | awk '{s += $NF} END {print s}')" "folded bytes add up"

# the same program leaking 5 blocks: diff matches the stacks by name
"$HEAPQL_BIN" run -q -o l5.db -- "$HQ_PROGS/rep_leaks" 5 >/dev/null 2>&1
out=$("$H" report l.db diff l5.db)
check_match "allocations +9 +11 +\+2 \(\+22\.2%\)" "$out" "diff totals"
check_match "^\+2 \(\+66\.7%\) +\+200 B \(\+66\.7%\) +\+200 B \(\+66\.7%\) +\+200 B \(\+66\.7%\) +leak_three \(rep_leaks\.c:$L3\)" "$out" "diff row"
check_match "^1 stack changed; top 1 by change in bytes" "$out" "only leak_three changed"
finish
