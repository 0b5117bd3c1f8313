/* sym_prog.c -- allocations at known source lines for the symbolizer's
 * end-to-end tests (tests/e2e/sym_*.sh find the lines by their markers).
 * Sizes identify the allocations: 11 from leaf_alloc, 22 through an
 * always_inline function (inlined even at -O0), 33 straight from main. */
#include <stdio.h>
#include <stdlib.h>

static inline __attribute__((always_inline)) void *inl_alloc(size_t n)
{
    return malloc(n); /* @inl_malloc */
}

__attribute__((noinline)) void *leaf_alloc(size_t n)
{
    return malloc(n); /* @leaf_malloc */
}

__attribute__((noinline)) void *outer(size_t n)
{
    void *p = inl_alloc(n); /* @outer_call */
    return p;
}

int main(void)
{
    void *a = leaf_alloc(11); /* @main_leaf */
    void *b = outer(22);      /* @main_outer */
    void *c = malloc(33);     /* @main_malloc */
    printf("sym_prog %d\n", a && b && c);
    free(a);
    free(b);
    free(c);
    return 0;
}
