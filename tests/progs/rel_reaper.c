/* rel_reaper.c -- run a command as a child subreaper: every descendant
 * orphaned on the way (the program `heapql run` started, once heapql is
 * killed) is reparented to us and reaped here, so its exit status can be
 * checked.  usage: rel_reaper [--hold SECONDS] REPORT -- CMD [ARGS...]
 * REPORT gets "child PID" at once, then "PID exit CODE" or "PID signal SIG"
 * per process reaped; we exit 0 once nothing is left to reap.  --hold:
 * reap nothing for that long (a killed child stays a zombie meanwhile). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    FILE *rep;
    pid_t pid;
    int st, hold = 0;
    if (argc > 2 && !strcmp(argv[1], "--hold")) {
        hold = atoi(argv[2]);
        argv += 2;
        argc -= 2;
    }
    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: rel_reaper REPORT -- CMD [ARGS...]\n");
        return 2;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 || !(rep = fopen(argv[1], "w"))) {
        perror("rel_reaper");
        return 1;
    }
    setvbuf(rep, NULL, _IOLBF, 0);
    pid = fork();
    if (pid == 0) {
        fclose(rep);
        execvp(argv[3], argv + 3);
        _exit(127);
    }
    fprintf(rep, "child %d\n", (int)pid);
    while (hold > 0)
        hold = (int)sleep((unsigned)hold);
    while ((pid = waitpid(-1, &st, 0)) > 0 || errno == EINTR) {
        if (pid <= 0)
            continue;
        if (WIFEXITED(st))
            fprintf(rep, "%d exit %d\n", (int)pid, WEXITSTATUS(st));
        else if (WIFSIGNALED(st))
            fprintf(rep, "%d signal %d\n", (int)pid, WTERMSIG(st));
    }
    fclose(rep);
    return 0;
}
