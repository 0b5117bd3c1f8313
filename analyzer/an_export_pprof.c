/*
 * an_export_pprof.c -- `export --format pprof`: the profile.proto that go
 * tool pprof, Grafana Pyroscope and Parca read, packed by protobuf-c and
 * gzipped.
 *
 * Sample types, as Go's heap profiles: alloc_objects/count,
 * alloc_space/bytes (every allocation), inuse_objects/count,
 * inuse_space/bytes (blocks never freed: live when the recording ended;
 * with --metric peak, blocks live at their process's peak).  One sample
 * per call site with figures, its locations innermost first; a location
 * per code address (module-relative pc + load bias, in the module's
 * mapping), one line per function of its inline chain, innermost first;
 * a numeric label "pid" names the process (go tool pprof -tagfocus=pid=N).
 * Every allocation is recorded, so period is 1 and values are exact.
 */
#include "an_export_pprof.h"

#include <stdlib.h>
#include <string.h>

#define PP_NVAL 4
#define PP_MAX_DEPTH (1 << 20)

static const char *const pp_types[PP_NVAL][2] = {
    {"alloc_objects", "count"}, {"alloc_space", "bytes"},
    {"inuse_objects", "count"}, {"inuse_space", "bytes"}};

/* The four values of a call site; 1 when any is non-zero. */
static int pp_values(const an_stat_t *st, int peak, int64_t *v)
{
    v[0] = st->allocs;
    v[1] = st->bytes;
    v[2] = peak ? st->peak_blocks : st->leaked_blocks;
    v[3] = peak ? st->peak_bytes : st->leaked_bytes;
    return v[0] || v[1] || v[2] || v[3];
}

/* Number of frames from node i to the root; -1 with err set. */
static int pp_depth(pp_t *p, int i, char *err, size_t errlen)
{
    int n = 0;
    for (; i >= 0 && n <= PP_MAX_DEPTH; n++)
        i = an_tree_parent(p->c.tree, i, err, errlen);
    if (i == -2)
        return -1;
    if (n > PP_MAX_DEPTH) {
        snprintf(err, errlen, "cycle in callsites (damaged database)");
        return -1;
    }
    return n;
}

/* A "pid" label: the process of the innermost frame in a known module. */
static int pp_label_pid(pp_t *p, pp_sample_t *s, int node)
{
    long long pid = -1;
    for (int i = node; i >= 0 && pid < 0; i = an_tree_parent(p->c.tree, i, NULL, 0))
        pid = pp_frame_pid(p, p->c.tree->nodes[i].frame);
    if (pid < 0)
        return 0;
    Perftools__Profiles__Label *l = pp_alloc(p, sizeof *l);
    s->label = pp_alloc(p, sizeof *s->label);
    if (!l || !s->label)
        return -1;
    perftools__profiles__label__init(l);
    l->key = pp_str(p, "pid");
    l->num = pid;
    s->label[0] = l;
    s->n_label = 1;
    return l->key < 0 ? -1 : 0;
}

