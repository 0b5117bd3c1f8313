/* an_db.c -- see an_db.h. */
#include "an_db.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* allocations is a view over alloc_rows (schema/v1.sql). */
static const char *const required_tables[] = {
    "meta", "kinds", "processes", "threads", "modules", "frames", "frame_inlines",
    "symbolization", "callsites", "alloc_rows", "allocations", "vm_events", "samples",
    "callsite_stats",
};

/* A file that is not a SQLite database gets a message of its own, before
 * SQLite would call it "file is not a database" on the first query. */
static int db_check_file(const char *path, char *err, size_t errlen)
{
    char magic[16];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(err, errlen, "%s is not a regular file", path);
        return -1;
    }
    if (st.st_size == 0) {
        close(fd);
        snprintf(err, errlen, "%s is empty: not a heapql database", path);
        return -1;
    }
    ssize_t n = read(fd, magic, sizeof magic);
    close(fd);
    if (n != (ssize_t)sizeof magic || memcmp(magic, "SQLite format 3", 16) != 0) {
        snprintf(err, errlen, "%s is not a SQLite database", path);
        return -1;
    }
    return 0;
}

/* SQLite quotes a damaged schema's SQL in its message, newlines and all:
 * the error stays one line. */
static void db_one_line(char *s)
{
    char *out = s, *start = s;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ') {
            if (out > start && out[-1] != ' ')
                *out++ = ' ';
        } else {
            *out++ = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
        }
    }
    *out = '\0';
}

static int db_check_tables(an_db_t *d, const char *path, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof required_tables / sizeof required_tables[0]; i++) {
        char sql[160];
        long long n = 0;
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_schema WHERE type IN ('table', 'view') "
                 "AND name='%s'",
                 required_tables[i]);
        if (an_db_int64(d, sql, 0, &n, err, errlen) != 0)
            return -1;
        if (n != 1) {
            snprintf(err, errlen, "%s is damaged: table '%s' is missing", path,
                     required_tables[i]);
            return -1;
        }
    }
    return 0;
}

static void db_read_status(an_db_t *d)
{
    char buf[32];
    an_db_meta(d, "status", d->status, sizeof d->status);
    an_db_meta(d, "symbolized", buf, sizeof buf);
    d->symbolized = atoi(buf) == 1;
    if (strcmp(d->status, "recording") == 0) {
        an_db_meta(d, "collector_pid", buf, sizeof buf);
        long pid = atol(buf);
        /* the collector itself, in coll_config_t.before_complete, is
         * done writing: to it the file is not live */
        int alive = pid > 0 && pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
        d->live = alive;
        d->crashed = !alive;
    }
}

int an_db_open(an_db_t *out, const char *path, int mode, char *err, size_t errlen)
{
    long long version = 0;
    int flags = mode == AN_DB_WRITE ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;

    memset(out, 0, sizeof *out);
    if (db_check_file(path, err, errlen) != 0)
        return -1;
    if (sqlite3_open_v2(path, &out->db, flags | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path,
                 out->db ? sqlite3_errmsg(out->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(out->db, 5000);
    if (an_db_int64(out, "PRAGMA user_version", 0, &version, err, errlen) != 0)
        goto fail;
    if (version == 0) {
        snprintf(err, errlen, "%s is not a heapql database (no schema version)", path);
        goto fail;
    }
    if (version > AN_SCHEMA_VERSION) {
        snprintf(err, errlen,
                 "%s has schema version %lld, newer than this heapql understands (%d): "
                 "upgrade heapql", path, version, AN_SCHEMA_VERSION);
        goto fail;
    }
    out->schema_version = (int)version;
    if (db_check_tables(out, path, err, errlen) != 0)
        goto fail;
    db_read_status(out);
    return 0;
fail:
    db_one_line(err);
    an_db_close(out);
    return -1;
}

void an_db_close(an_db_t *d)
{
    if (d && d->db) {
        sqlite3_close(d->db);
        d->db = NULL;
    }
}

int an_db_int64(an_db_t *d, const char *sql, long long fallback, long long *out,
                char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *out = fallback;
    if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(d->db));
        return -1;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *out = sqlite3_column_int64(st, 0);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(d->db));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

void an_db_meta(an_db_t *d, const char *key, char *buf, size_t len)
{
    sqlite3_stmt *st = NULL;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(d->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}
