// rel_allocs.cpp -- a known program for the allocator tests: every
// allocation function a known number of times, whatever malloc is in use.
// Prints "allocator NAME" (glibc, jemalloc or tcmalloc, by the symbols
// loaded) and exits 0.  Sizes name the function:
//   malloc 1001 x10 (4 freed)   calloc 10*101 x10 (all freed)
//   realloc 1002 -> 5002 x10 (the 5002 kept)   posix_memalign 64:1003 x10
//   aligned_alloc 64:1024 x10   memalign 128:1005 x10   valloc 1006 x10
//   operator new 1007 x10 (deleted)   new[] 1008 x10 (kept)   operator new(align 256) 1009 x10 (kept)
#include <dlfcn.h>
#include <malloc.h>
#include <new>
#include <stdio.h>
#include <stdlib.h>

static void *volatile sink;


static const char *allocator()
{
    if (dlsym(RTLD_DEFAULT, "mallctl"))
        return "jemalloc";
    if (dlsym(RTLD_DEFAULT, "tc_malloc"))
        return "tcmalloc";
    return "glibc";
}

int main()
{
    for (int i = 0; i < 10; i++) {
        void *m = malloc(1001), *p = nullptr;
        if (i < 4)
            free(m);
        free(calloc(10, 101));
        sink = realloc(malloc(1002), 5002);
        if (posix_memalign(&p, 64, 1003) == 0)
            sink = p;
        sink = aligned_alloc(64, 1024);
        sink = memalign(128, 1005);
        sink = valloc(1006);
        ::operator delete(::operator new(1007));
        sink = new char[1008];
        sink = ::operator new(1009, std::align_val_t(256));
    }
    printf("allocator %s\n", allocator());
    return 0;
}
