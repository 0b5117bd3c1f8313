#!/usr/bin/env python3
"""gen_dbs.py -- hostile and broken heapql databases for the analyzer.

Each file is made from good recordings (given with --good) by one or more
mutations, or from nothing: random bytes, empty files, truncated or
overwritten pages, missing tables, wrong column types, text where numbers
belong, huge and negative values, callsite cycles and very deep chains,
dangling references, hostile module paths (a FIFO, /dev/zero, a directory),
odd meta (status, collector pid, schema versions).  The same seed makes the
same files.

usage: gen_dbs.py --seed S --count N --out DIR GOOD.db [GOOD.db...]
Prints one line per file: "PATH KIND".
"""
import argparse
import os
import random
import shutil
import sqlite3
import sys

TABLES = ["meta", "kinds", "processes", "threads", "modules", "frames", "frame_inlines",
          "symbolization", "callsites", "allocations", "vm_events", "samples",
          "callsite_stats"]
VIEWS = ["leaks", "live_at_peak"]

BIG = 2 ** 63 - 1
VALUES = [None, 0, -1, 1, BIG, -BIG - 1, 2 ** 62, -(2 ** 40), 4294967296, 1e308, -1e308,
          float("nan"), 0.5, "", "abc", "12abc", "-0", " 7", "\x1b[2J\x07", "é" * 50,
          "x" * 100000, b"\x00\xff\x00", b"", "NULL", "'; DROP TABLE meta; --", "%s%n%s",
          "../../../../etc/passwd", "peak", "9" * 40]


