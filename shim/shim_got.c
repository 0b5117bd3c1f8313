/*
 * shim_got.c -- heapql attach: the program's calls to the allocator are
 * sent to our hooks through its GOT, since LD_PRELOAD cannot take effect
 * in a running process.
 *
 * Every loaded object but the shim: each JUMP_SLOT and GLOB_DAT relocation
 * (DT_JMPREL and DT_RELA) whose symbol we hook gets our function, and the
 * value found there is kept so that shim_got_restore can write it back
 * (only where our value is still in place).  glibc calls malloc through its
 * own PLT: libc's GOT is patched like any other.
 *
 * A slot is taken only when it leads where our hook leads too: it holds
 * the real function the hook forwards to (shim_got_fns.c), or it is an
 * unresolved lazy PLT slot (it points at its own PLT stub: push imm32,
 * optionally after endbr64).  A slot bound to anything else (the program's
 * own allocator, jemalloc, a canonical PLT entry of the executable) is
 * left alone: replacing it would change which allocator serves the
 * program.  Writing a slot, read-only pages included: shim_got_page.c.
 *
 * All work runs inside dl_iterate_phdr, whose lock keeps objects from
 * being unloaded meanwhile (our own lock is taken inside it, as in
 * shim_modules.c).  Objects come and go: shim_got_refresh patches those it
 * has not seen and forgets those that are gone.
 */
#include <elf.h>
#include <link.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>

#include "shim.h"
#include "shim_attach.h"

#define GOT_MAX_SLOTS 65536u
#define GOT_MAX_MODS 4096u

#if defined(__x86_64__)
#define GOT_R_JUMP_SLOT R_X86_64_JUMP_SLOT
#define GOT_R_GLOB_DAT R_X86_64_GLOB_DAT
#elif defined(__aarch64__)
#define GOT_R_JUMP_SLOT R_AARCH64_JUMP_SLOT
#define GOT_R_GLOB_DAT R_AARCH64_GLOB_DAT
#else
#define GOT_R_JUMP_SLOT (~0u) /* no attach on this architecture: nothing matches */
#define GOT_R_GLOB_DAT (~0u)
#endif

typedef struct got_slot_s {
    uintptr_t *at;
    uintptr_t old, ours;
} got_slot_t;

typedef struct got_mod_s {
    uintptr_t bias;
    const void *dyn; /* with bias: names the object while it is loaded */
    uint32_t first, count; /* its slots in got_slots */
    uint32_t gen;          /* pass that last saw it */
} got_mod_t;

/* The dynamic section of an object, its pointers made absolute. */
typedef struct got_dyn_s {
    const ElfW(Sym) *symtab;
    const char *strtab;
    size_t strsz, syment;
    const ElfW(Rela) *jmprel, *rela;
    size_t jmprelsz, relasz, relaent;
} got_dyn_t;

typedef struct got_pass_s {
    int restore;   /* 0: patch, 1: put back */
    int locked;
    uint32_t gen;
    int patched;   /* slots newly redirected */
    int bound;     /* slots that reach our hooks already (the shim was preloaded) */
    shim_got_page_t page;
} got_pass_t;

static got_slot_t *got_slots;
static got_mod_t *got_mods;
static uint32_t got_nslots, got_nmods, got_gen;
static int got_on;   /* slots are patched: refreshes apply */
static int got_lock;
static unsigned long long got_adds = ~0ull, got_subs = ~0ull; /* at the last pass */
static uintptr_t got_self_bias;

