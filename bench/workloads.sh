# workloads.sh -- the benchmark's programs, sourced by bench/run.sh.
# Each workload is a function that runs the program given as prefix "$@"
# (empty, `heapql run ...`, `heaptrack ...`) and sends its output to /dev/null.

BENCH_PY_SCRIPT='
import json
d = {str(i): [i, str(i) * 3, {"k": i, "v": [i, i + 1]}] for i in range(300000)}
s = json.dumps(d)
print(len(s))
'

BENCH_SQL_SCRIPT="
CREATE TABLE t(a INTEGER, b TEXT, c REAL);
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200000)
INSERT INTO t SELECT x, hex(randomblob(12)), x * 0.5 FROM n;
CREATE INDEX tb ON t(b);
CREATE INDEX tc ON t(c, a);
SELECT count(*) FROM t;
"

# The interpreter itself, not a wrapper script: with a `python3` that is
# pyenv's shim (bash, then `pyenv exec`), heaptrack, which follows no exec,
# recorded the shell script (85 allocations) while heapql recorded every
# process down to the real interpreter (9.5M allocations).
BENCH_PYTHON=${BENCH_PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}

wl_churn() { "$@" "$BUILD/examples/churn" 2000000 20 >/dev/null; }
wl_python() { PYTHONMALLOC=malloc "$@" "$BENCH_PYTHON" -c "$BENCH_PY_SCRIPT" >/dev/null; }
wl_sqlite() { rm -f "$WORK/bench.sqlite"; "$@" sqlite3 "$WORK/bench.sqlite" "$BENCH_SQL_SCRIPT" >/dev/null; }

WORKLOADS="churn python sqlite"
