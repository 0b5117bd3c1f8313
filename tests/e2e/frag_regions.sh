# heapql frag tells the heap regions apart (tests/progs/frag_regions.c):
# the brk heap, a thread's arena heap, mmap'd chunks (listed, not in the
# map), and memory the program mapped itself.
. "$(dirname "$0")/lib.sh"

js() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

record r.db "$HQ_PROGS/frag_regions"
check_eq 0 "$RC" "recorded"
"$HEAPQL_BIN" frag r.db --at end --format json >r.json
check_eq 0 "$?" "frag --at end --format json"
KINDS='[r["kind"] for r in d["regions"]]'
check_eq "1|1|3|1" "$(js r.json "'%d|%d|%d|%d' % tuple($KINDS.count(k) for k in ('brk heap', 'arena heap', 'mmap chunk', 'program mmap'))")" \
    "one brk heap, one arena heap, three mmap chunks, one program mapping"
check_eq "[1048576, 1048576, 1048576]" "$(js r.json '[r["live_bytes"] for r in d["regions"] if r["kind"] == "mmap chunk"]')" \
    "each chunk one 1 MiB block"
check_eq "[257, 257, 257]" "$(js r.json '[r["pages_touched"] for r in d["regions"] if r["kind"] == "mmap chunk"]')" \
    "a chunk: 1 MiB + its header page"
check_eq "500" "$(js r.json '[r["blocks"] for r in d["regions"] if r["kind"] == "arena heap"][0]')" "the thread's 500 blocks in its arena"
check_eq "1" "$(js r.json 'int(all(r["start"] >> 26 == (r["end"] - 1) >> 26 for r in d["regions"] if r["kind"] == "arena heap"))')" \
    "the arena heap within one 64 MiB-aligned window"
check_eq "0" "$(js r.json 'sum(1 for b in d["regions"] if b["kind"] == "brk heap" for c in d["regions"] if c["kind"] == "mmap chunk" and b["start"] <= c["start"] < b["end"])')" \
    "no chunk inside the brk heap"
check_eq "100" "$(q r.db "SELECT count(*) FROM allocations WHERE size = 100 AND free_ns IS NULL")" "100 small blocks recorded"
check_eq "1" "$(js r.json 'int([r["blocks"] for r in d["regions"] if r["kind"] == "brk heap"][0] >= 100)')" "small blocks in the brk heap"
check_eq "['brk heap', 'arena heap']" "$(js r.json '[d["regions"][m["region"]]["kind"] for m in d["map"]["regions"]]')" \
    "the map draws the heaps, not the chunks"
check_eq "65536|map_scratch" "$(js r.json '[("%d|%s" % (r["end"] - r["start"], r["mapped_by"][0]["function"])) for r in d["regions"] if r["kind"] == "program mmap"][0]')" \
    "the program's own 64 KiB mapping and who mapped it"
check_eq "65536" "$(js r.json 'd["totals"]["program_mapped_bytes"]')" "program mapped bytes"

TXT=$(LC_ALL=C.UTF-8 "$HEAPQL_BIN" frag r.db --at end)
check_eq "3" "$(printf '%s\n' "$TXT" | grep -cE '^  mmap chunk +0x')" "chunks in the region list"
check_eq "0" "$(printf '%s\n' "$TXT" | grep -cE '^mmap chunk 0x')" "chunks not in the map"
check_match "^brk heap 0x" "$TXT" "brk heap in the map"
check_match "^arena heap 0x" "$TXT" "arena heap in the map"
check_match "program mmap .*map_scratch" "$TXT" "program mapping named"
finish
