-- heapql database schema, version 1.
-- Documented table by table in schema/README.md.  This file is compiled into
-- the collector, which runs it on a new database and then sets
-- PRAGMA user_version = 1.  Times (*_ns) are nanoseconds since the run
-- started (meta 'start_unix_ns' gives the wall clock of time 0).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value
) WITHOUT ROWID;

CREATE TABLE kinds (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    family TEXT NOT NULL          -- 'alloc', 'free' or 'vm'
);

-- One row per process image: a fork child is a new row, and so is the new
-- image after exec (same pid, later start_ns).
CREATE TABLE processes (
    id               INTEGER PRIMARY KEY,
    pid              INTEGER NOT NULL,
    ppid             INTEGER,
    exe              TEXT,
    cmdline          TEXT,        -- arguments joined by spaces
    start_ns         INTEGER NOT NULL,
    end_ns           INTEGER,     -- NULL: still running when the recording stopped
    exit_code        INTEGER,
    exit_signal      INTEGER,
    end_reason       TEXT,        -- 'exit', 'signal', 'exec', 'detached', 'running'
    forked           INTEGER NOT NULL DEFAULT 0,  -- 1: started by fork from ppid
    peak_heap_bytes  INTEGER NOT NULL DEFAULT 0,
    peak_heap_blocks INTEGER NOT NULL DEFAULT 0,
    peak_ns          INTEGER,     -- first time the heap reached peak_heap_bytes
    peak_rss_bytes   INTEGER,
    alloc_calls      INTEGER NOT NULL DEFAULT 0,
    free_calls       INTEGER NOT NULL DEFAULT 0,
    failed_allocs    INTEGER NOT NULL DEFAULT 0,
    unknown_frees    INTEGER NOT NULL DEFAULT 0,  -- frees of blocks never seen allocated
    ring_waits       INTEGER NOT NULL DEFAULT 0,
    ring_wait_ns     INTEGER NOT NULL DEFAULT 0,
    lost_events      INTEGER NOT NULL DEFAULT 0,  -- records written but unreadable (must be 0)
    missed_frees     INTEGER NOT NULL DEFAULT 0,  -- blocks allocated again while live: their free was not seen
    unsampled_frees  INTEGER NOT NULL DEFAULT 0,  -- sampled run: frees of blocks that were not sampled
    preexisting_frees INTEGER NOT NULL DEFAULT 0  -- heapql attach: frees of blocks allocated before the attach
);

CREATE TABLE threads (
    pid      INTEGER NOT NULL,
    tid      INTEGER NOT NULL,
    name     TEXT,
    start_ns INTEGER,
    end_ns   INTEGER
);

-- One row per ELF object loaded in a process.  start/end cover all its
-- PT_LOAD segments at run time; file_offset is that of the first one.
-- A pc belongs to the module when start <= pc < end, and
-- rel_pc = pc - load_bias is the address in the ELF file's own terms.
CREATE TABLE modules (
    id          INTEGER PRIMARY KEY,
    pid         INTEGER NOT NULL,
    path        TEXT NOT NULL,
    build_id    TEXT,             -- lowercase hex, NULL if the object has none
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    file_offset INTEGER NOT NULL,
    load_bias   INTEGER NOT NULL,
    is_main     INTEGER NOT NULL DEFAULT 0,
    load_ns     INTEGER,
    unload_ns   INTEGER           -- NULL while loaded
);

