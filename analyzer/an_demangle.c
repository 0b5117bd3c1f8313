/* an_demangle.c -- see an_demangle.h. */
#include "an_demangle.h"

#include <stdlib.h>
#include <string.h>

/* From libstdc++ (<cxxabi.h> is C++ only): status 0 on success. */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

char *an_demangle(const char *name)
{
    int status = -1;
    char *out;

    if (!name)
        return NULL;
    if (strncmp(name, "_Z", 2) != 0)
        return strdup(name);
    out = __cxa_demangle(name, NULL, NULL, &status);
    if (status == 0 && out)
        return out;
    free(out);
    return strdup(name);
}
