/* test_tui_live.c -- a recording still being written: the state says
 * live (status 'recording', the collector alive), the figures come from
 * a scan of the rows written so far (callsite_stats does not exist yet),
 * new rows and the end are seen as changes; a collector that is gone is
 * a crashed recording.  Also a recording with nothing in it yet. */
#include "testhelper.h"
#include "test_tui_fixture.h"

#include <sys/wait.h>

static int state(const char *path, tui_state_t *s)
{
    an_db_t d;
    char err[256];
    int rc;
    if (tx_open(path, &d) != 0)
        return -1;
    rc = tui_state_read(&d, s, err, sizeof err);
    an_db_close(&d);
    return rc;
}

static void test_live(const char *path)
{
    char sql[256];
    tui_state_t a, b;
    tui_snap_t *s;
    snprintf(sql, sizeof sql, "UPDATE meta SET value = 'recording' WHERE key = 'status';"
             "INSERT INTO meta VALUES ('collector_pid', %d);"
             "DELETE FROM callsite_stats; DELETE FROM allocations WHERE free_ns IS NULL;",
             (int)getpid());
    CHECK_EQ(fx_exec(path, sql), 0);
    CHECK_EQ(state(path, &a), 0);
    CHECK_EQ(a.live, 1);
    CHECK_EQ(a.crashed, 0);
    CHECK_EQ(a.max_id, 22);
    s = tx_snap(path, 0, 0);
    CHECK(s != NULL);
    if (s) {
        CHECK_EQ(s->scanned, 1);
        CHECK_EQ(s->state.live, 1);
        CHECK_EQ(s->total.allocs, 15); /* the freed rows so far */
        CHECK_EQ(s->nleaks, 0);
        tui_snap_unref(s);
    }
    CHECK_EQ(fx_exec(path, "INSERT INTO allocations (id,pid,tid,kind,ptr,size,usable_size,"
                           "callsite_id,alloc_ns,free_ns) VALUES (23,100,100,0,1,8,24,7,"
                           "1900000000,1900000100)"), 0);
    CHECK_EQ(state(path, &b), 0);
    CHECK_EQ(b.max_id, 23);
    CHECK(tui_state_changed(&a, &b));
    CHECK(!tui_state_changed(&b, &b));
    CHECK_EQ(fx_exec(path, "UPDATE meta SET value = 'complete' WHERE key = 'status'"), 0);
    CHECK_EQ(state(path, &a), 0);
    CHECK_EQ(a.live, 0);
    CHECK(tui_state_changed(&a, &b));
}

static void test_crashed(const char *path)
{
    char sql[256];
    tui_state_t s;
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0); /* a pid that is certainly gone */
    snprintf(sql, sizeof sql, "UPDATE meta SET value = 'recording' WHERE key = 'status';"
             "UPDATE meta SET value = %d WHERE key = 'collector_pid';", (int)pid);
    CHECK_EQ(fx_exec(path, sql), 0);
    CHECK_EQ(state(path, &s), 0);
    CHECK_EQ(s.live, 0);
    CHECK_EQ(s.crashed, 1);
}

/* The schema and nothing else: every model copes. */
static void test_empty(const char *dir)
{
    char path[256], err[256];
    an_db_t d;
    tui_summary_t *sum = NULL;
    tui_snap_t *s;
    tui_frag_t *f = NULL;
    tui_frag_req_t fr = {0, -1};
    snprintf(path, sizeof path, "%s/empty.db", dir);
    CHECK_EQ(fx_create_sql(path, "INSERT INTO meta VALUES ('status','recording'),"
                                 "('collector_pid', 1)"), 0);
    if (tx_open(path, &d) != 0)
        return;
    CHECK_EQ(tui_summary_load(&d, &sum, err, sizeof err), 0);
    if (sum) {
        CHECK_EQ(sum->nprocs, 0);
        CHECK_EQ(sum->series.n, 0);
        CHECK_EQ(sum->peak_ns, -1);
        CHECK_EQ(sum->has_totals, 0);
        CHECK_EQ(sum->run_ns, 0);
    }
    tui_summary_free(sum);
    CHECK_EQ(tui_frag_load(&d, &fr, &f, err, sizeof err), 0);
    CHECK(f && !f->ok && f->err[0]);
    tui_frag_free(f);
    an_db_close(&d);
    s = tx_snap(path, 0, 0);
    CHECK(s != NULL);
    if (s) {
        CHECK_EQ(s->nsites, 0);
        CHECK_EQ(s->nleaks, 0);
        CHECK_EQ(s->td.nn, 1);
        CHECK_EQ(s->bu.n[0].nkids, 0);
        tui_snap_unref(s);
    }
    unlink(path);
}

int main(void)
{
    char dir[64], path[256];
    if (fx_tmpdir(dir) != 0 || tx_make(dir, "fx.db", path, sizeof path) != 0)
        return 2;
    test_live(path);
    test_crashed(path);
    test_empty(dir);
    unlink(path);
    rmdir(dir);
    return th_done("test_tui_live");
}
