/* test_sym_symtab.c -- an_sym_symtab names every address as libdwfl's
 * dwfl_module_addrinfo does, on real files: this executable (a full .symtab
 * with local symbols), libc, libstdc++ and libsqlite3 (.dynsym only, with
 * aliases, weak symbols and absolute version names).  Addresses: every
 * symbol's boundaries (start - 1, start, end - 1, end) for up to 1,500
 * symbols spread over each table (libdwfl reads the whole table per
 * lookup), and a sweep of the module. */
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "an_sym_symtab.h"
#include "testhelper.h"

#define SWEEP 4000       /* addresses spread over the module */
#define BOUNDED 1500     /* symbols whose boundaries are checked, spread over the table */

static char *debuginfo_path;
static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = &debuginfo_path,
};

static long mismatches;

static void compare(const an_sym_symtab_t *t, Dwfl_Module *mod, GElf_Addr addr)
{
    GElf_Off off;
    GElf_Sym sym;
    const char *want = dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
    const char *got = an_sym_symtab_name(t, mod, addr);
    if (want == got || (want && got && !strcmp(want, got)))
        return;
    if (mismatches++ < 10)
        fprintf(stderr, "  %#lx: libdwfl %s, an_sym_symtab %s\n", (unsigned long)addr,
                want ? want : "(none)", got ? got : "(none)");
}

static void check_module(Dwfl_Module *mod, const an_sym_symtab_t *t)
{
    Dwarf_Addr start, end;
    int n = dwfl_module_getsymtab(mod);
    dwfl_module_info(mod, NULL, &start, &end, NULL, NULL, NULL, NULL);
    for (int i = 1; i < n; i += n / BOUNDED + 1) {
        GElf_Sym sym;
        GElf_Addr v;
        if (!dwfl_module_getsym_info(mod, i, &sym, &v, NULL, NULL, NULL))
            continue;
        compare(t, mod, v - 1);
        compare(t, mod, v);
        compare(t, mod, v + sym.st_size - 1);
        compare(t, mod, v + sym.st_size);
    }
    for (Dwarf_Addr a = start; a < end; a += (end - start) / SWEEP + 1)
        compare(t, mod, a);
}

static void check_file(const char *path, int required)
{
    Dwfl *dwfl = dwfl_begin(&callbacks);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    Dwfl_Module *mod;
    an_sym_symtab_t *t;
    if (fd < 0) {
        if (required)
            CHECK(!"file opens");
        dwfl_end(dwfl);
        return;
    }
    dwfl_report_begin(dwfl);
    mod = dwfl_report_elf(dwfl, "m", path, fd, 0, true);
    dwfl_report_end(dwfl, NULL, NULL);
    CHECK(mod != NULL);
    if (mod) {
        t = an_sym_symtab_new(mod);
        CHECK(t != NULL);
        mismatches = 0;
        check_module(mod, t);
        if (mismatches)
            fprintf(stderr, "%s: %ld addresses named differently\n", path, mismatches);
        CHECK_EQ(mismatches, 0);
        an_sym_symtab_free(t);
    }
    dwfl_end(dwfl);
}

int main(void)
{
    static const char *const libs[] = {
        "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libsqlite3.so.0",
    };
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    elf_version(EV_CURRENT);
    CHECK(n > 0);
    self[n > 0 ? n : 0] = '\0';
    check_file(self, 1);
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++)
        check_file(libs[i], i == 0);
    return th_done("test_sym_symtab");
}
