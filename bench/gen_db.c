/*
 * gen_db.c -- a realistic heapql database of N allocations (default 10M),
 * for timing the reports (bench/report_bench.sh).
 *
 *   cc -O2 -o gen_db bench/gen_db.c -lsqlite3 -lm
 *   gen_db OUT.db [ALLOCATIONS] [SCHEMA.sql]      (schema default schema/v1.sql)
 *
 * It simulates a program the way the recorder would have seen it: 8 threads
 * of one process, 5 modules, ~2,500 symbolized functions, 20,000 distinct
 * stacks of depth 6..40 through a call tree (a few hundred thousand
 * callsites), Zipf-distributed hot spots, sizes from 8 B to 1 MiB (mostly
 * small), lifetimes from nanoseconds to the whole run, 0.2% leaks.  Then it
 * writes what the collector writes at the end: allocations with their free
 * times, samples every 10 ms, the processes row with the peak, and
 * callsite_stats computed with the recorder's definitions (live at the peak,
 * temporary = freed before the thread allocated again, leaked = never
 * freed), and kind_stats when the schema has it.  Deterministic: a fixed
 * seed.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_THREADS 8
#define N_FUNCS 2500
#define N_STACKS 20000
#define MAX_DEPTH 40
#define RUN_NS 60000000000LL /* 60 s */

typedef struct alloc_s {
    int64_t alloc_ns, free_ns; /* free_ns -1: leaked */
    uint32_t size;
    uint32_t stack;            /* index into stacks */
    uint8_t tid, kind;
    uint8_t temp, at_peak;
} alloc_t;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double rnd01(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* Zipf-like index in [0, n): a few hot values, a long tail. */
static uint32_t zipf(uint32_t n, double s)
{
    double u = rnd01();
    uint32_t i = (uint32_t)(pow(u, s) * n);
    return i < n ? i : n - 1;
}

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "gen_db: %s: %s\n", what, db ? sqlite3_errmsg(db) : "failed");
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "gen_db: %s\n", msg ? msg : "?");
        exit(1);
    }
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(db, sql);
    return st;
}

