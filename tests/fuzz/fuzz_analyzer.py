#!/usr/bin/env python3
"""fuzz_analyzer.py -- run the analyzer's commands on hostile databases.

Files come from gen_dbs.py (same seed, same files).  Every file gets
`heapql report` (the summary) and a few other commands picked by the seed
(every report subcommand and format, sql, symbolize, frag).  Each run must
end within --timeout seconds with either

  - exit 0 (a report), or
  - exit 1 or 2 with one clear line: exactly one "heapql: " line on stderr
    that is not a warning, and nothing on stderr that is not heapql's;

never a signal, another exit status, a sanitizer report or a hang.
On failure the seed, the file's kind and the command are printed, and the
failing files are kept (--keep) to reproduce with:
  fuzz_analyzer.py --seed S ... (or run the printed command on the kept file)

usage: fuzz_analyzer.py --heapql BIN --seed S [--count N] [--jobs J]
                        [--timeout T] [--keep DIR] --work DIR GOOD.db...
"""
import argparse
import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_dbs  # noqa: E402

SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")
REPORTS = ["summary", "top", "leaks", "temporary", "histogram", "timeline", "flamegraph"]


def commands(rnd, f, good):
    """The commands for file f: the summary first, then a few others."""
    fmt = lambda: ["--format", rnd.choice(["text", "json", "csv"])]
    pool = [
        lambda: ["report", f, rnd.choice(REPORTS)] + fmt(),
        lambda: ["report", f, "top", "--inclusive", "--top", "0", "--frames", "50"],
        lambda: ["report", f, "top", "--sort", rnd.choice(["allocs", "bytes", "peak", "leaked", "temporary"])],
        lambda: ["report", f, rnd.choice(["top", "leaks", "flamegraph"]), "--from", "0", "--to", "peak"],
        lambda: ["report", f, "leaks", "--all", "--function", "."],
        lambda: ["report", f, "temporary", "--max-lifetime", "0.5"],
        lambda: ["report", f, "histogram", "--callsite", str(rnd.choice([1, 2, 5, 1000000]))],
        lambda: ["report", f, "lines", rnd.choice(["main", "leak_three", "rep_leaks.c", "x"])] + fmt(),
        lambda: ["report", f, "diff", good] + fmt(),
        lambda: ["report", good, "diff", f],
        lambda: ["report", f, "flamegraph", "--metric", rnd.choice(["allocs", "bytes", "peak", "leaked", "temporary"])],
        lambda: ["sql", f, rnd.choice([
            "SELECT count(*), sum(size) FROM allocations",
            "SELECT id, stack(id) FROM callsites LIMIT 50",
            "SELECT * FROM callsite_frames LIMIT 50",
            "SELECT kind_name(kind), count(*) FROM allocations GROUP BY 1",
            "SELECT * FROM leaks LIMIT 5",
            "SELECT * FROM meta"])],
        lambda: ["sql", "--json", f, "SELECT * FROM processes"],
        lambda: ["sql", "--csv", f, "SELECT stack(callsite_id) FROM allocations LIMIT 20"],
        lambda: ["symbolize", f],
        lambda: ["frag", f] + rnd.choice([[], ["--at", "peak"], ["--at", "end"], ["--at", "0.5"],
                                          ["--format", "json"], ["--points", "3", "--top", "2"]]),
    ]
    cmds = [["report", f]]
    cmds += [p() for p in rnd.sample(pool, 3)]
    return cmds


def verdict(rc, err):
    """None when the run is acceptable, else why not."""
    if SANITIZER.search(err):
        return "sanitizer report"
    if rc < 0 or rc >= 128:
        return "killed by signal %d" % (-rc if rc < 0 else rc - 128)
    if rc == 0:
        return None
    if rc not in (1, 2):
        return "exit status %d" % rc
    lines = [l for l in err.splitlines() if l.strip()]
    foreign = [l for l in lines if not l.startswith("heapql: ")]
    errors = [l for l in lines if l.startswith("heapql: ") and not l.startswith("heapql: warning:")]
    if foreign:
        return "stderr not from heapql: %r" % foreign[0][:200]
    if len(errors) != 1:
        return "%d error lines instead of one" % len(errors)
    return None


def run_file(heapql, timeout, path, kind, cmds):
    results = []
    env = dict(os.environ, COLUMNS="100", LINES="40")
    for cmd in cmds:
        argv = [heapql] + cmd
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=timeout, env=env)
            rc, err = p.returncode, p.stderr.decode("utf-8", "replace")
            why = verdict(rc, err)
        except subprocess.TimeoutExpired as e:
            rc, err = None, (e.stderr or b"").decode("utf-8", "replace")
            why = "hang (over %g s)" % timeout
        results.append((cmd, rc, why, err))
    return path, kind, results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--heapql", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--work", required=True)
    ap.add_argument("--keep", default=None)
    ap.add_argument("--verbose", action="store_true", help="one line per run")
    ap.add_argument("good", nargs="+")
    a = ap.parse_args()

    rnd = random.Random(a.seed)
    os.makedirs(a.work, exist_ok=True)
    gen = gen_dbs.Gen(random.Random(a.seed), a.work, a.good)
    files = [gen.make(i) for i in range(a.count)]
    plan = [(path, kind, commands(rnd, path, a.good[0])) for path, kind in files]

    failures, runs, outcome = [], 0, {"ok": 0, "error": 0}
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        for path, kind, results in ex.map(lambda x: run_file(a.heapql, a.timeout, *x), plan):
            for cmd, rc, why, err in results:
                runs += 1
                if a.verbose:
                    print("%s %s rc=%s %s | %s" % (os.path.basename(path), kind, rc, " ".join(cmd[:3]),
                                                   err.strip().splitlines()[-1][:150] if err.strip() else ""))
                if why:
                    failures.append((path, kind, cmd, why, err))
                else:
                    outcome["ok" if rc == 0 else "error"] += 1

    print("fuzz seed %d: %d files, %d runs: %d reports, %d clear errors, %d failures"
          % (a.seed, len(files), runs, outcome["ok"], outcome["error"], len(failures)))
    if not failures:
        return 0
    keep = a.keep or os.path.join(os.environ.get("TMPDIR", "/tmp"), "heapql-fuzz-%d" % a.seed)
    os.makedirs(keep, exist_ok=True)
    for path, kind, cmd, why, err in failures[:40]:
        kept = os.path.join(keep, os.path.basename(path))
        if os.path.exists(path) and not os.path.exists(kept):
            shutil.copyfile(path, kept)
        shown = " ".join("'%s'" % c if " " in c else c for c in cmd).replace(path, kept)
        print("FAIL seed=%d kind=%s: %s\n  heapql %s\n  %s" % (a.seed, kind, why, shown,
              "\n  ".join(err.strip().splitlines()[:6])))
    print("failing files kept in %s (seed %d reproduces them all)" % (keep, a.seed))
    return 1


if __name__ == "__main__":
    sys.exit(main())
