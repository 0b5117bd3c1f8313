/* test_sym.c -- the symbolizer on this test's own executable: real return
 * addresses at known source lines (a plain call and a call inside an
 * always_inline function), libc, and modules that cannot be used. */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "an_demangle.h"
#include "an_sym.h"
#include "testhelper.h"
#include "test_sym_db.h"

/* ---- return addresses at known lines ------------------------------------ */

static int line_plain, line_outer, line_inl;
static void *volatile sink;

__attribute__((noinline)) static void *ra_probe(void)
{
    void *ra = __builtin_return_address(0);
    sink = ra;
    return ra;
}

__attribute__((noinline)) static void *ra_plain(void)
{
    void *r;
    line_plain = __LINE__ + 1;
    r = ra_probe();
    __asm__ volatile("" ::: "memory");
    return r;
}

static inline __attribute__((always_inline)) void *ra_inl(void)
{
    void *r;
    line_inl = __LINE__ + 1;
    r = ra_probe();
    __asm__ volatile("" ::: "memory");
    return r;
}

__attribute__((noinline)) static void *ra_outer(void)
{
    void *r;
    line_outer = __LINE__ + 1;
    r = ra_inl();
    __asm__ volatile("" ::: "memory");
    return r;
}

/* ---- this executable as the recorder would describe it ------------------ */

typedef struct self_s {
    uintptr_t bias;
    char build_id[128];
    char path[4096];
    uintptr_t libc_bias;
    char libc_path[4096];
} self_t;

static void self_build_id(struct dl_phdr_info *info, char *out, size_t len)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
            const unsigned char *desc =
                (const unsigned char *)p + sizeof *n + ((n->n_namesz + 3) & ~3u);
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && !memcmp(n + 1, "GNU", 4)) {
                for (unsigned j = 0; j < n->n_descsz && 2 * j + 2 < len; j++)
                    snprintf(out + 2 * j, 3, "%02x", desc[j]);
                return;
            }
            p = (const char *)desc + ((n->n_descsz + 3) & ~3u);
        }
    }
}

static int self_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    self_t *s = arg;
    if (info->dlpi_name[0] == '\0' && !s->path[0]) {
        s->bias = info->dlpi_addr;
        self_build_id(info, s->build_id, sizeof s->build_id);
        ssize_t n = readlink("/proc/self/exe", s->path, sizeof s->path - 1);
        s->path[n > 0 ? n : 0] = '\0';
    } else if (strstr(info->dlpi_name, "/libc.so.6")) {
        s->libc_bias = info->dlpi_addr;
        snprintf(s->libc_path, sizeof s->libc_path, "%s", info->dlpi_name);
    }
    return 0;
}

/* Address of name in libc itself, relative to libc (a sanitizer build has
 * its own qsort in front of libc's). */
static uintptr_t libc_function(const char *name, const self_t *s)
{
    void *libc = dlopen(s->libc_path, RTLD_NOW | RTLD_NOLOAD);
    void *fn = libc ? dlsym(libc, name) : NULL;
    if (libc)
        dlclose(libc);
    return fn ? (uintptr_t)fn - s->libc_bias : 0;
}

/* ---- fixtures ------------------------------------------------------------ */

#define DB "test_sym.db"

static void add_module(sqlite3 *db, int id, const char *path, const char *build_id)
{
    tdb_exec(db, "INSERT INTO modules (id, pid, path, build_id, start, end, file_offset, "
                 "load_bias) VALUES (%d, 1, %Q, %Q, 0, 0, 0, 0)", id, path, build_id);
}

static void add_frame(sqlite3 *db, int id, int module_id, uintptr_t rel_pc)
{
    if (module_id)
        tdb_exec(db, "INSERT INTO frames (id, module_id, rel_pc) VALUES (%d, %d, %lld)", id,
                 module_id, (long long)rel_pc);
    else
        tdb_exec(db, "INSERT INTO frames (id, rel_pc) VALUES (%d, %lld)", id, (long long)rel_pc);
}

