// rel_cxxexc.cpp -- C++ exceptions around operator new, on several threads.
// usage: rel_cxxexc ROUNDS THREADS      (main waits; THREADS run the rounds)
//        rel_cxxexc ROUNDS handler      (main alone, with a new-handler)
// A round, in three functions the test finds in the stacks:
//   throwing_ops: operator new, new[], aligned new, aligned new[] of an
//     impossible size, std::bad_alloc caught each time (the first one's
//     exception kept in an exception_ptr until the next round: freed later,
//     elsewhere);
//   nothrow_ops: the four nothrow variants of the same, NULL each time
//     (libstdc++ implements them by calling the throwing one and catching);
//   own_throw: `throw 7`, caught: an exception of the program's own.
// handler mode: each round's operator new of an impossible size runs the
// new-handler twice: it frees a 4096-byte reserve block (malloc'd before
// the call), then allocates a 24-byte note and throws std::bad_alloc; the
// program frees the note after the catch.
// Prints "cxxexc CAUGHT NULLS" (totals over all threads), exits 0.
#include <exception>
#include <new>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *volatile sink;
static volatile size_t huge_size = SIZE_MAX / 4; // volatile: no compile-time warning
static long rounds;
static void *reserve, *note;

struct counts {
    long caught, nulls;
};

static void throwing_ops(counts *c, std::exception_ptr *kept)
{
    const size_t huge = huge_size;
    const std::align_val_t al = std::align_val_t(64);
    try {
        sink = ::operator new(huge);
    } catch (const std::bad_alloc &) {
        *kept = std::current_exception(); // frees the previous round's
        c->caught++;
    }
    try {
        sink = ::operator new[](huge);
    } catch (const std::bad_alloc &) {
        c->caught++;
    }
    try {
        sink = ::operator new(huge, al);
    } catch (const std::bad_alloc &) {
        c->caught++;
    }
    try {
        sink = ::operator new[](huge, al);
    } catch (const std::bad_alloc &) {
        c->caught++;
    }
}

static void nothrow_ops(counts *c)
{
    const size_t huge = huge_size;
    const std::align_val_t al = std::align_val_t(64);
    c->nulls += (sink = ::operator new(huge, std::nothrow)) == nullptr;
    c->nulls += (sink = ::operator new[](huge, std::nothrow)) == nullptr;
    c->nulls += (sink = ::operator new(huge, al, std::nothrow)) == nullptr;
    c->nulls += (sink = ::operator new[](huge, al, std::nothrow)) == nullptr;
}

static void own_throw(counts *c, long i)
{
    try {
        if (i >= 0)
            throw 7;
    } catch (int) {
        c->caught++;
    }
}

static void *run_rounds(void *arg)
{
    counts *c = static_cast<counts *>(arg);
    std::exception_ptr kept;
    for (long i = 0; i < rounds; i++) {
        throwing_ops(c, &kept);
        nothrow_ops(c);
        own_throw(c, i);
    }
    return nullptr;
}

// The new-handler: frees the reserve the first time; the second time
// allocates a 24-byte note (freed by the program after the catch) and
// throws std::bad_alloc itself.
static void oom_handler()
{
    if (reserve) {
        free(reserve);
        reserve = nullptr;
        return;
    }
    note = malloc(24);
    throw std::bad_alloc();
}

static void *handler_rounds(void *arg)
{
    counts *c = static_cast<counts *>(arg);
    std::set_new_handler(oom_handler);
    for (long i = 0; i < rounds; i++) {
        reserve = malloc(4096);
        try {
            sink = ::operator new(huge_size);
        } catch (const std::bad_alloc &) {
            c->caught++;
        }
        free(note);
        note = nullptr;
    }
    std::set_new_handler(nullptr);
    return nullptr;
}

int main(int argc, char **argv)
{
    static counts per[64];
    static pthread_t th[64];
    static char outbuf[256];
    long nthreads = 1, caught = 0, nulls = 0;
    int handler = argc > 2 && !strcmp(argv[2], "handler");
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    rounds = argc > 1 ? atol(argv[1]) : 10;
    if (argc > 2 && !handler)
        nthreads = atol(argv[2]);
    if (rounds < 0 || nthreads < 1 || nthreads > 64)
        return 2;
    if (handler) {
        handler_rounds(&per[0]);
    } else {
        for (long i = 0; i < nthreads; i++)
            if (pthread_create(&th[i], nullptr, run_rounds, &per[i]) != 0)
                return 1;
        for (long i = 0; i < nthreads; i++)
            pthread_join(th[i], nullptr);
    }
    for (long i = 0; i < nthreads; i++) {
        caught += per[i].caught;
        nulls += per[i].nulls;
    }
    printf("cxxexc %ld %ld\n", caught, nulls);
    return 0;
}
