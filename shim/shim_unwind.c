/*
 * shim_unwind.c -- the stack walk of every hook: the return addresses
 * libunwind's fast trace (unw_backtrace, Debian 1.6.2) would give, for a
 * fraction of its cost.  Anything that trace does not treat as a plain
 * frame is left to it: shim_unwind returns -1 and the caller runs
 * unw_backtrace, so the stacks are the same either way (a build with
 * -DSHIM_UNWIND_VERIFY checks every walk against unw_backtrace).
 *
 * Two levels:
 *   1. A rule per return address, cached for the whole process: what
 *      libunwind's tdep_stash_frame calls a standard frame, from the CFI
 *      row of pc - 1 -- CFA = RSP or RBP + offset (|offset| < 2^28), return
 *      address at CFA-8, RBP unchanged or saved at CFA + offset (|offset| <
 *      2^14, not -1), RSP unchanged, undefined or saved likewise; or the
 *      last frame (return address or RBP undefined: _start, clone3).
 *      Everything else is BAIL: no object or eh_frame_hdr table, pc
 *      outside its FDE, a signal frame ('S'), a CFA or register given by
 *      an expression, registers >= 17, 64-bit DWARF, CIE version 4,
 *      unknown opcodes or augmentations, deep remember_state.  On the
 *      benchmarks only ld.so's _dl_start_user (constructors run by
 *      _dl_init) bails, and signal trampolines in the tests.
 *   2. Each thread's last walk (below): a walk that reaches one of its
 *      frames re-reads the words that walk read and copies the rest.
 * Per frame: about 40 instructions walked, 11 copied, against about 80 in
 * libunwind's trace (its per-thread cache lookup included).
 *
 * The walk reads the stack as libunwind's trace does (no validation), and
 * gives up (-1) where libunwind would go on with a frame we doubt: a CFA
 * not above the previous one, or more than 1 GiB above it.
 *
 * The rule cache: open addressing in mmap'd memory, shared by all threads,
 * never locked.  key = pc | generation << 48 (user pcs are below 2^47).  A
 * slot's key is claimed once by CAS and never changes; its rule (never 0
 * once written) is stored after, so a reader that finds its key uses the
 * rule or, while it is still 0, computes its own.  Code can be unmapped
 * (dlclose, shim_modules_scan seeing an object gone): shim_unwind_flush
 * bumps the generation, so the old entries stop matching (they stay as
 * dead slots).  Past 3/4 full or 2^16 generations a miss is BAIL:
 * libunwind's own per-thread cache takes over.
 *
 * Rules are computed from the CFI with _dl_find_object (glibc >= 2.35: no
 * lock, no allocation; libunwind goes through dl_iterate_phdr and the
 * loader's lock) and the CFI program run on the stack (about 2.5 KiB).
 */
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "shim.h"

#define UNW_BITS 16
#define UNW_SLOTS (1u << UNW_BITS)
#define UNW_LIMIT (UNW_SLOTS / 4u * 3u)
#define UNW_PROBES 16
#define UNW_GEN_MAX 0xffffu
#define UNW_SPAN_MAX (1ull << 30) /* a frame this large is not one */
#define UNW_PC_MIN 0x4000ull       /* libunwind's trace stops below this */
#define UNW_PC_END (1ull << 47)    /* keys hold the generation above */

/* A rule: bits 0-3 kind (0: not known yet), bit 4 CFA from RSP (else
 * RBP), bits 16-31 where RBP is saved (int16 offset from the CFA, -1: not
 * saved), bits 32-63 the CFA offset (int32). */
enum { RULE_STD = 1, RULE_LAST = 2, RULE_BAIL = 4 };
#define RULE_KIND(r) ((unsigned)(r) & 15u)
#define RULE_CFA_RSP 16u
#define RULE_RBP_OFF(r) ((int16_t)((r) >> 16))
#define RULE_CFA_OFF(r) ((int64_t)(r) >> 32)

typedef struct unw_slot_s {
    uint64_t key; /* 0: empty */
    uint64_t rule; /* 0: not written yet */
} unw_slot_t;

#ifdef SHIM_UNWIND_VERIFY
uintptr_t shim_unwind_bail_pc; /* the last pc whose rule was BAIL (shim_stack.c reports it) */
#endif

