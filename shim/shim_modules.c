/*
 * shim_modules.c -- the ELF objects of the process, sent as HQ_REC_MODULE
 * (path, load bias, PT_LOAD segments, GNU build-id) and HQ_REC_MODULE_UNLOAD,
 * always before any stack that can name them.
 *
 * A scan walks dl_iterate_phdr and diffs against the objects already sent
 * (keyed by load bias and path); an object gone is unloaded before a new
 * one that reuses its addresses is sent.  Scans run at attach, after dlclose, on a
 * thread's first record after its dlopen, and before every new stack if
 * the loader's load/unload counters moved (objects loaded by glibc itself,
 * or a constructor allocating inside dlopen).  Scans are serialised by a
 * spinlock of ours; records are built in static storage under it.
 *
 * dlopen is a tail jump (x86-64 stub below): glibc resolves a bare name
 * with the RUNPATH of the object that called dlopen, found from the return
 * address, which must stay the program's.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <libunwind.h>
#include <link.h>
#include <sched.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "shim.h"
#include "shim_attach.h"

#define MOD_MAX 4096
#define MOD_SEGS_MAX 64
#define MOD_BUILD_ID_MAX 64

typedef struct mod_s {
    uint64_t bias;
    uint64_t name_hash;
    uintptr_t lo, hi; /* its PT_LOAD segments at run time */
    uint32_t gen;     /* scan that last saw it */
} mod_t;

typedef struct mod_scan_s {
    hq_ring_hdr_t *r;
    unsigned index;
    uint32_t gen;
} mod_scan_t;

typedef struct mod_range_s {
    uintptr_t target; /* an address inside the object */
    uintptr_t lo, hi; /* its executable segments */
} mod_range_t;

static mod_t mods[MOD_MAX];
static uint32_t nmods, mod_gen;
static int mod_lock;
static unsigned long long mod_adds = ~0ull, mod_subs = ~0ull; /* at the last scan */
static mod_range_t self_text, unw_text;
static uintptr_t vdso_phdr; /* the vDSO's program headers (it has no file) */
static char exe_path[PATH_MAX];
static char mod_abs[PATH_MAX]; /* a relative name made absolute (under the lock) */
static _Alignas(8) unsigned char mod_buf[sizeof(hq_rec_module_t) + MOD_SEGS_MAX * sizeof(hq_seg_t) +
                                         MOD_BUILD_ID_MAX + PATH_MAX + 8];

shim_text_t shim_self_text, shim_unw_text;

static int mod_range_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    mod_range_t *m = data;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    int hit = 0;
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t a = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type != PT_LOAD)
            continue;
        if (m->target - a < ph->p_memsz)
            hit = 1;
        if (ph->p_flags & PF_X) {
            lo = a < lo ? a : lo;
            hi = a + ph->p_memsz > hi ? a + ph->p_memsz : hi;
        }
    }
    if (!hit || hi == 0)
        return 0;
    m->lo = lo;
    m->hi = hi;
    return 1;
}

int shim_modules_init(void)
{
    const ElfW(Ehdr) *vdso;
    ssize_t n;
    self_text.target = (uintptr_t)&shim_modules_init;
    unw_text.target = (uintptr_t)&unw_backtrace;
    dl_iterate_phdr(mod_range_cb, &self_text);
    dl_iterate_phdr(mod_range_cb, &unw_text);
    vdso = (const ElfW(Ehdr) *)getauxval(AT_SYSINFO_EHDR);
    vdso_phdr = vdso ? (uintptr_t)vdso + vdso->e_phoff : 0;
    n = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
    exe_path[n > 0 ? n : 0] = '\0';
    shim_self_text = (shim_text_t){self_text.lo, self_text.hi - self_text.lo};
    shim_unw_text = (shim_text_t){unw_text.lo, unw_text.hi - unw_text.lo};
    return self_text.hi ? 0 : -1;
}

static void mod_lock_take(void)
{
    while (__atomic_exchange_n(&mod_lock, 1, __ATOMIC_ACQUIRE))
        sched_yield();
}

static void mod_lock_drop(void)
{
    __atomic_store_n(&mod_lock, 0, __ATOMIC_RELEASE);
}

static uint64_t mod_hash(const char *s, int is_main)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)is_main;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* 1 if [vaddr, vaddr + size) is file-backed memory of a PT_LOAD segment
 * (mapped and readable: notes elsewhere are not read). */
static int mod_mapped(const struct dl_phdr_info *info, uint64_t vaddr, uint64_t size)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_R) && vaddr >= ph->p_vaddr &&
            vaddr - ph->p_vaddr <= ph->p_filesz && size <= ph->p_filesz - (vaddr - ph->p_vaddr))
            return 1;
    }
    return 0;
}

