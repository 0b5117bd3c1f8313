/*
 * an_sym.c -- see an_sym.h.  The run: read the frames to resolve and the
 * modules they name into memory, open each distinct binary once, then in
 * one transaction resolve the frames binary by binary in address order
 * (consecutive addresses share CUs, whose index an_sym_cu keeps), record
 * each module's status, name JIT frames, and set meta 'symbolized'.
 */
#include "an_sym.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an_db.h"
#include "an_sym_file.h"
#include "an_sym_jit.h"
#include "an_sym_progress.h"
#include "an_sym_write.h"

typedef struct sym_module_s {
    long long id;
    an_sym_file_t *file; /* shared by the modules of one path + build-id */
} sym_module_t;

typedef struct sym_frame_s {
    long long id;
    uint64_t rel_pc;
    an_sym_file_t *file;
} sym_frame_t;

typedef struct sym_run_s {
    an_db_t d;
    sym_module_t *mods; /* by id */
    size_t nmods;
    an_sym_file_t **files;
    size_t nfiles;
    sym_frame_t *frames; /* by file, then rel_pc */
    size_t nframes;
    an_sym_writer_t w;
    int want_progress;
    an_sym_progress_t progress;
    an_sym_stats_t *stats;
} sym_run_t;

static int sym_db_error(sym_run_t *run, sqlite3_stmt *st, char *err, size_t errlen)
{
    snprintf(err, errlen, "database error: %s", sqlite3_errmsg(run->d.db));
    sqlite3_finalize(st);
    return -1;
}

static int sym_oom(sqlite3_stmt *st, char *err, size_t errlen)
{
    snprintf(err, errlen, "out of memory");
    sqlite3_finalize(st);
    return -1;
}

