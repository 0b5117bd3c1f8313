/*
 * shim_cfi.c -- the rule of a return address (shim_cfi.h): find its FDE
 * through the object's .eh_frame_hdr, run the CIE's and the FDE's CFI
 * programs up to pc - 1 (on the stack, about 2.5 KiB), and classify the
 * row the way libunwind 1.6.2's fast trace does.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

#include "shim.h"
#include "shim_cfi.h"

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

/* A LEB128 number's bits; *shift: how many it had room for, *last: its
 * last byte (the sign of a signed one is its 0x40 bit). */
static uint64_t in_leb(cfi_in_t *in, unsigned *shift, uint8_t *last)
{
    uint64_t v = 0;
    uint8_t b;
    *shift = 0;
    do {
        b = (uint8_t)in_bytes(in, 1);
        if (*shift < 64)
            v |= (uint64_t)(b & 0x7f) << *shift;
        *shift += 7;
    } while ((b & 0x80) && !in->bad);
    *last = b;
    return v;
}

static uint64_t in_uleb(cfi_in_t *in)
{
    unsigned shift;
    uint8_t last;
    return in_leb(in, &shift, &last);
}

static int64_t in_sleb(cfi_in_t *in)
{
    unsigned shift;
    uint8_t last;
    uint64_t v = in_leb(in, &shift, &last);
    if (shift < 64 && (last & 0x40))
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

/* The rule of row (shim_cfi.h). */
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

uint64_t shim_cfi_rule(uintptr_t pc)
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

