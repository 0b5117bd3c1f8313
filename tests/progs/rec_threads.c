/*
 * rec_threads.c -- 8 producer threads allocate 200000 blocks of 48 bytes
 * each (1.6M in all) and hand them through a queue to 8 consumer threads
 * that free them: every free happens on another thread, nothing leaks.
 * usage: rec_threads [BLOCKS_PER_PRODUCER]
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define THREADS 8
#define QSIZE 4096

static void *queue[QSIZE];
static long qhead, qtail, per_producer = 200000;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;

static void push(void *p)
{
    pthread_mutex_lock(&lock);
    while (qhead - qtail == QSIZE)
        pthread_cond_wait(&not_full, &lock);
    queue[qhead++ % QSIZE] = p;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&lock);
}

static void *pop(void)
{
    void *p;
    pthread_mutex_lock(&lock);
    while (qhead == qtail)
        pthread_cond_wait(&not_empty, &lock);
    p = queue[qtail++ % QSIZE];
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&lock);
    return p;
}

static void *producer(void *arg)
{
    (void)arg;
    for (long i = 0; i < per_producer; i++)
        push(malloc(48));
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    for (long i = 0; i < per_producer; i++)
        free(pop());
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t p[THREADS], c[THREADS];
    if (argc > 1)
        per_producer = atol(argv[1]);
    for (int i = 0; i < THREADS; i++) {
        pthread_create(&p[i], NULL, producer, NULL);
        pthread_create(&c[i], NULL, consumer, NULL);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(p[i], NULL);
        pthread_join(c[i], NULL);
    }
    return write(1, "threads done\n", 13) == 13 ? 0 : 1;
}
