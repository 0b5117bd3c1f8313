# heapql frag on N blocks of 64 bytes with every other one freed
# (tests/progs/frag_alternate.c): every touched page ~45% live, all holes
# the size of the freed blocks, the figures checked against the database.
. "$(dirname "$0")/lib.sh"

# js FILE EXPR: a Python expression over the JSON document d.
js() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

record a.db "$HQ_PROGS/frag_alternate"
check_eq 0 "$RC" "recorded"
"$HEAPQL_BIN" frag a.db --at end --format json >a.json 2>"$T/ferr"
check_eq 0 "$?" "frag --at end --format json"
check_eq "" "$(cat "$T/ferr")" "nothing on stderr"

# the database's own answer, for comparison
END=$(q a.db "SELECT end_ns FROM processes")
LIVE="alloc_ns <= $END AND (free_ns IS NULL OR free_ns > $END)"
check_eq "2048" "$(q a.db "SELECT count(*) FROM allocations WHERE $LIVE")" "2048 blocks live at the end"
check_eq "2048|131072|147456" "$(js a.json '"%d|%d|%d" % (d["totals"]["blocks"], d["totals"]["live_bytes"], d["totals"]["usable_bytes"])')" \
    "live blocks, requested and usable bytes"
check_eq "16384" "$(js a.json 'd["totals"]["internal_bytes"]')" "internal waste: 8 bytes a block"
PAGES=$(q a.db "SELECT count(*) FROM (SELECT ptr >> 12 FROM allocations WHERE $LIVE
                UNION SELECT (ptr + usable_size - 1) >> 12 FROM allocations WHERE $LIVE)")
check_eq "$PAGES" "$(js a.json 'd["totals"]["pages_touched"]')" "pages touched = distinct pages of live bytes"
check_eq "[[72, 2047]]" "$(js a.json '[r["hole_sizes"] for r in d["regions"] if r["kind"] == "brk heap"][0]')" \
    "2047 holes, all 72 usable bytes (the freed blocks' size)"
check_eq "72|2047" "$(js a.json '"%d|%d" % (d["totals"]["largest_hole"], d["totals"]["holes"])')" "largest hole"
check_eq "1" "$(js a.json 'len(d["regions"])')" "one region: the brk heap"
# every page is 40-50% live but the first (it starts with glibc's own
# tcache, unseen) and the last (partly used); the first still over 25%
check_eq "0" "$(js a.json 'sum(1 for r in d["regions"] for p in r["pages"][1:-1] if not 0.40 <= p[2] / 4096 <= 0.50)')" \
    "every page 40-50% live"
check_eq "1" "$(js a.json 'int(0.25 <= d["regions"][0]["pages"][0][2] / 4096 < 0.5)')" "first page 25-50% live"
check_eq "$((PAGES - 1))" "$(js a.json 'sum(p[1] for p in d["regions"][0]["pages"][:-1])')" "pages listed"
check_eq "0" "$(js a.json 'd["totals"]["pages_low"] > 1 and 1 or 0')" "at most the last page under 25%"
check_match "alloc_all" "$(js a.json 'd["internal_waste"][0]["stack"][0]["function"]')" "waste named by call site"

# text: the map is all '▒' (25-50%), one cell a page, in UTF-8; ':' in ASCII
TXT=$(LC_ALL=C.UTF-8 COLUMNS=80 LINES=24 "$HEAPQL_BIN" frag a.db --at end)
check_eq 0 "$?" "frag text"
ROWS=$(printf '%s\n' "$TXT" | grep -E '^  [0-9a-f]{12} ')
check_match "one cell = 4.00 KiB \(1 page\)" "$TXT" "one cell a page"
check_eq "$((PAGES - 1))" "$(printf '%s' "$ROWS" | grep -o '▒' | wc -l)" "map: every full page 25-50%"
check_match "holes +2,047, .*largest 72 B" "$TXT" "holes line"
check_match "brk heap 0x[0-9a-f]+: 72 B x2047$" "$TXT" "hole sizes line"
ASC=$(LC_ALL=C COLUMNS=80 LINES=24 "$HEAPQL_BIN" frag a.db --at end | grep -E '^  [0-9a-f]{12} ')
check_eq "$((PAGES - 1))" "$(printf '%s' "$ASC" | grep -o ':' | wc -l)" "ASCII map without UTF-8"
check_eq "0" "$(printf '%s' "$ASC" | grep -c '▒')" "no block characters in ASCII"
check_eq "0" "$(printf '%s' "$TXT" | grep -c $'\033')" "no colour into a pipe"
check_match $'^  [0-9a-f]{12} \033\\[33m▒+' "$(LC_ALL=C.UTF-8 "$HEAPQL_BIN" frag a.db --at end --color always)" \
    "colour when asked (25-50%: yellow)"

# --at SECONDS at the end's own time gives the same figures
SEC=$(awk -v ns="$END" 'BEGIN { printf "%d.%09d", ns / 1000000000, ns % 1000000000 }')
"$HEAPQL_BIN" frag a.db --at "$SEC" --format json >s.json
check_eq "$(js a.json 'd["totals"]')" "$(js s.json 'd["totals"]')" "--at $SEC = --at end"
check_eq "$END" "$(js s.json 'd["moment"]["t_ns"]')" "moment in ns"
# the series ends at the end with the same figures, and starts with less live
check_eq "100" "$(js a.json 'len(d["series"])')" "100 points"
check_eq "$PAGES|2048" "$(js a.json '"%d|%d" % (d["series"][-1]["pages_touched"], d["series"][-1]["blocks"])')" "last point = the end"
finish
