/*
 * test_mode_collector.c -- the collector's long-run modes with a fake shim
 * (test_coll_fake.h): a sampled run weighs every sampled block by the
 * estimator (allocations.weight, callsite_stats, processes, samples, the
 * summary), counts frees of blocks it does not hold apart, takes the
 * shim's word for same-thread temporaries; an aggregated run writes no
 * allocation rows and the same totals as a full run; bad settings are
 * refused before anything is created.
 */
#include <math.h>
#include <sys/stat.h>

#include "hq_sample.h"
#include "test_coll_fake.h"
#include "testhelper.h"

#define RATE 4096u
#define UNIT 65536.0 /* the collector's count units in a sampled run */

static int start(ft_env_t *e, uint64_t rate, int aggregate)
{
    coll_config_t cfg = {0};
    if (ft_env_dir(e) != 0)
        return -1;
    cfg.db_path = e->db;
    cfg.socket_path = e->sock;
    cfg.depth = 16;
    cfg.listen_fd = -1;
    cfg.command = "fake --mode";
    cfg.sample_rate = rate;
    cfg.aggregate = aggregate;
    if (coll_open(&e->c, &cfg, e->err, sizeof e->err) != 0) {
        fprintf(stderr, "coll_open: %s\n", e->err);
        return -1;
    }
    return 0;
}

static void free_flagged(ft_t *f, uint32_t tid, uint64_t ptr, uint16_t flags, uint64_t ns)
{
    hq_rec_free_t r = {{0, HQ_REC_FREE, sizeof r}, tid, HQ_KIND_FREE, flags, ns, ptr};
    hq_ring_put(f->hdr, &r.h);
}

/* What the shim sends for this program (thread 7, one stack): a =
 * malloc(64); b = malloc(8192) (>= the rate: weight 1); sampled run: a free
 * of a block the sampler passed over; free(a) (not temporary: b came
 * after); c = malloc(100); free(c) at once (temporary: the shim flags it in
 * a sampled run); d = malloc(100) leaks; thread 8 frees b. */
static void events(ft_t *f, uint64_t t, int sampled)
{
    const uint64_t pcs[] = {0x1234};
    ft_thread(f, 7, HQ_THREAD_START, "main", t);
    ft_thread(f, 8, HQ_THREAD_START, "other", t + 1);
    ft_stack(f, 1, pcs, 1);
    ft_alloc(f, 7, HQ_KIND_MALLOC, 1, 0x1000, 64, t + 10);
    ft_alloc(f, 7, HQ_KIND_MALLOC, 1, 0x2000, 8192, t + 20);
    if (sampled)
        free_flagged(f, 7, 0x9000, 0, t + 25); /* a block the sampler passed over */
    free_flagged(f, 7, 0x1000, 0, t + 30);
    ft_alloc(f, 7, HQ_KIND_MALLOC, 1, 0x3000, 100, t + 40);
    free_flagged(f, 7, 0x3000, sampled ? HQ_FREE_LAST : 0, t + 50);
    ft_alloc(f, 7, HQ_KIND_MALLOC, 1, 0x4000, 100, t + 60);
    free_flagged(f, 8, 0x2000, 0, t + 70);
    ft_exit(f, 7, 0, t + 80);
}

static void record(ft_env_t *e, ft_t *f, uint64_t rate, int aggregate, coll_summary_t *s)
{
    char err[256];
    if (start(e, rate, aggregate) != 0 || ft_ring(f, 1 << 16, getpid()) != 0) {
        CHECK(0);
        return;
    }
    CHECK_EQ(coll_set_root(e->c, getpid(), 1, err, sizeof err), 0);
    CHECK_EQ(ft_hello(f, e->sock, e->c, getppid(), 0), 0);
    CHECK_EQ(f->ack.sample_rate, rate);
    events(f, hq_now_ns(), rate > 0);
    ft_settle(e->c);
    coll_root_ended(e->c, 0);
    CHECK_EQ(coll_finish(e->c, 0, s, err, sizeof err), 0);
    coll_close(e->c);
    ft_ring_free(f);
}

