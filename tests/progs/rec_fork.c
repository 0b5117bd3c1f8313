/* rec_fork.c -- parent allocates 3 blocks of 33 bytes, forks a child that
 * allocates 7 blocks of 77 bytes (2 freed) and exits 5; the parent reaps it,
 * allocates 2 blocks of 22 bytes and exits with the child's status. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile sink;

int main(void)
{
    int status = 0;
    for (int i = 0; i < 3; i++)
        sink = malloc(33);
    pid_t pid = fork();
    if (pid == 0) {
        void *b[7];
        for (int i = 0; i < 7; i++)
            b[i] = malloc(77);
        free(b[0]);
        free(b[1]);
        exit(5);
    }
    waitpid(pid, &status, 0);
    for (int i = 0; i < 2; i++)
        sink = malloc(22);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
