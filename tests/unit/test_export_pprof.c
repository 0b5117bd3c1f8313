/* test_export_pprof.c -- `export --format pprof` on the report fixture,
 * read back the way a consumer does: gunzip (zlib), unpack with the same
 * protobuf-c code, and check the profile against the database: totals per
 * sample type, the string table, ids that resolve, inline chains as
 * several lines of one location, mappings with build ids, addresses. */
#include "testhelper.h"
#include "test_report_fixture.h"

#include <zlib.h>

#include "an_export.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile profile_t;

/* Export with metrics into memory and gunzip; NULL on failure. */
static uint8_t *export_raw(an_db_t *d, unsigned metrics, size_t *len)
{
    char *gz = NULL, err[256] = "";
    size_t gzlen = 0, cap = 1 << 20;
    an_export_opts_t o;
    an_export_opts_init(&o);
    o.format = AN_EXPORT_PPROF;
    o.metrics = metrics;
    FILE *f = open_memstream(&gz, &gzlen);
    int rc = an_export_run(d, &o, f, err, sizeof err);
    fclose(f);
    CHECK_EQ(rc, 0);
    if (rc)
        fprintf(stderr, "pprof: %s\n", err);
    CHECK(gzlen > 18 && (unsigned char)gz[0] == 0x1f && (unsigned char)gz[1] == 0x8b);
    uint8_t *raw = malloc(cap);
    z_stream zs = {0};
    inflateInit2(&zs, 15 + 16);
    zs.next_in = (unsigned char *)gz;
    zs.avail_in = (uInt)gzlen;
    zs.next_out = raw;
    zs.avail_out = (uInt)cap;
    CHECK_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
    *len = zs.total_out;
    inflateEnd(&zs);
    free(gz);
    return raw;
}

static profile_t *export_profile(an_db_t *d, unsigned metrics)
{
    size_t len = 0;
    uint8_t *raw = export_raw(d, metrics, &len);
    profile_t *p = raw ? perftools__profiles__profile__unpack(NULL, len, raw) : NULL;
    CHECK(p != NULL);
    free(raw);
    return p;
}

static const char *str(const profile_t *p, int64_t i)
{
    return i >= 0 && (size_t)i < p->n_string_table ? p->string_table[i] : "(bad index)";
}

static long long db_int(an_db_t *d, const char *sql)
{
    long long v = -1;
    CHECK_EQ(an_db_int64(d, sql, -1, &v, NULL, 0), 0);
    return v;
}

static void test_types_and_totals(an_db_t *d, const profile_t *p)
{
    static const char *const want[4][2] = {{"alloc_objects", "count"}, {"alloc_space", "bytes"},
                                           {"inuse_objects", "count"}, {"inuse_space", "bytes"}};
    long long sum[4] = {0};
    CHECK_EQ(p->n_sample_type, 4);
    for (size_t i = 0; i < p->n_sample_type && i < 4; i++) {
        CHECK(!strcmp(str(p, p->sample_type[i]->type), want[i][0]));
        CHECK(!strcmp(str(p, p->sample_type[i]->unit), want[i][1]));
    }
    for (size_t s = 0; s < p->n_sample; s++) {
        CHECK_EQ(p->sample[s]->n_value, 4);
        for (size_t k = 0; k < 4 && k < p->sample[s]->n_value; k++)
            sum[k] += p->sample[s]->value[k];
    }
    CHECK_EQ(sum[0], db_int(d, "SELECT count(*) FROM allocations"));
    CHECK_EQ(sum[1], db_int(d, "SELECT sum(size) FROM allocations"));
    CHECK_EQ(sum[2], db_int(d, "SELECT count(*) FROM leaks"));
    CHECK_EQ(sum[3], db_int(d, "SELECT sum(size) FROM leaks"));
    CHECK_EQ(sum[1], 81404);
    CHECK_EQ(sum[3], 76052);
    CHECK(!strcmp(str(p, p->default_sample_type), "alloc_space"));
    CHECK(!strcmp(p->string_table[0], ""));
    CHECK_EQ(p->period, 1);
    CHECK_EQ(p->time_nanos, 1700000000000000000LL);
}

static const Perftools__Profiles__Location *loc_by_id(const profile_t *p, uint64_t id)
{
    for (size_t i = 0; i < p->n_location; i++)
        if (p->location[i]->id == id)
            return p->location[i];
    return NULL;
}

static const Perftools__Profiles__Function *fn_by_id(const profile_t *p, uint64_t id)
{
    for (size_t i = 0; i < p->n_function; i++)
        if (p->function[i]->id == id)
            return p->function[i];
    return NULL;
}

