/* test_frag_series.c -- the series (one incremental sweep) against a brute
 * force count at every point, and against the model computed at those
 * moments; the same recording with its rows shuffled (out of allocation
 * order) must give the same series. */
#include "testhelper.h"
#include "test_frag_db.h"

#include <stdlib.h>

#define DB "test_frag_series.db"
#define DB2 "test_frag_series2.db"
#define B 0x555555600000ull
#define SLOTS 300
#define SLOT 1500ull
#define STEPS 6000
#define POINTS 37

typedef struct ev_s {
    unsigned long long ptr;
    long long size, usable, alloc, free;
} ev_t;

static ev_t evs[STEPS];
static int nev;

static unsigned rnd(void)
{
    static unsigned long long x = 88172645463325252ull;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return (unsigned)(x >> 11);
}

/* Slots of SLOT bytes (every 10th of 12 KiB, spanning pages), filled and
 * emptied at random over STEPS steps of 1 ms. */
static void simulate(void)
{
    int live[SLOTS];
    for (int i = 0; i < SLOTS; i++)
        live[i] = -1;
    for (int step = 1; step <= STEPS; step++) {
        int s = (int)(rnd() % SLOTS);
        unsigned long long base = B + (unsigned long long)s * SLOT * 10 + 16;
        long long room = s % 10 == 0 ? 12288 : (long long)SLOT - 32;
        if (live[s] >= 0) {
            evs[live[s]].free = step * 1000000LL;
            live[s] = -1;
            continue;
        }
        long long size = 1 + rnd() % (unsigned)room;
        evs[nev] = (ev_t){base, size, size + (8 - size % 8) % 8, step * 1000000LL, -1};
        if (evs[nev].usable > room)
            evs[nev].usable = size;
        live[s] = nev++;
    }
}

static void write_db(const char *path, int shuffled)
{
    sqlite3 *db = tdb_create(path);
    int order[STEPS];
    for (int i = 0; i < nev; i++)
        order[i] = i;
    for (int i = nev - 1; shuffled && i > 0; i--) {
        int j = (int)(rnd() % (unsigned)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    tf_process(db, 1, 7, 0, (STEPS + 1) * 1000000LL, 1000000);
    tf_main_module(db, 7, 0x555555554000ull, 0x555555559000ull);
    tf_site(db, 1, "churn");
    tdb_exec(db, "BEGIN");
    for (int i = 0; i < nev; i++) {
        const ev_t *e = &evs[order[i]];
        tf_block(db, 7, e->ptr, e->size, e->usable, 1, e->alloc, e->free);
    }
    tdb_exec(db, "COMMIT");
    CHECK(tdb_is(db, "1", "SELECT count(*) > 100 FROM allocations"));
    sqlite3_close(db);
}

/* Blocks, bytes and touched pages at t, by brute force. */
static void brute(long long t, long long *blocks, long long *bytes, long long *pages)
{
    static unsigned char touched[SLOTS * SLOT * 10 / 4096 + 8];
    memset(touched, 0, sizeof touched);
    *blocks = *bytes = *pages = 0;
    for (int i = 0; i < nev; i++) {
        const ev_t *e = &evs[i];
        if (e->alloc > t || (e->free >= 0 && e->free <= t))
            continue;
        (*blocks)++;
        *bytes += e->size;
        unsigned long long last = (e->ptr + (unsigned long long)e->usable - 1 - B) >> 12;
        for (unsigned long long p = (e->ptr - B) >> 12; p <= last; p++)
            touched[p] = 1;
    }
    for (size_t p = 0; p < sizeof touched; p++)
        *pages += touched[p];
}

static void check_series(const char *path)
{
    an_frag_model_t m;
    char err[256] = "";
    int bad = 0;
    CHECK_EQ(tf_model(path, -1, AN_FRAG_AT_END, 0, POINTS, &m, err, sizeof err), 0);
    CHECK_EQ(m.npoints, POINTS);
    for (size_t k = 0; k < m.npoints; k++) {
        long long blocks, bytes, pages;
        brute(m.series[k].t_ns, &blocks, &bytes, &pages);
        bad += m.series[k].blocks != blocks || m.series[k].live_bytes != bytes ||
               m.series[k].pages != pages;
        if (k == 5 || k == 20 || k + 1 == m.npoints) { /* the moment's own sweep agrees */
            an_frag_model_t at;
            CHECK_EQ(tf_model(path, -1, AN_FRAG_AT_NS, m.series[k].t_ns, 0, &at, err,
                              sizeof err), 0);
            CHECK_EQ(at.pages_touched, pages);
            CHECK_EQ(at.blocks, blocks);
            an_frag_free(&at);
        }
    }
    CHECK_EQ(bad, 0);
    CHECK(m.series[POINTS - 1].t_ns == (STEPS + 1) * 1000000LL);
    an_frag_free(&m);
}

int main(void)
{
    simulate();
    write_db(DB, 0);
    write_db(DB2, 1);
    check_series(DB);
    check_series(DB2);
    remove(DB);
    remove(DB2);
    return th_done("test_frag_series");
}
