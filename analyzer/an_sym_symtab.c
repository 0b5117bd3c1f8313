/* an_sym_symtab.c -- see an_sym_symtab.h.  The rules are those of
 * elfutils' libdwfl/dwfl_module_addrsym.c (search_table, try_sym_value);
 * tests/unit/test_sym_symtab.c compares the two answers address by address. */
#include "an_sym_symtab.h"

#include <gelf.h>
#include <stdlib.h>

#define SYMTAB_MAX_HITS 64 /* more sized symbols containing one address: ask libdwfl */

typedef struct symtab_ent_s {
    uint64_t value, size;
    uint64_t max_end;   /* sized: largest end in sized[0..this] */
    uint64_t max_end_g; /* sized: largest end of a global one in sized[0..this], 0: none */
    const char *name;
    int index;          /* in libdwfl's table: the order its search meets symbols */
    int bind;           /* libdwfl's binding_value: 3 global, 2 weak, 1 local, 0 other */
    int global;         /* in the first pass (global symbols) */
} symtab_ent_t;

struct an_sym_symtab_s {
    symtab_ent_t *sized;  /* st_size > 0, by value then index */
    symtab_ent_t *labels; /* st_size 0 in a section, by value */
    symtab_ent_t *abs;    /* st_size 0, absolute (version names...): match only their value */
    size_t n_sized, n_labels, n_abs;
};

static int symtab_bind(const GElf_Sym *s)
{
    switch (GELF_ST_BIND(s->st_info)) {
    case STB_GLOBAL: return 3;
    case STB_WEAK: return 2;
    case STB_LOCAL: return 1;
    default: return 0;
    }
}

static uint64_t symtab_end(const symtab_ent_t *e)
{
    return e->value + e->size < e->value ? UINT64_MAX : e->value + e->size;
}

static int symtab_cmp(const void *pa, const void *pb)
{
    const symtab_ent_t *a = pa, *b = pb;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return a->index - b->index;
}

/* The symbols libdwfl's search considers, split by size.  0, -1 on OOM or
 * on a value libdwfl adjusts (not modelled here). */
static int symtab_fill(an_sym_symtab_t *t, Dwfl_Module *mod, int n, int first_global)
{
    int gstart = first_global == 0 ? 1 : first_global;
    for (int i = 1; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr value;
        GElf_Word shndx;
        const char *name = dwfl_module_getsym_info(mod, i, &sym, &value, &shndx, NULL, NULL);
        int type = GELF_ST_TYPE(sym.st_info);
        if (!name || !name[0] || sym.st_shndx == SHN_UNDEF || type == STT_SECTION ||
            type == STT_FILE || type == STT_TLS)
            continue;
        if (value != sym.st_value)
            return -1;
        symtab_ent_t e = {.value = value, .size = sym.st_size, .name = name, .index = i,
                          .bind = symtab_bind(&sym), .global = i >= gstart};
        if (e.size)
            t->sized[t->n_sized++] = e;
        else if (shndx >= SHN_LORESERVE)
            t->abs[t->n_abs++] = e;
        else
            t->labels[t->n_labels++] = e;
    }
    return 0;
}

static void symtab_prefix_ends(an_sym_symtab_t *t)
{
    uint64_t m = 0, mg = 0;
    for (size_t i = 0; i < t->n_sized; i++) {
        symtab_ent_t *e = &t->sized[i];
        uint64_t end = symtab_end(e);
        m = end > m ? end : m;
        if (e->global && end > mg)
            mg = end;
        e->max_end = m;
        e->max_end_g = mg;
    }
}

an_sym_symtab_t *an_sym_symtab_new(Dwfl_Module *mod)
{
    int n = dwfl_module_getsymtab(mod);
    int first_global = dwfl_module_getsymtab_first_global(mod);
    an_sym_symtab_t *t;
    if (n <= 1 || first_global < 0 || !(t = calloc(1, sizeof *t)))
        return NULL;
    t->sized = malloc((size_t)n * sizeof *t->sized);
    t->labels = malloc((size_t)n * sizeof *t->labels);
    t->abs = malloc((size_t)n * sizeof *t->abs);
    if (!t->sized || !t->labels || !t->abs || symtab_fill(t, mod, n, first_global) != 0) {
        an_sym_symtab_free(t);
        return NULL;
    }
    qsort(t->sized, t->n_sized, sizeof *t->sized, symtab_cmp);
    qsort(t->labels, t->n_labels, sizeof *t->labels, symtab_cmp);
    qsort(t->abs, t->n_abs, sizeof *t->abs, symtab_cmp);
    symtab_prefix_ends(t);
    return t;
}