/* Every id a sample or line names exists; mapping ids too. */
static void test_ids_resolve(const profile_t *p)
{
    int bad = 0;
    for (size_t s = 0; s < p->n_sample; s++)
        for (size_t k = 0; k < p->sample[s]->n_location_id; k++)
            bad += loc_by_id(p, p->sample[s]->location_id[k]) == NULL;
    for (size_t i = 0; i < p->n_location; i++) {
        const Perftools__Profiles__Location *l = p->location[i];
        bad += l->mapping_id > p->n_mapping;
        for (size_t k = 0; k < l->n_line; k++)
            bad += fn_by_id(p, l->line[k]->function_id) == NULL;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(p->n_sample, 8); /* the fixture's 8 leaf call sites */
    for (size_t s = 0; s < p->n_sample; s++) { /* every stack has a frame in pid 100's modules */
        const Perftools__Profiles__Sample *x = p->sample[s];
        CHECK(x->n_label == 1 && !strcmp(str(p, x->label[0]->key), "pid") &&
              x->label[0]->num == 100);
    }
}

/* Function name of line k of the location at address addr ("" if none). */
static const char *line_fn(const profile_t *p, uint64_t addr, size_t k, int64_t *line)
{
    for (size_t i = 0; i < p->n_location; i++) {
        const Perftools__Profiles__Location *l = p->location[i];
        if (l->address != addr || k >= l->n_line)
            continue;
        *line = l->line[k]->line;
        return str(p, fn_by_id(p, l->line[k]->function_id)->name);
    }
    return "";
}

static void test_locations(const profile_t *p)
{
    int64_t line = 0;
    /* frame 6: helper (util.h:5) inlined into make_buf (app.c:21), module 1 (bias 0) */
    CHECK(!strcmp(line_fn(p, 4864, 0, &line), "helper"));
    CHECK_EQ(line, 5);
    CHECK(!strcmp(line_fn(p, 4864, 1, &line), "make_buf"));
    CHECK_EQ(line, 21);
    CHECK(!strcmp(line_fn(p, 4864, 2, &line), ""));
    /* libc frame: rel_pc 160202 + load_bias 1048576 */
    CHECK(!strcmp(line_fn(p, 160202 + 1048576, 0, &line), "__libc_start_call_main"));
    /* the pc in no module: the address itself, no mapping, no lines */
    const Perftools__Profiles__Location *unk = NULL;
    for (size_t i = 0; i < p->n_location; i++)
        if (p->location[i]->address == 3735928559u)
            unk = p->location[i];
    CHECK(unk && unk->mapping_id == 0 && unk->n_line == 0);
    /* mapping 1 is the main executable, with its build id and functions */
    CHECK(p->n_mapping == 4 && !strcmp(str(p, p->mapping[0]->filename), "/src/app"));
    CHECK(p->n_mapping == 4 && !strcmp(str(p, p->mapping[0]->build_id), "ab"));
    CHECK(p->n_mapping == 4 && p->mapping[0]->memory_start == 4096 &&
          p->mapping[0]->memory_limit == 65536);
}

/* The stack of the 5000-byte block: helper+make_buf, main:41, libc. */
static void test_stack_order(const profile_t *p)
{
    int found = 0;
    for (size_t s = 0; s < p->n_sample; s++) {
        const Perftools__Profiles__Sample *x = p->sample[s];
        if (x->value[1] != 5000)
            continue;
        found = 1;
        CHECK_EQ(x->n_location_id, 3);
        const Perftools__Profiles__Location *leaf = loc_by_id(p, x->location_id[0]);
        const Perftools__Profiles__Location *root = loc_by_id(p, x->location_id[2]);
        CHECK(leaf && leaf->address == 4864);
        CHECK(root && root->address == 160202 + 1048576);
    }
    CHECK(found);
}

static void test_peak(an_db_t *d)
{
    profile_t *p = export_profile(d, 1u << AN_M_PEAK);
    long long objs = 0, bytes = 0;
    if (!p)
        return;
    for (size_t s = 0; s < p->n_sample; s++) {
        objs += p->sample[s]->value[2];
        bytes += p->sample[s]->value[3];
    }
    CHECK_EQ(objs, db_int(d, "SELECT count(*) FROM live_at_peak"));
    CHECK_EQ(bytes, db_int(d, "SELECT sum(size) FROM live_at_peak"));
    CHECK_EQ(bytes, 81116);
    CHECK(!strcmp(str(p, p->default_sample_type), "inuse_space"));
    perftools__profiles__profile__free_unpacked(p, NULL);
}

int main(void)
{
    char dir[64], path[128], err[256];
    an_db_t d;
    CHECK_EQ(fx_tmpdir(dir), 0);
    snprintf(path, sizeof path, "%s/fx.db", dir);
    CHECK_EQ(fx_create(path), 0);
    if (an_db_open(&d, path, AN_DB_READ, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    profile_t *p = export_profile(&d, 0);
    if (p) {
        test_types_and_totals(&d, p);
        test_ids_resolve(p);
        test_locations(p);
        test_stack_order(p);
        perftools__profiles__profile__free_unpacked(p, NULL);
    }
    test_peak(&d);
    an_db_close(&d);
    unlink(path);
    rmdir(dir);
    return th_done("test_export_pprof");
}