static unw_slot_t *unw_table;
static uint32_t unw_used;
static uint32_t unw_gen;

int shim_unwind_init(void)
{
    void *p;
#if !defined(DLFO_STRUCT_HAS_EH_DBASE) || !defined(__x86_64__)
    return -1; /* no _dl_find_object, or not x86-64 CFI: every stack goes to libunwind */
#endif
    if (__atomic_load_n(&unw_table, __ATOMIC_ACQUIRE))
        return 0;
    if (__atomic_load_n(&unw_gen, __ATOMIC_ACQUIRE) >= UNW_GEN_MAX)
        return -1; /* generations used up (shim_unwind_flush) */
    /* one slot more, never used: unw_next looks at the slot after its own */
    p = shim_real.mmap(NULL, (size_t)(UNW_SLOTS + 1) * sizeof(unw_slot_t), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    __atomic_store_n(&unw_table, (unw_slot_t *)p, __ATOMIC_RELEASE);
    return 0;
}

void shim_unwind_flush(void)
{
    if (__atomic_add_fetch(&unw_gen, 1, __ATOMIC_ACQ_REL) >= UNW_GEN_MAX)
        __atomic_store_n(&unw_table, NULL, __ATOMIC_RELEASE); /* leaked: readers may hold it */
}

static inline uint32_t unw_index(uint64_t key)
{
    return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> (64 - UNW_BITS));
}

/* ---- CFI ------------------------------------------------------------------ */

enum { W_UNDEF = 0, W_SAME, W_CFAREL, W_REG, W_EXPR, W_VAL_EXPR }; /* libunwind's order */
#define CFI_REGS 17         /* DWARF_NUM_PRESERVED_REGS: rax..r15, return address */
#define CFI_CFA CFI_REGS    /* where: W_REG (val: register) or W_EXPR */
#define CFI_OFF (CFI_REGS + 1)
#define CFI_STACK 8
#define DW_RBP 6
#define DW_RSP 7

typedef struct cfi_row_s {
    uint8_t where[CFI_REGS + 2];
    int64_t val[CFI_REGS + 2];
} cfi_row_t;

typedef struct cfi_in_s {
    const uint8_t *p, *end;
    int bad;
} cfi_in_t;

typedef struct cfi_cie_s {
    uint64_t code_align;
    int64_t data_align;
    uint64_t ra;
    uint8_t fde_enc, lsda_enc, sized;
    const uint8_t *instr, *end;
} cfi_cie_t;

static uint64_t in_bytes(cfi_in_t *in, unsigned n)
{
    uint64_t v = 0;
    if (in->bad || (size_t)(in->end - in->p) < n) {
        in->bad = 1;
        return 0;
    }
    memcpy(&v, in->p, n); /* little-endian */
    in->p += n;
    return v;
}

static uint64_t in_uleb(cfi_in_t *in)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
        b = (uint8_t)in_bytes(in, 1);
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    } while ((b & 0x80) && !in->bad);
    return v;
}

static int64_t in_sleb(cfi_in_t *in)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
        b = (uint8_t)in_bytes(in, 1);
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    } while ((b & 0x80) && !in->bad);
    if (shift < 64 && (b & 0x40))
        v |= ~0ull << shift;
    return (int64_t)v;
}

/* A DW_EH_PE encoded pointer: absptr or pcrel applications (datarel with
 * base); indirect, textrel, funcrel, aligned are refused (bad). */
static uint64_t in_encoded(cfi_in_t *in, uint8_t enc, uintptr_t datarel)
{
    const uint8_t *at = in->p;
    uint64_t v;
    if (enc == 0xff)
        return 0;
    switch (enc & 0x0f) {
    case 0x00: v = in_bytes(in, 8); break;
    case 0x01: v = in_uleb(in); break;
    case 0x02: v = in_bytes(in, 2); break;
    case 0x03: v = in_bytes(in, 4); break;
    case 0x04: v = in_bytes(in, 8); break;
    case 0x09: v = (uint64_t)in_sleb(in); break;
    case 0x0a: v = (uint64_t)(int64_t)(int16_t)in_bytes(in, 2); break;
    case 0x0b: v = (uint64_t)(int64_t)(int32_t)in_bytes(in, 4); break;
    case 0x0c: v = in_bytes(in, 8); break;
    default: in->bad = 1; return 0;
    }
    switch (enc & 0xf0) {
    case 0x00: return v;
    case 0x10: return v + (uintptr_t)at;
    case 0x30:
        if (datarel)
            return v + datarel;
        /* fall through */
    default: in->bad = 1; return 0;
    }
}