static const char *basename_of(const char *p)
{
    const char *s = p ? strrchr(p, '/') : NULL;
    return s ? s + 1 : p;
}

static int run(an_sym_stats_t *st, char *err, size_t errlen)
{
    err[0] = '\0';
    return an_sym_run(DB, 0, st, err, errlen);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_self(const self_t *s)
{
    char err[512], sql[256];
    an_sym_stats_t st;
    uintptr_t pc_plain = (uintptr_t)ra_plain() - s->bias;
    uintptr_t pc_inl = (uintptr_t)ra_outer() - s->bias;
    uintptr_t pc_qsort = libc_function("qsort", s) + 1;
    sqlite3 *db = tdb_create(DB);
    char notelf[64], fifo[64];

    snprintf(notelf, sizeof notelf, "/tmp/test_sym_notelf.%d", (int)getpid());
    snprintf(fifo, sizeof fifo, "/tmp/test_sym_fifo.%d", (int)getpid());
    FILE *fp = fopen(notelf, "w");
    if (fp) {
        fputs("not an ELF file\n", fp);
        fclose(fp);
    }
    CHECK_EQ(mkfifo(fifo, 0600), 0);
    add_module(db, 1, s->path, s->build_id);
    add_module(db, 2, s->libc_path, NULL);
    add_module(db, 3, s->path, "00112233445566778899aabbccddeeff00112233");
    add_module(db, 4, "/nonexistent/libgone.so", "abcd");
    add_module(db, 5, notelf, NULL);
    add_module(db, 6, "[vdso]", NULL);
    add_module(db, 7, s->path, s->build_id); /* a second process, same binary */
    add_module(db, 8, "/nowhere/unused.so", NULL); /* no frame names it */
    add_module(db, 9, fifo, NULL);
    add_frame(db, 1, 1, pc_plain);
    add_frame(db, 2, 1, pc_inl);
    add_frame(db, 3, 2, pc_qsort);
    add_frame(db, 4, 3, pc_plain);
    add_frame(db, 5, 4, 0x1234);
    add_frame(db, 6, 5, 0x10);
    add_frame(db, 7, 6, 0x10);
    add_frame(db, 8, 7, pc_plain);
    add_frame(db, 9, 1, 0); /* not a return address: left alone */
    add_frame(db, 10, 9, 0x10);

    CHECK_EQ(run(&st, err, sizeof err), 0);
    unlink(notelf);
    unlink(fifo);
    CHECK(err[0] == '\0');
    CHECK_EQ(st.frames, 10);
    CHECK_EQ(st.resolved, 4);
    CHECK_EQ(st.with_line, 4);
    CHECK_EQ(st.modules, 8);
    CHECK_EQ(st.modules_bad, 5);

    /* A plain call: function, file, the line of the call. */
    CHECK(tdb_is(db, "ra_plain", "SELECT function FROM frames WHERE id = 1"));
    CHECK(tdb_is(db, "test_sym.c", "SELECT replace(file, rtrim(file, replace(file, '/', '')), '') "
                                   "FROM frames WHERE id = 1"));
    snprintf(sql, sizeof sql, "%d", line_plain);
    CHECK(tdb_is(db, sql, "SELECT line FROM frames WHERE id = 1"));
    CHECK(tdb_is(db, "0", "SELECT inlined FROM frames WHERE id = 1"));
    CHECK(tdb_is(db, "0", "SELECT count(*) FROM frame_inlines WHERE frame_id = 1"));

    /* A call inside an inlined function: the chain, outermost first. */
    snprintf(sql, sizeof sql, "ra_inl|%d|1", line_inl);
    CHECK(tdb_is(db, sql, "SELECT function || '|' || line || '|' || inlined FROM frames WHERE id = 2"));
    CHECK(tdb_is(db, "2", "SELECT count(*) FROM frame_inlines WHERE frame_id = 2"));
    snprintf(sql, sizeof sql, "ra_outer|%d", line_outer);
    CHECK(tdb_is(db, sql, "SELECT function || '|' || line FROM frame_inlines "
                          "WHERE frame_id = 2 AND depth = 0"));
    snprintf(sql, sizeof sql, "ra_inl|%d", line_inl);
    CHECK(tdb_is(db, sql, "SELECT function || '|' || line FROM frame_inlines "
                          "WHERE frame_id = 2 AND depth = 1"));
    CHECK(tdb_is(db, "2", "SELECT count(*) FROM frame_inlines WHERE frame_id = 2 "
                          "AND file LIKE '%/test_sym.c'"));

    /* libc: the function a pc just inside qsort belongs to. */
    CHECK(tdb_is(db, "qsort", "SELECT function FROM frames WHERE id = 3"));

    /* Unusable modules: frames stay unsymbolized, statuses say why. */
    CHECK(tdb_is(db, NULL, "SELECT function FROM frames WHERE id = 4"));
    CHECK(tdb_is(db, "mismatch", "SELECT status FROM symbolization WHERE module_id = 3"));
    CHECK(tdb_is(db, "1", "SELECT message LIKE '%build-id%' FROM symbolization WHERE module_id = 3"));
    CHECK(tdb_is(db, "missing", "SELECT status FROM symbolization WHERE module_id = 4"));
    CHECK(tdb_is(db, "1", "SELECT message LIKE '/nonexistent/libgone.so: %' "
                          "FROM symbolization WHERE module_id = 4"));
    CHECK(tdb_is(db, "unreadable", "SELECT status FROM symbolization WHERE module_id = 5"));
    CHECK(tdb_is(db, "unreadable", "SELECT status FROM symbolization WHERE module_id = 9"));
    CHECK(tdb_is(db, "missing", "SELECT status FROM symbolization WHERE module_id = 6"));
    CHECK(tdb_is(db, NULL, "SELECT function FROM frames WHERE id IN (5, 6, 7, 9, 10)"));
    CHECK(tdb_is(db, "ok", "SELECT status FROM symbolization WHERE module_id = 1"));
    CHECK(tdb_is(db, "ra_plain", "SELECT function FROM frames WHERE id = 8"));
    CHECK(tdb_is(db, NULL, "SELECT status FROM symbolization WHERE module_id = 8"));
    CHECK(tdb_is(db, "1", "SELECT value FROM meta WHERE key = 'symbolized'"));
    CHECK(tdb_is(db, basename_of(s->path),
                 "SELECT replace(debug_file, rtrim(debug_file, replace(debug_file, '/', '')), '')"
                 " FROM symbolization WHERE module_id = 1"));

    /* A second run does nothing. */
    tdb_exec(db, "UPDATE frames SET function = 'changed' WHERE id = 1");
    CHECK_EQ(run(&st, err, sizeof err), 0);
    CHECK_EQ(st.frames, 0);
    CHECK(tdb_is(db, "changed", "SELECT function FROM frames WHERE id = 1"));
    sqlite3_close(db);
}

/* Frames outside every module, named from the process's perf map. */
static void test_perf_map(void)
{
    char err[512], map[64];
    an_sym_stats_t st;
    sqlite3 *db = tdb_create(DB);
    int pid = (int)getpid();
    FILE *fp;

    snprintf(map, sizeof map, "/tmp/perf-%d.map", pid);
    fp = fopen(map, "w");
    CHECK(fp != NULL);
    if (!fp)
        return;
    fprintf(fp, "7f0000001000 100 jit_old\n7f0000002000 80 LazyCompile:*work bench.js:3\n"
                "garbage line\n7f0000001000 40 jit_new\n");
    fclose(fp);
    tdb_exec(db, "INSERT INTO processes (id, pid, start_ns) VALUES (1, %d, 0)", pid);
    add_frame(db, 1, 0, 0x7f0000002010);
    add_frame(db, 2, 0, 0x7f0000001020); /* both entries hold it: the later wins */
    add_frame(db, 3, 0, 0x7f0000001080); /* only the older one */
    add_frame(db, 4, 0, 0x7f0000009000); /* none */
    add_frame(db, 5, 0, 0x7f0000002010); /* used by no allocation */
    tdb_exec(db, "INSERT INTO callsites VALUES (1, NULL, 4, 0), (2, 1, 3, 1), (3, 2, 2, 2),"
                 " (4, 3, 1, 3)");
    tdb_exec(db, "INSERT INTO allocations (pid, tid, kind, ptr, size, usable_size, callsite_id,"
                 " alloc_ns) VALUES (%d, %d, 0, 4096, 8, 24, 4, 5)", pid, pid);

    CHECK_EQ(run(&st, err, sizeof err), 0);
    unlink(map);
    CHECK_EQ(st.frames, 5);
    CHECK_EQ(st.resolved, 3);
    CHECK(tdb_is(db, "LazyCompile:*work bench.js:3", "SELECT function FROM frames WHERE id = 1"));
    CHECK(tdb_is(db, "jit_new", "SELECT function FROM frames WHERE id = 2"));
    CHECK(tdb_is(db, "jit_old", "SELECT function FROM frames WHERE id = 3"));
    CHECK(tdb_is(db, NULL, "SELECT function FROM frames WHERE id IN (4, 5)"));
    sqlite3_close(db);
}

/* Databases the symbolizer must refuse with a message. */
static void test_refusals(void)
{
    char err[512];
    an_sym_stats_t st;
    sqlite3 *db = tdb_create(DB);

    /* a live collector: the parent process (to the collector itself its own
     * file is never live, an_db.c) */
    tdb_exec(db, "UPDATE meta SET value = 'recording' WHERE key = 'status';"
                 "INSERT INTO meta VALUES ('collector_pid', %d)", (int)getppid());
    CHECK_EQ(run(&st, err, sizeof err), -1);
    CHECK(strstr(err, "still being recorded") != NULL);
    CHECK(tdb_is(db, NULL, "SELECT value FROM meta WHERE key = 'symbolized'"));
    sqlite3_close(db);

    fclose(fopen(DB, "w"));
    CHECK_EQ(run(&st, err, sizeof err), -1);
    CHECK(strstr(err, "empty") != NULL);

    CHECK_EQ(an_sym_run("/nonexistent/x.db", 0, &st, err, sizeof err), -1);
    CHECK(strstr(err, "/nonexistent/x.db") != NULL);
    if (geteuid() != 0) {
        sqlite3_close(tdb_create(DB));
        chmod(DB, 0444);
        CHECK_EQ(run(&st, err, sizeof err), -1);
        CHECK(strstr(err, "read-only") != NULL);
        chmod(DB, 0644);
    }
}

static int demangles_to(const char *in, const char *out)
{
    char *got = an_demangle(in);
    int ok = got && !strcmp(got, out);
    if (!ok)
        fprintf(stderr, "  an_demangle(%s) -> '%s', expected '%s'\n", in, got, out);
    free(got);
    return ok;
}

static void test_demangle(void)
{
    CHECK(demangles_to("_ZN3geo5Shape4makeEi", "geo::Shape::make(int)"));
    CHECK(demangles_to("_ZN3geo5freshIcEEPT_i", "char* geo::fresh<char>(int)"));
    CHECK(demangles_to("_Z3foov.cold", "foo() [clone .cold]"));
    CHECK(demangles_to("main", "main"));
    CHECK(demangles_to("_Znotmangled", "_Znotmangled"));
    CHECK(an_demangle(NULL) == NULL);
}

int main(void)
{
    self_t s = {0};
    dl_iterate_phdr(self_cb, &s);
    CHECK(s.path[0] && s.build_id[0] && s.libc_path[0]);
    test_self(&s);
    test_perf_map();
    test_refusals();
    test_demangle();
    remove(DB);
    return th_done("test_sym");
}
