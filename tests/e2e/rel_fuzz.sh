# Fuzz: a few hundred hostile or broken databases (tests/fuzz/gen_dbs.py)
# through every analyzer command (tests/fuzz/fuzz_analyzer.py): each run
# ends within 30 s (HEAPQL_FUZZ_TIMEOUT; generous for ASan builds on a loaded
# machine, still a hang detector) with a report or one clear error line (exit 1 or 2),
# never a signal or a sanitizer report.  The seed is random unless
# HEAPQL_FUZZ_SEED is set, and printed: a failure is reproduced with
#   HEAPQL_FUZZ_SEED=S ctest -R rel_fuzz
# HEAPQL_FUZZ_COUNT sets the number of files (default 300).
. "$(dirname "$0")/lib.sh"
. "$HQ_SRC/tests/fuzz/rel_lib.sh"
seed=${HEAPQL_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
count=${HEAPQL_FUZZ_COUNT:-300}
echo "rel_fuzz: seed $seed, $count files (HEAPQL_FUZZ_SEED=$seed reproduces this run)"

# Good recordings to break: leaks and stacks, two processes, address space.
"$HEAPQL_BIN" run -q -o good1.db -- "$HQ_PROGS/rep_leaks" >/dev/null 2>&1
"$HEAPQL_BIN" run -q -o good2.db -- "$HQ_PROGS/rec_fork" >/dev/null 2>&1
"$HEAPQL_BIN" run -q -o good3.db -- "$HQ_PROGS/frag_regions" >/dev/null 2>&1
for g in good1 good2 good3; do
    check_eq complete "$(meta $g.db status)" "$g recorded"
done

# What does not concern the analyzer changes nothing in its reports: an
# extra table, an unknown meta key, a garbage -wal file beside the file.
cp good1.db extra.db
q extra.db "CREATE TABLE future_table(x); INSERT INTO meta VALUES ('future_key', 'x')" >/dev/null
cp good1.db wal.db
head -c 100000 /dev/urandom >wal.db-wal
for db in extra wal; do
    for r in summary top leaks; do
        a=$("$HEAPQL_BIN" report good1.db $r --format json 2>&1 | sed 's/good1\.db//g')
        b=$("$HEAPQL_BIN" report $db.db $r --format json 2>&1 | sed "s/$db\.db//g")
        check_eq "$a" "$b" "$db: report $r unchanged"
    done
done

python3 "$HQ_SRC/tests/fuzz/fuzz_analyzer.py" --heapql "$HEAPQL_BIN" --seed "$seed" \
    --count "$count" --jobs 2 --timeout "${HEAPQL_FUZZ_TIMEOUT:-30}" --work "$T/fuzz" --keep "${TMPDIR:-/tmp}/heapql-fuzz-$seed" \
    good1.db good2.db good3.db; rc=$?
check_eq 0 "$rc" "fuzz seed $seed: every run a report or one clear error (failing files kept)"
finish
