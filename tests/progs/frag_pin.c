/* frag_pin.c -- a long-lived block interleaved among short-lived ones:
 * each round allocates 15 blocks of 240 bytes (make_temp) and one of 32
 * (keep_forever), about one page; then every short-lived block is freed.
 * At the end each touched page holds only keep_forever's blocks (~1%
 * live): keep_forever pins them.  No stdio: nothing else on the heap. */
#include <stdlib.h>
#include <string.h>

#define ROUNDS 200
#define TEMPS 15

static void *temps[ROUNDS][TEMPS];
static void *kept[ROUNDS];

void *make_temp(void)
{
    void *p = malloc(240);
    memset(p, 1, 240);
    return p;
}

void *keep_forever(void)
{
    void *p = malloc(32);
    memset(p, 2, 32);
    return p;
}

int main(void)
{
    for (int r = 0; r < ROUNDS; r++) {
        for (int t = 0; t < TEMPS; t++)
            temps[r][t] = make_temp();
        kept[r] = keep_forever();
    }
    for (int r = 0; r < ROUNDS; r++)
        for (int t = 0; t < TEMPS; t++)
            free(temps[r][t]);
    return kept[0] == NULL; /* kept[] stay live until the end */
}
