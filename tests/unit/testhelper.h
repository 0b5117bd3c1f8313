/* testhelper.h -- the whole unit-test framework: CHECK an expression, count
 * failures, return non-zero from main when any failed. */
#ifndef TESTHELPER_H
#define TESTHELPER_H
#include <stdio.h>

static int th_failed, th_checked;

#define CHECK(expr)                                                          \
    do {                                                                     \
        th_checked++;                                                        \
        if (!(expr)) {                                                       \
            th_failed++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #expr);                                                  \
        }                                                                    \
    } while (0)

#define CHECK_EQ(a, b)                                                       \
    do {                                                                     \
        long long th_a = (long long)(a), th_b = (long long)(b);              \
        th_checked++;                                                        \
        if (th_a != th_b) {                                                  \
            th_failed++;                                                     \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n",        \
                    __FILE__, __LINE__, #a, #b, th_a, th_b);                 \
        }                                                                    \
    } while (0)

static inline int th_done(const char *name)
{
    fprintf(stderr, "%s: %d checks, %d failed\n", name, th_checked, th_failed);
    return th_failed ? 1 : 0;
}
#endif
