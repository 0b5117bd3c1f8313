/* test_frag_errors.c -- what an_frag_select refuses, with one clear line:
 * no process, no such pid, a moment outside the run, a process without
 * allocations, no peak; and a moment with nothing live is not an error. */
#include "testhelper.h"
#include "test_frag_db.h"

#define DB "test_frag_errors.db"
#define EMPTY "test_frag_errors_empty.db"

static int fails_with(const char *path, long long pid, an_frag_when_t when, long long at,
                      const char *needle)
{
    an_frag_model_t m;
    char err[256] = "";
    int rc = tf_model(path, pid, when, at, 10, &m, err, sizeof err);
    if (rc == 0) {
        an_frag_free(&m);
        fprintf(stderr, "  expected an error containing '%s'\n", needle);
        return 0;
    }
    if (!strstr(err, needle) || strchr(err, '\n')) {
        fprintf(stderr, "  error '%s' lacks '%s'\n", err, needle);
        return 0;
    }
    return 1;
}

static void build(void)
{
    sqlite3 *db = tdb_create(EMPTY);
    CHECK(tdb_is(db, "0", "SELECT count(*) FROM processes"));
    sqlite3_close(db);
    db = tdb_create(DB);
    tf_process(db, 1, 10, 0, 5 * TF_S, -1);      /* no peak, no samples */
    tf_process(db, 2, 20, TF_S, 2 * TF_S, -1);   /* allocates nothing */
    tf_process(db, 3, 30, TF_S, -1, 2 * TF_S);   /* still running at the end */
    tf_site(db, 1, "f");
    tf_block(db, 10, 0x555555600010ull, 10, 24, 1, 2 * TF_S, -1);
    tf_block(db, 30, 0x555555600010ull, 10, 24, 1, 3 * TF_S, 4 * TF_S);
    sqlite3_close(db);
}

int main(void)
{
    an_frag_model_t m;
    char err[256] = "";
    build();
    CHECK(fails_with(EMPTY, -1, AN_FRAG_AT_PEAK, 0, "has no process"));
    CHECK(fails_with(DB, 99, AN_FRAG_AT_END, 0, "no process with pid 99"));
    CHECK(fails_with(DB, 10, AN_FRAG_AT_NS, 6 * TF_S, "outside the run"));
    CHECK(fails_with(DB, 20, AN_FRAG_AT_END, 0, "pid 20 recorded no allocations"));
    CHECK(fails_with(DB, -1, AN_FRAG_AT_PEAK, 0, "no recorded peak"));
    /* before the first allocation: a model with nothing live */
    CHECK_EQ(tf_model(DB, 10, AN_FRAG_AT_NS, TF_S, 10, &m, err, sizeof err), 0);
    CHECK_EQ(m.blocks, 0);
    CHECK_EQ(m.nregions, 0);
    CHECK_EQ(m.pages_touched, 0);
    an_frag_free(&m);
    /* an image without end_ns ends at its last event */
    CHECK_EQ(tf_model(DB, 30, AN_FRAG_AT_END, 0, 10, &m, err, sizeof err), 0);
    CHECK_EQ(m.sel.end_ns, 4 * TF_S);
    CHECK_EQ(m.blocks, 0);
    an_frag_free(&m);
    CHECK_EQ(tf_model(DB, 30, AN_FRAG_AT_NS, 3 * TF_S, 10, &m, err, sizeof err), 0);
    CHECK_EQ(m.blocks, 1);
    CHECK_EQ(m.pages_touched, 1);
    CHECK_EQ(m.pages_low, 1);
    an_frag_free(&m);
    remove(DB);
    remove(EMPTY);
    return th_done("test_frag_errors");
}