static int pp_sample(pp_t *p, int node, const int64_t *v, char *err, size_t errlen)
{
    int n = pp_depth(p, node, err, errlen);
    if (n < 0)
        return -1;
    pp_sample_t *s = pp_alloc(p, sizeof *s);
    uint64_t *locs = pp_alloc(p, (size_t)(n ? n : 1) * sizeof *locs);
    int64_t *vals = pp_alloc(p, PP_NVAL * sizeof *vals);
    if (!s || !locs || !vals)
        goto oom;
    perftools__profiles__sample__init(s);
    for (int i = node; i >= 0; i = an_tree_parent(p->c.tree, i, err, errlen))
        if (!(locs[s->n_location_id++] = pp_location(p, p->c.tree->nodes[i].frame)))
            goto oom;
    memcpy(vals, v, PP_NVAL * sizeof *vals);
    s->location_id = locs;
    s->value = vals;
    s->n_value = PP_NVAL;
    if (pp_label_pid(p, s, node) == 0 && pp_push(&p->samples, s) == 0)
        return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

static int pp_samples(pp_t *p, int peak, char *err, size_t errlen)
{
    int64_t v[PP_NVAL];
    for (size_t i = 0; i < p->c.n_stats; i++)
        if (pp_values(&p->c.stats[i], peak, v) && pp_sample(p, (int)i, v, err, errlen) != 0)
            return -1;
    return 0;
}

/* ---- the profile ------------------------------------------------------------ */

static pp_vtype_t *pp_vtype(pp_t *p, const char *type, const char *unit)
{
    pp_vtype_t *t = pp_alloc(p, sizeof *t);
    if (!t)
        return NULL;
    perftools__profiles__value_type__init(t);
    t->type = pp_str(p, type);
    t->unit = pp_str(p, unit);
    return t->type < 0 || t->unit < 0 ? NULL : t;
}

static long long pp_meta_int(pp_t *p, const char *key)
{
    char buf[64];
    an_db_meta(p->c.d, key, buf, sizeof buf);
    return strtoll(buf, NULL, 10);
}

static int pp_comments(pp_t *p, pp_profile_t *prof, int peak)
{
    char cmd[1024], line[1200];
    an_db_meta(p->c.d, "command", cmd, sizeof cmd);
    snprintf(line, sizeof line, "heapql " HEAPQL_VERSION ": %s", cmd[0] ? cmd : "?");
    prof->comment = pp_alloc(p, 2 * sizeof *prof->comment);
    if (!prof->comment)
        return -1;
    prof->comment[0] = pp_str(p, line);
    prof->comment[1] = pp_str(p, peak ? "inuse_objects, inuse_space: blocks live at the peak"
                                      : "inuse_objects, inuse_space: blocks never freed");
    prof->n_comment = 2;
    return prof->comment[0] < 0 || prof->comment[1] < 0 ? -1 : 0;
}

static int pp_header(pp_t *p, pp_profile_t *prof, an_metric_t m)
{
    int peak = m == AN_M_PEAK;
    const char *dflt = m == AN_M_ALLOCS ? "alloc_objects" : m == AN_M_BYTES ? "alloc_space"
                                                                              : "inuse_space";
    prof->sample_type = pp_alloc(p, PP_NVAL * sizeof *prof->sample_type);
    if (!prof->sample_type)
        return -1;
    for (int i = 0; i < PP_NVAL; i++)
        if (!(prof->sample_type[i] = pp_vtype(p, pp_types[i][0], pp_types[i][1])))
            return -1;
    prof->n_sample_type = PP_NVAL;
    if (!(prof->period_type = pp_vtype(p, "space", "bytes")) || pp_comments(p, prof, peak) != 0)
        return -1;
    prof->period = 1;
    prof->time_nanos = pp_meta_int(p, "start_unix_ns");
    prof->duration_nanos = pp_meta_int(p, "duration_ns");
    prof->default_sample_type = pp_str(p, dflt);
    return prof->default_sample_type < 0 ? -1 : 0;
}

/* Hand the finished tables to the profile. */
static void pp_assemble(pp_t *p, pp_profile_t *prof)
{
    prof->sample = (pp_sample_t **)p->samples.v;
    prof->n_sample = p->samples.n;
    prof->mapping = (pp_mapping_t **)p->maps.v;
    prof->n_mapping = p->maps.n;
    prof->location = (pp_location_t **)p->locs.v;
    prof->n_location = p->locs.n;
    prof->function = (pp_function_t **)p->fns.v;
    prof->n_function = p->fns.n;
    prof->string_table = (char **)p->strs.v;
    prof->n_string_table = p->strs.n;
}

static int pp_write(pp_profile_t *prof, FILE *out, char *err, size_t errlen)
{
    size_t size = perftools__profiles__profile__get_packed_size(prof);
    uint8_t *buf = malloc(size ? size : 1);
    int rc;
    if (!buf) {
        snprintf(err, errlen, "out of memory (profile of %zu bytes)", size);
        return -1;
    }
    perftools__profiles__profile__pack(prof, buf);
    rc = an_export_gzip(out, buf, size, err, errlen);
    free(buf);
    return rc;
}

static an_metric_t pp_metric(const an_export_opts_t *o)
{
    unsigned m = an_export_metrics(o);
    for (int i = 0; i < AN_M_COUNT; i++)
        if (m & (1u << i))
            return (an_metric_t)i;
    return AN_M_BYTES;
}

static int pp_build(pp_t *p, pp_profile_t *prof, an_metric_t m, char *err, size_t errlen)
{
    if (an_ctx_stats(&p->c, 0, err, errlen) != 0)
        return -1;
    if (pp_str(p, "") != 0 || !(p->loc_of = calloc(p->c.tree->n_frames + 1, sizeof *p->loc_of)) ||
        pp_header(p, prof, m) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (pp_mappings(p, err, errlen) != 0 || pp_samples(p, m == AN_M_PEAK, err, errlen) != 0)
        return -1;
    pp_assemble(p, prof);
    return 0;
}

int an_export_pprof(an_db_t *d, const an_export_opts_t *o, FILE *out, char *err, size_t errlen)
{
    an_report_opts_t ro;
    pp_profile_t prof;
    pp_t p;
    int rc = -1;
    memset(&p, 0, sizeof p);
    perftools__profiles__profile__init(&prof);
    an_report_opts_init(&ro);
    ro.db_path = o->db_path;
    if (an_ctx_open(&p.c, d, &ro, out, 1, err, errlen) == 0 &&
        pp_build(&p, &prof, pp_metric(o), err, errlen) == 0)
        rc = pp_write(&prof, out, err, errlen);
    pp_tables_free(&p);
    an_ctx_close(&p.c);
    an_report_opts_free(&ro);
    return rc;
}
