/*
 * test_coll_throughput.c -- the collector's sustained rate: a writer thread
 * pushes allocation/free pairs over ~3000 distinct stacks through a 32 MiB
 * ring while the collector drains it into the database.  Prints
 * allocations per second and database bytes per allocation; asserts only
 * the figures (no timing).  HQ_BENCH_PAIRS sets the number of pairs
 * (default 200000; the measurement in the report used 2000000).
 */
#include <pthread.h>
#include <sys/stat.h>

#include "test_coll_fake.h"
#include "testhelper.h"

#define BENCH_STACKS 3000u
#define BENCH_DEPTH 12
#define BENCH_WINDOW 1024u /* blocks kept live: frees come out of allocation order */
#define BENCH_BIAS 0x400000ull

typedef struct bench_s {
    ft_t *f;
    uint64_t pairs;
    uint32_t seed;
    double cpu; /* the writer thread's CPU time */
} bench_t;

static double bench_cpu(void);

static uint32_t bench_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void bench_stacks(ft_t *f)
{
    uint64_t pcs[BENCH_DEPTH];
    for (uint32_t id = 1; id <= BENCH_STACKS; id++) {
        for (int d = 0; d < BENCH_DEPTH; d++) /* shared outer frames, distinct leaves */
            pcs[d] = BENCH_BIAS + 0x1000 + (d < 4 ? id * 16 + (uint64_t)d : (uint64_t)(d * 64 + id % 97));
        ft_stack(f, id, pcs, BENCH_DEPTH);
    }
}

static void *bench_writer(void *arg)
{
    bench_t *b = arg;
    uint64_t live[BENCH_WINDOW] = {0};
    uint64_t next_ptr = 0x10000000;
    pthread_setname_np(pthread_self(), "bench-writer");
    for (uint64_t i = 0; i < b->pairs; i++) {
        uint32_t r = bench_rand(&b->seed);
        uint32_t slot = r % BENCH_WINDOW;
        uint64_t ptr = next_ptr += 32;
        ft_alloc(b->f, 100 + r % 4, HQ_KIND_MALLOC, 1 + r % BENCH_STACKS, ptr, 16 + r % 512,
                 hq_now_ns());
        if (r & 1) { /* half the blocks die at once, half wait in the window */
            ft_free(b->f, 100 + r % 4, ptr, hq_now_ns());
        } else {
            if (live[slot])
                ft_free(b->f, 100 + r % 4, live[slot], hq_now_ns());
            live[slot] = ptr;
        }
    }
    for (uint32_t i = 0; i < BENCH_WINDOW; i++)
        if (live[i])
            ft_free(b->f, 100, live[i], hq_now_ns());
    b->cpu = bench_cpu();
    return NULL;
}

static double bench_secs(uint64_t from)
{
    return (double)(hq_now_ns() - from) / 1e9;
}

/* CPU time of the calling thread: what a rate would be with a core of its
 * own, whatever else runs on the machine. */
static double bench_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double bench_process_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    ft_env_t e;
    ft_t f;
    coll_summary_t s;
    char err[256];
    pthread_t th;
    const char *env = getenv("HQ_BENCH_PAIRS");
    bench_t b = {&f, env ? strtoull(env, NULL, 10) : 200000, 12345, 0};
    struct stat st;

    if (getenv("NOMEMSTAT")) sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (ft_env_open(&e, 16) != 0 || ft_ring(&f, 32u << 20, getpid()) != 0)
        return 1;
    CHECK_EQ(coll_set_root(e.c, getpid(), 1, err, sizeof err), 0);
    CHECK_EQ(ft_hello(&f, e.sock, e.c, getppid(), 0), 0);
    bench_stacks(&f);
    uint64_t t0 = hq_now_ns();
    double cpu0 = bench_cpu(), all0 = bench_process_cpu();
    pthread_create(&th, NULL, bench_writer, &b);
    void *done = NULL;
    while (pthread_tryjoin_np(th, &done) != 0)
        if (coll_step(e.c, 1, err, sizeof err) < 0)
            break;
    ft_settle(e.c);
    double drained = bench_secs(t0);
    coll_root_ended(e.c, 0);
    CHECK_EQ(coll_finish(e.c, 0, &s, err, sizeof err), 0);
    double total = bench_secs(t0), cpu = bench_cpu() - cpu0;
    double sql_cpu = bench_process_cpu() - all0 - cpu - b.cpu; /* the SQLite writer thread */
    coll_close(e.c);

    CHECK_EQ(s.alloc_calls, b.pairs);
    CHECK_EQ(s.free_calls, b.pairs);
    CHECK_EQ(s.leaked_blocks, 0);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM allocations"), b.pairs);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM allocations WHERE free_ns IS NULL"), 0);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM callsite_stats"), BENCH_STACKS);
    CHECK_EQ(ft_q(e.db, "SELECT sum(alloc_count) FROM callsite_stats"), b.pairs);
    CHECK_EQ(ft_q(e.db, "SELECT max(id) FROM allocations"), b.pairs);
    CHECK(stat(e.db, &st) == 0);
    fprintf(stderr, "throughput: %llu pairs, drained in %.2f s (%.2fM allocations/s), finished in "
                    "%.2f s (%.2fM/s); CPU per pair: loop %.0f ns, SQLite writer %.0f ns (%.2fM/s, "
                    "%.2fM/s on a core of its own); %.1f database bytes per allocation; ring waits "
                    "%llu\n",
            (unsigned long long)b.pairs, drained, b.pairs / drained / 1e6, total,
            b.pairs / total / 1e6, cpu * 1e9 / b.pairs, sql_cpu * 1e9 / b.pairs,
            b.pairs / cpu / 1e6, b.pairs / sql_cpu / 1e6,
            (double)st.st_size / (double)b.pairs, (unsigned long long)s.ring_waits);
    ft_ring_free(&f);
    ft_env_clean(&e);
    return th_done("test_coll_throughput");
}