static int cfi_reg(cfi_in_t *in, uint64_t *reg)
{
    *reg = in_uleb(in);
    return *reg < CFI_REGS ? 0 : -1;
}

static void cfi_set(cfi_row_t *row, uint64_t reg, uint8_t where, int64_t val)
{
    row->where[reg] = where;
    row->val[reg] = val;
}

/* Run a CFI program while loc <= target.  init: the row after the CIE
 * (NULL while running the CIE itself: DW_CFA_restore is refused there).
 * 0, or -1 where libunwind would fail or we do not follow it. */
static int cfi_run(cfi_in_t *in, const cfi_cie_t *cie, cfi_row_t *row, const cfi_row_t *init,
                   uint64_t loc, uint64_t target)
{
    cfi_row_t stack[CFI_STACK];
    unsigned depth = 0;
    uint64_t reg, v;
    while (loc <= target && in->p < in->end && !in->bad) {
        uint8_t op = (uint8_t)in_bytes(in, 1), opnd = op & 0x3f;
        switch (op & 0xc0 ? op & 0xc0 : op) {
        case 0x40: loc += opnd * cie->code_align; break;
        case 0x80:
            if (opnd >= CFI_REGS)
                return -1;
            v = in_uleb(in);
            cfi_set(row, opnd, W_CFAREL, (int64_t)(v * (uint64_t)cie->data_align));
            break;
        case 0xc0:
        case 0x06:
            reg = op == 0x06 ? in_uleb(in) : opnd;
            if (reg >= CFI_REGS || !init)
                return -1;
            cfi_set(row, reg, init->where[reg], init->val[reg]);
            break;
        case 0x00: break;
        case 0x01: loc = in_encoded(in, cie->fde_enc, 0); break;
        case 0x02: loc += in_bytes(in, 1) * cie->code_align; break;
        case 0x03: loc += in_bytes(in, 2) * cie->code_align; break;
        case 0x04: loc += in_bytes(in, 4) * cie->code_align; break;
        case 0x05:
        case 0x11:
        case 0x2f:
            if (cfi_reg(in, &reg))
                return -1;
            v = op == 0x11 ? (uint64_t)in_sleb(in) : in_uleb(in);
            v *= (uint64_t)cie->data_align;
            cfi_set(row, reg, W_CFAREL, (int64_t)(op == 0x2f ? 0 - v : v));
            break;
        case 0x07:
        case 0x08:
            if (cfi_reg(in, &reg))
                return -1;
            cfi_set(row, reg, op == 0x07 ? W_UNDEF : W_SAME, 0);
            break;
        case 0x09:
            if (cfi_reg(in, &reg))
                return -1;
            cfi_set(row, reg, W_REG, (int64_t)in_uleb(in));
            break;
        case 0x0a:
            if (depth == CFI_STACK)
                return -1;
            stack[depth++] = *row;
            break;
        case 0x0b:
            if (depth == 0)
                return -1;
            *row = stack[--depth];
            break;
        case 0x0c:
        case 0x12:
            if (cfi_reg(in, &reg))
                return -1;
            cfi_set(row, CFI_CFA, W_REG, (int64_t)reg);
            v = op == 0x0c ? in_uleb(in) : (uint64_t)in_sleb(in) * (uint64_t)cie->data_align;
            cfi_set(row, CFI_OFF, 0, (int64_t)v);
            break;
        case 0x0d:
            if (cfi_reg(in, &reg))
                return -1;
            cfi_set(row, CFI_CFA, W_REG, (int64_t)reg);
            break;
        case 0x0e: row->val[CFI_OFF] = (int64_t)in_uleb(in); break;
        case 0x13: row->val[CFI_OFF] = in_sleb(in) * cie->data_align; break;
        case 0x0f:
        case 0x10:
        case 0x16:
            reg = CFI_CFA;
            if (op != 0x0f && cfi_reg(in, &reg))
                return -1;
            cfi_set(row, reg, op == 0x16 ? W_VAL_EXPR : W_EXPR, 0);
            v = in_uleb(in);
            if (v > (uint64_t)(in->end - in->p))
                return -1;
            in->p += v;
            break;
        case 0x2e: (void)in_uleb(in); break;
        default: return -1; /* val_offset, MIPS, user ops: libunwind does not follow them */
        }
    }
    return in->bad ? -1 : 0;
}