static long long q(const ft_env_t *e, const char *sql)
{
    return ft_q(e->db, sql);
}

static double qd(const ft_env_t *e, const char *sql)
{
    return atof(ft_qs(e->db, sql));
}

static long long units(double w)
{
    return llround(w * UNIT);
}

/* Sums in units, rounded to blocks as the collector does. */
static long long blocks(long long u)
{
    return (u + (long long)UNIT / 2) / (long long)UNIT;
}

static void test_sampled(void)
{
    ft_env_t e;
    ft_t f;
    coll_summary_t s;
    double w64 = hq_sample_weight(64, RATE), w100 = hq_sample_weight(100, RATE);
    long long b64 = llround(64 * w64), b100 = llround(100 * w100);
    record(&e, &f, RATE, 0, &s);
    CHECK_EQ(q(&e, "SELECT value FROM meta WHERE key = 'sample_rate'"), RATE);
    CHECK_EQ(q(&e, "SELECT value FROM meta WHERE key = 'aggregate'"), 0);
    /* rows: the sampled blocks, each with its weight */
    CHECK_EQ(q(&e, "SELECT count(*) FROM allocations"), 4);
    CHECK(fabs(qd(&e, "SELECT weight FROM allocations WHERE ptr = 0x1000") - w64) < 1e-9);
    CHECK(fabs(qd(&e, "SELECT weight FROM allocations WHERE ptr = 0x3000") - w100) < 1e-9);
    CHECK_EQ(q(&e, "SELECT weight FROM allocations WHERE ptr = 0x2000"), 1);
    CHECK_EQ(q(&e, "SELECT typeof(weight) = 'real' FROM allocations WHERE ptr = 0x2000"), 1);
    /* callsite_stats: estimates; failed_count stays exact */
    long long n_all = units(w64) + units(1) + 2 * units(w100);
    CHECK_EQ(q(&e, "SELECT alloc_count FROM callsite_stats"), blocks(n_all));
    CHECK_EQ(q(&e, "SELECT alloc_bytes FROM callsite_stats"), b64 + 8192 + 2 * b100);
    CHECK_EQ(q(&e, "SELECT free_count FROM callsite_stats"),
             blocks(units(w64) + units(1) + units(w100)));
    CHECK_EQ(q(&e, "SELECT temporary_count FROM callsite_stats"), blocks(units(w100)));
    CHECK_EQ(q(&e, "SELECT leaked_blocks FROM callsite_stats"), blocks(units(w100)));
    CHECK_EQ(q(&e, "SELECT leaked_bytes FROM callsite_stats"), b100);
    /* the peak of the estimated heap: b and c live (100 * w100 > 64 * w64) */
    CHECK(b100 > b64);
    CHECK_EQ(q(&e, "SELECT peak_bytes FROM callsite_stats"), b100 + 8192);
    CHECK_EQ(q(&e, "SELECT peak_heap_bytes FROM processes"), b100 + 8192);
    CHECK_EQ(q(&e, "SELECT peak_heap_blocks FROM processes"), blocks(units(w100) + units(1)));
    CHECK_EQ(q(&e, "SELECT alloc_calls FROM processes"), blocks(n_all));
    /* a free of a block not held: not unknown, counted apart */
    CHECK_EQ(q(&e, "SELECT unknown_frees FROM processes"), 0);
    CHECK_EQ(q(&e, "SELECT unsampled_frees FROM processes"), 1);
    CHECK_EQ(q(&e, "SELECT heap_bytes FROM samples ORDER BY ns DESC LIMIT 1"), b100);
    /* SQL users scale with the weight and get what callsite_stats says */
    CHECK_EQ(q(&e, "SELECT round(sum(size * weight)) FROM allocations"), b64 + 8192 + 2 * b100);
    CHECK_EQ(s.sample_rate, RATE);
    CHECK_EQ(s.alloc_calls, blocks(n_all));
    CHECK_EQ(s.leaked_bytes, b100);
    ft_env_clean(&e);
}

