/*
 * hq_proto.h -- the wire contract between the shim (inside the target) and
 * the collector (its own process).
 *
 * Data path: each recorded process owns ONE ring (a memfd, mapped by both
 * sides).  Writers are the target's threads, the single reader is the
 * collector.  The memfd reaches the collector once, at a handshake over a
 * unix SOCK_SEQPACKET socket (hq_hello_t + SCM_RIGHTS, answered by hq_ack_t);
 * after that the socket is closed and the two sides share only memory.
 *
 * Everything here is plain data: fixed-width integers, little-endian host
 * order, every record a multiple of 8 bytes.  Bump HQ_PROTO_VERSION on any
 * change; the collector refuses a hello of another version.
 */
#ifndef HQ_PROTO_H
#define HQ_PROTO_H

#include <stdint.h>

#define HQ_PROTO_VERSION 2u
#define HQ_HELLO_MAGIC 0x4f4c4548u /* "HELO" */
#define HQ_ACK_MAGIC 0x4b434148u   /* "HACK" */

#define HQ_DEPTH_DEFAULT 128u
#define HQ_DEPTH_MAX 1024u
#define HQ_TNAME_LEN 16u /* as the kernel's comm */

/* Environment understood by the shim and the collector. */
#define HQ_ENV_SOCKET "HEAPQL_SOCKET" /* collector's socket: join that session */
#define HQ_ENV_OUTPUT "HEAPQL_OUTPUT" /* standalone: spawn a collector writing here */
#define HQ_ENV_DEPTH "HEAPQL_DEPTH"   /* standalone: stack depth (validated by the collector) */
#define HQ_ENV_SAMPLE_RATE "HEAPQL_SAMPLE_RATE" /* standalone: bytes per sample (collector) */
#define HQ_ENV_AGGREGATE "HEAPQL_AGGREGATE"     /* standalone: 1 = totals only (collector) */
#define HQ_ENV_RING_MB "HEAPQL_RING_MB"

/* ---- allocation kinds: stored as allocations.kind, named by table kinds -- */
enum hq_kind {
    HQ_KIND_MALLOC = 0,
    HQ_KIND_CALLOC,
    HQ_KIND_REALLOC,
    HQ_KIND_REALLOCARRAY,
    HQ_KIND_POSIX_MEMALIGN,
    HQ_KIND_ALIGNED_ALLOC,
    HQ_KIND_MEMALIGN,
    HQ_KIND_VALLOC,
    HQ_KIND_PVALLOC,
    HQ_KIND_NEW,              /* operator new(size_t) */
    HQ_KIND_NEW_ARRAY,        /* operator new[](size_t) */
    HQ_KIND_NEW_NOTHROW,
    HQ_KIND_NEW_ARRAY_NOTHROW,
    HQ_KIND_NEW_ALIGNED,      /* operator new(size_t, align_val_t) */
    HQ_KIND_NEW_ARRAY_ALIGNED,
    HQ_KIND_NEW_ALIGNED_NOTHROW,
    HQ_KIND_NEW_ARRAY_ALIGNED_NOTHROW,
    HQ_KIND_ALLOC_COUNT,

    /* release kinds (hq_rec_free_t.kind) */
    HQ_KIND_FREE = 32,
    HQ_KIND_DELETE,           /* operator delete(void*), also nothrow */
    HQ_KIND_DELETE_ARRAY,
    HQ_KIND_DELETE_SIZED,
    HQ_KIND_DELETE_ARRAY_SIZED,
    HQ_KIND_DELETE_ALIGNED,   /* aligned, aligned+sized, aligned+nothrow */
    HQ_KIND_DELETE_ARRAY_ALIGNED,
    HQ_KIND_REALLOC_FREE,     /* the old block of a realloc (or realloc(p, 0)) */
    HQ_KIND_FREE_END,

    /* address-space events (hq_rec_vm_t.kind), kept apart from the heap */
    HQ_KIND_MMAP = 64,
    HQ_KIND_MUNMAP,
    HQ_KIND_MREMAP,
    HQ_KIND_BRK,
    HQ_KIND_SBRK,
    HQ_KIND_VM_END
};

/* ---- the ring ------------------------------------------------------------
 * Layout of the memfd: one hq_ring_hdr_t page, then `capacity` data bytes.
 * head counts bytes reserved by writers (fetch_add), tail bytes consumed by
 * the collector.  Both only grow; offset = counter & (capacity - 1).
 * Protocol in hq_ring.h.
 */