static void step(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die(db, "insert");
    sqlite3_reset(st);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *s;
    long n;
    if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
        !(s = calloc(1, (size_t)n + 1)) || fread(s, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "gen_db: cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    return s;
}

/* ---- program structure: modules, functions, frames, stacks --------------- */

static const char *const mod_path[] = {
    "/opt/app/bin/server", "/opt/app/lib/libstore.so", "/opt/app/lib/libnet.so",
    "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libc.so.6"};
static const char *const mod_dir[] = {"/src/server", "/src/store", "/src/net", NULL, NULL};
static const char *const verbs[] = {"parse", "load", "store", "encode", "decode", "build",
                                    "visit", "insert", "lookup", "flush", "read", "write",
                                    "merge", "split", "copy", "handle", "emit", "scan"};
static const char *const nouns[] = {"request", "header", "row", "page", "index", "token",
                                    "buffer", "node", "tree", "block", "record", "frame",
                                    "message", "column", "cache", "segment", "field"};

typedef struct func_s {
    int module, file_no, first_line;
    char name[64];
} func_t;

static func_t funcs[N_FUNCS];
static int64_t frame_count;

static void make_funcs(void)
{
    for (int i = 0; i < N_FUNCS; i++) {
        func_t *f = &funcs[i];
        f->module = i < 1500 ? 0 : i < 2000 ? 1 : i < 2300 ? 2 : i < 2450 ? 3 : 4;
        f->file_no = i / 25;
        f->first_line = 10 + (i % 25) * 40;
        if (f->module == 3)
            snprintf(f->name, sizeof f->name, "std::vector<%s>::_M_realloc_insert(%s&&)",
                     nouns[i % 17], nouns[i % 17]);
        else if (f->module == 4)
            snprintf(f->name, sizeof f->name, "__libc_%s_%d", verbs[i % 18], i);
        else
            snprintf(f->name, sizeof f->name, "%s_%s_%d", verbs[i % 18], nouns[(i / 18) % 17], i);
    }
}

/* Frames are (function, call-line) pairs: each function has 8 call sites. */
static int64_t frame_id(int func, int site)
{
    return (int64_t)func * 8 + site + 1;
}

static void write_frames(sqlite3 *db)
{
    sqlite3_stmt *st = prep(db, "INSERT INTO frames VALUES (?,?,?,?,?,?,0)");
    char file[128];
    for (int i = 0; i < N_FUNCS; i++)
        for (int s = 0; s < 8; s++) {
            const func_t *f = &funcs[i];
            sqlite3_bind_int64(st, 1, frame_id(i, s));
            sqlite3_bind_int(st, 2, f->module + 1);
            sqlite3_bind_int64(st, 3, 0x1000 + (int64_t)i * 0x400 + s * 0x20);
            sqlite3_bind_text(st, 4, f->name, -1, SQLITE_TRANSIENT);
            if (mod_dir[f->module]) {
                snprintf(file, sizeof file, "%s/file_%d.c", mod_dir[f->module], f->file_no);
                sqlite3_bind_text(st, 5, file, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(st, 6, f->first_line + 3 + s * 4);
            } else {
                sqlite3_bind_null(st, 5);
                sqlite3_bind_null(st, 6);
            }
            step(db, st);
            frame_count++;
        }
    sqlite3_finalize(st);
}

/* The callsite trie: children found through a hash of (parent, frame). */
typedef struct trie_s {
    int64_t *key_parent, *key_frame;
    int64_t *val;
    size_t cap, n_nodes;
    sqlite3_stmt *ins;
} trie_t;

static int64_t trie_child(trie_t *t, sqlite3 *db, int64_t parent, int64_t frame, int depth)
{
    uint64_t k = (uint64_t)(parent * 1000003 + frame) * 0x9e3779b97f4a7c15ull;
    size_t h = (size_t)(k >> 20) & (t->cap - 1);
    while (t->val[h]) {
        if (t->key_parent[h] == parent && t->key_frame[h] == frame)
            return t->val[h];
        h = (h + 1) & (t->cap - 1);
    }
    t->key_parent[h] = parent;
    t->key_frame[h] = frame;
    t->val[h] = (int64_t)++t->n_nodes;
    sqlite3_bind_int64(t->ins, 1, t->val[h]);
    if (parent)
        sqlite3_bind_int64(t->ins, 2, parent);
    else
        sqlite3_bind_null(t->ins, 2);
    sqlite3_bind_int64(t->ins, 3, frame);
    sqlite3_bind_int(t->ins, 4, depth);
    step(db, t->ins);
    sqlite3_clear_bindings(t->ins);
    return t->val[h];
}

/* A stack: _start -> __libc_start_main -> main -> a walk through the app's
 * functions (callers have lower numbers, so the tree has a shape) ending in
 * an allocating frame. */
static int64_t make_stack(trie_t *t, sqlite3 *db)
{
    int depth = 6 + (int)(rnd() % (MAX_DEPTH - 6));
    int64_t node = trie_child(t, db, 0, frame_id(N_FUNCS - 1, 0), 0);
    node = trie_child(t, db, node, frame_id(N_FUNCS - 2, 0), 1);
    node = trie_child(t, db, node, frame_id(0, 0), 2);
    int func = 0;
    for (int d = 3; d < depth; d++) {
        int span = d < depth - 1 ? 40 : 400;
        func = (func + 1 + (int)zipf((uint32_t)span, 2.5)) % 2450;
        node = trie_child(t, db, node, frame_id(func, (int)(rnd() % 8)), d);
    }
    return node;
}

/* ---- the run ---------------------------------------------------------------- */

static uint32_t pick_size(void)
{
    double u = rnd01();
    if (u < 0.70)
        return 8 + (uint32_t)(rnd() % 120);
    if (u < 0.95)
        return 128 + (uint32_t)(rnd() % 3968);
    if (u < 0.999)
        return 4096 + (uint32_t)(rnd() % 61440);
    return 65536 + (uint32_t)(rnd() % (1u << 20));
}

static int64_t pick_lifetime(int64_t now)
{
    double u = rnd01();
    if (u < 0.002)
        return -1;                                   /* leaked */
    if (u < 0.55)
        return 50 + (int64_t)(rnd() % 2000);         /* temporaries */
    if (u < 0.90)
        return 2000 + (int64_t)(rnd() % 2000000);    /* < 2 ms */
    if (u < 0.995)
        return 2000000 + (int64_t)(rnd() % 2000000000LL);
    return (RUN_NS - now) / 2 + (int64_t)(rnd() % ((RUN_NS - now) / 2 + 1));
}

typedef struct ev_s {
    int64_t ns;
    int64_t delta;
} ev_t;

static int ev_cmp(const void *a, const void *b)
{
    const ev_t *x = a, *y = b;
    return x->ns < y->ns ? -1 : x->ns > y->ns;
}

/* Heap over time: the peak, and a sample every 10 ms. */
static void heap_sweep(sqlite3 *db, alloc_t *a, size_t n, int64_t *peak_ns, int64_t *peak_bytes,
                       int64_t *peak_blocks)
{
    ev_t *ev = malloc(2 * n * sizeof *ev);
    size_t ne = 0;
    for (size_t i = 0; i < n; i++) {
        ev[ne++] = (ev_t){a[i].alloc_ns * 2 + 1, (int64_t)a[i].size};
        if (a[i].free_ns >= 0)
            ev[ne++] = (ev_t){a[i].free_ns * 2, -(int64_t)a[i].size};
    }
    qsort(ev, ne, sizeof *ev, ev_cmp);
    sqlite3_stmt *st = prep(db, "INSERT INTO samples VALUES (4242, ?, ?, ?, ?)");
    int64_t heap = 0, blocks = 0, next_sample = 0;
    *peak_bytes = 0;
    for (size_t i = 0; i < ne; i++) {
        int64_t ns = ev[i].ns / 2;
        while (next_sample <= ns) {
            sqlite3_bind_int64(st, 1, next_sample);
            sqlite3_bind_int64(st, 2, heap + heap / 3 + (6 << 20));
            sqlite3_bind_int64(st, 3, heap);
            sqlite3_bind_int64(st, 4, blocks);
            step(db, st);
            next_sample += 10000000;
        }
        heap += ev[i].delta;
        blocks += ev[i].delta > 0 ? 1 : -1;
        if (heap > *peak_bytes) {
            *peak_bytes = heap;
            *peak_blocks = blocks;
            *peak_ns = ns;
        }
    }
    sqlite3_finalize(st);
    free(ev);
}

static void mark_flags(alloc_t *a, size_t n, int64_t peak_ns)
{
    int64_t last[N_THREADS];
    for (int t = 0; t < N_THREADS; t++)
        last[t] = -1;
    for (size_t i = 0; i < n; i++) {
        int t = a[i].tid;
        if (last[t] >= 0) {
            alloc_t *p = &a[last[t]];
            p->temp = p->free_ns >= 0 && p->free_ns < a[i].alloc_ns;
        }
        last[t] = (int64_t)i;
        a[i].at_peak = a[i].alloc_ns <= peak_ns && (a[i].free_ns < 0 || a[i].free_ns > peak_ns);
    }
    for (int t = 0; t < N_THREADS; t++)
        if (last[t] >= 0)
            a[last[t]].temp = a[last[t]].free_ns >= 0;
}

typedef struct cstat_s {
    int64_t n, bytes, usable, frees, peak_n, peak_b, leak_n, leak_b, temp;
} cstat_t;

static void write_allocs(sqlite3 *db, const alloc_t *a, size_t n, const int64_t *leaf,
                         cstat_t *cs)
{
    sqlite3_stmt *st = prep(db, "INSERT INTO allocations (id, pid, tid, kind, ptr, size, usable_size, "
                                "callsite_id, alloc_ns, free_ns, temporary) "
                                "VALUES (?,4242,?,?,?,?,?,?,?,?,?)");
    for (size_t i = 0; i < n; i++) {
        const alloc_t *x = &a[i];
        uint32_t usable = (x->size + 15) & ~15u;
        sqlite3_bind_int64(st, 1, (int64_t)i + 1);
        sqlite3_bind_int(st, 2, 4242 + x->tid);
        sqlite3_bind_int(st, 3, x->kind);
        sqlite3_bind_int64(st, 4, 0x55550000000LL + (int64_t)(i % 1000003) * 64);
        sqlite3_bind_int64(st, 5, x->size);
        sqlite3_bind_int64(st, 6, usable);
        sqlite3_bind_int64(st, 7, leaf[x->stack]);
        sqlite3_bind_int64(st, 8, x->alloc_ns);
        if (x->free_ns >= 0)
            sqlite3_bind_int64(st, 9, x->free_ns);
        else
            sqlite3_bind_null(st, 9);
        sqlite3_bind_int(st, 10, x->temp);
        step(db, st);
        cstat_t *c = &cs[x->stack];
        c->n++;
        c->bytes += x->size;
        c->usable += usable;
        c->frees += x->free_ns >= 0;
        c->peak_n += x->at_peak;
        c->peak_b += x->at_peak ? x->size : 0;
        c->leak_n += x->free_ns < 0;
        c->leak_b += x->free_ns < 0 ? x->size : 0;
        c->temp += x->temp;
    }
    sqlite3_finalize(st);
}

/* Distinct stacks may share a leaf callsite (the trie merges equal paths):
 * callsite_stats has one row per callsite. */
static void write_stats(sqlite3 *db, const cstat_t *cs, const int64_t *leaf)
{
    sqlite3_stmt *st = prep(db, "INSERT INTO callsite_stats VALUES (?,4242,?,?,?,?,?,?,?,?,?,0) "
                                "ON CONFLICT(callsite_id) DO UPDATE SET "
                                "alloc_count=alloc_count+excluded.alloc_count, "
                                "alloc_bytes=alloc_bytes+excluded.alloc_bytes, "
                                "usable_bytes=usable_bytes+excluded.usable_bytes, "
                                "free_count=free_count+excluded.free_count, "
                                "peak_blocks=peak_blocks+excluded.peak_blocks, "
                                "peak_bytes=peak_bytes+excluded.peak_bytes, "
                                "leaked_blocks=leaked_blocks+excluded.leaked_blocks, "
                                "leaked_bytes=leaked_bytes+excluded.leaked_bytes, "
                                "temporary_count=temporary_count+excluded.temporary_count");
    for (int s = 0; s < N_STACKS; s++) {
        const cstat_t *c = &cs[s];
        if (!c->n)
            continue;
        int64_t v[10] = {leaf[s], c->n, c->bytes, c->usable, c->frees, c->peak_n, c->peak_b,
                         c->leak_n, c->leak_b, c->temp};
        sqlite3_bind_int64(st, 1, v[0]);
        for (int k = 1; k < 10; k++)
            sqlite3_bind_int64(st, k + 1, v[k]);
        step(db, st);
    }
    sqlite3_finalize(st);
}

/* kind_stats, when the schema given has it (older ones do not). */
static void write_kinds(sqlite3 *db, const alloc_t *a, size_t n)
{
    int64_t calls[256] = {0}, bytes[256] = {0};
    sqlite3_stmt *st = prep(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'kind_stats'");
    int have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    if (!have)
        return;
    for (size_t i = 0; i < n; i++) {
        calls[a[i].kind]++;
        bytes[a[i].kind] += a[i].size;
    }
    st = prep(db, "INSERT INTO kind_stats (process_id, pid, kind, alloc_count, alloc_bytes) "
                  "VALUES (1, 4242, ?, ?, ?)");
    for (int k = 0; k < 256; k++) {
        if (!calls[k])
            continue;
        sqlite3_bind_int(st, 1, k);
        sqlite3_bind_int64(st, 2, calls[k]);
        sqlite3_bind_int64(st, 3, bytes[k]);
        step(db, st);
    }
    sqlite3_finalize(st);
}

static void write_head(sqlite3 *db, const char *schema)
{
    char sql[512];
    exec(db, schema);
    exec(db, "PRAGMA user_version = 1");
    exec(db, "INSERT INTO kinds VALUES (0,'malloc','alloc'),(1,'calloc','alloc'),"
             "(2,'realloc','alloc'),(9,'new','alloc'),(10,'new[]','alloc'),(32,'free','free')");
    for (int m = 0; m < 5; m++) {
        snprintf(sql, sizeof sql, "INSERT INTO modules (id,pid,path,build_id,start,end,file_offset,"
                 "load_bias,is_main) VALUES (%d,4242,'%s','%02x',%lld,%lld,0,%lld,%d)", m + 1,
                 mod_path[m], m, 0x400000LL << m, (0x400000LL << m) + 0x200000,
                 0x400000LL << m, m == 0);
        exec(db, sql);
    }
    for (int t = 0; t < N_THREADS; t++) {
        snprintf(sql, sizeof sql, "INSERT INTO threads VALUES (4242,%d,'worker-%d',%d,%lld)",
                 4242 + t, t, t * 1000, RUN_NS);
        exec(db, sql);
    }
}

static void write_tail(sqlite3 *db, size_t n, size_t frees, int64_t peak_ns, int64_t peak_bytes,
                       int64_t peak_blocks)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO processes (id,pid,ppid,exe,cmdline,start_ns,end_ns,exit_code,end_reason,"
             "peak_heap_bytes,peak_heap_blocks,peak_ns,peak_rss_bytes,alloc_calls,free_calls) "
             "VALUES (1,4242,1,'%s','%s --bench',0,%lld,0,'exit',%lld,%lld,%lld,%lld,%zu,%zu);"
             "INSERT INTO meta VALUES ('status','complete'),('symbolized',1),"
             "('command','%s --bench'),('duration_ns',%lld),('start_unix_ns',1700000000000000000),"
             "('schema_version',1);",
             mod_path[0], mod_path[0], RUN_NS, (long long)peak_bytes, (long long)peak_blocks,
             (long long)peak_ns, (long long)(peak_bytes + peak_bytes / 3 + (6 << 20)), n, frees,
             mod_path[0], RUN_NS);
    exec(db, sql);
}

int main(int argc, char **argv)
{
    sqlite3 *db = NULL;
    size_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000000;
    const char *schema_path = argc > 3 ? argv[3] : "schema/v1.sql";
    trie_t t = {0};
    if (argc < 2 || n == 0) {
        fprintf(stderr, "usage: gen_db OUT.db [ALLOCATIONS] [SCHEMA.sql]\n");
        return 2;
    }
    char *schema = read_file(schema_path);
    remove(argv[1]);
    if (sqlite3_open(argv[1], &db) != SQLITE_OK)
        die(db, argv[1]);
    exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;"
             "PRAGMA cache_size=-262144; BEGIN");
    write_head(db, schema);
    make_funcs();
    write_frames(db);

    t.cap = 1 << 22;
    t.key_parent = calloc(t.cap, 8);
    t.key_frame = calloc(t.cap, 8);
    t.val = calloc(t.cap, 8);
    t.ins = prep(db, "INSERT INTO callsites VALUES (?,?,?,?)");
    int64_t *leaf = malloc(N_STACKS * sizeof *leaf);
    for (int s = 0; s < N_STACKS; s++)
        leaf[s] = make_stack(&t, db);
    sqlite3_finalize(t.ins);

    alloc_t *a = calloc(n, sizeof *a);
    int64_t step_ns = RUN_NS / (int64_t)n, now = 0;
    size_t frees = 0;
    for (size_t i = 0; i < n; i++) {
        now += 1 + (int64_t)(rnd() % (uint64_t)(2 * step_ns));
        if (now >= RUN_NS)
            now = RUN_NS - 1;
        a[i].alloc_ns = now;
        a[i].size = pick_size();
        a[i].stack = zipf(N_STACKS, 3.0);
        a[i].tid = (uint8_t)(rnd() % N_THREADS);
        a[i].kind = (uint8_t)(a[i].stack % 10 < 6 ? 0 : a[i].stack % 10 < 7 ? 1 :
                              a[i].stack % 10 < 8 ? 2 : 9);
        int64_t life = pick_lifetime(now);
        a[i].free_ns = life < 0 ? -1 : now + life < RUN_NS ? now + life : RUN_NS - 1;
        frees += a[i].free_ns >= 0;
    }
    int64_t peak_ns = 0, peak_bytes = 0, peak_blocks = 0;
    heap_sweep(db, a, n, &peak_ns, &peak_bytes, &peak_blocks);
    mark_flags(a, n, peak_ns);
    cstat_t *cs = calloc(N_STACKS, sizeof *cs);
    write_allocs(db, a, n, leaf, cs);
    write_stats(db, cs, leaf);
    write_kinds(db, a, n);
    write_tail(db, n, frees, peak_ns, peak_bytes, peak_blocks);
    exec(db, "COMMIT");
    sqlite3_close(db);
    printf("%s: %zu allocations, %zu callsites, %lld frames, peak %lld bytes at %.3f s\n",
           argv[1], n, t.n_nodes, (long long)frame_count, (long long)peak_bytes, peak_ns / 1e9);
    free(a);
    free(cs);
    free(leaf);
    free(t.key_parent);
    free(t.key_frame);
    free(t.val);
    free(schema);
    return 0;
}