/* The same program, full and aggregated: the same totals, no rows. */
static void test_aggregate(void)
{
    static const char *const same[] = {
        "SELECT group_concat(alloc_count || ',' || alloc_bytes || ',' || usable_bytes || ',' || "
        "free_count || ',' || peak_blocks || ',' || peak_bytes || ',' || leaked_blocks || ',' || "
        "leaked_bytes || ',' || temporary_count || ',' || failed_count) FROM callsite_stats",
        "SELECT group_concat(peak_heap_bytes || ',' || peak_heap_blocks || ',' || alloc_calls || "
        "',' || free_calls || ',' || failed_allocs || ',' || unknown_frees || ',' || "
        "missed_frees || ',' || unsampled_frees) FROM processes",
        "SELECT group_concat(heap_bytes || ',' || heap_blocks) FROM "
        "(SELECT * FROM samples ORDER BY ns DESC LIMIT 1)"};
    ft_env_t full, aggr;
    ft_t f;
    coll_summary_t s1, s2;
    char want[3][1024];
    record(&full, &f, 0, 0, &s1);
    for (int i = 0; i < 3; i++)
        snprintf(want[i], sizeof want[i], "%s", ft_qs(full.db, same[i]));
    CHECK_EQ(q(&full, "SELECT count(*) FROM allocations"), 4);
    CHECK_EQ(q(&full, "SELECT temporary_count FROM callsite_stats"), 1);
    CHECK_EQ(q(&full, "SELECT value FROM meta WHERE key = 'sample_rate'"), 0);
    record(&aggr, &f, 0, 1, &s2);
    CHECK_EQ(q(&aggr, "SELECT count(*) FROM allocations"), 0);
    CHECK_EQ(q(&aggr, "SELECT value FROM meta WHERE key = 'aggregate'"), 1);
    for (int i = 0; i < 3; i++) {
        const char *got = ft_qs(aggr.db, same[i]);
        if (strcmp(got, want[i]))
            fprintf(stderr, "aggregate: %s, full: %s\n", got, want[i]);
        CHECK(!strcmp(got, want[i]));
    }
    CHECK_EQ(s2.aggregate, 1);
    CHECK_EQ(s2.leaked_bytes, s1.leaked_bytes);
    CHECK_EQ(s2.alloc_calls, s1.alloc_calls);
    ft_env_clean(&full);
    ft_env_clean(&aggr);
}

/* Refused before the database exists. */
static void test_refused(void)
{
    ft_env_t e;
    struct stat st;
    CHECK_EQ(start(&e, HQ_SAMPLE_RATE_MAX + 1, 0), -1);
    CHECK(strstr(e.err, "sample rate 1073741825 out of range") != NULL);
    CHECK(stat(e.db, &st) != 0);
    ft_env_clean(&e);
    setenv(HQ_ENV_SAMPLE_RATE, "4k", 1);
    CHECK_EQ(start(&e, 0, 0), -1);
    CHECK(strstr(e.err, "HEAPQL_SAMPLE_RATE must be a whole number of bytes") != NULL);
    CHECK(stat(e.db, &st) != 0);
    ft_env_clean(&e);
    unsetenv(HQ_ENV_SAMPLE_RATE);
    setenv(HQ_ENV_AGGREGATE, "yes", 1);
    CHECK_EQ(start(&e, 0, 0), -1);
    CHECK(strstr(e.err, "HEAPQL_AGGREGATE must be 0 or 1, not 'yes'") != NULL);
    ft_env_clean(&e);
    unsetenv(HQ_ENV_AGGREGATE);
}

int main(void)
{
    unsetenv(HQ_ENV_SAMPLE_RATE);
    unsetenv(HQ_ENV_AGGREGATE);
    test_sampled();
    test_aggregate();
    test_refused();
    return th_done("test_mode_collector");
}
