# export --format speedscope: valid against speedscope's own file-format
# schema (export_speedscope.schema.json, from the speedscope package), with
# stacks root first and weights that add up to the database's figures.
. "$(dirname "$0")/lib.sh"

# A python with jsonschema (Debian's python3-jsonschema lives in /usr/bin's).
PY=
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import jsonschema' 2>/dev/null; then PY=$p; break; fi
done
check_true "python3 with jsonschema (scripts/deps.sh installs python3-jsonschema)" test -n "$PY"
[ -n "$PY" ] || finish

record l.db "$HQ_EXAMPLES/leaky"
check_eq 0 "$RC" "leaky ran"
"$HEAPQL_BIN" export l.db --format speedscope -o l.json 2>"$T/e"
check_eq "0|" "$?|$(cat "$T/e")" "export speedscope"

out=$("$PY" - l.json "$(dirname "$0")/export_speedscope.schema.json" <<'PYEOF' 2>&1
import json, sys
doc = json.load(open(sys.argv[1]))
import jsonschema
jsonschema.validate(doc, json.load(open(sys.argv[2])))
print("valid")
frames = doc["shared"]["frames"]
for p in doc["profiles"]:
    assert len(p["samples"]) == len(p["weights"]), "samples and weights"
    assert p["endValue"] == sum(p["weights"]), "endValue"
    assert all(w > 0 for w in p["weights"]), "weights"
    print("%s|%s|%d" % (p["name"], p["unit"], p["endValue"]))
    for s, w in zip(p["samples"], p["weights"]):
        names = [frames[i]["name"] for i in s]
        if names[-1] == "session_open":
            print("%s: %s %d" % (p["name"], ";".join(names[names.index("main"):]), w))
print("active|%s" % doc["profiles"][doc["activeProfileIndex"]]["name"])
PYEOF
)
check_match "^valid$" "$out" "valid against speedscope's schema"
check_match "^allocations\|none\|$(q l.db 'SELECT count(*) FROM allocations')$" "$out" "allocations"
check_match "^bytes allocated\|bytes\|$(q l.db 'SELECT sum(size) FROM allocations')$" "$out" "bytes"
check_match "^bytes live at the peak\|bytes\|$(q l.db 'SELECT peak_heap_bytes FROM processes')$" \
    "$out" "peak"
check_match "^bytes leaked \(never freed\)\|bytes\|$(q l.db 'SELECT sum(size) FROM leaks')$" "$out" \
    "leaked"
check_match "^bytes allocated: main;handle_request;session_open 256000$" "$out" \
    "a stack, root first, inlined frames included"
check_match "^bytes leaked \(never freed\): main;handle_request;session_open 25600$" "$out" \
    "the leaked sessions"
check_match "^active\|bytes allocated$" "$out" "opens on bytes allocated"

"$HEAPQL_BIN" export l.db --format speedscope --metric temporary,allocs -o t.json
out=$("$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(",".join(p["name"] for p in d["profiles"]))' t.json)
check_eq "allocations,temporary allocations" "$out" "--metric picks the profiles"
finish
