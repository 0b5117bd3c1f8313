/*
 * coll_db.c -- the database file: created safely (0600, O_EXCL, never
 * through a symlink), schema v1, kinds, meta, and the commit cycle.  WAL mode while recording so readers see each commit; the
 * finished file goes back to journal_mode DELETE (coll_finish.c).
 */
#include "coll_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DB_CACHE_KIB 131072           /* 128 MiB page cache */
#define DB_CHECKPOINT_BYTES (64 << 20) /* the WAL is copied back beyond this */

typedef struct db_kind_s {
    int id;
    const char *name;
    const char *family;
} db_kind_t;

static const db_kind_t db_kinds[] = {
    {HQ_KIND_MALLOC, "malloc", "alloc"},
    {HQ_KIND_CALLOC, "calloc", "alloc"},
    {HQ_KIND_REALLOC, "realloc", "alloc"},
    {HQ_KIND_REALLOCARRAY, "reallocarray", "alloc"},
    {HQ_KIND_POSIX_MEMALIGN, "posix_memalign", "alloc"},
    {HQ_KIND_ALIGNED_ALLOC, "aligned_alloc", "alloc"},
    {HQ_KIND_MEMALIGN, "memalign", "alloc"},
    {HQ_KIND_VALLOC, "valloc", "alloc"},
    {HQ_KIND_PVALLOC, "pvalloc", "alloc"},
    {HQ_KIND_NEW, "operator new", "alloc"},
    {HQ_KIND_NEW_ARRAY, "operator new[]", "alloc"},
    {HQ_KIND_NEW_NOTHROW, "operator new(nothrow)", "alloc"},
    {HQ_KIND_NEW_ARRAY_NOTHROW, "operator new[](nothrow)", "alloc"},
    {HQ_KIND_NEW_ALIGNED, "operator new(align)", "alloc"},
    {HQ_KIND_NEW_ARRAY_ALIGNED, "operator new[](align)", "alloc"},
    {HQ_KIND_NEW_ALIGNED_NOTHROW, "operator new(align, nothrow)", "alloc"},
    {HQ_KIND_NEW_ARRAY_ALIGNED_NOTHROW, "operator new[](align, nothrow)", "alloc"},
    {HQ_KIND_FREE, "free", "free"},
    {HQ_KIND_DELETE, "operator delete", "free"},
    {HQ_KIND_DELETE_ARRAY, "operator delete[]", "free"},
    {HQ_KIND_DELETE_SIZED, "operator delete(sized)", "free"},
    {HQ_KIND_DELETE_ARRAY_SIZED, "operator delete[](sized)", "free"},
    {HQ_KIND_DELETE_ALIGNED, "operator delete(align)", "free"},
    {HQ_KIND_DELETE_ARRAY_ALIGNED, "operator delete[](align)", "free"},
    {HQ_KIND_REALLOC_FREE, "realloc(free)", "free"},
    {HQ_KIND_MMAP, "mmap", "vm"},
    {HQ_KIND_MUNMAP, "munmap", "vm"},
    {HQ_KIND_MREMAP, "mremap", "vm"},
    {HQ_KIND_BRK, "brk", "vm"},
    {HQ_KIND_SBRK, "sbrk", "vm"},
};

static void db_unlink_sidecars(const char *path)
{
    static const char *const suffix[] = {"-wal", "-shm", "-journal"};
    char side[4096];
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++)
        if (snprintf(side, sizeof side, "%s%s", path, suffix[i]) < (int)sizeof side)
            unlink(side);
}

/* Replace an existing regular file (force): never a symlink or a device. */
static int db_remove_old(coll_t *c, const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return coll_fail(c, "cannot replace %s: %s", path, strerror(errno));
    if (S_ISLNK(st.st_mode))
        return coll_fail(c, "refusing to replace %s: it is a symbolic link", path);
    if (!S_ISREG(st.st_mode))
        return coll_fail(c, "refusing to replace %s: not a regular file", path);
    if (unlink(path) != 0)
        return coll_fail(c, "cannot replace %s: %s", path, strerror(errno));
    return 0;
}

/* Create the file; returns its fd (kept to check SQLite opened that very
 * file) or -1. */
