/* cli_live.c -- the terminal UI next to a recording (see cli_live.h). */
#include <errno.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_live.h"

int cli_live_possible(void)
{
    return isatty(0) && isatty(1);
}

pid_t cli_live_start(const char *db)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    pid_t pid;
    if (n <= 0)
        return -1;
    self[n] = '\0';
    pid = fork();
    if (pid == 0) {
        execl(self, "heapql", "tui", db, (char *)NULL);
        _exit(127);
    }
    return pid;
}

int cli_live_done(pid_t tui)
{
    pid_t w;
    if (tui <= 0)
        return -1;
    do
        w = waitpid(tui, NULL, WNOHANG);
    while (w < 0 && errno == EINTR);
    return w != 0;
}

void cli_live_wait(pid_t tui)
{
    if (tui <= 0)
        return;
    while (waitpid(tui, NULL, 0) < 0 && errno == EINTR)
        ;
}
