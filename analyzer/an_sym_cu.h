/*
 * an_sym_cu.h -- per compilation unit index of code scopes (functions and
 * inlined calls with their address ranges), built once per CU on first use
 * and kept for every later address in it.  dwarf_getscopes walks the CU
 * from its root on every call, which made 20k lookups in a large C++ CU
 * take seconds; here a lookup is a binary search plus a short walk back.
 */
#ifndef AN_SYM_CU_H
#define AN_SYM_CU_H

#include <elfutils/libdw.h>

#include "an_sym_result.h"

typedef struct an_sym_cu_s an_sym_cu_t;

/* The CUs of one module already indexed, looked up by CU DIE. */
typedef struct an_sym_cus_s {
    an_sym_cu_t **cu; /* sorted by CU DIE address */
    size_t n, cap;
    an_sym_cu_t *last;
} an_sym_cus_t;

/* Index of the CU whose DIE is cudie (addresses in it are module addresses
 * minus bias), built on the first call.  NULL when out of memory. */
an_sym_cu_t *an_sym_cu_get(an_sym_cus_t *set, Dwarf_Die *cudie, Dwarf_Addr bias);

/* Fill r (cleared by the caller) with the inline chain at module address
 * addr (addr - bias in the CU's terms) and the source line of addr.
 * r->n = 0 when the CU knows nothing about addr; a location may lack a
 * function name (no scope covers addr) for the caller to take from the
 * symbol table. */
void an_sym_cu_lookup(an_sym_cu_t *cu, Dwarf_Addr addr, an_sym_result_t *r);

/* Free every index of the set (the set itself is the caller's). */
void an_sym_cus_free(an_sym_cus_t *set);

#endif