/* The GNU build-id from the object's PT_NOTE segments, as mapped. */
static uint16_t mod_build_id(const struct dl_phdr_info *info, uint8_t *out)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        const uint8_t *p, *end;
        if (ph->p_type != PT_NOTE || !mod_mapped(info, ph->p_vaddr, ph->p_memsz))
            continue;
        p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
        end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
            const uint8_t *name = p + sizeof *nh;
            const uint8_t *desc = name + ((nh->n_namesz + 3u) & ~3u);
            if (desc + nh->n_descsz > end)
                break;
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && !memcmp(name, "GNU", 4) &&
                nh->n_descsz <= MOD_BUILD_ID_MAX) {
                memcpy(out, desc, nh->n_descsz);
                return (uint16_t)nh->n_descsz;
            }
            p = desc + ((nh->n_descsz + 3u) & ~3u);
        }
    }
    return 0;
}

static void mod_send(hq_ring_hdr_t *r, const struct dl_phdr_info *info, const char *path,
                     int is_main)
{
    hq_rec_module_t *m = (hq_rec_module_t *)mod_buf;
    hq_seg_t *seg = (hq_seg_t *)(m + 1);
    uint16_t nseg = 0;
    uint8_t *tail;
    size_t plen = strnlen(path, PATH_MAX - 1), used;
    for (int i = 0; i < info->dlpi_phnum && nseg < MOD_SEGS_MAX; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD)
            seg[nseg++] = (hq_seg_t){ph->p_vaddr, ph->p_memsz, ph->p_offset, ph->p_flags, 0};
    }
    tail = (uint8_t *)(seg + nseg);
    memset(m, 0, sizeof *m);
    m->build_id_len = mod_build_id(info, tail);
    memcpy(tail + m->build_id_len, path, plen);
    used = (size_t)(tail - mod_buf) + m->build_id_len + plen;
    memset(mod_buf + used, 0, HQ_REC_ALIGN(used) - used);
    m->h.type = HQ_REC_MODULE;
    m->h.len = (uint16_t)HQ_REC_ALIGN(used);
    m->nseg = nseg;
    m->path_len = (uint16_t)plen;
    m->flags = is_main ? HQ_MODULE_MAIN : 0;
    m->ns = shim_stamp();
    m->load_bias = info->dlpi_addr;
    shim_put(r, &m->h);
}

static void mod_send_unload(hq_ring_hdr_t *r, uint64_t bias)
{
    hq_rec_unload_t u = {.h = {.type = HQ_REC_MODULE_UNLOAD, .len = sizeof u}, .load_bias = bias};
    u.ns = shim_stamp();
    shim_put(r, &u.h);
}

static void mod_span(const struct dl_phdr_info *info, uintptr_t *lo, uintptr_t *hi)
{
    *lo = UINTPTR_MAX;
    *hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t a = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type != PT_LOAD)
            continue;
        *lo = a < *lo ? a : *lo;
        *hi = a + ph->p_memsz > *hi ? a + ph->p_memsz : *hi;
    }
}

/* Objects gone since the last scan whose addresses the new one [lo, hi)
 * reuses: their UNLOAD must come before its MODULE. */
static void mod_unload_overlaps(hq_ring_hdr_t *r, uint32_t gen, uintptr_t lo, uintptr_t hi)
{
    for (uint32_t i = 0; i < nmods;) {
        if (mods[i].gen == gen || mods[i].hi <= lo || hi <= mods[i].lo) {
            i++;
            continue;
        }
        mod_send_unload(r, mods[i].bias);
        mods[i] = mods[--nmods];
    }
}

static int mod_is_vdso(const struct dl_phdr_info *info)
{
    return vdso_phdr && (uintptr_t)info->dlpi_phdr == vdso_phdr;
}

/* Runs with the loader's lock held: ours is taken inside it (at the first
 * object), never the other way round, since a hook can run inside the
 * program's own dl_iterate_phdr callback. */
static int mod_scan_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    mod_scan_t *s = data;
    int is_main = s->index++ == 0; /* glibc lists the executable first */
    const char *path = is_main ? exe_path : info->dlpi_name;
    uintptr_t lo, hi;
    uint64_t h;
    uint32_t i;
    (void)size;
    if (is_main) {
        mod_lock_take();
        s->gen = ++mod_gen;
        if (info->dlpi_subs != mod_subs)
            shim_unwind_flush(); /* code was unmapped: cached unwind rules may lie */
        mod_adds = info->dlpi_adds;
        mod_subs = info->dlpi_subs;
    }
    if (mod_is_vdso(info) || (!is_main && (!path || !*path)))
        return 0;
    h = mod_hash(path, is_main); /* the loader's name: stable across scans */
    for (i = 0; i < nmods; i++)
        if (mods[i].bias == info->dlpi_addr && mods[i].name_hash == h)
            break;
    if (i < nmods) {
        mods[i].gen = s->gen;
        return 0;
    }
    if (path[0] != '/' && realpath(path, mod_abs))
        path = mod_abs; /* dlopen("./x.so"): relative to the cwd, now */
    mod_span(info, &lo, &hi);
    mod_unload_overlaps(s->r, s->gen, lo, hi);
    mod_send(s->r, info, path, is_main);
    if (nmods < MOD_MAX)
        mods[nmods++] = (mod_t){info->dlpi_addr, h, lo, hi, s->gen};
    return 0;
}

