#!/usr/bin/env bash
# Static analysis of heapql's own code (common, shim, collector, analyzer,
# cli, tui): cppcheck's bug-finding checks (warning, portability,
# performance -- not its style opinions), plus a syntax check of the shell
# and Python test scripts.  Exit 0 when clean, 1 with the findings on
# stderr.  `scripts/lint.sh` from the source tree; ctest runs it as
# e2e/rel_lint.
#
# A finding is fixed, or suppressed where it is, with a comment saying why
# (cppcheck: // cppcheck-suppress ID on the line before).  Suppressed for
# the whole tree, with the reason:
#   varFuncNullUB  "NULL after the last typed argument of a variadic
#                  function": glibc defines NULL as ((void *)0), a pointer,
#                  and the one such function (shim_concat) carries
#                  __attribute__((sentinel)), which gcc checks.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cppcheck >/dev/null; then
    echo "lint: cppcheck is not installed (scripts/deps.sh installs it)" >&2
    exit 1
fi
DIRS=(common shim collector analyzer cli tui)
INCS=()
for d in "${DIRS[@]}"; do INCS+=(-I "$d"); done
status=0
# -D__attribute__(x)=: cppcheck 2.10 cannot parse attributes on function
# pointer members (shim.h); ElfW is <link.h>'s, spelled out for x86-64.
cppcheck --quiet --std=c11 --enable=warning,portability,performance --inline-suppr \
    --error-exitcode=1 -j "$(nproc)" \
    -D_GNU_SOURCE -D__EXCEPTIONS -DHEAPQL_VERSION='"lint"' "-D__attribute__(x)=" \
    "-DElfW(t)=Elf64_##t" \
    --suppress=missingIncludeSystem --suppress=varFuncNullUB \
    --template='{file}:{line}: {severity} ({id}): {message}' \
    "${INCS[@]}" "${DIRS[@]}" || status=1
for f in scripts/*.sh tests/e2e/*.sh tests/fuzz/*.sh; do
    bash -n "$f" || status=1
done
for f in tests/fuzz/*.py; do
    python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$f" || status=1
done
[ "$status" = 0 ] && echo "lint: clean"
exit "$status"