void an_sym_symtab_free(an_sym_symtab_t *t)
{
    if (!t)
        return;
    free(t->sized);
    free(t->labels);
    free(t->abs);
    free(t);
}

/* Entries of v[0..n) (sorted by value) with value <= addr. */
static size_t symtab_upto(const symtab_ent_t *v, size_t n, uint64_t addr)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].value <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* try_sym_value's choice among the sized symbols containing the address,
 * met in table order: hits[0..n) sorted by index first. */
static const symtab_ent_t *symtab_pick(const symtab_ent_t **hits, int n)
{
    const symtab_ent_t *best = NULL;
    for (int i = 1; i < n; i++) /* insertion sort: n is a handful */
        for (int j = i; j > 0 && hits[j - 1]->index > hits[j]->index; j--) {
            const symtab_ent_t *x = hits[j];
            hits[j] = hits[j - 1];
            hits[j - 1] = x;
        }
    for (int i = 0; i < n; i++) {
        const symtab_ent_t *c = hits[i];
        if (!best || best->value < c->value || best->bind < c->bind)
            best = c;
        else if (best->value == c->value &&
                 ((best->size > c->size && best->bind <= c->bind) ||
                  (best->size >= c->size && best->bind < c->bind)))
            best = c;
    }
    return best;
}

/* Sized symbols containing addr, global ones in g, local ones in l; -1 when
 * there are more than SYMTAB_MAX_HITS. */
static int symtab_hits(const an_sym_symtab_t *t, uint64_t addr, size_t upto,
                       const symtab_ent_t **g, int *ng, const symtab_ent_t **l, int *nl)
{
    *ng = *nl = 0;
    for (size_t j = upto; j > 0 && t->sized[j - 1].max_end > addr; j--) {
        const symtab_ent_t *e = &t->sized[j - 1];
        if (symtab_end(e) <= addr)
            continue;
        if (*ng + *nl == SYMTAB_MAX_HITS)
            return -1;
        if (e->global)
            g[(*ng)++] = e;
        else
            l[(*nl)++] = e;
    }
    return 0;
}

/* A label (no size) at or below addr that no global sized symbol's end
 * lies beyond: libdwfl's answer may be that label, and which one depends
 * on the order of the table.  Also a label exactly at addr, which decides
 * whether libdwfl searches the local symbols at all.  An absolute label
 * can only be the answer at its own value. */
static int symtab_label_matters(const an_sym_symtab_t *t, uint64_t addr, size_t upto)
{
    size_t k = symtab_upto(t->labels, t->n_labels, addr);
    size_t a = symtab_upto(t->abs, t->n_abs, addr);
    uint64_t mg = upto ? t->sized[upto - 1].max_end_g : 0;
    return (k > 0 && t->labels[k - 1].value >= mg) || (a > 0 && t->abs[a - 1].value == addr);
}

const char *an_sym_symtab_name(const an_sym_symtab_t *t, Dwfl_Module *mod, uint64_t addr)
{
    const symtab_ent_t *g[SYMTAB_MAX_HITS], *l[SYMTAB_MAX_HITS];
    GElf_Off off;
    GElf_Sym sym;
    int ng, nl;
    size_t upto;
    if (!t)
        return dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
    upto = symtab_upto(t->sized, t->n_sized, addr);
    if (symtab_hits(t, addr, upto, g, &ng, l, &nl) != 0)
        return dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
    if (ng > 0)
        return symtab_pick(g, ng)->name;
    if (symtab_label_matters(t, addr, upto))
        return dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
    return nl > 0 ? symtab_pick(l, nl)->name : NULL;
}
