# report temporary on tests/progs/rep_temp.c: 1000 temporaries in a loop,
# a pair where only the second block is temporary, one long-lived block.
# The report's scan must agree with the recorder's callsite_stats.
. "$(dirname "$0")/lib.sh"
H=$HEAPQL_BIN
SRC=$HQ_SRC/tests/progs/rep_temp.c
line_of() { grep -n "/\* $1 \*/" "$SRC" | head -1 | cut -d: -f1; }

record t.db "$HQ_PROGS/rep_temp"
check_eq 0 "$RC" "recording exit status"
check_eq 1001 "$(q t.db 'SELECT sum(temporary_count) FROM callsite_stats')" "recorder: temporaries"
check_eq 1001 "$(q t.db 'SELECT sum(temporary) FROM allocations')" "allocations.temporary"
check_eq 0 "$(q t.db 'SELECT count(*) FROM allocations WHERE temporary AND free_ns IS NULL')" \
    "no live block is temporary"
# rows are written as blocks end: the kept block, freed last, is the last freed row
check_eq 128 "$(q t.db 'SELECT size FROM allocations WHERE free_ns IS NOT NULL ORDER BY id DESC LIMIT 1')" \
    "ids in the order blocks ended"

json=$("$H" report t.db temporary --max-lifetime 100 --format json | tr -d '\n')
check_match '"allocs": 1003, *"temporary": 1001, *"short_lived": 1002, *"max_lifetime_ns": 100000000, *"stacks": 3' "$json" "totals"

csv=$("$H" report t.db temporary --max-lifetime 100 --format csv)
check_match "^1000,1000,100,1000,100,32000,[0-9]+,temp_loop \(/.*rep_temp\.c:$(line_of TEMP-LOOP)\);main" "$(printf '%s\n' "$csv" | sed -n 2p)" "temp_loop row"
check_match "^1,1,100,1,100,64,[0-9]+,pair \(/.*rep_temp\.c:$(line_of PAIR-B)\)" "$(printf '%s\n' "$csv" | sed -n 3p)" "pair's second block"
check_match "^1,0,0,1,100,64,[0-9]+,pair \(/.*rep_temp\.c:$(line_of PAIR-A)\)" "$(printf '%s\n' "$csv" | sed -n 4p)" "pair's first block"
check_eq 4 "$(printf '%s\n' "$csv" | wc -l)" "the kept block is no candidate"

# per stack, the scan's temporary count equals callsite_stats'
while IFS=, read -r _ temp _ _ _ _ cs _; do
    check_eq "$temp" "$(q t.db "SELECT temporary_count FROM callsite_stats WHERE callsite_id=$cs")" "callsite $cs temporary"
done < <(printf '%s\n' "$csv" | tail -n +2)

out=$("$H" report t.db temporary --max-lifetime 100)
check_match "^1,001 of 1,003 allocations \(99\.8%\) were temporary" "$out" "text headline"
check_match "1,002 \(99\.9%\) lived less than 100\.0 ms" "$out" "short-lived line"
check_match "temp_loop \(rep_temp\.c:$(line_of TEMP-LOOP)\)" "$out" "text row"

out=$("$H" report t.db temporary --function '^pair$' --format csv)
check_eq 3 "$(printf '%s\n' "$out" | wc -l)" "--function pair: two stacks"
out=$("$H" report t.db top --sort temporary --format csv | sed -n 2p)
check_match "^1,1000,32000,[0-9]+,0,1000,.*,temp_loop," "$out" "top --sort temporary"
finish
