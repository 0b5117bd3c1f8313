/* cmd_tui.c -- `heapql tui DB`.  (Replaced by the TUI implementation.) */
#include "cli.h"
int cmd_tui(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("tui: not available in this build");
    return CLI_EXIT_ERROR;
}
