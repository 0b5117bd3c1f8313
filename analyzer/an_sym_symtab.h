/*
 * an_sym_symtab.h -- the ELF symbol covering an address, from a sorted copy
 * of a module's symbol table.
 *
 * libdwfl's dwfl_module_addrinfo reads the whole table on every lookup:
 * libLLVM-14's 45,000 symbols cost 1.6 ms a lookup, 34 s of CPU for the
 * 20,000 frames of a clang recording.  This finds the few sized symbols
 * that contain the address by binary search and replays libdwfl's choice
 * among them (elfutils __libdwfl_addrsym: global symbols before local ones,
 * then its preferences -- closer start, stronger binding, smaller size --
 * applied in table order), and hands the address to libdwfl itself where
 * a label without a size could be the answer (which one depends on the
 * order of the whole table) -- rare in compiled code.
 */
#ifndef AN_SYM_SYMTAB_H
#define AN_SYM_SYMTAB_H

#include <elfutils/libdwfl.h>
#include <stdint.h>

typedef struct an_sym_symtab_s an_sym_symtab_t;

/* Index mod's symbol table; NULL when out of memory or when the table is
 * one this does not model (symbol values adjusted by libdwfl, as for
 * function descriptors): an_sym_symtab_name then asks libdwfl. */
an_sym_symtab_t *an_sym_symtab_new(Dwfl_Module *mod);

/* Name of the symbol covering module address addr (as dwfl_module_addrinfo
 * names it), or NULL.  t may be NULL.  The string lives as long as mod. */
const char *an_sym_symtab_name(const an_sym_symtab_t *t, Dwfl_Module *mod, uint64_t addr);

void an_sym_symtab_free(an_sym_symtab_t *t);

#endif
