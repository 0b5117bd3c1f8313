/*
 * shim_cfi.h -- unwind rules from the CFI (.eh_frame) of the code at a
 * return address: what shim_unwind.c's walk needs to step over one frame.
 */
#ifndef SHIM_CFI_H
#define SHIM_CFI_H

#include <stdint.h>

/* A rule: bits 0-3 kind (0: not known yet), bit 4 CFA from RSP (else
 * RBP), bits 16-31 where RBP is saved (int16 offset from the CFA, -1: not
 * saved), bits 32-63 the CFA offset (int32). */
enum { RULE_STD = 1, RULE_LAST = 2, RULE_BAIL = 4 };
#define RULE_KIND(r) ((unsigned)(r) & 15u)
#define RULE_CFA_RSP 16u
#define RULE_RBP_OFF(r) ((int16_t)((r) >> 16))
#define RULE_CFA_OFF(r) ((int64_t)(r) >> 32)

/* The rule of return address pc, from the CFI row of pc - 1 (found with
 * _dl_find_object: no lock, no allocation); RULE_BAIL for anything the
 * walk leaves to libunwind (shim_unwind.c's top comment lists it). */
uint64_t shim_cfi_rule(uintptr_t pc);

#endif