static int got_tables(void)
{
    size_t sb = GOT_MAX_SLOTS * sizeof(got_slot_t), mb = GOT_MAX_MODS * sizeof(got_mod_t);
    void *s, *m;
    if (got_slots)
        return 0;
    s = shim_real.mmap(NULL, sb, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    m = shim_real.mmap(NULL, mb, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (s == MAP_FAILED || m == MAP_FAILED) {
        if (s != MAP_FAILED)
            shim_real.munmap(s, sb);
        if (m != MAP_FAILED)
            shim_real.munmap(m, mb);
        return -1;
    }
    got_slots = s;
    got_mods = m;
    return 0;
}

/* ---- one object ------------------------------------------------------------ */

static uintptr_t got_abs(const struct dl_phdr_info *info, ElfW(Addr) v)
{
    /* glibc rebases a writable dynamic section in place; a read-only one
     * (and the vDSO's) keeps offsets */
    return info->dlpi_addr && v < info->dlpi_addr ? v + info->dlpi_addr : v;
}

static const ElfW(Dyn) *got_dynamic(const struct dl_phdr_info *info)
{
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            return (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    return NULL;
}

static int got_read_dyn(const struct dl_phdr_info *info, const ElfW(Dyn) *dyn, got_dyn_t *d)
{
    int pltrel = DT_RELA;
    memset(d, 0, sizeof *d);
    d->syment = sizeof(ElfW(Sym));
    d->relaent = sizeof(ElfW(Rela));
    for (; dyn->d_tag != DT_NULL; dyn++) {
        uintptr_t v = dyn->d_un.d_val, a = got_abs(info, dyn->d_un.d_ptr);
        switch (dyn->d_tag) {
        case DT_SYMTAB: d->symtab = (const ElfW(Sym) *)a; break;
        case DT_STRTAB: d->strtab = (const char *)a; break;
        case DT_STRSZ: d->strsz = v; break;
        case DT_SYMENT: d->syment = v; break;
        case DT_JMPREL: d->jmprel = (const ElfW(Rela) *)a; break;
        case DT_PLTRELSZ: d->jmprelsz = v; break;
        case DT_PLTREL: pltrel = (int)v; break;
        case DT_RELA: d->rela = (const ElfW(Rela) *)a; break;
        case DT_RELASZ: d->relasz = v; break;
        case DT_RELAENT: d->relaent = v; break;
        default: break;
        }
    }
    if (pltrel != DT_RELA)
        d->jmprel = NULL; /* REL objects: not on the architectures we patch */
    return d->symtab && d->strtab && d->syment && d->relaent ? 0 : -1;
}

/* An unresolved lazy PLT slot points at its own stub: push $index
 * (0x68), or endbr64 (f3 0f 1e fa) then push. */
static int got_is_lazy_stub(uintptr_t v, uintptr_t lo, uintptr_t hi)
{
    const unsigned char *c = (const unsigned char *)v;
    if (v < lo || v >= hi || hi - v < 5)
        return 0;
    return c[0] == 0x68 || (c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa &&
                            hi - v >= 5 && c[4] == 0x68);
}

typedef struct got_obj_s {
    const struct dl_phdr_info *info;
    uintptr_t lo, hi; /* its PT_LOAD span */
    got_mod_t *m;
} got_obj_t;

static void got_take(got_pass_t *p, got_obj_t *o, uintptr_t *at, const shim_got_fn_t *f,
                     int jump)
{
    uintptr_t cur = __atomic_load_n(at, __ATOMIC_ACQUIRE);
    p->bound += cur == f->ours;
    if (got_nslots >= GOT_MAX_SLOTS || cur == f->ours)
        return;
    if (!(f->real && cur == f->real) && !(jump && got_is_lazy_stub(cur, o->lo, o->hi)))
        return; /* bound elsewhere: not ours to change */
    if (shim_got_store(&p->page, at, f->ours) != 0)
        return;
    got_slots[got_nslots++] = (got_slot_t){at, cur, f->ours};
    o->m->count++;
    p->patched++;
}

static void got_relocs(got_pass_t *p, got_obj_t *o, const got_dyn_t *d, const ElfW(Rela) *r,
                       size_t bytes, size_t ent)
{
    for (size_t off = 0; r && off + ent <= bytes; off += ent) {
        const ElfW(Rela) *x = (const ElfW(Rela) *)((const char *)r + off);
        unsigned type = (unsigned)ELF64_R_TYPE(x->r_info);
        size_t sym = ELF64_R_SYM(x->r_info);
        const ElfW(Sym) *s;
        const shim_got_fn_t *f;
        if ((type != GOT_R_JUMP_SLOT && type != GOT_R_GLOB_DAT) || sym == 0)
            continue;
        s = (const ElfW(Sym) *)((const char *)d->symtab + sym * d->syment);
        if (s->st_name >= d->strsz || !(f = shim_got_fn(d->strtab + s->st_name)))
            continue;
        got_take(p, o, (uintptr_t *)(o->info->dlpi_addr + x->r_offset), f,
                 type == GOT_R_JUMP_SLOT);
    }
}

static void got_span(got_obj_t *o)
{
    const struct dl_phdr_info *info = o->info;
    o->lo = UINTPTR_MAX;
    o->hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t a = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type != PT_LOAD)
            continue;
        o->lo = a < o->lo ? a : o->lo;
        o->hi = a + ph->p_memsz > o->hi ? a + ph->p_memsz : o->hi;
    }
}

/* A new object: walk its relocations. */
static void got_patch_new(got_pass_t *p, const struct dl_phdr_info *info, const ElfW(Dyn) *dyn)
{
    got_obj_t o = {.info = info};
    got_dyn_t d;
    if (got_nmods >= GOT_MAX_MODS || got_read_dyn(info, dyn, &d) != 0)
        return;
    o.m = &got_mods[got_nmods++];
    *o.m = (got_mod_t){info->dlpi_addr, dyn, got_nslots, 0, p->gen};
    got_span(&o);
    got_relocs(p, &o, &d, d.jmprel, d.jmprelsz, sizeof(ElfW(Rela)));
    got_relocs(p, &o, &d, d.rela, d.relasz, d.relaent);
}

/* A known object: its slots hold our values, or get them again (the same
 * object loaded again at the same place, fresh from the loader). */
static void got_patch_known(got_pass_t *p, got_mod_t *m)
{
    for (uint32_t i = m->first; i < m->first + m->count; i++) {
        got_slot_t *s = &got_slots[i];
        uintptr_t cur = __atomic_load_n(s->at, __ATOMIC_ACQUIRE);
        if (cur != s->ours && shim_got_store(&p->page, s->at, s->ours) == 0)
            s->old = cur;
    }
}

static void got_restore_mod(got_pass_t *p, const got_mod_t *m)
{
    for (uint32_t i = m->first; i < m->first + m->count; i++) {
        const got_slot_t *s = &got_slots[i];
        if (__atomic_load_n(s->at, __ATOMIC_ACQUIRE) == s->ours)
            shim_got_store(&p->page, s->at, s->old);
    }
}

static got_mod_t *got_mod_find(uintptr_t bias, const void *dyn)
{
    for (uint32_t i = 0; i < got_nmods; i++)
        if (got_mods[i].bias == bias && got_mods[i].dyn == dyn)
            return &got_mods[i];
    return NULL;
}

static void got_lock_take(void)
{
    while (__atomic_exchange_n(&got_lock, 1, __ATOMIC_ACQUIRE))
        sched_yield();
}

static int got_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    got_pass_t *p = data;
    const ElfW(Dyn) *dyn = got_dynamic(info);
    got_mod_t *m;
    (void)size;
    if (!p->locked) {
        got_lock_take();
        p->locked = 1;
        p->gen = ++got_gen;
        got_adds = info->dlpi_adds;
        got_subs = info->dlpi_subs;
    }
    if (!dyn || info->dlpi_addr == got_self_bias)
        return 0;
    m = got_mod_find(info->dlpi_addr, dyn);
    if (m)
        m->gen = p->gen;
    if (p->restore && m)
        got_restore_mod(p, m);
    else if (!p->restore && m)
        got_patch_known(p, m);
    else if (!p->restore)
        got_patch_new(p, info, dyn);
    return 0;
}

