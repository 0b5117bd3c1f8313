/* an_sym_write.c -- see an_sym_write.h. */
#include "an_sym_write.h"

#include <stdio.h>
#include <string.h>

static int w_fail(an_sym_writer_t *w, char *err, size_t errlen)
{
    snprintf(err, errlen, "cannot store symbols: %s", sqlite3_errmsg(w->db));
    return -1;
}

static int w_prepare(an_sym_writer_t *w, const char *sql, sqlite3_stmt **st, char *err,
                     size_t errlen)
{
    if (sqlite3_prepare_v2(w->db, sql, -1, st, NULL) != SQLITE_OK)
        return w_fail(w, err, errlen);
    return 0;
}

int an_sym_writer_open(an_sym_writer_t *w, sqlite3 *db, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->db = db;
    if (w_prepare(w, "UPDATE frames SET function = ?1, file = ?2, line = ?3, inlined = ?4 "
                     "WHERE id = ?5", &w->frame, err, errlen) ||
        w_prepare(w, "INSERT OR REPLACE INTO frame_inlines (frame_id, depth, function, file, "
                     "line) VALUES (?1, ?2, ?3, ?4, ?5)", &w->inl, err, errlen) ||
        w_prepare(w, "INSERT OR REPLACE INTO symbolization (module_id, status, debug_file, "
                     "message) VALUES (?1, ?2, ?3, ?4)", &w->status, err, errlen)) {
        an_sym_writer_close(w);
        return -1;
    }
    return 0;
}

void an_sym_writer_close(an_sym_writer_t *w)
{
    sqlite3_finalize(w->frame);
    sqlite3_finalize(w->inl);
    sqlite3_finalize(w->status);
    w->frame = w->inl = w->status = NULL;
}

static void w_bind_loc(sqlite3_stmt *st, int first, const an_sym_loc_t *loc)
{
    sqlite3_bind_text(st, first, loc->function, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, first + 1, loc->file, -1, SQLITE_TRANSIENT);
    if (loc->line > 0)
        sqlite3_bind_int(st, first + 2, loc->line);
    else
        sqlite3_bind_null(st, first + 2);
}

static int w_step(an_sym_writer_t *w, sqlite3_stmt *st, char *err, size_t errlen)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : w_fail(w, err, errlen);
}

int an_sym_write_frame(an_sym_writer_t *w, long long frame_id, const an_sym_result_t *r,
                       char *err, size_t errlen)
{
    if (r->n == 0)
        return 0;
    w_bind_loc(w->frame, 1, &r->loc[r->n - 1]);
    sqlite3_bind_int(w->frame, 4, r->n > 1);
    sqlite3_bind_int64(w->frame, 5, frame_id);
    if (w_step(w, w->frame, err, errlen) != 0)
        return -1;
    for (int i = 0; r->n > 1 && i < r->n; i++) {
        sqlite3_bind_int64(w->inl, 1, frame_id);
        sqlite3_bind_int(w->inl, 2, i);
        w_bind_loc(w->inl, 3, &r->loc[i]);
        if (w_step(w, w->inl, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int an_sym_write_status(an_sym_writer_t *w, long long module_id, const char *status,
                        const char *debug_file, const char *message, char *err, size_t errlen)
{
    sqlite3_bind_int64(w->status, 1, module_id);
    sqlite3_bind_text(w->status, 2, status, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(w->status, 3, debug_file, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(w->status, 4, message, -1, SQLITE_TRANSIENT);
    return w_step(w, w->status, err, errlen);
}

int an_sym_write_done(an_sym_writer_t *w, char *err, size_t errlen)
{
    if (sqlite3_exec(w->db, "INSERT OR REPLACE INTO meta (key, value) VALUES ('symbolized', 1)",
                     NULL, NULL, NULL) != SQLITE_OK)
        return w_fail(w, err, errlen);
    return 0;
}
