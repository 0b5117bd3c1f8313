/* test_tui_source.c -- the Source view's model: figures per line (self:
 * the allocating line, inlined code included; inclusive: every line of
 * the stack), the text read from the recorded path or against meta 'cwd',
 * and a missing file giving the figures without text. */
#include "testhelper.h"
#include "test_tui_fixture.h"

static tui_source_t *source(const char *path, tui_snap_t *snap, const char *file, int incl)
{
    an_db_t d;
    tui_source_t *s = NULL;
    tui_source_req_t r;
    char err[256];
    memset(&r, 0, sizeof r);
    snprintf(r.file, sizeof r.file, "%s", file);
    r.inclusive = incl;
    r.snap = snap;
    if (tx_open(path, &d) != 0)
        return NULL;
    if (tui_source_build(&d, &r, &s, err, sizeof err) != 0)
        fprintf(stderr, "source: %s\n", err);
    an_db_close(&d);
    return s;
}

static int hot_is(const tui_source_t *s, const int *want, int n)
{
    if (s->nhot != n)
        return 0;
    for (int i = 0; i < n; i++)
        if (s->hot[i] != want[i])
            return 0;
    return 1;
}

static void test_missing(const char *path, tui_snap_t *snap)
{
    static const int self[] = {10, 21, 30, 52};
    static const int incl[] = {10, 21, 30, 40, 41, 42, 43, 44, 50, 52};
    tui_source_t *s = source(path, snap, "/src/app.c", 0);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_EQ(s->found, 0);
    CHECK(hot_is(s, self, 4));
    CHECK_EQ(s->line[10].bytes, 300);
    CHECK_EQ(s->line[10].leaked, 300);
    CHECK_EQ(s->line[10].allocs, 3);
    CHECK_EQ(s->line[21].bytes, 5000); /* make_buf's line, helper inlined there */
    CHECK_EQ(s->line[30].allocs, 10);
    CHECK(s->line[10].text == NULL);
    CHECK_EQ(s->total.allocs, 16);
    tui_source_free(s);
    s = source(path, snap, "/src/app.c", 1);
    CHECK(s && hot_is(s, incl, 10));
    if (s)
        CHECK_EQ(s->line[40].allocs, 3 + 2); /* leak_three and the unnamed frame */
    tui_source_free(s);
}

static void write_lines(const char *file, int n)
{
    FILE *f = fopen(file, "w");
    for (int i = 1; f && i <= n; i++)
        fprintf(f, "line %d\tof app.c\n", i);
    if (f)
        fclose(f);
}

static void test_found(const char *dir, const char *path)
{
    char file[256], sql[1024];
    tui_snap_t *snap;
    tui_source_t *s;
    snprintf(file, sizeof file, "%s/app.c", dir);
    write_lines(file, 60);
    snprintf(sql, sizeof sql, "UPDATE frames SET file = '%s' WHERE file = '/src/app.c';"
             "UPDATE frame_inlines SET file = '%s' WHERE file = '/src/app.c';", file, file);
    CHECK_EQ(fx_exec(path, sql), 0);
    if (!(snap = tx_snap(path, 0, 0)))
        return;
    s = source(path, snap, file, 0);
    CHECK(s && s->found);
    if (s && s->found) {
        CHECK_EQ(s->n, 60);
        CHECK(!strcmp(s->line[10].text, "line 10\tof app.c"));
        CHECK_EQ(s->line[10].bytes, 300);
        CHECK_EQ(s->nhot, 4);
        CHECK(!strcmp(s->path, file));
    }
    tui_source_free(s);
    tui_snap_unref(snap);
    /* a relative path is read against meta 'cwd' */
    snprintf(sql, sizeof sql, "UPDATE frames SET file = 'app.c' WHERE file = '%s';"
             "UPDATE frame_inlines SET file = 'app.c' WHERE file = '%s';"
             "INSERT INTO meta VALUES ('cwd', '%s');", file, file, dir);
    CHECK_EQ(fx_exec(path, sql), 0);
    if (!(snap = tx_snap(path, 0, 0)))
        return;
    s = source(path, snap, "app.c", 0);
    CHECK(s && s->found);
    if (s) {
        CHECK(!strcmp(s->path, file));
        CHECK_EQ(s->line[10].allocs, 3);
    }
    tui_source_free(s);
    /* a file no frame names: its text, no figures */
    s = source(path, snap, file, 0);
    CHECK(s && s->found && s->nhot == 0);
    tui_source_free(s);
    tui_snap_unref(snap);
    unlink(file);
}

int main(void)
{
    char dir[64], path[256];
    tui_snap_t *snap;
    if (fx_tmpdir(dir) != 0 || tx_make(dir, "fx.db", path, sizeof path) != 0)
        return 2;
    if ((snap = tx_snap(path, 0, 0))) {
        test_missing(path, snap);
        tui_snap_unref(snap);
    }
    test_found(dir, path);
    unlink(path);
    rmdir(dir);
    return th_done("test_tui_source");
}
