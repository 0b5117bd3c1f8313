/* an_sym_cu.c -- see an_sym_cu.h. */
#include "an_sym_cu.h"

#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "an_demangle.h"

/* Deeper DIE nesting than this is not followed (malformed input). */
#define CU_MAX_NEST 128

/* A function (DW_TAG_subprogram) or an inlined call in the CU. */
typedef struct cu_scope_s {
    Dwarf_Die die;
    int parent;    /* enclosing scope, -1 at the top */
    int inlined;   /* 1: DW_TAG_inlined_subroutine */
    int named;     /* name below is computed */
    char *name;    /* demangled, NULL when the DIE has none */
} cu_scope_t;

/* One address range of a scope; sorted by lo, then by nesting depth. */
typedef struct cu_range_s {
    Dwarf_Addr lo, hi;
    Dwarf_Addr maxhi; /* highest hi of this and every earlier range */
    int scope;
    int depth;
} cu_range_t;

struct an_sym_cu_s {
    Dwarf_Die die;
    Dwarf_Addr bias;
    cu_scope_t *scopes;
    size_t nscopes, capscopes;
    cu_range_t *ranges;
    size_t nranges, capranges;
    Dwarf_Files *files; /* for DW_AT_call_file, read on first use */
    size_t nfiles;
    int files_read;
};

static int cu_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* Add die with its ranges; returns its scope index, -2 when it covers no
 * code (declarations, abstract instances), -1 when out of memory. */
static int cu_add_scope(an_sym_cu_t *cu, Dwarf_Die *die, int parent, int inlined, int depth)
{
    Dwarf_Addr base, lo, hi;
    ptrdiff_t off = 0;
    int idx = (int)cu->nscopes;
    size_t first = cu->nranges;

    while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
        if (hi <= lo)
            continue;
        if (cu_grow((void **)&cu->ranges, &cu->capranges, cu->nranges + 1, sizeof *cu->ranges))
            return -1;
        cu->ranges[cu->nranges++] = (cu_range_t){lo, hi, 0, idx, depth};
    }
    if (cu->nranges == first)
        return -2;
    if (cu_grow((void **)&cu->scopes, &cu->capscopes, cu->nscopes + 1, sizeof *cu->scopes))
        return -1;
    cu->scopes[cu->nscopes++] = (cu_scope_t){*die, parent, inlined, 0, NULL};
    return idx;
}

/* DIEs whose children may hold functions or inlined calls. */
static int cu_descend(int tag)
{
    return tag == DW_TAG_lexical_block || tag == DW_TAG_namespace ||
           tag == DW_TAG_class_type || tag == DW_TAG_structure_type ||
           tag == DW_TAG_union_type;
}

