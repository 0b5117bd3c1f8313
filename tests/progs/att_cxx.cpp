/*
 * att_cxx.cpp -- att_server's loop in C++, for heapql attach: operator
 * new/delete reach the shim through the GOT of the executable (and of
 * libstdc++, whose operators call malloc through its own PLT).
 *
 * Request i (from 0): a tag of 40000 + i % 65536 bytes from new[] (freed
 * with delete[]), a std::vector<int> of 16 (operator new, freed), a
 * 64-aligned block of 256 bytes from aligned new (freed), and one leaked
 * Leak object (4242 bytes, operator new) when i % 7 == 0, and when
 * i % 11 == 0 a new[] too big to succeed, whose std::bad_alloc is caught
 * (the runtime allocates and frees the exception object).  A request
 * about every millisecond; SIGTERM: "served N requests, leaked L", exit 0.
 * usage: att_cxx
 */
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <new>
#include <vector>

struct Leak {
    char bytes[4242];
};

static volatile std::sig_atomic_t stop_flag;

static void on_stop(int)
{
    stop_flag = 1;
}

static volatile std::size_t huge = (std::size_t)1 << 62;

static int request(unsigned long i)
{
    char *tag = new char[40000 + i % 65536];
    if (i % 11 == 0) {
        try {
            char *never = new char[huge];
            tag[1] = never[0];
        } catch (const std::bad_alloc &) {
            tag[1] = 0;
        }
    }
    std::vector<int> v(16, 1);
    void *al = ::operator new(256, std::align_val_t(64));
    int leaked = 0;
    tag[0] = (char)v[0];
    ::operator delete(al, std::align_val_t(64));
    if (i % 7 == 0 && new Leak)
        leaked = 1;
    delete[] tag;
    return leaked;
}

int main()
{
    struct sigaction sa;
    struct timespec ms = {0, 1000000};
    unsigned long i, leaks = 0;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, nullptr);
    for (i = 0; !stop_flag; i++) {
        leaks += request(i);
        nanosleep(&ms, nullptr);
    }
    std::printf("served %lu requests, leaked %lu\n", i, leaks);
    return 0;
}
