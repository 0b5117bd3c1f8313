# export --format pprof: a gzip that go tool pprof (the reference reader of
# profile.proto) reads, with totals equal to the database's, the known
# functions, inlined frames and the executable's mapping.  (The profile's
# structure is decoded with protobuf-c in tests/unit/test_export_pprof.c.)
. "$(dirname "$0")/lib.sh"

record l.db "$HQ_EXAMPLES/leaky"
check_eq 0 "$RC" "leaky ran"
"$HEAPQL_BIN" export l.db --format pprof -o heap.pb.gz 2>"$T/e"
check_eq "0|" "$?|$(cat "$T/e")" "export pprof"
check_true "a valid gzip" gzip -t heap.pb.gz
"$HEAPQL_BIN" export l.db --format pprof --metric peak >peak.pb.gz
check_true "to a pipe or file without -o" gzip -t peak.pb.gz

if ! command -v go >/dev/null 2>&1; then
    echo "note: go not installed (scripts/deps.sh installs golang-go): go tool pprof not run"
    finish
fi
export GOCACHE="$T/gocache" HOME="$T"
: >"$T/pperr"
pp() { go tool pprof "$@" 2>>"$T/pperr"; }

total() { sed -n 's/.*Total samples = \([0-9]*\)B\{0,1\} *$/\1/p'; }
top=$(pp -top -unit=B -sample_index=alloc_space heap.pb.gz)
check_eq "$(q l.db 'SELECT sum(size) FROM allocations')" "$(printf '%s\n' "$top" | total)" \
    "alloc_space total = sum of sizes"
check_match " 256000B .* session_open \(inline\)$" "$top" "session_open, inlined into handle_request"
check_match " 1024000B .* cache_put \(inline\)$" "$top" "cache_put"
check_match "^Build ID: $(q l.db 'SELECT build_id FROM modules WHERE is_main = 1')$" "$top" \
    "the executable's build id"
top=$(pp -top -sample_index=alloc_objects heap.pb.gz)
check_eq "$(q l.db 'SELECT count(*) FROM allocations')" "$(printf '%s\n' "$top" | total)" \
    "alloc_objects total = allocations"
top=$(pp -top -unit=B -sample_index=inuse_space heap.pb.gz)
check_eq "$(q l.db 'SELECT sum(size) FROM leaks')" "$(printf '%s\n' "$top" | total)" \
    "inuse_space total = never freed"
check_match " 25600B .* session_open \(inline\)$" "$top" "the 100 leaked sessions"
top=$(pp -top -sample_index=inuse_objects heap.pb.gz)
check_eq "$(q l.db 'SELECT count(*) FROM leaks')" "$(printf '%s\n' "$top" | total)" \
    "inuse_objects total = blocks never freed"
top=$(pp -top -unit=B peak.pb.gz)
check_match "^Type: inuse_space$" "$top" "--metric peak: inuse_space by default"
check_eq "$(q l.db 'SELECT peak_heap_bytes FROM processes')" "$(printf '%s\n' "$top" | total)" \
    "--metric peak: inuse_space total = the peak"
# a location with its inline chain, leaf first: session_open in handle_request in main
raw=$(pp -raw heap.pb.gz)
check_match "session_open .*leaky.c:[0-9]+" "$raw" "raw: session_open with its line"
check_eq "session_open handle_request main" \
    "$(printf '%s\n' "$raw" | grep -A2 ' session_open ' | head -3 | awk '{print ($1 ~ /:$/) ? $4 : $1}' | tr '\n' ' ' | sed 's/ $//')" \
    "raw: the inline chain as lines of one location"

# two processes: a pid label per sample
record p.db "$HQ_PROGS/exp_procs"
child=$(q p.db 'SELECT pid FROM processes WHERE forked = 1')
"$HEAPQL_BIN" export p.db --format pprof -o procs.pb.gz
shown() { sed -n 's/^Showing nodes accounting for \([0-9]*\)B, .*/\1/p'; }
top=$(pp -top -unit=B -sample_index=inuse_space -tagfocus="pid=$child" procs.pb.gz)
check_eq 131072 "$(printf '%s\n' "$top" | shown)" "-tagfocus=pid=CHILD: the child's 16 x 8192"
check_match " 131072B .* child_work$" "$top" "child_work"
top=$(pp -top -unit=B -sample_index=inuse_space -tagignore="pid=$child" procs.pb.gz)
check_eq "$(q p.db "SELECT sum(size) FROM leaks WHERE pid != $child")" "$(printf '%s\n' "$top" | shown)" \
    "-tagignore=pid=CHILD: the parent's"
tags=$(pp -tags procs.pb.gz)
check_match "^ *pid: Total" "$tags" "the pid tag"
sed -i '/Interpreted .* as range, not regexp/d' "$T/pperr" # pprof's note on numeric tags
check_eq "" "$(cat "$T/pperr")" "go tool pprof said nothing on stderr"
finish
