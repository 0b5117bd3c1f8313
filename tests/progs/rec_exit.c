/* rec_exit.c -- exits at once with status 3 (or argv[1]). */
#include <stdlib.h>
int main(int argc, char **argv) { return argc > 1 ? atoi(argv[1]) : 3; }
