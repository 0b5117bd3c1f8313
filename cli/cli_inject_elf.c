/*
 * cli_inject_elf.c -- the address of a function in the target, read from
 * the object as it is mapped there: ELF header, program headers, dynamic
 * section, then the GNU (or SysV) hash table of its dynamic symbols.  The
 * file on disk is never read: it may have been replaced since the target
 * loaded it (a glibc upgrade under a long-running server), or live in
 * another mount namespace.
 */
#include <elf.h>
#include <string.h>

#include "cli_inject_int.h"

#define ELF_DYN_MAX 512      /* dynamic entries read */
#define ELF_CHAIN_MAX 100000 /* hash chain steps: a corrupt table ends here */

typedef struct elf_view_s {
    uintptr_t bias;
    uintptr_t symtab, strtab, gnu_hash, hash, versym;
    size_t syment, strsz;
} elf_view_t;

static uint32_t elf_gnu_hash(const char *s)
{
    uint32_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

static uint32_t elf_sysv_hash(const char *s)
{
    uint32_t h = 0, g;
    for (; *s; s++) {
        h = (h << 4) + (unsigned char)*s;
        g = h & 0xf0000000u;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

/* The load bias and the dynamic section's address. */
static int elf_headers(inj_t *in, const inj_obj_t *o, uintptr_t *bias, uintptr_t *dyn)
{
    Elf64_Ehdr eh;
    Elf64_Phdr ph;
    uintptr_t first = UINTPTR_MAX, dynv = 0;
    if (inj_mem_read(in, o->base, &eh, sizeof eh) != 0 || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof ph)
        return inj_fail(in, "%s in process %d is not a 64-bit ELF object", o->path, (int)in->pid);
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        if (inj_mem_read(in, o->base + eh.e_phoff + i * sizeof ph, &ph, sizeof ph) != 0)
            return -1;
        if (ph.p_type == PT_LOAD && ph.p_vaddr < first)
            first = ph.p_vaddr;
        if (ph.p_type == PT_DYNAMIC)
            dynv = ph.p_vaddr;
    }
    if (first == UINTPTR_MAX || !dynv)
        return inj_fail(in, "%s in process %d has no dynamic section", o->path, (int)in->pid);
    *bias = o->base - (first & ~(uintptr_t)4095);
    *dyn = *bias + dynv;
    return 0;
}

/* glibc rebases a writable dynamic section in place: a value below the
 * bias is still an offset. */
static uintptr_t elf_abs(const elf_view_t *v, uint64_t p)
{
    return v->bias && p < v->bias ? v->bias + p : p;
}

static void elf_dyn_entry(elf_view_t *v, const Elf64_Dyn *d)
{
    uint64_t p = d->d_un.d_ptr;
    switch (d->d_tag) {
    case DT_SYMTAB: v->symtab = elf_abs(v, p); break;
    case DT_STRTAB: v->strtab = elf_abs(v, p); break;
    case DT_GNU_HASH: v->gnu_hash = elf_abs(v, p); break;
    case DT_HASH: v->hash = elf_abs(v, p); break;
    case DT_VERSYM: v->versym = elf_abs(v, p); break;
    case DT_SYMENT: v->syment = p; break;
    case DT_STRSZ: v->strsz = p; break;
    default: break;
    }
}

static int elf_view(inj_t *in, const inj_obj_t *o, elf_view_t *v)
{
    uintptr_t dyn = 0;
    memset(v, 0, sizeof *v);
    v->syment = sizeof(Elf64_Sym);
    if (elf_headers(in, o, &v->bias, &dyn) != 0)
        return -1;
    for (size_t i = 0; i < ELF_DYN_MAX; i++) {
        Elf64_Dyn d;
        if (inj_mem_read(in, dyn + i * sizeof d, &d, sizeof d) != 0 || d.d_tag == DT_NULL)
            break;
        elf_dyn_entry(v, &d);
    }
    if (!v->symtab || !v->strtab || (!v->gnu_hash && !v->hash) || v->syment < sizeof(Elf64_Sym))
        return inj_fail(in, "%s in process %d has no symbol hash table", o->path, (int)in->pid);
    return 0;
}

typedef struct elf_best_s {
    uintptr_t addr;
    int hidden; /* a non-default version */
} elf_best_t;

/* Symbol index i: if it is name, defined, and better than best, keep it. */
static void elf_consider(inj_t *in, const elf_view_t *v, uint32_t i, const char *name,
                         elf_best_t *best)
{
    Elf64_Sym s;
    char buf[256];
    size_t n = strlen(name) + 1;
    uint16_t ver = 0;
    if (n > sizeof buf || inj_mem_read(in, v->symtab + (uintptr_t)i * v->syment, &s, sizeof s) ||
        s.st_shndx == SHN_UNDEF || !s.st_value || (v->strsz && s.st_name + n > v->strsz + 1) ||
        inj_mem_read(in, v->strtab + s.st_name, buf, n) || memcmp(buf, name, n))
        return;
    if (v->versym)
        inj_mem_read(in, v->versym + (uintptr_t)i * 2, &ver, sizeof ver);
    if (best->addr && !(best->hidden && !(ver & 0x8000)))
        return;
    best->addr = v->bias + s.st_value;
    best->hidden = (ver & 0x8000) != 0;
}

static void elf_gnu_lookup(inj_t *in, const elf_view_t *v, const char *name, elf_best_t *best)
{
    uint32_t hdr[4], bucket, c = 0, h = elf_gnu_hash(name);
    uintptr_t buckets, chain;
    if (inj_mem_read(in, v->gnu_hash, hdr, sizeof hdr) != 0 || hdr[0] == 0)
        return;
    buckets = v->gnu_hash + sizeof hdr + (uintptr_t)hdr[2] * 8;
    chain = buckets + (uintptr_t)hdr[0] * 4;
    if (inj_mem_read(in, buckets + (uintptr_t)(h % hdr[0]) * 4, &bucket, 4) != 0 || bucket < hdr[1])
        return;
    for (uint32_t i = bucket, steps = 0; !(c & 1) && steps < ELF_CHAIN_MAX; i++, steps++) {
        if (inj_mem_read(in, chain + (uintptr_t)(i - hdr[1]) * 4, &c, 4) != 0)
            return;
        if ((c | 1) == (h | 1))
            elf_consider(in, v, i, name, best);
    }
}

static void elf_sysv_lookup(inj_t *in, const elf_view_t *v, const char *name, elf_best_t *best)
{
    uint32_t hdr[2], i, steps = 0, h = elf_sysv_hash(name);
    if (inj_mem_read(in, v->hash, hdr, sizeof hdr) != 0 || hdr[0] == 0 ||
        inj_mem_read(in, v->hash + 8 + (uintptr_t)(h % hdr[0]) * 4, &i, 4) != 0)
        return;
    while (i != 0 && i < hdr[1] && steps++ < ELF_CHAIN_MAX) {
        elf_consider(in, v, i, name, best);
        if (inj_mem_read(in, v->hash + 8 + (uintptr_t)(hdr[0] + i) * 4, &i, 4) != 0)
            return;
    }
}

int inj_elf_sym(inj_t *in, const inj_obj_t *o, const char *name, uintptr_t *addr)
{
    elf_view_t v;
    elf_best_t best = {0, 0};
    if (elf_view(in, o, &v) != 0)
        return -1;
    if (v.gnu_hash)
        elf_gnu_lookup(in, &v, name, &best);
    else
        elf_sysv_lookup(in, &v, name, &best);
    if (!best.addr)
        return inj_fail(in, "no symbol %s in %s of process %d", name, o->path, (int)in->pid);
    *addr = best.addr;
    return 0;
}
