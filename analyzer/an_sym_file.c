/* an_sym_file.c -- see an_sym_file.h. */
#include "an_sym_file.h"

#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "an_demangle.h"
#include "an_sym_cu.h"
#include "an_sym_symtab.h"

struct an_sym_file_s {
    char *path;
    char *build_id;        /* as recorded, NULL: none */
    const char *status;
    char *debug_file;
    char message[320];
    Dwfl *dwfl;
    Dwfl_Module *mod;
    int has_dwarf;
    an_sym_cus_t cus;
    an_sym_symtab_t *symtab; /* sorted symbols, built at the first name lookup */
    int symtab_built;
};

static char *debuginfo_path; /* NULL: libdwfl's default search path */

static const Dwfl_Callbacks file_callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = &debuginfo_path,
};

static void file_set(an_sym_file_t *f, const char *status, const char *fmt, const char *arg)
{
    f->status = status;
    if (fmt)
        snprintf(f->message, sizeof f->message, fmt, arg);
}

/* Open path for reading without blocking on a FIFO or following into a
 * device; -1 with the status set when it cannot be used. */
static int file_open_fd(an_sym_file_t *f)
{
    struct stat st;
    int fd;

    if (f->path[0] != '/') {
        file_set(f, "missing", "%s is not a file on disk", f->path);
        return -1;
    }
    fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        f->status = e == ENOENT || e == ENOTDIR ? "missing" : "unreadable";
        snprintf(f->message, sizeof f->message, "%s: %s", f->path, strerror(e));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        file_set(f, "unreadable", "%s is not a regular file", f->path);
        return -1;
    }
    return fd;
}

static void file_hex(const unsigned char *p, size_t n, char *out, size_t outlen)
{
    size_t i;
    for (i = 0; i < n && 2 * i + 2 < outlen; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
    out[2 * i] = '\0';
}

/* The file must be ELF and carry the recorded build-id. */
static int file_check_elf(an_sym_file_t *f, int fd)
{
    char hex[256] = "";
    const void *id = NULL;
    Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);

    if (!e || elf_kind(e) != ELF_K_ELF) {
        if (e)
            elf_end(e);
        file_set(f, "unreadable", "%s is not an ELF file", f->path);
        return -1;
    }
    ssize_t n = dwelf_elf_gnu_build_id(e, &id);
    if (n > 0)
        file_hex(id, (size_t)n, hex, sizeof hex);
    elf_end(e);
    if (f->build_id && strcasecmp(f->build_id, hex) != 0) {
        f->status = "mismatch";
        snprintf(f->message, sizeof f->message,
                 "%s has build-id %s, the recording %s: the file changed since, not used",
                 f->path, hex[0] ? hex : "(none)", f->build_id);
        return -1;
    }
    if (!f->build_id)
        file_set(f, "ok", "no build-id recorded: %s used unverified", f->path);
    return 0;
}

static int file_report(an_sym_file_t *f, int fd)
{
    const char *base = strrchr(f->path, '/');
    f->dwfl = dwfl_begin(&file_callbacks);
    if (!f->dwfl) {
        close(fd);
        file_set(f, "unreadable", "libdwfl: %s", dwfl_errmsg(-1));
        return -1;
    }
    dwfl_report_begin(f->dwfl);
    f->mod = dwfl_report_elf(f->dwfl, base + 1, f->path, fd, 0, true);
    if (!f->mod) {
        close(fd);
        file_set(f, "unreadable", "libdwfl: %s", dwfl_errmsg(-1));
        return -1;
    }
    dwfl_report_end(f->dwfl, NULL, NULL);
    return 0;
}