static int sym_grow(void **arr, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? 2 * *cap : 64;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* The binary for path + build-id, opened on first use. */
static an_sym_file_t *sym_file(sym_run_t *run, const char *path, const char *build_id)
{
    for (size_t i = 0; i < run->nfiles; i++)
        if (an_sym_file_is(run->files[i], path, build_id))
            return run->files[i];
    an_sym_file_t **p = realloc(run->files, (run->nfiles + 1) * sizeof *p);
    if (!p)
        return NULL;
    run->files = p;
    an_sym_file_t *f = an_sym_file_open(path, build_id);
    if (f)
        run->files[run->nfiles++] = f;
    return f;
}

/* Every module some frame names, its binary opened. */
static int sym_load_modules(sym_run_t *run, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc;
    if (sqlite3_prepare_v2(run->d.db,
                           "SELECT id, path, build_id FROM modules WHERE id IN "
                           "(SELECT module_id FROM frames) ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return sym_db_error(run, st, err, errlen);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sym_grow((void **)&run->mods, run->nmods, &cap, sizeof *run->mods))
            return sym_oom(st, err, errlen);
        an_sym_file_t *f = sym_file(run, (const char *)sqlite3_column_text(st, 1),
                                    (const char *)sqlite3_column_text(st, 2));
        if (!f)
            return sym_oom(st, err, errlen);
        run->mods[run->nmods++] = (sym_module_t){sqlite3_column_int64(st, 0), f};
    }
    if (rc != SQLITE_DONE)
        return sym_db_error(run, st, err, errlen);
    sqlite3_finalize(st);
    return 0;
}

static an_sym_file_t *sym_file_of(const sym_run_t *run, long long module_id)
{
    size_t lo = 0, hi = run->nmods;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (run->mods[mid].id < module_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < run->nmods && run->mods[lo].id == module_id ? run->mods[lo].file : NULL;
}

/* Frames in a usable binary (others stay NULL and are only counted). */
static int sym_load_frames(sym_run_t *run, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc;
    if (sqlite3_prepare_v2(run->d.db, "SELECT id, module_id, rel_pc FROM frames", -1, &st,
                           NULL) != SQLITE_OK)
        return sym_db_error(run, st, err, errlen);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        an_sym_file_t *f = sqlite3_column_type(st, 1) == SQLITE_NULL
                               ? NULL : sym_file_of(run, sqlite3_column_int64(st, 1));
        run->stats->frames++;
        if (!f || !an_sym_file_usable(f))
            continue;
        if (sym_grow((void **)&run->frames, run->nframes, &cap, sizeof *run->frames))
            return sym_oom(st, err, errlen);
        run->frames[run->nframes++] = (sym_frame_t){sqlite3_column_int64(st, 0),
                                                    (uint64_t)sqlite3_column_int64(st, 2), f};
    }
    if (rc != SQLITE_DONE)
        return sym_db_error(run, st, err, errlen);
    sqlite3_finalize(st);
    return 0;
}

static int sym_frame_cmp(const void *a, const void *b)
{
    const sym_frame_t *x = a, *y = b;
    if (x->file != y->file)
        return (const char *)x->file < (const char *)y->file ? -1 : 1;
    return (x->rel_pc > y->rel_pc) - (x->rel_pc < y->rel_pc);
}

static int sym_resolve_frames(sym_run_t *run, char *err, size_t errlen)
{
    an_sym_result_t r = {0};
    int rc = 0;

    if (run->nframes > 0)
        qsort(run->frames, run->nframes, sizeof *run->frames, sym_frame_cmp);
    an_sym_progress_begin(&run->progress, run->want_progress, (long long)run->nframes);
    for (size_t i = 0; i < run->nframes && rc == 0; i++) {
        const sym_frame_t *fr = &run->frames[i];
        an_sym_result_clear(&r);
        if (fr->rel_pc > 0)
            an_sym_file_lookup(fr->file, fr->rel_pc - 1, &r);
        rc = an_sym_write_frame(&run->w, fr->id, &r, err, errlen);
        run->stats->resolved += r.n > 0 && r.loc[r.n - 1].function;
        run->stats->with_line += r.n > 0 && r.loc[r.n - 1].file && r.loc[r.n - 1].line > 0;
        an_sym_progress_step(&run->progress);
    }
    an_sym_progress_end(&run->progress);
    an_sym_result_clear(&r);
    return rc;
}

static int sym_is_bad(const char *status)
{
    return !strcmp(status, "missing") || !strcmp(status, "mismatch") ||
           !strcmp(status, "unreadable");
}

static int sym_write_statuses(sym_run_t *run, char *err, size_t errlen)
{
    for (size_t i = 0; i < run->nmods; i++) {
        const an_sym_file_t *f = run->mods[i].file;
        if (an_sym_write_status(&run->w, run->mods[i].id, an_sym_file_status(f),
                                an_sym_file_debug_file(f), an_sym_file_message(f), err, errlen))
            return -1;
        run->stats->modules++;
        run->stats->modules_bad += sym_is_bad(an_sym_file_status(f));
    }
    return 0;
}

/* Everything inside the transaction; nothing when another run got there. */
static int sym_work(sym_run_t *run, char *err, size_t errlen)
{
    char done[8];
    an_db_meta(&run->d, "symbolized", done, sizeof done);
    if (atoi(done) == 1)
        return 0;
    if (sym_load_modules(run, err, errlen) || sym_load_frames(run, err, errlen) ||
        an_sym_writer_open(&run->w, run->d.db, err, errlen))
        return -1;
    int rc = sym_resolve_frames(run, err, errlen) || sym_write_statuses(run, err, errlen) ||
             an_sym_jit_run(&run->w, run->stats, err, errlen) ||
             an_sym_write_done(&run->w, err, errlen);
    an_sym_writer_close(&run->w);
    return rc ? -1 : 0;
}

static int sym_transaction(sym_run_t *run, char *err, size_t errlen)
{
    int rc;
    if (sqlite3_exec(run->d.db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot write the database: %s", sqlite3_errmsg(run->d.db));
        return -1;
    }
    rc = sym_work(run, err, errlen);
    if (rc == 0 && sqlite3_exec(run->d.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot write the database: %s", sqlite3_errmsg(run->d.db));
        rc = -1;
    }
    if (rc != 0) {
        sqlite3_exec(run->d.db, "ROLLBACK", NULL, NULL, NULL);
        memset(run->stats, 0, sizeof *run->stats);
    }
    return rc;
}

/* A recording in progress is left alone: its collector is still adding
 * frames, and a long write transaction would stall it. */
static int sym_check_writable(sym_run_t *run, const char *path, char *err, size_t errlen)
{
    if (run->d.live) {
        snprintf(err, errlen, "%s is still being recorded: symbolize it when the recording ends",
                 path);
        return -1;
    }
    if (sqlite3_db_readonly(run->d.db, "main") == 1) {
        snprintf(err, errlen, "%s is read-only: cannot store symbols in it", path);
        return -1;
    }
    return 0;
}

static void sym_run_free(sym_run_t *run)
{
    for (size_t i = 0; i < run->nfiles; i++)
        an_sym_file_close(run->files[i]);
    free(run->files);
    free(run->mods);
    free(run->frames);
    an_db_close(&run->d);
}

int an_sym_run(const char *path, int progress, an_sym_stats_t *stats, char *err, size_t errlen)
{
    sym_run_t run = {.stats = stats, .want_progress = progress};
    int rc;

    memset(stats, 0, sizeof *stats);
    if (an_db_open(&run.d, path, AN_DB_WRITE, err, errlen) != 0)
        return -1;
    rc = run.d.symbolized ? 0 : sym_check_writable(&run, path, err, errlen);
    if (rc == 0 && !run.d.symbolized && sym_transaction(&run, err, errlen) != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s: %s", path, err);
        snprintf(err, errlen, "%s", msg);
        rc = -1;
    }
    sym_run_free(&run);
    return rc;
}