/* Drop the objects this pass did not see (unloaded: their memory is not
 * touched), compacting both tables. */
static void got_forget_unseen(uint32_t gen)
{
    uint32_t mods = 0, slots = 0;
    for (uint32_t i = 0; i < got_nmods; i++) {
        got_mod_t m = got_mods[i];
        if (m.gen != gen)
            continue;
        memmove(&got_slots[slots], &got_slots[m.first], m.count * sizeof(got_slot_t));
        m.first = slots;
        slots += m.count;
        got_mods[mods++] = m;
    }
    got_nmods = mods;
    got_nslots = slots;
}

/* One pass over every object; our lock is held from its first callback. */
static int got_pass(int restore)
{
    got_pass_t p = {.restore = restore};
    dl_iterate_phdr(got_cb, &p);
    shim_got_page_close(&p.page);
    if (!p.locked)
        return 0;
    got_forget_unseen(p.gen);
    if (restore)
        got_nmods = got_nslots = 0;
    __atomic_store_n(&got_on, !restore, __ATOMIC_RELEASE);
    __atomic_store_n(&got_lock, 0, __ATOMIC_RELEASE);
    return p.patched + p.bound;
}

int shim_got_patch(void)
{
    int n;
    if (got_tables() != 0 || shim_got_fns_ours(&got_self_bias) != 0)
        return -1;
    shim_got_fns_reals();
    n = got_pass(0);
    if (n <= 0) {
        got_pass(1);
        return -1;
    }
    return n;
}

static int got_counters_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    unsigned long long *c = data;
    (void)size;
    c[0] = info->dlpi_adds;
    c[1] = info->dlpi_subs;
    return 1;
}

void shim_got_refresh(void)
{
    unsigned long long c[2] = {0, 0};
    if (!__atomic_load_n(&got_on, __ATOMIC_ACQUIRE))
        return;
    dl_iterate_phdr(got_counters_cb, c);
    if (c[0] == __atomic_load_n(&got_adds, __ATOMIC_RELAXED) &&
        c[1] == __atomic_load_n(&got_subs, __ATOMIC_RELAXED))
        return;
    got_pass(0);
}

void shim_got_loaded(void)
{
    if (!__atomic_load_n(&got_on, __ATOMIC_ACQUIRE))
        return;
    shim_got_fns_reals();
    got_pass(0);
}

void shim_got_restore(void)
{
    if (got_slots)
        got_pass(1);
}

void shim_got_forked(void)
{
    got_lock = 0;
}
