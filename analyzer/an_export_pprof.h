/*
 * an_export_pprof.h -- internal to the pprof export: the profile being
 * built (an_export_pprof.c: samples and the profile itself) and its tables
 * (an_export_pprof_tab.c: strings, functions, mappings, locations).
 *
 * Every protobuf-c message lives in an arena freed at once; repeated
 * fields are arrays of pointers to those messages, grown with realloc
 * and handed to the Profile only when complete.  Ids are index + 1.
 */
#ifndef AN_EXPORT_PPROF_H
#define AN_EXPORT_PPROF_H

#include "an_export.h"
#include "an_report_int.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile pp_profile_t;
typedef Perftools__Profiles__Function pp_function_t;
typedef Perftools__Profiles__Mapping pp_mapping_t;
typedef Perftools__Profiles__Location pp_location_t;
typedef Perftools__Profiles__Line pp_line_t;
typedef Perftools__Profiles__Sample pp_sample_t;
typedef Perftools__Profiles__ValueType pp_vtype_t;

typedef struct pp_chunk_s pp_chunk_t;

typedef struct pp_modinfo_s {
    unsigned long long bias; /* modules.load_bias */
    long long pid;
} pp_modinfo_t;

/* A growing array of pointers. */
typedef struct pp_vec_s {
    void **v;
    size_t n, cap;
} pp_vec_t;

typedef struct pp_s {
    an_ctx_t c;
    pp_chunk_t *arena;
    an_pool_t pool;         /* every string of the profile, interned */
    an_map_t str_ix;        /* pooled string -> string table index */
    pp_vec_t strs;          /* the string table, "" first */
    an_map_t fn_ix;         /* pooled "name\x1ffile" -> function index */
    pp_vec_t fns;
    an_map_t map_ix;        /* modules.id -> mapping index */
    pp_vec_t maps;
    pp_modinfo_t *mod;      /* per mapping: what the location and sample need */
    size_t cap_mod;
    int *loc_of;            /* tree frame index -> location index + 1, 0: none yet */
    pp_vec_t locs;
    pp_vec_t samples;
    char *key;              /* scratch */
    size_t key_size;
} pp_t;

/* Zeroed memory from the arena, NULL when out of memory. */
void *pp_alloc(pp_t *p, size_t size);
int pp_push(pp_vec_t *v, void *item);  /* 0 / -1 (OOM) */

/* String table index of s ("" for NULL); -1 on OOM. */
long long pp_str(pp_t *p, const char *s);

/* One mapping per row of modules, the main executables first.  0 / -1. */
int pp_mappings(pp_t *p, char *err, size_t errlen);

/* The pid of the process tree frame index fi ran in; -1 when unknown. */
long long pp_frame_pid(pp_t *p, int fi);

/* Location id of tree frame index fi, made on first use: the address in
 * the process, and one line per function of its inline chain, innermost
 * first.  0 on OOM. */
unsigned long long pp_location(pp_t *p, int fi);

void pp_tables_free(pp_t *p);

/* Write buf gzipped (RFC 1952) to out.  0 / -1. */
int an_export_gzip(FILE *out, const void *buf, size_t len, char *err, size_t errlen);

#endif