/* The CIE at p (eh_frame format: id 0).  0 or -1. */
static int cfi_cie(const uint8_t *p, cfi_cie_t *cie)
{
    cfi_in_t in = {p, p + 8, 0};
    char aug[8];
    unsigned i = 0;
    uint32_t len = (uint32_t)in_bytes(&in, 4), version;
    if (len == 0 || len == 0xffffffffu)
        return -1;
    in.end = in.p + len;
    if (in_bytes(&in, 4) != 0)
        return -1;
    version = (uint32_t)in_bytes(&in, 1);
    if (version != 1 && version != 3)
        return -1;
    for (;;) {
        char ch = (char)in_bytes(&in, 1);
        if (in.bad || i == sizeof aug)
            return -1;
        aug[i++] = ch;
        if (!ch)
            break;
    }
    if (i > 5) /* libunwind reads four characters */
        return -1;
    cie->code_align = in_uleb(&in);
    cie->data_align = in_sleb(&in);
    cie->ra = version == 1 ? in_bytes(&in, 1) : in_uleb(&in);
    cie->fde_enc = 0x04; /* udata8: an address */
    cie->lsda_enc = 0xff;
    cie->sized = aug[0] == 'z';
    if (cie->sized)
        (void)in_uleb(&in);
    for (i = cie->sized; aug[i]; i++) {
        switch (aug[i]) {
        case 'L': cie->lsda_enc = (uint8_t)in_bytes(&in, 1); break;
        case 'R': cie->fde_enc = (uint8_t)in_bytes(&in, 1); break;
        case 'P': { /* skipped: only its size matters */
            uint8_t enc = (uint8_t)in_bytes(&in, 1);
            if ((enc & 0x70) == 0x50) /* aligned */
                return -1;
            (void)in_encoded(&in, enc & 0x0f, 0);
            break;
        }
        default: return -1; /* 'S' (signal frame) and unknown ones */
        }
    }
    cie->instr = in.p;
    cie->end = in.end;
    return in.bad || cie->ra >= CFI_REGS ? -1 : 0;
}

