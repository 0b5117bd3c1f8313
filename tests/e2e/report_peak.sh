# summary, top, histogram and timeline on tests/progs/rep_peak.c: four 1 MiB
# blocks held at once (the peak), then one more.
. "$(dirname "$0")/lib.sh"
H=$HEAPQL_BIN
MIB=1048576

record pk.db "$HQ_PROGS/rep_peak" 100
check_eq 0 "$RC" "recording exit status"
out=$("$H" report pk.db)
check_match "allocations    5 calls, 5\.00 MiB" "$out" "summary allocations"
check_match "peak heap      4\.00 MiB in 4 blocks at [0-9.]+ s \(RSS then [0-9.]+ [KMG]iB\)" "$out" "summary peak with RSS"
check_match "leaked         0 B in 0 blocks" "$out" "nothing leaked"
check_match "^  1 +4 +4\.00 MiB +4\.00 MiB +0 B +1 +grow \(rep_peak\.c:[0-9]+\)" "$out" "summary top 5"

row=$("$H" report pk.db top --sort peak --format csv | sed -n 2p)
check_match "^1,4,$((4 * MIB)),$((4 * MIB)),0,1,4,0,4,0,1,grow," "$row" "top --sort peak"
row=$("$H" report pk.db top --sort bytes --inclusive --format csv | sed -n 2p)
check_match "^1,5,$((5 * MIB)),$((4 * MIB)),0,2,4,0,5,0,2,main," "$row" "top --inclusive: main"

csv=$("$H" report pk.db histogram --format csv)
check_match "^size,\"\[1 MiB, 2 MiB\)\",$MIB,$((2 * MIB)),5,$((5 * MIB))$" "$csv" "size histogram"
check_eq 5 "$(printf '%s\n' "$csv" | awk -F, '$1=="lifetime" {s += $(NF-1)} END {print s}')" "lifetimes add up"
check_match "^lifetime,never freed,,,0,0$" "$csv" "none never freed"
csv=$("$H" report pk.db histogram --function '^once$' --format csv)
check_match "^size,\"\[1 MiB, 2 MiB\)\",$MIB,$((2 * MIB)),1,$MIB$" "$csv" "histogram --function once"

csv=$("$H" report pk.db timeline --format csv)
check_eq "$((4 * MIB))" "$(printf '%s\n' "$csv" | awk -F, 'NR > 1 && $3 > m {m = $3} END {print m}')" "samples reach the peak"
out=$(COLUMNS=70 LINES=20 "$H" report pk.db timeline)
check_match "peak 4\.00 MiB at [0-9.]+ s" "$out" "peak marked"
check_eq 0 "$(printf '%s\n' "$out" | awk 'length > 70' | wc -l)" "chart fits 70 columns"
check_eq 12 "$(printf '%s\n' "$out" | grep -c '^.\{11\} |')" "chart rows for 20 lines"
check_match "#" "$out" "heap drawn"
finish