-- One row per distinct (module, rel_pc).  function/file/line are NULL until
-- the analyzer symbolizes (meta 'symbolized').  For an inlined location the
-- innermost inlined function is named here and the whole inline chain is in
-- frame_inlines.
CREATE TABLE frames (
    id        INTEGER PRIMARY KEY,
    module_id INTEGER,            -- NULL: pc outside every known module (rel_pc is the pc)
    rel_pc    INTEGER NOT NULL,
    function  TEXT,
    file      TEXT,
    line      INTEGER,
    inlined   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE frame_inlines (
    frame_id INTEGER NOT NULL,
    depth    INTEGER NOT NULL,    -- 0 = the outermost (real) function, rising inwards
    function TEXT,
    file     TEXT,
    line     INTEGER,
    PRIMARY KEY (frame_id, depth)
) WITHOUT ROWID;

-- What the symbolizer found per module: status 'ok', 'symtab' (no debug
-- info: function names only), 'missing' (file not found), 'mismatch' (the
-- file's build-id differs from the one recorded: not used), 'unreadable'.
CREATE TABLE symbolization (
    module_id INTEGER PRIMARY KEY,
    status    TEXT NOT NULL,
    debug_file TEXT,              -- where the debug info came from
    message   TEXT
);

-- Stacks as a prefix tree (as Perfetto's stack_profile_callsite): depth 0 is
-- the outermost frame, parent_id NULL there.  An allocation names its
-- innermost callsite.
CREATE TABLE callsites (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER,
    frame_id  INTEGER NOT NULL,
    depth     INTEGER NOT NULL
);

-- Every block allocated through the malloc family or operator new (in a
-- sampled run, meta 'sample_rate' > 0: the sampled ones; in an aggregated
-- run, meta 'aggregate' = 1: none), stored compactly: most values are 0 or
-- small, which SQLite's record format stores in 0 to 3 bytes.  Query the
-- view `allocations` below; this is its storage, one row per block:
--   who           ((pid - P) << 37) + ((tid - pid) << 5) + kind, where P is
--                 meta 'pid_base' (the first process recorded): 0 for
--                 malloc in the main thread of the main process
--   ptr           2 * (ptr - A) or, for blocks nearer to it, 2 * (ptr - A - F)
--                 + 1, where A is meta 'ptr_base' (the first address
--                 allocated) and A + F, F being meta 'ptr_far' (the first
--                 address allocated 4 GiB or more away from A): typically
--                 the main heap and the mmap area
--   usable_delta  usable_size - U(size), U(size) being glibc's usable size
--                 for that request: ((size + 23) & -16) + ((size < 9) << 4)
--                 - 8, that is max(size + 23, 32) rounded down to 16, less 8;
--                 0 for nearly every glibc block
--   alloc_ns      alloc_ns - T, T being meta 'ns_base' (2^31 when the
--                 collector writes it): SQLite stores [-2^31, 2^31) in 4
--                 bytes, so the first 4.29 s of a run take 4 bytes, not
--                 the first 2.15 s (later times take 6)
--   lifetime_ns   free_ns - alloc_ns, or ~(free_ns - alloc_ns) (below 0) for a
--                 temporary block; NULL: never freed
--   weight        a real; NULL: 1.  A full recording (meta 'sample_rate' 0)
--                 writes its rows without this column and adds it when it
--                 ends, so it costs them nothing (a NULL is a byte of every
--                 record) and reads NULL; until then, and in a file whose
--                 collector was killed, the table lacks it and the view
--                 reads 1.0 (collector/coll_view.c).
-- The columns have no declared type nor NOT NULL: SQLite stores the
-- collector's integers as they are and skips the per-column checks (a
-- fifth of the CPU of an insert).  The id is the rowid, not a column: an
-- INTEGER PRIMARY KEY would cost every record a byte (its NULL).  Rows are
-- written as their blocks end, so ids follow that order.
CREATE TABLE alloc_rows (
    who,
    ptr,
    size,
    usable_delta,
    callsite_id,
    alloc_ns,
    lifetime_ns,
    weight
);

-- The documented columns, decoded with plain arithmetic on constants of
-- meta (a missing key is 0).  No join: SQLite flattens the view into the
-- query, so a filter on id is a rowid range.
-- free_ns NULL: never freed (a leak, or alive when recording stopped).
-- temporary 1: freed before its thread allocated anything else.
CREATE VIEW allocations AS
    SELECT rowid AS id,
           (SELECT ifnull(max(value), 0) FROM meta WHERE key = 'pid_base')
               + ((who + 68719476736) >> 37) AS pid,
           (SELECT ifnull(max(value), 0) FROM meta WHERE key = 'pid_base')
               + ((who + 68719476736) >> 37) + ((who << 27) >> 32) AS tid,
           who & 31 AS kind,
           (SELECT ifnull(max(value), 0) FROM meta WHERE key = 'ptr_base') + (ptr >> 1)
               + (ptr & 1) * (SELECT ifnull(max(value), 0) FROM meta WHERE key = 'ptr_far')
               AS ptr,
           size,
           ((size + 23) & -16) + ((size < 9) << 4) - 8 + usable_delta AS usable_size,
           callsite_id,
           (SELECT ifnull(max(value), 0) FROM meta WHERE key = 'ns_base') + alloc_ns AS alloc_ns,
           (SELECT ifnull(max(value), 0) FROM meta WHERE key = 'ns_base') + alloc_ns
               + max(lifetime_ns, ~lifetime_ns) AS free_ns,
           ifnull(weight, 1.0) AS weight,
           ifnull(lifetime_ns < 0, 0) AS temporary
    FROM alloc_rows;

-- Writing through the view (hand-made databases, tests) encodes the same
-- way, except that ptr is always relative to ptr_base; kind keeps its low
-- 5 bits (every allocation kind is below 32); temporary NULL is 0.
CREATE TRIGGER allocations_insert INSTEAD OF INSERT ON allocations BEGIN
    INSERT INTO alloc_rows (weight, rowid, who, ptr, size, usable_delta, callsite_id, alloc_ns,
                            lifetime_ns)
    VALUES (nullif(NEW.weight, 1.0), NEW.id,
            ((NEW.pid - (SELECT ifnull(max(value), 0) FROM meta WHERE key = 'pid_base')) << 37)
                + ((NEW.tid - NEW.pid) << 5) + (NEW.kind & 31),
            (NEW.ptr - (SELECT ifnull(max(value), 0) FROM meta WHERE key = 'ptr_base')) << 1,
            NEW.size, NEW.usable_size - (((NEW.size + 23) & -16) + ((NEW.size < 9) << 4) - 8),
            NEW.callsite_id,
            NEW.alloc_ns - (SELECT ifnull(max(value), 0) FROM meta WHERE key = 'ns_base'),
            CASE WHEN ifnull(NEW.temporary, 0) THEN ~(NEW.free_ns - NEW.alloc_ns)
                 ELSE NEW.free_ns - NEW.alloc_ns END);
END;

CREATE TRIGGER allocations_update INSTEAD OF UPDATE ON allocations BEGIN
    UPDATE alloc_rows SET
        weight = nullif(NEW.weight, 1.0),
        rowid = NEW.id,
        who = ((NEW.pid - (SELECT ifnull(max(value), 0) FROM meta WHERE key = 'pid_base')) << 37)
              + ((NEW.tid - NEW.pid) << 5) + (NEW.kind & 31),
        ptr = (NEW.ptr - (SELECT ifnull(max(value), 0) FROM meta WHERE key = 'ptr_base')) << 1,
        size = NEW.size,
        usable_delta = NEW.usable_size - (((NEW.size + 23) & -16) + ((NEW.size < 9) << 4) - 8),
        callsite_id = NEW.callsite_id,
        alloc_ns = NEW.alloc_ns - (SELECT ifnull(max(value), 0) FROM meta WHERE key = 'ns_base'),
        lifetime_ns = CASE WHEN ifnull(NEW.temporary, 0) THEN ~(NEW.free_ns - NEW.alloc_ns)
                           ELSE NEW.free_ns - NEW.alloc_ns END
    WHERE rowid = OLD.id;
END;

CREATE TRIGGER allocations_delete INSTEAD OF DELETE ON allocations BEGIN
    DELETE FROM alloc_rows WHERE rowid = OLD.id;
END;

-- Address-space events: mmap, munmap, mremap, brk, sbrk called by the
-- program (not those glibc's malloc makes internally).
CREATE TABLE vm_events (
    id          INTEGER PRIMARY KEY,
    pid         INTEGER NOT NULL,
    tid         INTEGER NOT NULL,
    kind        INTEGER NOT NULL,
    addr        INTEGER,
    length      INTEGER,
    prot        INTEGER,
    flags       INTEGER,
    callsite_id INTEGER,
    ns          INTEGER NOT NULL,
    old_addr    INTEGER,
    old_length  INTEGER,
    result      INTEGER NOT NULL DEFAULT 0   -- 0 ok, else errno
);

-- The heap as the program sees it (requested bytes of live blocks) and the
-- resident set as the kernel sees it, about every 10 ms and at the peak.
CREATE TABLE samples (
    pid         INTEGER NOT NULL,
    ns          INTEGER NOT NULL,
    rss_bytes   INTEGER,
    heap_bytes  INTEGER NOT NULL,
    heap_blocks INTEGER NOT NULL
);

-- Per-call-site totals, written when the recording ends, for allocations
-- whose innermost callsite is this one (self; inclusive figures sum over the
-- subtree).  peak_* count blocks live at the process's peak.  temporary: freed
-- before the same thread allocated anything else (heaptrack's definition).
-- In a sampled run every column but failed_count is an estimate.
CREATE TABLE callsite_stats (
    callsite_id     INTEGER PRIMARY KEY,
    pid             INTEGER NOT NULL,
    alloc_count     INTEGER NOT NULL,
    alloc_bytes     INTEGER NOT NULL,
    usable_bytes    INTEGER NOT NULL,
    free_count      INTEGER NOT NULL,
    peak_blocks     INTEGER NOT NULL,
    peak_bytes      INTEGER NOT NULL,
    leaked_blocks   INTEGER NOT NULL,
    leaked_bytes    INTEGER NOT NULL,
    temporary_count INTEGER NOT NULL,
    failed_count    INTEGER NOT NULL
);

-- Allocation calls and bytes per process image and kind, written when the
-- recording ends, all rows in one transaction (a finished recording with no
-- rows here ended before they could be written: count from allocations).
-- Also in an aggregated run; estimates in a sampled one.
CREATE TABLE kind_stats (
    process_id  INTEGER NOT NULL,     -- processes.id
    pid         INTEGER NOT NULL,
    kind        INTEGER NOT NULL,     -- kinds.id
    alloc_count INTEGER NOT NULL,
    alloc_bytes INTEGER NOT NULL,
    PRIMARY KEY (process_id, kind)
) WITHOUT ROWID;

-- Blocks never freed.
CREATE VIEW leaks AS
    SELECT * FROM allocations WHERE free_ns IS NULL;

-- Blocks live at their process's peak.
CREATE VIEW live_at_peak AS
    SELECT a.* FROM allocations a
    JOIN processes p ON a.pid = p.pid
     AND a.alloc_ns >= p.start_ns AND a.alloc_ns <= ifnull(p.end_ns, a.alloc_ns)
    WHERE p.peak_ns IS NOT NULL
      AND a.alloc_ns <= p.peak_ns
      AND (a.free_ns IS NULL OR a.free_ns > p.peak_ns);
