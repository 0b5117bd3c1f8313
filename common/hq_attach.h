/*
 * hq_attach.h -- the contract between `heapql attach` (cli/cli_inject*.c)
 * and libheapql.so loaded into a running process (shim/shim_attach.c).
 *
 * The injector dlopen()s the shim into the target, then makes one of the
 * target's threads call these functions (default visibility, C linkage):
 *
 *   int heapql_attach_begin(const char *socket_path)
 *       connect to the collector listening at socket_path (hello flag
 *       HQ_HELLO_ATTACH), redirect the program's allocation calls to the
 *       shim (GOT slots) and start recording.
 *   int heapql_attach_end(void)
 *       stop recording, put every GOT slot back; the library stays loaded
 *       but dormant, and a later attach calls begin again.
 *
 * Both return one of enum hq_attach_rc.
 */
#ifndef HQ_ATTACH_H
#define HQ_ATTACH_H

#define HQ_ATTACH_BEGIN_FN "heapql_attach_begin"
#define HQ_ATTACH_END_FN "heapql_attach_end"

enum hq_attach_rc {
    HQ_ATTACH_OK = 0,
    HQ_ATTACH_ECONNECT = -1, /* the handshake with the collector failed */
    HQ_ATTACH_EBUSY = -2,    /* already recorded (another heapql, or heapql run) */
    HQ_ATTACH_ESETUP = -3,   /* the shim could not initialise (stack table, unwinder) */
    HQ_ATTACH_EPATCH = -4    /* no call to the allocator could be redirected */
};

#endif
