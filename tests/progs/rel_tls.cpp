// rel_tls.cpp -- allocations at thread exit, from pthread key destructors
// and C++ thread_local destructors.  usage: rel_tls N
// Each of N threads: key1 = malloc(90); a thread_local Local (malloc(93)).
// At its exit: ~Local frees its 93, makes a malloc(94)/free pair and keeps a
// malloc(95); key1's destructor frees the 90, makes a malloc(91)/free pair,
// keeps a malloc(92) and sets key2 = malloc(96), which key2's destructor
// (a later round) frees.  The main thread has a Local too, destroyed by exit.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *volatile sink;
static pthread_key_t key1, key2;

struct Local {
    void *buf;
    Local() : buf(malloc(93)) {}
    ~Local()
    {
        free(buf);
        free(malloc(94));
        sink = malloc(95);
    }
};

static thread_local Local local;

static void key1_dtor(void *p)
{
    free(p);
    free(malloc(91));
    sink = malloc(92);
    pthread_setspecific(key2, malloc(96));
}

static void key2_dtor(void *p)
{
    free(p);
}

static void *worker(void *)
{
    pthread_setspecific(key1, malloc(90));
    sink = local.buf;
    return nullptr;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 8;
    if (pthread_key_create(&key1, key1_dtor) != 0 || pthread_key_create(&key2, key2_dtor) != 0)
        return 1;
    sink = local.buf;
    for (long i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, nullptr, worker, nullptr) != 0 || pthread_join(t, nullptr) != 0)
            return 1;
    }
    printf("tls %ld\n", n);
    return 0;
}
