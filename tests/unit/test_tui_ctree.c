/* test_tui_ctree.c -- the call tree of the Call tree view on the report
 * fixture: top-down (functions merged across call lines, inlined frames
 * as nodes, recursion as a chain), bottom-up (allocating functions at the
 * top), inclusive and self figures, the sort, and path hashes that are the
 * same in a tree built again. */
#include "testhelper.h"
#include "test_tui_fixture.h"

static void test_top_down(const tui_snap_t *s)
{
    const tui_ctree_t *t = &s->td;
    int libc, dl, main_, mk, helper, rec1, rec2, rec3;
    CHECK_EQ(t->bottom_up, 0);
    CHECK_EQ(t->n[0].incl[AN_M_ALLOCS], 22);
    CHECK_EQ(t->n[0].incl[AN_M_BYTES], 81404);
    CHECK_EQ(t->n[0].nkids, 2);
    libc = tx_kid(t, 0, "__libc_start_call_main");
    dl = tx_kid(t, 0, "_dl_init");
    CHECK(libc > 0 && dl > 0);
    if (libc <= 0 || dl <= 0)
        return;
    CHECK_EQ(t->n[libc].incl[AN_M_ALLOCS], 19);
    CHECK_EQ(t->n[dl].incl[AN_M_ALLOCS], 3);
    CHECK_EQ(t->n[dl].incl[AN_M_PEAK], 74728);
    /* main at lines 40..44 is one node */
    CHECK_EQ(t->n[libc].nkids, 1);
    main_ = tx_kid(t, libc, "main");
    CHECK(main_ > 0);
    if (main_ <= 0)
        return;
    CHECK_EQ(t->n[main_].incl[AN_M_ALLOCS], 19);
    CHECK_EQ(t->n[main_].self[AN_M_ALLOCS], 0);
    CHECK_EQ(t->n[main_].nkids, 6);
    CHECK_EQ(t->n[tx_kid(t, main_, "leak_three")].self[AN_M_LEAKED], 300);
    CHECK_EQ(t->n[tx_kid(t, main_, "churn")].self[AN_M_TEMPORARY], 10);
    CHECK(tx_kid(t, main_, NULL) > 0); /* the frame without a name */
    /* helper inlined into make_buf: make_buf, then helper */
    mk = tx_kid(t, main_, "make_buf");
    helper = mk > 0 ? tx_kid(t, mk, "helper") : -1;
    CHECK(helper > 0);
    if (helper > 0) {
        CHECK_EQ(t->n[helper].self[AN_M_BYTES], 5000);
        CHECK_EQ(t->n[helper].inlined, 1);
        CHECK(!strcmp(t->n[helper].file, "/src/util.h"));
        CHECK_EQ(t->n[helper].line, 5);
    }
    /* recursion: rec -> rec -> rec, self at the innermost */
    rec1 = tx_kid(t, main_, "rec");
    rec2 = rec1 > 0 ? tx_kid(t, rec1, "rec") : -1;
    rec3 = rec2 > 0 ? tx_kid(t, rec2, "rec") : -1;
    CHECK(rec3 > 0);
    if (rec3 > 0) {
        CHECK_EQ(t->n[rec1].incl[AN_M_ALLOCS], 2);
        CHECK_EQ(t->n[rec1].self[AN_M_ALLOCS], 0);
        CHECK_EQ(t->n[rec3].self[AN_M_ALLOCS], 2);
        CHECK_EQ(t->n[rec3].line, 52);
        CHECK(t->n[rec1].hash != t->n[rec2].hash);
    }
    /* sorted by peak: the heaviest kid first */
    CHECK_EQ(t->kids[t->n[0].kid0], dl);
}

static void test_bottom_up(const tui_snap_t *s)
{
    const tui_ctree_t *t = &s->bu;
    long long self = 0;
    int three, up;
    CHECK_EQ(t->bottom_up, 1);
    CHECK_EQ(t->n[0].nkids, 8); /* one per allocating function */
    for (int k = 0; k < t->n[0].nkids; k++) {
        const tui_cnode_t *n = &t->n[t->kids[t->n[0].kid0 + k]];
        CHECK_EQ(n->self[AN_M_ALLOCS], n->incl[AN_M_ALLOCS]);
        self += n->self[AN_M_ALLOCS];
    }
    CHECK_EQ(self, 22);
    three = tx_kid(t, 0, "leak_three");
    up = three > 0 ? tx_kid(t, three, "main") : -1;
    CHECK(up > 0);
    if (up > 0) {
        CHECK_EQ(t->n[up].incl[AN_M_LEAKED], 300);
        CHECK_EQ(t->n[up].self[AN_M_LEAKED], 0);
        CHECK(tx_kid(t, up, "__libc_start_call_main") > 0);
        CHECK(t->n[up].best_leaf >= 0);
        CHECK_EQ(s->tree->nodes[t->n[up].best_leaf].id, 3);
    }
}

static void test_sort(tui_snap_t *s)
{
    tui_ctree_t *t = &s->bu;
    tui_ctree_sort(t, AN_M_ALLOCS);
    CHECK(!strcmp(t->n[t->kids[t->n[0].kid0]].function, "churn"));
    tui_ctree_sort(t, AN_M_LEAKED);
    CHECK(!strcmp(t->n[t->kids[t->n[0].kid0]].function,
                  "(anonymous namespace)::pool::pool()"));
    for (int k = 1; k < t->n[0].nkids; k++)
        CHECK(t->n[t->kids[t->n[0].kid0 + k - 1]].incl[AN_M_LEAKED] >=
              t->n[t->kids[t->n[0].kid0 + k]].incl[AN_M_LEAKED]);
}

/* Paths hash the same in a second build: open nodes survive a rebuild. */
static void test_hash(const tui_snap_t *a, const tui_snap_t *b)
{
    int ma = tx_kid(&a->td, tx_kid(&a->td, 0, "__libc_start_call_main"), "main");
    int mb = tx_kid(&b->td, tx_kid(&b->td, 0, "__libc_start_call_main"), "main");
    CHECK(ma > 0 && mb > 0);
    if (ma > 0 && mb > 0)
        CHECK(a->td.n[ma].hash == b->td.n[mb].hash);
    CHECK(a->td.n[ma].hash != a->bu.n[tx_kid(&a->bu, 0, "churn")].hash);
}

int main(void)
{
    char dir[64], path[256];
    tui_snap_t *s, *s2;
    if (fx_tmpdir(dir) != 0 || tx_make(dir, "fx.db", path, sizeof path) != 0)
        return 2;
    s = tx_snap(path, 0, 0);
    s2 = tx_snap(path, 0, 0);
    CHECK(s && s2);
    if (s && s2) {
        test_top_down(s);
        test_bottom_up(s);
        test_hash(s, s2);
        test_sort(s);
    }
    tui_snap_unref(s);
    tui_snap_unref(s2);
    unlink(path);
    rmdir(dir);
    return th_done("test_tui_ctree");
}