void shim_modules_scan(hq_ring_hdr_t *r)
{
    mod_scan_t s = {.r = r};
    shim_got_refresh(); /* heapql attach: objects loaded since get our hooks too */
    dl_iterate_phdr(mod_scan_cb, &s);
    if (s.index == 0)
        return; /* no object listed: nothing taken, nothing to diff */
    mod_unload_overlaps(r, s.gen, 0, UINTPTR_MAX); /* every object not seen */
    mod_lock_drop();
}

static int mod_counters_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    unsigned long long *c = data;
    (void)size;
    c[0] = info->dlpi_adds;
    c[1] = info->dlpi_subs;
    return 1;
}

/* After a dlclose, recording or not: if an object was unmapped, the
 * unwinder's cached rules may describe code that is gone. */
static void mod_unwind_check(void)
{
    static unsigned long long subs;
    unsigned long long c[2] = {0, 0};
    dl_iterate_phdr(mod_counters_cb, c);
    if (c[1] != __atomic_exchange_n(&subs, c[1], __ATOMIC_RELAXED))
        shim_unwind_flush();
}

void shim_modules_check(hq_ring_hdr_t *r)
{
    unsigned long long c[2] = {0, 0};
    dl_iterate_phdr(mod_counters_cb, c);
    if (c[0] != __atomic_load_n(&mod_adds, __ATOMIC_RELAXED) ||
        c[1] != __atomic_load_n(&mod_subs, __ATOMIC_RELAXED))
        shim_modules_scan(r);
}

void shim_modules_forget(void)
{
    mod_lock = 0; /* a parent thread may have held it at fork */
    nmods = 0;
    mod_adds = mod_subs = ~0ull;
}

/* ---- dlopen / dlclose ----------------------------------------------------- */

static void *mod_dlopen_missing(const char *file, int mode)
{
    (void)file;
    (void)mode;
    return NULL;
}

/* Called by the dlopen stub: the real dlopen to jump to.  The thread
 * rescans modules before its next record. */
__attribute__((used)) void *shim_dlopen_target(void)
{
    if (!shim_real.dlopen)
        shim_boot_resolve();
    shim_tls.pending |= SHIM_PEND_MODULES;
    return shim_real.dlopen ? (void *)shim_real.dlopen : (void *)mod_dlopen_missing;
}

#if defined(__x86_64__)
#ifdef __CET__
#define MOD_ENDBR "endbr64\n"
#else
#define MOD_ENDBR ""
#endif
/* dlopen(file, mode): keep both arguments and the caller's return address,
 * ask shim_dlopen_target for the real dlopen, jump to it. */
__asm__(".text\n"
        ".globl dlopen\n"
        ".type dlopen, @function\n"
        ".p2align 4\n"
        "dlopen:\n"
        ".cfi_startproc\n" MOD_ENDBR
        "pushq %rdi\n"
        ".cfi_adjust_cfa_offset 8\n"
        "pushq %rsi\n"
        ".cfi_adjust_cfa_offset 8\n"
        "subq $8, %rsp\n"
        ".cfi_adjust_cfa_offset 8\n"
        "call shim_dlopen_target\n"
        "addq $8, %rsp\n"
        ".cfi_adjust_cfa_offset -8\n"
        "popq %rsi\n"
        ".cfi_adjust_cfa_offset -8\n"
        "popq %rdi\n"
        ".cfi_adjust_cfa_offset -8\n"
        "jmp *%rax\n"
        ".cfi_endproc\n"
        ".size dlopen, .-dlopen\n");
#else
/* Elsewhere a C hook: the caller's RUNPATH and $ORIGIN become ours. */
SHIM_EXPORT void *dlopen(const char *file, int mode)
{
    void *(*real)(const char *, int) = (void *(*)(const char *, int))shim_dlopen_target();
    return real(file, mode);
}
#endif

SHIM_EXPORT int dlclose(void *handle)
{
    shim_tls_t *t = &shim_tls;
    hq_ring_hdr_t *r;
    int rc, saved;
    if (!shim_real.dlclose && (shim_boot_resolve() != 0 || !shim_real.dlclose))
        return -1;
    rc = shim_real.dlclose(handle);
    saved = errno;
    mod_unwind_check();
    if ((r = shim_enter(t))) {
        shim_modules_scan(r);
        shim_leave(t);
    }
    errno = saved;
    return rc;
}