static int db_create_file(coll_t *c, const char *path, int force)
{
    const int flags = O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    struct stat st;
    int fd = open(path, flags, 0600);
    if (fd < 0 && errno == EEXIST && !force && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return coll_fail(c, "cannot create %s: it is a directory", path);
    if (fd < 0 && errno == EEXIST && force) {
        if (db_remove_old(c, path) != 0)
            return -1;
        fd = open(path, flags, 0600);
    }
    if (fd < 0 && errno == EEXIST)
        return coll_fail(c, "%s already exists (refusing to overwrite it)", path);
    if (fd < 0)
        return coll_fail(c, "cannot create %s: %s", path, strerror(errno));
    /* Leftovers of an earlier database of that name would be replayed into ours. */
    db_unlink_sidecars(path);
    return fd;
}

static int db_same_file(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* An I/O error writing the file or its WAL at the file size limit: SQLite
 * keeps no errno of a WAL write, so the limit is checked against the sizes. */
static int db_at_fsize_limit(sqlite3 *db, rlim_t *limit)
{
    const char *path = sqlite3_db_filename(db, "main");
    struct rlimit rl;
    struct stat st;
    char wal[4096];
    if (!path || !*path || getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return 0;
    *limit = rl.rlim_cur;
    snprintf(wal, sizeof wal, "%s-wal", path);
    return (stat(path, &st) == 0 && (rlim_t)st.st_size + COLL_DB_PAGE_SIZE > rl.rlim_cur) ||
           (stat(wal, &st) == 0 && (rlim_t)st.st_size + 2 * COLL_DB_PAGE_SIZE > rl.rlim_cur);
}

const char *coll_db_errmsg(sqlite3 *db, char *buf, size_t len)
{
    int sys = sqlite3_system_errno(db);
    rlim_t limit = 0;
    if ((sqlite3_extended_errcode(db) & 0xff) != SQLITE_IOERR)
        snprintf(buf, len, "%s", sqlite3_errmsg(db));
    else if (sys > 0)
        snprintf(buf, len, "%s (%s)", sqlite3_errmsg(db), strerror(sys));
    else if (sqlite3_extended_errcode(db) == SQLITE_IOERR_WRITE && db_at_fsize_limit(db, &limit))
        snprintf(buf, len, "%s (%s: the file size limit is %llu bytes)", sqlite3_errmsg(db),
                 strerror(EFBIG), (unsigned long long)limit);
    else
        snprintf(buf, len, "%s", sqlite3_errmsg(db));
    return buf;
}

int coll_db_exec(coll_t *c, const char *sql)
{
    char msg[256];
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    return coll_fail(c, "database error: %s", coll_db_errmsg(c->db, msg, sizeof msg));
}

static int db_pragmas(coll_t *c)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "PRAGMA page_size=%d; PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
             "PRAGMA cache_size=-%d; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=%d;",
             COLL_DB_PAGE_SIZE, DB_CACHE_KIB, DB_CHECKPOINT_BYTES / COLL_DB_PAGE_SIZE);
    return coll_db_exec(c, sql);
}

static int db_step(coll_t *c, sqlite3_stmt *st)
{
    char msg[256];
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    return coll_fail(c, "database error: %s", coll_db_errmsg(c->db, msg, sizeof msg));
}

/* meta is written by the loop itself, with the connection held. */
static int db_meta(coll_t *c, const char *key, const char *text, int64_t value)
{
    sqlite3_stmt *st = c->meta;
    int rc;
    coll_writer_lock(&c->w);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (text)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    else if (value != COLL_NULL)
        sqlite3_bind_int64(st, 2, value);
    rc = db_step(c, st);
    coll_writer_unlock(&c->w);
    return rc;
}

int coll_db_meta_int(coll_t *c, const char *key, int64_t value)
{
    return db_meta(c, key, NULL, value);
}

/* value NULL: a NULL value */
int coll_db_meta_text(coll_t *c, const char *key, const char *value)
{
    return db_meta(c, key, value, COLL_NULL);
}

static int db_prepare(coll_t *c, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK)
        return 0;
    return coll_fail(c, "database error: %s", sqlite3_errmsg(c->db));
}

static int db_kinds_fill(coll_t *c)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(c, "INSERT INTO kinds(id, name, family) VALUES (?1, ?2, ?3)", &st);
    for (size_t i = 0; rc == 0 && i < sizeof db_kinds / sizeof db_kinds[0]; i++) {
        sqlite3_bind_int(st, 1, db_kinds[i].id);
        sqlite3_bind_text(st, 2, db_kinds[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, db_kinds[i].family, -1, SQLITE_STATIC);
        rc = db_step(c, st);
    }
    sqlite3_finalize(st);
    return rc;
}