static int32_t unw_i32(const uint8_t *p)
{
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The FDE for target in the object whose eh_frame_hdr is hdr: its CIE,
 * first address and instructions.  0 or -1. */
static int cfi_fde(const uint8_t *hdr, uintptr_t target, cfi_cie_t *cie, uint64_t *start,
                   cfi_in_t *instr)
{
    cfi_in_t in = {hdr, hdr + 4 + 2 * 9, 0};
    const uint8_t *table;
    uint64_t count, lo = 0, hi, range;
    int64_t rel = (int64_t)(target - (uintptr_t)hdr);
    if (hdr[0] != 1 || hdr[3] != 0x3b || hdr[2] == 0xff) /* version; datarel|sdata4 table */
        return -1;
    in.p = hdr + 4;
    (void)in_encoded(&in, hdr[1], (uintptr_t)hdr);
    count = in_encoded(&in, hdr[2], (uintptr_t)hdr);
    if (in.bad || rel != (int32_t)rel)
        return -1;
    table = in.p; /* pairs of int32: first address, FDE; both from hdr */
    for (hi = count; lo < hi;) {
        uint64_t mid = (lo + hi) / 2;
        if ((int32_t)rel < unw_i32(table + 8 * mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    if (hi == 0)
        return -1;
    const uint8_t *fde = hdr + unw_i32(table + 8 * (hi - 1) + 4);
    in = (cfi_in_t){fde, fde + 8, 0};
    uint32_t len = (uint32_t)in_bytes(&in, 4);
    if (len == 0 || len == 0xffffffffu)
        return -1;
    in.end = in.p + len;
    const uint8_t *cie_at = in.p;
    uint32_t cie_off = (uint32_t)in_bytes(&in, 4);
    if (cie_off == 0 || cfi_cie(cie_at - cie_off, cie) != 0)
        return -1;
    *start = in_encoded(&in, cie->fde_enc, 0);
    range = in_encoded(&in, cie->fde_enc & 0x0f, 0);
    if (cie->sized) {
        uint64_t aug = in_uleb(&in);
        if (aug > (uint64_t)(in.end - in.p))
            return -1;
        in.p += aug;
    } else if (cie->lsda_enc != 0xff) {
        (void)in_encoded(&in, cie->lsda_enc & 0x7f, 0);
    }
    if (in.bad || target < *start || target - *start >= range)
        return -1;
    *instr = in;
    return 0;
}

static int cfi_small(int64_t v, int64_t limit)
{
    return v > -limit && v < limit;
}

/* RBP or RSP: unchanged, or saved at a small CFA offset (not -1). */
static int cfi_plain(const cfi_row_t *row, unsigned reg)
{
    return row->where[reg] == W_UNDEF || row->where[reg] == W_SAME ||
           (row->where[reg] == W_CFAREL && cfi_small(row->val[reg], 1 << 14) && row->val[reg] != -1);
}

/* The rule of row (see the top of the file). */
static uint64_t cfi_classify(const cfi_row_t *row, uint64_t ra)
{
    int64_t off = row->val[CFI_OFF];
    uint64_t rule;
    for (unsigned i = 0; i < CFI_REGS; i++)
        if (row->where[i] == W_EXPR || row->where[i] == W_VAL_EXPR ||
            (row->where[i] == W_REG && (uint64_t)row->val[i] >= CFI_REGS))
            return RULE_BAIL;
    if (row->where[CFI_CFA] != W_REG || !cfi_small(off, 1 << 28) ||
        (row->val[CFI_CFA] != DW_RSP && row->val[CFI_CFA] != DW_RBP))
        return RULE_BAIL;
    rule = ((uint64_t)(uint32_t)(int32_t)off << 32) | (row->val[CFI_CFA] == DW_RSP ? RULE_CFA_RSP : 0);
    if (row->where[ra] == W_UNDEF || row->where[DW_RBP] == W_UNDEF)
        return (rule & RULE_CFA_RSP) && off > 0 ? RULE_LAST : RULE_BAIL;
    if (row->where[ra] != W_CFAREL || row->val[ra] != -8 || !cfi_plain(row, DW_RBP) ||
        !cfi_plain(row, DW_RSP))
        return RULE_BAIL;
    rule |= (uint64_t)(uint16_t)(row->where[DW_RBP] == W_CFAREL ? (int16_t)row->val[DW_RBP] : -1)
            << 16;
    return rule | RULE_STD;
}

/* The rule of return address pc, from the CFI row of pc - 1. */
static uint64_t unw_rule_of(uintptr_t pc)
{
#ifdef DLFO_STRUCT_HAS_EH_DBASE
    struct dl_find_object fo;
    cfi_cie_t cie;
    cfi_in_t in;
    cfi_row_t row, init;
    uint64_t start;
    uintptr_t target = pc - 1;
    if (_dl_find_object((void *)target, &fo) != 0 || !fo.dlfo_eh_frame ||
        cfi_fde(fo.dlfo_eh_frame, target, &cie, &start, &in) != 0)
        return RULE_BAIL;
    memset(&row, 0, sizeof row);
    for (unsigned i = 0; i < CFI_REGS + 2; i++)
        row.where[i] = W_SAME;
    cfi_in_t cin = {cie.instr, cie.end, 0};
    if (cfi_run(&cin, &cie, &row, NULL, 0, UINT64_MAX) != 0)
        return RULE_BAIL;
    init = row;
    if (cfi_run(&in, &cie, &row, &init, start, target) != 0)
        return RULE_BAIL;
    return cfi_classify(&row, cie.ra);
#else
    (void)pc;
    return RULE_BAIL;
#endif
}

/* ---- cache and walk --------------------------------------------------------- */

static __attribute__((noinline)) uint64_t unw_miss(unw_slot_t *tab, uint64_t key, uintptr_t pc)
{
    uint32_t i = unw_index(key);
    uint64_t rule = 0;
    for (unsigned probe = 0; probe < UNW_PROBES; probe++, i = (i + 1) & (UNW_SLOTS - 1)) {
        uint64_t k = __atomic_load_n(&tab[i].key, __ATOMIC_ACQUIRE);
        if (k == 0) {
            if (__atomic_load_n(&unw_used, __ATOMIC_RELAXED) >= UNW_LIMIT)
                return RULE_BAIL;
            if (!rule)
                rule = unw_rule_of(pc);
            if (!__atomic_compare_exchange_n(&tab[i].key, &k, key, 0, __ATOMIC_ACQ_REL,
                                             __ATOMIC_ACQUIRE) &&
                k != key)
                continue; /* another pc took it */
            if (k == 0)
                __atomic_fetch_add(&unw_used, 1, __ATOMIC_RELAXED);
        } else if (k != key) {
            continue;
        }
        if (!rule && !(rule = __atomic_load_n(&tab[i].rule, __ATOMIC_ACQUIRE)))
            rule = unw_rule_of(pc);
        __atomic_store_n(&tab[i].rule, rule, __ATOMIC_RELEASE);
        return rule;
    }
    return RULE_BAIL;
}

/* ---- the walk ---------------------------------------------------------------
 *
 * The state at a frame is (pc, rsp, rbp); one step from it reads the word
 * at CFA-8 (the next pc) and, if the rule saved RBP, one more.  Nothing
 * else goes in: two walks that reach the same state and then read the same
 * words go on identically.  So each thread keeps its last walk (states and
 * the addresses it read), and a walk that reaches one of its states
 * re-reads those words in order and, while they hold what they held,
 * copies the frames instead of computing them (a CPython allocation shares
 * most of its stack with the previous one).  rbp takes part in the match
 * only where the rest of the walk uses it before reloading it ("live").
 * Every word read this way is one the plain walk would read, in the same
 * order; the first that differs ends the copy and the plain walk goes on.
 */

enum { END_LAST = 1, END_SMALL, END_MAX }; /* how a walk ended */

typedef struct unw_frame_s {
    uintptr_t pc, rsp, rbp;
    uintptr_t rbp_at; /* the step from here read rbp there (0: it kept rbp) */
    uintptr_t chk_at; /* the step to here read rbp there and the rest needs it (0: nothing) */
    uint64_t hash;    /* shim_stack_mix of the kept pcs from the last frame down to here */
    uint32_t nkeep;   /* kept frames from here to the last */
    uint8_t live;     /* the rest of the walk depends on this frame's rbp */
    uint8_t by_rbp;   /* this frame's CFA is rbp-based */
    uint8_t keep;     /* not a frame of ours */
    uint8_t pad;
} unw_frame_t;

/* A thread's last walk: frames [base, cap) of f, innermost first, at most
 * cap / 2 of them (a walk that reuses frames may be longer than max); a
 * new walk writes its frames in [0, cap / 2) first.  end_at/end_val: the last
 * word read when the walk ended at a return address below 0x4000. */
typedef struct unw_last_s {
    uint64_t gen;
    uint32_t cap, base, end;
    uintptr_t end_at, end_val;
    size_t bytes;
    unw_frame_t f[];
} unw_last_t;

typedef struct unw_walk_s {
    uintptr_t pc, rsp, rbp;
    uint64_t gen;
    unw_slot_t *tab;
} unw_walk_t;

/* One frame up: 1 with w->pc the caller's return address, 0 at the last
 * frame, 2 at a return address below 0x4000 (the end too), -1 when the
 * frame needs libunwind.  fr (may be NULL) records the step. */
static inline int unw_next(unw_walk_t *w, unw_frame_t *fr)
{
    uint64_t key = w->pc | w->gen, rule = 0;
    const unw_slot_t *s = &w->tab[unw_index(key)];
    uintptr_t cfa, pc, rbp_at = 0;
    int16_t rbp_off;
    if (SHIM_LIKELY(__atomic_load_n(&s->key, __ATOMIC_RELAXED) == key) ||
        SHIM_LIKELY(__atomic_load_n(&(++s)->key, __ATOMIC_RELAXED) == key))
        rule = __atomic_load_n(&s->rule, __ATOMIC_RELAXED);
    if (SHIM_UNLIKELY(!(rule & RULE_STD))) {
        if (RULE_KIND(rule) == 0)
            rule = unw_miss(w->tab, key, w->pc);
        if (RULE_KIND(rule) == RULE_LAST)
            return 0;
        if (!(rule & RULE_STD)) {
#ifdef SHIM_UNWIND_VERIFY
            shim_unwind_bail_pc = w->pc;
#endif
            return -1;
        }
    }
    cfa = ((rule & RULE_CFA_RSP) ? w->rsp : w->rbp) + (uintptr_t)RULE_CFA_OFF(rule);
    if (SHIM_UNLIKELY(cfa - w->rsp - 1 >= UNW_SPAN_MAX)) /* not above the last frame */
        return -1;
    pc = ((const uintptr_t *)cfa)[-1];
    rbp_off = RULE_RBP_OFF(rule);
    if (rbp_off != -1) {
        rbp_at = cfa + (uintptr_t)(intptr_t)rbp_off;
        w->rbp = *(const uintptr_t *)rbp_at;
    }
    if (fr) {
        fr->rbp_at = rbp_at;
        fr->by_rbp = !(rule & RULE_CFA_RSP);
    }
    w->rsp = cfa;
    w->pc = pc;
    if (SHIM_LIKELY(pc - UNW_PC_MIN < UNW_PC_END - UNW_PC_MIN))
        return 1;
    return pc < UNW_PC_MIN ? 2 : -1;
}

/* This thread's last walk, with room for max new frames; NULL: none. */
static unw_last_t *unw_last_get(shim_tls_t *t, int max, uint64_t gen)
{
    unw_last_t *l = t->unw_last;
    size_t bytes = sizeof *l + (size_t)max * 2 * sizeof(unw_frame_t);
    void *p;
    if (SHIM_LIKELY(l && l->cap >= (uint32_t)max * 2)) {
        if (l->gen != gen)
            l->base = l->cap; /* its rules are gone */
        return l;
    }
    if (t->ended || t->guard != 1)
        return NULL; /* a key destructor after ours, or not inside a hook */
    if (l) {
        shim_real.munmap(l, l->bytes);
        t->unw_last = NULL;
    }
    p = shim_real.mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    l = p;
    l->bytes = bytes;
    l->cap = l->base = (uint32_t)max * 2;
    t->unw_last = l;
    return l;
}

void shim_unwind_thread_end(shim_tls_t *t)
{
    unw_last_t *l = t->unw_last;
    t->unw_last = NULL;
    if (l)
        shim_real.munmap(l, l->bytes);
}

/* The new frames [0, n) precede next (NULL: the walk ended after them,
 * `end` telling how): liveness, checks, kept counts, hashes. */
static void unw_finish(unw_frame_t *f, uint32_t n, unw_frame_t *next, uint32_t end)
{
    uint32_t live = next ? next->live : end == END_MAX, nkeep = next ? next->nkeep : 0;
    uint64_t hash = next ? next->hash : SHIM_STACK_SEED;
    while (n-- > 0) {
        unw_frame_t *fr = &f[n];
        if (next)
            next->chk_at = next->live ? fr->rbp_at : 0;
        live = fr->by_rbp || (!fr->rbp_at && live);
        fr->live = (uint8_t)live;
        nkeep += fr->keep;
        fr->nkeep = nkeep;
        if (fr->keep)
            hash = shim_stack_mix(hash, fr->pc);
        fr->hash = hash;
        next = fr;
    }
    if (next)
        next->chk_at = 0;
}

/* The walk reached frame j of the last one with room for `room` more
 * frames (j included).  Re-read the words the last walk read after j:
 * 1 with *cnt the frames taken from it if they all still hold the same
 * values (and the walk ends the same way), else 0. */
static int unw_reuse(const unw_last_t *l, uint32_t j, uint32_t room, uint32_t *cnt)
{
    const unw_frame_t *f = l->f;
    uint32_t avail = l->cap - j, c = room < avail ? room : avail;
    for (uint32_t e = j + 1; e < j + c; e++)
        if (*(const uintptr_t *)(f[e].rsp - 8) != f[e].pc ||
            (f[e].chk_at && *(const uintptr_t *)f[e].chk_at != f[e].rbp))
            return 0;
    if (room > avail && (l->end == END_MAX ||
                         (l->end == END_SMALL && *(const uintptr_t *)l->end_at != l->end_val)))
        return 0;
    *cnt = c;
    return 1;
}

void shim_unwind_fill(void **pcs, shim_walk_t *w, int n)
{
    const unw_last_t *l = shim_tls.unw_last;
    if (!l)
        return;
    for (uint32_t e = (uint32_t)w->from; w->own < n && e < l->cap; e++)
        if (l->f[e].keep)
            pcs[w->own++] = (void *)l->f[e].pc;
}

__attribute__((noinline)) int shim_unwind(void **pcs, int max, shim_walk_t *out)
{
    const uintptr_t *fp = __builtin_frame_address(0);
    unw_walk_t w = {(uintptr_t)__builtin_return_address(0), (uintptr_t)(fp + 2), fp[0], 0, NULL};
    uintptr_t self_lo = shim_self_text.lo, self_len = shim_self_text.len;
    unw_last_t *l;
    unw_frame_t *f = NULL, *fr = NULL;
    uint32_t i = 0, j = 0, cap = 0, end = END_MAX, cnt, keep;
    uintptr_t at;
    int n = 1, k = 0, step = 1; /* n: frames walked, the current one included */
    out->hashed = 0;
    w.tab = __atomic_load_n(&unw_table, __ATOMIC_ACQUIRE);
    w.gen = (uint64_t)__atomic_load_n(&unw_gen, __ATOMIC_ACQUIRE) << 48;
    if (!w.tab || max <= 0)
        return -1;
    /* Leading frames of the shim (or libunwind) are dropped, at most SKIP. */
    while (n <= SHIM_STACK_SKIP && (shim_in_self(w.pc) || shim_in_unwinder(w.pc))) {
        if (n == max || (step = unw_next(&w, NULL)) <= 0)
            goto done;
        n++;
    }
    if ((l = unw_last_get(&shim_tls, max, w.gen)) != NULL) {
        f = l->f;
        j = l->base;
        cap = l->cap;
    }
    at = j < cap ? f[j].rsp : UINTPTR_MAX;
    for (;;) {
        while (SHIM_UNLIKELY(at < w.rsp)) /* the last walk's next frame not below ours */
            at = ++j < cap ? f[j].rsp : UINTPTR_MAX;
        if (at == w.rsp && f[j].pc == w.pc && (!f[j].live || f[j].rbp == w.rbp)) {
            if (unw_reuse(l, j, (uint32_t)(max - n + 1), &cnt)) {
                /* the last walk becomes frames [0, i) then its own from j */
                out->raw = n + (int)cnt - 1;
                out->own = k;
                out->kept = k + (int)(f[j].nkeep - (j + cnt < cap ? f[j + cnt].nkeep : 0));
                out->hashed = j + cnt == cap;
                out->hash = f[j].hash;
                out->from = (int)j;
                if (i + (cap - j) <= cap / 2) { /* else it stays: no more than cap / 2 frames */
                    unw_finish(f, i, &f[j], 0);
                    memmove(f + j - i, f, i * sizeof *f);
                    l->base = j - i;
                }
                return 0;
            }
            j = cap; /* changed: no more copying in this walk */
            at = UINTPTR_MAX;
        }
        keep = w.pc - self_lo >= self_len; /* our frames (main's wrapper) are dropped */
        pcs[k] = (void *)w.pc;             /* pcs has max slots and k < n <= max */
        k += (int)keep;
        if (f) {
            fr = &f[i++]; /* i <= max <= the last walk's first frame */
            *fr = (unw_frame_t){.pc = w.pc, .rsp = w.rsp, .rbp = w.rbp, .keep = (uint8_t)keep};
        }
        if (n == max)
            break;
        if ((step = unw_next(&w, fr)) != 1)
            break;
        n++;
    }
    if (step == 0)
        end = END_LAST;
    else if (step == 2)
        end = END_SMALL;
    if (f && step >= 0) {
        /* this walk replaces the last one: frames [cap - i, cap) */
        unw_finish(f, i, NULL, end);
        if (end == END_SMALL) {
            l->end_at = w.rsp - 8;
            l->end_val = w.pc;
        }
        l->end = end;
        l->gen = w.gen;
        memmove(f + cap - i, f, i * sizeof *f);
        l->base = cap - i;
    }
done:
    out->raw = n;
    out->own = out->kept = k;
    return step < 0 ? -1 : 0;
}