#define HQ_RING_MAGIC 0x524c5148u /* "HQLR" */
#define HQ_RING_HDR_SIZE 4096u
#define HQ_RING_DEFAULT_MB 32u
#define HQ_CACHELINE 64

typedef struct hq_ring_hdr_s {
    uint32_t magic;
    uint32_t version;
    uint64_t capacity;     /* data bytes: a power of two, >= 64 KiB */
    int32_t pid;           /* the writing process */
    int32_t collector_pid; /* filled from the ack; the shim checks it is alive when waiting */
    uint32_t clock;        /* HQ_CLOCK_*: what the records' ns count; set before the hello */
    uint32_t clock_pad;
    _Alignas(HQ_CACHELINE) _Atomic uint64_t head;
    _Alignas(HQ_CACHELINE) _Atomic uint64_t tail;
    _Alignas(HQ_CACHELINE) _Atomic uint64_t waits; /* records whose writer found the ring full */
    _Atomic uint64_t wait_ns;       /* total time writers spent waiting */
    _Atomic uint32_t detached;      /* 1: the shim gave up (collector gone); nothing more comes */
    _Atomic uint32_t exited;        /* 1: the process reached exit; the last record is written */
    _Atomic uint64_t heartbeat_ns;  /* collector's CLOCK_MONOTONIC at its last drain pass */
    _Atomic uint64_t unknown_frees; /* frees the shim passed through untracked (recursion) */
} hq_ring_hdr_t;

/* Record stamps (the ns field of every record).  The shim reads the TSC
 * only where it is invariant (constant_tsc and nonstop_tsc): one rdtsc
 * instead of a clock_gettime per event.  The collector turns TSC stamps
 * into CLOCK_MONOTONIC ns against pairs of both it takes itself
 * (coll_drain.c); the hello's ns and the header's *_ns are always
 * CLOCK_MONOTONIC. */
#define HQ_CLOCK_MONOTONIC 0u
#define HQ_CLOCK_TSC 1u

/* Every record starts with this header.  A writer stores `seal` last, with
 * release order; the reader trusts a record only when seal == HQ_SEAL(pos). */
typedef struct hq_rec_s {
    _Atomic uint32_t seal;
    uint16_t type;
    uint16_t len; /* whole record in bytes, multiple of 8, <= HQ_REC_MAX */
} hq_rec_t;

/* Never 0 (the reader zeroes what it consumed, so 0 means "not written"),
 * and different for the same offset in consecutive laps. */
#define HQ_SEAL(pos) (((uint32_t)((pos) >> 3) % 0xffffffffu) + 1u)
#define HQ_REC_MAX 65528u
#define HQ_REC_ALIGN(n) (((n) + 7u) & ~(uint32_t)7u)

enum hq_rec_type {
    HQ_REC_ALLOC = 1,        /* hq_rec_alloc_t */
    HQ_REC_ALLOC_FAIL,       /* hq_rec_alloc_t, ptr 0: counted, never live */
    HQ_REC_FREE,             /* hq_rec_free_t */
    HQ_REC_REALLOC_FAIL,     /* hq_rec_free_t: undo this thread's last REALLOC_FREE of ptr */
    HQ_REC_STACK,            /* hq_rec_stack_t: defines stack_id, before its first use */
    HQ_REC_VM,               /* hq_rec_vm_t */
    HQ_REC_MODULE,           /* hq_rec_module_t: an ELF object is mapped */
    HQ_REC_MODULE_UNLOAD,    /* hq_rec_unload_t */
    HQ_REC_THREAD,           /* hq_rec_thread_t */
    HQ_REC_EXIT,             /* hq_rec_exit_t: exit()/_exit() was called */
    HQ_REC_TYPE_END
};

/* An allocation, written after the real call returned.  stack_id 0: none. */
typedef struct hq_rec_alloc_s {
    hq_rec_t h;
    uint32_t tid;
    uint16_t kind;  /* enum hq_kind, < HQ_KIND_ALLOC_COUNT */
    uint16_t flags;
    uint32_t stack_id;
    uint32_t align; /* requested alignment, 0 if none */
    uint64_t ns;    /* the ring's clock (hdr->clock), as in every record */
    uint64_t ptr;
    uint64_t size;  /* requested bytes (calloc: n * size) */
    uint64_t usable; /* malloc_usable_size(ptr) */
} hq_rec_alloc_t;

/* A release, written BEFORE the real free runs. */
typedef struct hq_rec_free_s {
    hq_rec_t h;
    uint32_t tid;
    uint16_t kind; /* enum hq_kind, release range */
    uint16_t flags; /* HQ_FREE_* */
    uint64_t ns;
    uint64_t ptr;
} hq_rec_free_t;

