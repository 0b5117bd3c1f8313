/* tui_term.c -- see tui_term.h. */
#include "tui_term.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "tui_draw.h"
#include "tui_theme.h"

static const int term_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
                                   SIGTERM, SIGINT, SIGHUP, SIGQUIT};
#define TERM_NSIG (sizeof term_signals / sizeof term_signals[0])

static struct termios term_saved;
static int term_have_saved;
static char term_reset[512];  /* written by the signal handler */
static size_t term_reset_len;
static SCREEN *term_screen;
static struct sigaction term_old[TERM_NSIG];

static void term_add(const char *cap)
{
    char *s = tigetstr((char *)cap);
    size_t n;
    if (!s || s == (char *)-1)
        return;
    n = strlen(s);
    if (term_reset_len + n < sizeof term_reset) {
        memcpy(term_reset + term_reset_len, s, n);
        term_reset_len += n;
    }
}

/* The sequences endwin would send: mouse off, attributes, cursor, keypad,
 * alternate screen. */
static void term_prepare_reset(int mouse)
{
    static const char mouse_off[] = "\033[?1006l\033[?1002l\033[?1000l";
    term_reset_len = 0;
    if (mouse) {
        memcpy(term_reset, mouse_off, sizeof mouse_off - 1);
        term_reset_len = sizeof mouse_off - 1;
    }
    term_add("sgr0");
    term_add("cnorm");
    term_add("rmkx");
    term_add("rmcup");
}

/* The terminal back as it was, then the signal's previous disposition
 * (the default, or a sanitizer's report): a fault the kernel raised is
 * re-executed by returning; any other signal is raised again. */
static void term_on_signal(int sig, siginfo_t *si, void *uc)
{
    ssize_t rc = write(STDOUT_FILENO, term_reset, term_reset_len);
    (void)rc;
    (void)uc;
    if (term_have_saved)
        tcsetattr(STDIN_FILENO, TCSANOW, &term_saved);
    for (size_t i = 0; i < TERM_NSIG; i++)
        if (term_signals[i] == sig)
            sigaction(sig, &term_old[i], NULL);
    if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL) && si &&
        si->si_code > 0)
        return;
    raise(sig);
}

static void term_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = term_on_signal;
    sigfillset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
    for (size_t i = 0; i < TERM_NSIG; i++)
        sigaction(term_signals[i], &sa, &term_old[i]);
}

static void term_signals_restore(void)
{
    for (size_t i = 0; i < TERM_NSIG; i++)
        sigaction(term_signals[i], &term_old[i], NULL);
}

static int term_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}

int tui_term_open(int no_color, tui_term_info_t *info, char *err, size_t errlen)
{
    const char *term = getenv("TERM");
    memset(info, 0, sizeof *info);
    setlocale(LC_ALL, "");
    info->utf8 = term_utf8();
    tui_glyphs_init(info->utf8);
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(err, errlen, "tui needs a terminal (standard input and output are not one)");
        return -1;
    }
    term_have_saved = tcgetattr(STDIN_FILENO, &term_saved) == 0;
    /* ours before curses starts: curses then leaves SIGINT/SIGTERM alone */
    term_signals_install();
    if (!(term_screen = newterm(NULL, stdout, stdin))) {
        term_signals_restore();
        snprintf(err, errlen, "cannot use the terminal TERM=%s", term && *term ? term : "(unset)");
        return -1;
    }
    set_term(term_screen);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    info->mouse = mousemask(ALL_MOUSE_EVENTS, NULL) != 0;
    mouseinterval(0);
    info->theme = (int)tui_theme_init(no_color);
    term_prepare_reset(info->mouse);
    return 0;
}

void tui_term_close(void)
{
    if (!term_screen)
        return;
    mousemask(0, NULL);
    endwin();
    term_signals_restore();
    delscreen(term_screen);
    term_screen = NULL;
}