static int cu_walk(an_sym_cu_t *cu, Dwarf_Die *parent_die, int parent, int depth)
{
    Dwarf_Die child;

    if (depth > CU_MAX_NEST || dwarf_child(parent_die, &child) != 0)
        return 0;
    do {
        int tag = dwarf_tag(&child);
        if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) {
            int me = cu_add_scope(cu, &child, parent, tag == DW_TAG_inlined_subroutine, depth);
            if (me == -1 || (me >= 0 && cu_walk(cu, &child, me, depth + 1) != 0))
                return -1;
        } else if (cu_descend(tag) && cu_walk(cu, &child, parent, depth + 1) != 0) {
            return -1;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return 0;
}

static int cu_range_cmp(const void *a, const void *b)
{
    const cu_range_t *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return (x->depth > y->depth) - (x->depth < y->depth);
}

static void cu_sort(an_sym_cu_t *cu)
{
    Dwarf_Addr maxhi = 0;
    if (cu->nranges > 0)
        qsort(cu->ranges, cu->nranges, sizeof *cu->ranges, cu_range_cmp);
    for (size_t i = 0; i < cu->nranges; i++) {
        if (cu->ranges[i].hi > maxhi)
            maxhi = cu->ranges[i].hi;
        cu->ranges[i].maxhi = maxhi;
    }
}

static void cu_free(an_sym_cu_t *cu)
{
    if (!cu)
        return;
    for (size_t i = 0; i < cu->nscopes; i++)
        free(cu->scopes[i].name);
    free(cu->scopes);
    free(cu->ranges);
    free(cu);
}

static an_sym_cu_t *cu_build(Dwarf_Die *cudie, Dwarf_Addr bias)
{
    an_sym_cu_t *cu = calloc(1, sizeof *cu);
    if (!cu)
        return NULL;
    cu->die = *cudie;
    cu->bias = bias;
    if (cu_walk(cu, &cu->die, -1, 0) != 0) {
        cu_free(cu);
        return NULL;
    }
    cu_sort(cu);
    return cu;
}

/* Position of the first CU with a DIE at or after key. */
static size_t cus_find(const an_sym_cus_t *set, const void *key)
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((const char *)set->cu[mid]->die.addr < (const char *)key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

an_sym_cu_t *an_sym_cu_get(an_sym_cus_t *set, Dwarf_Die *cudie, Dwarf_Addr bias)
{
    if (set->last && set->last->die.addr == cudie->addr)
        return set->last;
    size_t pos = cus_find(set, cudie->addr);
    if (pos < set->n && set->cu[pos]->die.addr == cudie->addr)
        return set->last = set->cu[pos];
    an_sym_cu_t *cu = cu_build(cudie, bias);
    if (!cu || cu_grow((void **)&set->cu, &set->cap, set->n + 1, sizeof *set->cu)) {
        cu_free(cu);
        return NULL;
    }
    memmove(set->cu + pos + 1, set->cu + pos, (set->n - pos) * sizeof *set->cu);
    set->cu[pos] = cu;
    set->n++;
    return set->last = cu;
}

void an_sym_cus_free(an_sym_cus_t *set)
{
    for (size_t i = 0; i < set->n; i++)
        cu_free(set->cu[i]);
    free(set->cu);
    memset(set, 0, sizeof *set);
}

/* The innermost scope covering a, -1 when none.  Ranges nest, so among
 * those covering a the innermost starts last (ties: deeper sorts later). */
static int cu_innermost(const an_sym_cu_t *cu, Dwarf_Addr a)
{
    size_t lo = 0, hi = cu->nranges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cu->ranges[mid].lo <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i-- > 0;) {
        if (cu->ranges[i].maxhi <= a)
            break;
        if (cu->ranges[i].hi > a)
            return cu->ranges[i].scope;
    }
    return -1;
}

static const char *cu_attr_string(Dwarf_Die *die, int name)
{
    Dwarf_Attribute at;
    return dwarf_attr_integrate(die, name, &at) ? dwarf_formstring(&at) : NULL;
}

/* A mangled (C++) linkage name demangled: qualified, with parameters.
 * Otherwise DW_AT_name, which beats an assembler label such as glibc's
 * "__GI_qsort" for qsort.  Both followed through abstract origin and
 * specification. */
static const char *cu_scope_name(cu_scope_t *s)
{
    if (!s->named) {
        const char *link = cu_attr_string(&s->die, DW_AT_linkage_name);
        const char *name = cu_attr_string(&s->die, DW_AT_name);
        if (!link)
            link = cu_attr_string(&s->die, DW_AT_MIPS_linkage_name);
        s->name = an_demangle(link && (!strncmp(link, "_Z", 2) || !name) ? link : name);
        s->named = 1;
    }
    return s->name;
}

/* File and line where the inlined call s was made. */
static void cu_call_site(an_sym_cu_t *cu, cu_scope_t *s, an_sym_loc_t *loc)
{
    Dwarf_Attribute at;
    Dwarf_Word file = 0, line = 0;

    if (!cu->files_read) {
        cu->files_read = 1;
        if (dwarf_getsrcfiles(&cu->die, &cu->files, &cu->nfiles) != 0)
            cu->files = NULL;
    }
    if (cu->files && dwarf_formudata(dwarf_attr(&s->die, DW_AT_call_file, &at), &file) == 0 &&
        file < cu->nfiles)
        loc->file = dwarf_filesrc(cu->files, file, NULL, NULL);
    if (dwarf_formudata(dwarf_attr(&s->die, DW_AT_call_line, &at), &line) == 0 && line <= 0x7fffffff)
        loc->line = (int)line;
}

/* The chain from the innermost scope out to its real function, innermost
 * first, at most max long; returns its length. */
static int cu_chain(const an_sym_cu_t *cu, int inner, int *chain, int max)
{
    int n = 0;
    for (int s = inner; s >= 0 && n < max; s = cu->scopes[s].parent) {
        chain[n++] = s;
        if (!cu->scopes[s].inlined)
            break;
    }
    return n;
}

static void cu_source_line(an_sym_cu_t *cu, Dwarf_Addr a, an_sym_loc_t *loc)
{
    int line = 0;
    Dwarf_Line *ln = dwarf_getsrc_die(&cu->die, a);
    if (!ln)
        return;
    loc->file = dwarf_linesrc(ln, NULL, NULL);
    if (dwarf_lineno(ln, &line) == 0 && line > 0)
        loc->line = line;
}

void an_sym_cu_lookup(an_sym_cu_t *cu, Dwarf_Addr addr, an_sym_result_t *r)
{
    int chain[AN_SYM_MAX_INLINE];
    Dwarf_Addr a = addr - cu->bias;
    int inner = cu_innermost(cu, a);
    int n = inner >= 0 ? cu_chain(cu, inner, chain, AN_SYM_MAX_INLINE) : 0;

    r->n = n ? n : 1;
    /* chain[0] is innermost, loc[n-1] too: loc[i] = chain[n-1-i]. */
    for (int i = 0; i < n; i++) {
        cu_scope_t *s = &cu->scopes[chain[n - 1 - i]];
        r->loc[i].function = cu_scope_name(s);
        if (i + 1 < n)
            cu_call_site(cu, &cu->scopes[chain[n - 2 - i]], &r->loc[i]);
    }
    cu_source_line(cu, a, &r->loc[r->n - 1]);
    if (!n && !r->loc[0].file)
        r->n = 0;
}