void coll_db_iso_time(int64_t unix_ns, char *buf, size_t len)
{
    time_t secs = (time_t)(unix_ns / 1000000000);
    struct tm tm;
    char date[40];
    gmtime_r(&secs, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%03dZ", date, (int)(unix_ns % 1000000000 / 1000000));
}

static int db_meta_start(coll_t *c, const coll_config_t *cfg)
{
    char iso[64];
    coll_db_iso_time(c->start_unix_ns, iso, sizeof iso);
    return coll_db_meta_int(c, "schema_version", 1) ||
           coll_db_meta_text(c, "heapql_version", HEAPQL_VERSION) ||
           coll_db_meta_text(c, "command", cfg->command ? cfg->command : "") ||
           coll_db_meta_text(c, "start_time", iso) ||
           coll_db_meta_int(c, "start_unix_ns", c->start_unix_ns) ||
           coll_db_meta_text(c, "status", "recording") ||
           coll_db_meta_int(c, "collector_pid", getpid()) ||
           coll_db_meta_int(c, "depth", c->depth) ||
           coll_db_meta_int(c, "sample_rate", (int64_t)c->sample_rate) ||
           coll_db_meta_int(c, "aggregate", c->aggregate) ||
           coll_db_meta_int(c, "ns_base", COLL_NS_BASE) ||
           coll_db_meta_int(c, "events_lost", 0) ||
           coll_db_meta_int(c, "ring_waits", 0) ||
           coll_db_meta_int(c, "ring_wait_ns", 0) ||
           coll_db_meta_text(c, "mode", c->mode) ? -1 : 0;
}

/* Schema, kinds and meta in one transaction, committed with user_version 1:
 * from then on a reader sees a valid database with status 'recording'. */
static int db_init_content(coll_t *c, const coll_config_t *cfg)
{
    if (db_pragmas(c) || coll_env_db_faults(c) || coll_db_exec(c, "BEGIN") || coll_view_create(c) ||
        db_prepare(c, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", &c->meta) ||
        db_kinds_fill(c) || db_meta_start(c, cfg) || coll_db_exec(c, "PRAGMA user_version=1") ||
        coll_db_exec(c, "COMMIT") || coll_tables_init(c) || coll_db_exec(c, "BEGIN"))
        return -1;
    c->in_txn = 1;
    return 0;
}

/* A file size limit (RLIMIT_FSIZE) must end as an error from write(), which
 * SQLite reports and the collector survives, not as SIGXFSZ killing the
 * process with the last commit.  The program was forked before this. */
static void db_no_sigxfsz(void)
{
    struct sigaction sa;
    if (sigaction(SIGXFSZ, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
        sa.sa_handler = SIG_IGN;
        sigaction(SIGXFSZ, &sa, NULL);
    }
}

int coll_db_create(coll_t *c, const coll_config_t *cfg)
{
    int fd = db_create_file(c, cfg->db_path, cfg->force);
    int rc = -1;
    if (fd < 0)
        return -1;
    db_no_sigxfsz();
    c->db_path = strdup(cfg->db_path);
    /* No SQLite memory statistics in the collector's process: they take a
     * global mutex on every SQLite allocation.  Refused (harmlessly) when
     * SQLite was already in use. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (sqlite3_open_v2(cfg->db_path, &c->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        coll_fail(c, "cannot open %s: %s", cfg->db_path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
    else if (!db_same_file(fd, cfg->db_path))
        coll_fail(c, "%s was replaced while it was being created", cfg->db_path);
    else if (!c->db_path)
        coll_fail(c, "out of memory");
    else
        rc = db_init_content(c, cfg);
    /* Kept open until the connection is closed: closing any descriptor of
     * the file drops every POSIX lock this process holds on it, SQLite's
     * included, and a reader that then finds no lock on a WAL database
     * takes itself for the last user and deletes the -wal the collector is
     * still writing (everything after the schema would be lost in a crash
     * and invisible to live readers). */
    c->db_fd = fd;
    return rc;
}

int coll_db_commit(coll_t *c)
{
    if (coll_db_flush(c) != 0)
        return -1;
    if (coll_writer_commit(&c->w))
        return 0;
    return coll_db_exec(c, "COMMIT") || coll_db_exec(c, "BEGIN") ? -1 : 0;
}

void coll_db_close(coll_t *c)
{
    coll_writer_destroy(&c->w);
    for (int i = 0; i < COLL_B_COUNT; i++)
        coll_batch_free(&c->batch[i]);
    sqlite3_finalize(c->meta);
    c->meta = NULL;
    if (c->db)
        sqlite3_close(c->db);
    c->db = NULL;
    if (c->db_fd >= 0)
        close(c->db_fd);
    c->db_fd = -1;
}