class Gen:
    def __init__(self, rnd, out, goods):
        self.rnd = rnd
        self.out = out
        self.goods = goods
        self.fifo = os.path.join(out, "fifo")
        if not os.path.exists(self.fifo):
            os.mkfifo(self.fifo, 0o600)

    # ---- whole-file damage ------------------------------------------------
    def random_bytes(self, path):
        with open(path, "wb") as f:
            f.write(self.rnd.randbytes(self.rnd.choice([1, 15, 16, 100, 4096, 65536, 200000])))

    def empty(self, path):
        open(path, "wb").close()

    def header_garbage(self, path):
        with open(path, "wb") as f:
            f.write(b"SQLite format 3\x00" + self.rnd.randbytes(self.rnd.choice([0, 84, 4000, 70000])))

    def truncated(self, path):
        size = os.path.getsize(path)
        cut = self.rnd.choice([100, 512, 4096, 65536, 65536 * 2 + 17, size // 2, size - 1])
        with open(path, "r+b") as f:
            f.truncate(max(1, min(cut, size - 1)))

    def flipped(self, path):
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            for _ in range(self.rnd.choice([1, 5, 50, 500])):
                f.seek(self.rnd.randrange(size))
                f.write(bytes([self.rnd.randrange(256)]))

    def zero_pages(self, path):
        size = os.path.getsize(path)
        page = 65536 if size >= 65536 * 4 else 4096
        with open(path, "r+b") as f:
            for _ in range(self.rnd.choice([1, 2, 4])):
                f.seek(self.rnd.randrange(1, max(2, size // page)) * page)
                f.write(b"\x00" * page)

    # ---- SQL-level mutations ----------------------------------------------
    def sql(self, path, kind):
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=DELETE")
            getattr(self, "m_" + kind)(db)
        except (sqlite3.Error, IndexError, ValueError):
            pass  # an earlier mutation took what this one needed (a table, its columns)
        db.close()

    @staticmethod
    def x(db, sql, params=()):
        """One statement; a mutation that SQLite refuses is skipped."""
        try:
            db.execute(sql, params)
        except sqlite3.Error:
            pass

    def cols(self, db, table):
        return [r[1] for r in db.execute("PRAGMA table_info(%s)" % table)]

    def m_drop(self, db):
        for t in self.rnd.sample(TABLES + VIEWS, self.rnd.choice([1, 1, 2, 5])):
            self.x(db, "DROP %s IF EXISTS %s" % ("VIEW" if t in VIEWS else "TABLE", t))

    def m_reshape(self, db):
        t = self.rnd.choice(TABLES)
        self.x(db, "DROP TABLE %s" % t)
        shape = self.rnd.choice(["(a)", "(id INTEGER PRIMARY KEY, x TEXT)", "(key, value, extra)",
                                 "(%s)" % ", ".join("c%d BLOB" % i for i in range(20))])
        self.x(db, "CREATE TABLE %s %s" % (t, shape))
        n = len(self.cols(db, t))
        for _ in range(self.rnd.choice([0, 1, 10])):
            self.x(db, "INSERT INTO %s VALUES (%s)" % (t, ",".join("?" * n)),
                       [self.rnd.choice(VALUES) for _ in range(n)])

    def m_values(self, db):
        """Random columns of random rows set to hostile values."""
        for _ in range(self.rnd.choice([1, 3, 10])):
            t = self.rnd.choice(TABLES)
            c = self.rnd.choice(self.cols(db, t))
            v = self.rnd.choice(VALUES)
            where = self.rnd.choice(["", " WHERE rowid % 2 = 0", " WHERE rowid IN (SELECT rowid FROM %s LIMIT 1)" % t])
            if t in ("meta", "frame_inlines") and where:
                where = ""
            try:
                self.x(db, "UPDATE OR IGNORE %s SET %s = ?%s" % (t, c, where), [v])
            except sqlite3.Error:
                pass

    def m_numbers(self, db):
        """Huge, negative and inconsistent figures where they matter."""
        stmts = [
            "UPDATE allocations SET size = %d" % self.rnd.choice([BIG, -1, -BIG - 1, 2 ** 40]),
            "UPDATE allocations SET usable_size = -5",
            "UPDATE allocations SET free_ns = alloc_ns - 1000 WHERE id % 3 = 0",
            "UPDATE allocations SET alloc_ns = %d" % self.rnd.choice([BIG, -BIG - 1, -1]),
            "UPDATE allocations SET ptr = -1",
            "UPDATE allocations SET kind = %d" % self.rnd.choice([99, -1, 64, 32]),
            "UPDATE allocations SET pid = 424242",
            "UPDATE processes SET peak_ns = %d, peak_heap_bytes = %d" % (self.rnd.choice([-1, BIG]), BIG),
            "UPDATE processes SET start_ns = 1000, end_ns = 10",
            "UPDATE processes SET exit_signal = 4096, exit_code = -9",
            "INSERT INTO processes (pid, start_ns) SELECT pid, start_ns FROM processes",
            "UPDATE samples SET ns = %d - ns, rss_bytes = -1" % BIG,
            "UPDATE samples SET heap_bytes = %d" % BIG,
            "UPDATE callsite_stats SET alloc_count = -3, peak_bytes = %d" % BIG,
            "UPDATE meta SET value = %d WHERE key IN ('duration_ns', 'start_unix_ns', 'depth')"
            % self.rnd.choice([BIG, -1, -BIG - 1]),
            "UPDATE vm_events SET length = %d, addr = %d" % (self.rnd.choice([BIG, -1, 2 ** 47]),
                                                            self.rnd.choice([BIG - 4096, -4096, 0])),
            "INSERT INTO vm_events (pid, tid, kind, addr, length, ns) SELECT pid, tid, 64, 0, %d, ns FROM vm_events" % BIG,
            "UPDATE modules SET start = end + 100, load_bias = -1",
            "UPDATE frames SET rel_pc = %d, line = -7" % BIG,
            "UPDATE callsites SET depth = %d" % self.rnd.choice([-1, BIG, 100000]),
            "UPDATE threads SET start_ns = 5, end_ns = 1",
        ]
        for s in self.rnd.sample(stmts, self.rnd.choice([1, 3, 8])):
            try:
                self.x(db, s)
            except sqlite3.Error:
                pass

    def m_text(self, db):
        """Text and blobs where numbers belong."""
        for t in self.rnd.sample(TABLES, 4):
            for c in self.rnd.sample(self.cols(db, t), 1):
                try:
                    self.x(db, "UPDATE OR IGNORE %s SET %s = ?" % (t, c),
                               [self.rnd.choice(["abc", "1e999", "0x10", b"\x01\x02", " ", "-", "3.5"])])
                except sqlite3.Error:
                    pass

    def m_cycles(self, db):
        """Callsite trees that are not trees."""
        ids = [r[0] for r in db.execute("SELECT id FROM callsites ORDER BY id")]
        if not ids:
            return
        how = self.rnd.choice(["self", "loop", "orphan", "all", "twoparents"])
        if how == "self":
            for i in self.rnd.sample(ids, min(5, len(ids))):
                self.x(db, "UPDATE callsites SET parent_id = id WHERE id = ?", [i])
        elif how == "loop":
            self.x(db, "UPDATE callsites SET parent_id = (SELECT max(id) FROM callsites) "
                       "WHERE parent_id IS NULL")
        elif how == "orphan":
            self.x(db, "UPDATE callsites SET parent_id = parent_id + 1000000 WHERE id % 2 = 0")
        elif how == "all":
            self.x(db, "UPDATE callsites SET parent_id = id + 1")
        else:
            self.x(db, "INSERT INTO callsites (parent_id, frame_id, depth) "
                       "SELECT id, frame_id, depth + 1 FROM callsites WHERE depth = 0")
            self.x(db, "UPDATE allocations SET callsite_id = (SELECT max(id) FROM callsites) "
                       "WHERE id % 5 = 0")

    def m_deep(self, db):
        """A chain of callsites far deeper than any recording makes."""
        n = self.rnd.choice([5000, 100000])
        frame = db.execute("SELECT min(id) FROM frames").fetchone()[0] or 1
        top = db.execute("SELECT coalesce(max(id), 0) FROM callsites").fetchone()[0] + 1
        self.x(db, "BEGIN")
        self.x(db, "INSERT INTO callsites VALUES (?, NULL, ?, 0)", [top, frame])
        db.executemany("INSERT INTO callsites VALUES (?, ?, ?, ?)",
                       ((top + i, top + i - 1, frame, i) for i in range(1, n)))
        self.x(db, "UPDATE allocations SET callsite_id = ? WHERE id % 2 = 0", [top + n - 1])
        self.x(db, "COMMIT")

    def m_dangling(self, db):
        for s in self.rnd.sample([
                "UPDATE allocations SET callsite_id = callsite_id + 1000000",
                "UPDATE callsites SET frame_id = frame_id + 1000000",
                "UPDATE frames SET module_id = module_id + 1000000",
                "DELETE FROM modules",
                "DELETE FROM frames WHERE id % 2 = 0",
                "DELETE FROM kinds",
                "DELETE FROM processes",
                "UPDATE callsite_stats SET callsite_id = -callsite_id",
                "DELETE FROM callsites WHERE depth = 0"], self.rnd.choice([1, 2, 4])):
            self.x(db, s)

    def m_modules(self, db):
        """Module paths that must not hang or fool the symbolizer."""
        path = self.rnd.choice([self.fifo, "/dev/zero", "/dev/urandom", "/proc/self/mem", "/",
                                self.out, "/etc/shadow", "", "relative/path", "/nonexistent\n\x1b[31m",
                                "/proc/self/exe", "/sys/kernel/notes", "/dev/stdin"])
        self.x(db, "UPDATE modules SET path = ?, build_id = ? WHERE id IN "
                   "(SELECT id FROM modules ORDER BY random() LIMIT 2)",
                   [path, self.rnd.choice([None, "", "zz", "00" * 200])])
        self.x(db, "DELETE FROM symbolization")
        self.x(db, "UPDATE frames SET function = NULL, file = NULL, line = NULL")
        self.x(db, "DELETE FROM meta WHERE key = 'symbolized'")

    def m_strings(self, db):
        """Function and file names with control characters, or huge."""
        v = self.rnd.choice(["\x1b[2J\x1b[31mRED", "a\nb\tc\rd", "x" * 1000000, "%s%s%s%n",
                             "\u202eevil", "", "\x00mid"])
        self.x(db, "UPDATE frames SET function = ?, file = ? WHERE id % 2 = 1", [v, v])
        self.x(db, "UPDATE processes SET exe = ?, cmdline = ?", [v, v])
        self.x(db, "UPDATE meta SET value = ? WHERE key = 'command'", [v])

    def m_meta(self, db):
        s = self.rnd.choice([
            "UPDATE meta SET value = 'recording' WHERE key = 'status'",
            "UPDATE meta SET value = 'recording' WHERE key = 'status'; UPDATE meta SET value = 1 WHERE key = 'collector_pid'",
            "UPDATE meta SET value = 'recording' WHERE key = 'status'; UPDATE meta SET value = -1 WHERE key = 'collector_pid'",
            "UPDATE meta SET value = 'weird' WHERE key = 'status'",
            "UPDATE meta SET value = NULL",
            "DELETE FROM meta",
            "UPDATE meta SET value = 'two' WHERE key = 'schema_version'",
            "PRAGMA user_version = 2",
            "PRAGMA user_version = 2147483647",
            "PRAGMA user_version = -1",
            "PRAGMA user_version = 0",
            "UPDATE meta SET value = 'yes' WHERE key = 'symbolized'",
            "UPDATE meta SET value = 'truncated' WHERE key = 'status'; INSERT OR REPLACE INTO meta VALUES ('truncated_reason', ?)",
        ])
        for part in s.split("; "):
            self.x(db, part, ["\x1b[2J" + "r" * 5000] if "?" in part else [])

    def m_empty(self, db):
        for t in TABLES:
            if t != "meta":
                self.x(db, "DELETE FROM %s" % t)

    # ---- one file ---------------------------------------------------------
    def make(self, i):
        path = os.path.join(self.out, "%04d.db" % i)
        kind = self.rnd.choice(["random_bytes", "empty", "header_garbage", "truncated", "flipped",
                                "zero_pages", "drop", "reshape", "values", "values", "numbers",
                                "numbers", "text", "cycles", "cycles", "deep", "dangling",
                                "modules", "strings", "meta", "meta", "empty_tables", "mix", "mix"])
        if kind in ("random_bytes", "empty", "header_garbage"):
            getattr(self, kind)(path)
            return path, kind
        shutil.copyfile(self.rnd.choice(self.goods), path)
        if kind in ("truncated", "flipped", "zero_pages"):
            getattr(self, kind)(path)
        elif kind == "empty_tables":
            self.sql(path, "empty")
        elif kind == "mix":
            parts = self.rnd.sample(["values", "numbers", "text", "cycles", "dangling", "strings",
                                     "meta", "drop"], 3)
            for p in parts:
                self.sql(path, p)
            kind = "mix:" + "+".join(parts)
        else:
            self.sql(path, kind)
        return path, kind


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--out", required=True)
    ap.add_argument("good", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    g = Gen(random.Random(a.seed), a.out, a.good)
    for i in range(a.count):
        path, kind = g.make(i)
        print(path, kind)
    return 0


if __name__ == "__main__":
    sys.exit(main())
