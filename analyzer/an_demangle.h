/*
 * an_demangle.h -- C++ (Itanium ABI) symbol names made readable, through
 * libstdc++'s __cxa_demangle.  Names that are not mangled come back as they
 * are.
 */
#ifndef AN_DEMANGLE_H
#define AN_DEMANGLE_H

/* A malloc'd readable copy of name ("_ZN2ns3fooEi" -> "ns::foo(int)"; "main"
 * -> "main"), or NULL when name is NULL or memory ran out.  Caller frees. */
char *an_demangle(const char *name);

#endif