/* ok with DWARF, else symtab (names from the symbol table at best). */
static void file_find_debuginfo(an_sym_file_t *f)
{
    Dwarf_Addr bias;
    const char *mainfile = NULL, *debugfile = NULL;

    f->has_dwarf = dwfl_module_getdwarf(f->mod, &bias) != NULL;
    dwfl_module_info(f->mod, NULL, NULL, NULL, NULL, NULL, &mainfile, &debugfile);
    if (f->has_dwarf) {
        f->status = "ok";
        f->debug_file = strdup(debugfile ? debugfile : f->path);
        return;
    }
    f->status = "symtab";
    if (dwfl_module_getsymtab(f->mod) > 0)
        file_set(f, "symtab", "%s: no debug info found, function names only", f->path);
    else
        file_set(f, "symtab", "%s: no debug info and no symbols", f->path);
}

an_sym_file_t *an_sym_file_open(const char *path, const char *build_id)
{
    an_sym_file_t *f = calloc(1, sizeof *f);
    int fd;

    if (!f)
        return NULL;
    f->path = strdup(path ? path : "");
    f->build_id = build_id && build_id[0] ? strdup(build_id) : NULL;
    if (!f->path || (build_id && build_id[0] && !f->build_id)) {
        an_sym_file_close(f);
        return NULL;
    }
    elf_version(EV_CURRENT);
    fd = file_open_fd(f);
    if (fd < 0)
        return f;
    if (file_check_elf(f, fd) != 0) {
        close(fd);
        return f;
    }
    if (file_report(f, fd) == 0)
        file_find_debuginfo(f);
    return f;
}

int an_sym_file_usable(const an_sym_file_t *f)
{
    return f->mod && (!strcmp(f->status, "ok") || !strcmp(f->status, "symtab"));
}

const char *an_sym_file_status(const an_sym_file_t *f) { return f->status; }
const char *an_sym_file_debug_file(const an_sym_file_t *f) { return f->debug_file; }

const char *an_sym_file_message(const an_sym_file_t *f)
{
    return f->message[0] ? f->message : NULL;
}

int an_sym_file_is(const an_sym_file_t *f, const char *path, const char *build_id)
{
    const char *b = build_id && build_id[0] ? build_id : NULL;
    if (strcmp(f->path, path ? path : "") != 0)
        return 0;
    return b && f->build_id ? strcmp(b, f->build_id) == 0 : b == f->build_id;
}

/* Name of the ELF symbol covering addr into r->loc[0] (demangled). */
static void file_symtab_name(an_sym_file_t *f, uint64_t addr, an_sym_result_t *r)
{
    const char *name;
    if (!f->symtab_built) {
        f->symtab = an_sym_symtab_new(f->mod); /* NULL: libdwfl answers */
        f->symtab_built = 1;
    }
    name = an_sym_symtab_name(f->symtab, f->mod, addr);
    if (!name || !name[0])
        return;
    free(r->owned);
    r->owned = an_demangle(name);
    if (!r->owned)
        return;
    r->loc[0].function = r->owned;
    if (r->n == 0)
        r->n = 1;
}

void an_sym_result_clear(an_sym_result_t *r)
{
    free(r->owned);
    memset(r, 0, sizeof *r);
}

void an_sym_file_lookup(an_sym_file_t *f, uint64_t addr, an_sym_result_t *r)
{
    Dwarf_Addr bias = 0;
    Dwarf_Die *cudie = f->has_dwarf ? dwfl_module_addrdie(f->mod, addr, &bias) : NULL;
    an_sym_cu_t *cu = cudie ? an_sym_cu_get(&f->cus, cudie, bias) : NULL;

    an_sym_result_clear(r);
    if (cu)
        an_sym_cu_lookup(cu, addr, r);
    if (r->n == 0 || !r->loc[0].function)
        file_symtab_name(f, addr, r);
}

void an_sym_file_close(an_sym_file_t *f)
{
    if (!f)
        return;
    an_sym_cus_free(&f->cus);
    an_sym_symtab_free(f->symtab);
    if (f->dwfl)
        dwfl_end(f->dwfl);
    free(f->path);
    free(f->build_id);
    free(f->debug_file);
    free(f);
}
