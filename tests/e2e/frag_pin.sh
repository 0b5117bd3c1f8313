# heapql frag names the call site whose long-lived blocks pin otherwise
# empty pages (tests/progs/frag_pin.c: keep_forever among make_temp's).
. "$(dirname "$0")/lib.sh"

js() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

record p.db "$HQ_PROGS/frag_pin"
check_eq 0 "$RC" "recorded"
"$HEAPQL_BIN" frag p.db --at end --format json >p.json
check_eq 0 "$?" "frag --at end --format json"
END=$(q p.db "SELECT end_ns FROM processes")
LIVE="alloc_ns <= $END AND (free_ns IS NULL OR free_ns > $END)"
PAGES=$(q p.db "SELECT count(*) FROM (SELECT ptr >> 12 FROM allocations WHERE $LIVE
                UNION SELECT (ptr + usable_size - 1) >> 12 FROM allocations WHERE $LIVE)")
check_eq "200|6400" "$(js p.json '"%d|%d" % (d["totals"]["blocks"], d["totals"]["live_bytes"])')" "200 kept blocks live"
check_eq "$PAGES" "$(js p.json 'd["totals"]["pages_touched"]')" "pages touched"
check_true "about one page a round ($PAGES)" test "$PAGES" -ge 180 -a "$PAGES" -le 200
check_eq "$PAGES" "$(js p.json 'd["totals"]["pages_low"]')" "every touched page under 25% live"
check_eq "keep_forever" "$(js p.json 'd["pinning"][0]["stack"][0]["function"]')" "keep_forever pins the pages"
check_eq "$PAGES|200|6400|0" "$(js p.json '"%d|%d|%d|%d" % tuple(d["pinning"][0][k] for k in ("pages_pinned", "blocks", "bytes", "freed_later"))')" \
    "it pins every touched page with all its blocks, none freed later"
check_eq "1" "$(js p.json 'len(d["pinning"])')" "the only pinning call site"
check_eq "1" "$(js p.json 'int(d["pinning"][0]["age_min_ns"] > 0 and d["pinning"][0]["age_min_ns"] <= d["pinning"][0]["age_max_ns"])')" "ages"
check_eq "1" "$(js p.json 'int(d["totals"]["fragmentation_ratio"] > 50)')" "ratio: ~4 KiB touched per 32 live bytes"

TXT=$(LC_ALL=C.UTF-8 "$HEAPQL_BIN" frag p.db --at end)
check_match "call sites pinning pages" "$TXT" "pinning section"
check_match "^ +$PAGES +$PAGES +200 +6.25 KiB .* keep_forever \(frag_pin.c:[0-9]+\)" \
    "$(printf '%s\n' "$TXT" | sed -n '/call sites pinning pages/,/^$/p')" "pinning row names keep_forever"
check_eq "0" "$(printf '%s\n' "$TXT" | sed -n '/call sites pinning pages/,/^$/p' | grep -c make_temp)" "make_temp pins nothing"
check_eq "$PAGES" "$(printf '%s\n' "$TXT" | grep -E '^  [0-9a-f]{12} ' | grep -o '░' | wc -l)" "map: every page under 25%"

# at the peak the short-lived blocks fill the pages: nothing pinned but the last page
"$HEAPQL_BIN" frag p.db --format json >k.json
check_eq "3200" "$(js k.json 'd["totals"]["blocks"]')" "3200 blocks live at the peak"
check_eq "1" "$(js k.json 'int(d["totals"]["pages_low"] <= 1)')" "at most one low page at the peak"
finish