/* Sampled runs only (the collector sees only sampled allocations, so it
 * cannot tell a temporary itself): ptr is the last block this thread
 * allocated, recorded or not; nothing was allocated since. */
#define HQ_FREE_LAST 1u

#define HQ_STACK_TRUNCATED 1u /* the walk hit the depth limit */

/* pcs[0] is the innermost frame outside the shim (the caller of malloc);
 * every pc after it is a return address (the analyzer looks up pc - 1). */
typedef struct hq_rec_stack_s {
    hq_rec_t h;
    uint32_t stack_id; /* per process, from 1 */
    uint16_t depth;
    uint16_t flags;
    uint64_t pcs[];
} hq_rec_stack_t;

typedef struct hq_rec_vm_s {
    hq_rec_t h;
    uint32_t tid;
    uint16_t kind; /* HQ_KIND_MMAP .. HQ_KIND_SBRK */
    uint16_t flags;
    uint32_t stack_id;
    int32_t prot;     /* mmap/mremap: prot; others 0 */
    int32_t mflags;   /* mmap/mremap flags */
    int32_t result;   /* 0 ok, else errno */
    uint64_t ns;
    uint64_t addr;    /* mmap/mremap: result; munmap: addr; brk/sbrk: new break */
    uint64_t length;  /* mmap/munmap: length; mremap: new length; sbrk: increment */
    uint64_t old_addr; /* mremap: old address; brk/sbrk: old break */
    uint64_t old_length;
} hq_rec_vm_t;

typedef struct hq_seg_s {
    uint64_t vaddr;  /* PT_LOAD p_vaddr (add load_bias for the runtime address) */
    uint64_t memsz;
    uint64_t offset; /* p_offset */
    uint32_t pflags; /* PF_X | PF_W | PF_R */
    uint32_t pad;
} hq_seg_t;

/* Followed by nseg hq_seg_t, build_id_len bytes of build-id, path_len bytes
 * of path (no NUL), zero padding to 8. */
typedef struct hq_rec_module_s {
    hq_rec_t h;
    uint16_t nseg;
    uint16_t build_id_len;
    uint16_t path_len;
    uint16_t flags; /* HQ_MODULE_MAIN for the executable */
    uint64_t ns;
    uint64_t load_bias;
} hq_rec_module_t;

#define HQ_MODULE_MAIN 1u

typedef struct hq_rec_unload_s {
    hq_rec_t h;
    uint64_t ns;
    uint64_t load_bias;
} hq_rec_unload_t;

enum hq_thread_event { HQ_THREAD_START = 1, HQ_THREAD_END = 2 };

typedef struct hq_rec_thread_s {
    hq_rec_t h;
    uint32_t tid;
    uint16_t event;
    uint16_t pad;
    uint64_t ns;
    char name[HQ_TNAME_LEN]; /* prctl(PR_GET_NAME), NUL padded */
} hq_rec_thread_t;

enum hq_exit_how { HQ_EXIT_EXIT = 1, HQ_EXIT_UNDERSCORE = 2 };

typedef struct hq_rec_exit_s {
    hq_rec_t h;
    uint32_t tid;
    int32_t status;
    uint32_t how;
    uint32_t pad;
    uint64_t ns;
} hq_rec_exit_t;

/* ---- handshake ----------------------------------------------------------- */
#define HQ_HELLO_FORK 1u   /* this process is a fork child of ppid */
#define HQ_HELLO_ATTACH 2u /* the shim was loaded into a running process (heapql attach) */

typedef struct hq_hello_s {
    uint32_t magic;   /* HQ_HELLO_MAGIC */
    uint32_t version; /* HQ_PROTO_VERSION */
    int32_t pid;
    int32_t ppid;
    uint32_t flags;
    uint32_t pad;
    uint64_t ring_bytes; /* size of the memfd (header page + capacity) */
    uint64_t ns;         /* CLOCK_MONOTONIC at the shim's start */
} hq_hello_t;

typedef struct hq_ack_s {
    uint32_t magic;  /* HQ_ACK_MAGIC */
    int32_t status;  /* 0: record; otherwise the shim stays detached */
    int32_t collector_pid;
    uint32_t depth;  /* stack depth to capture, 1..HQ_DEPTH_MAX */
    uint64_t sample_rate; /* 0: record every allocation; else Poisson sampling, one
                             sample per sample_rate bytes on average (heapprofd's scheme:
                             blocks >= sample_rate are always recorded) */
} hq_ack_t;

#endif
