# The Debian package: cpack builds it from the build directory (ctest names
# none: it is $HEAPQL_BIN's ../), its control fields and dependencies are
# right, it holds the binary, the shim, the man page, the completion and
# the schema, and its files work where they land (unpacked with dpkg-deb).
# Only as root with HEAPQL_TEST_DEB=1 (CI sets it) is it really installed
# with dpkg -i, a program recorded with /usr/bin/heapql, and removed again.
. "$(dirname "$0")/lib.sh"

BUILD=$(cd "$(dirname "$HEAPQL_BIN")/.." && pwd)
check_true "a configured build directory at $BUILD" test -f "$BUILD/CPackConfig.cmake"
(cd "$BUILD" && cpack --config CPackConfig.cmake -B "$T/pkg") >"$T/cpack.log" 2>&1
check_eq 0 "$?" "cpack (log: $(tail -3 "$T/cpack.log"))"
deb=$(ls "$T"/pkg/heapql_*.deb 2>/dev/null)
check_eq 1 "$(printf '%s\n' "$deb" | grep -c '\.deb$')" "one .deb built"
[ -f "$deb" ] || finish
version=$("$HEAPQL_BIN" --version | cut -d' ' -f2)
check_eq "heapql_${version}_$(dpkg --print-architecture).deb" "$(basename "$deb")" "file name"

f() { dpkg-deb -f "$deb" "$1"; }
check_eq heapql "$(f Package)" "Package"
check_eq "$version" "$(f Version)" "Version"
check_eq "$(dpkg --print-architecture)" "$(f Architecture)" "Architecture"
check_match ".+ <.+@.+>" "$(f Maintainer)" "Maintainer"
check_match "^heap allocation profiler" "$(f Description)" "Description"
for dep in libc6 libsqlite3-0 libdw1 libprotobuf-c1 zlib1g libunwind8; do
    check_match "(^|, )$dep( |,|$)" "$(f Depends)" "Depends (from dpkg-shlibdeps) has $dep"
done

list=$(dpkg-deb -c "$deb")
check_match "^-rwxr-xr-x root/root .* \./usr/bin/heapql$" "$list" "the binary, executable"
check_match " \./usr/lib/heapql/libheapql\.so$" "$list" "the shim"
check_match " \./usr/share/man/man1/heapql\.1\.gz$" "$list" "the man page"
check_match " \./usr/share/bash-completion/completions/heapql$" "$list" "the completion"
check_match " \./usr/share/heapql/schema/v1\.sql$" "$list" "the schema"
check_match " \./usr/share/heapql/schema/README\.md$" "$list" "the schema's documentation"
check_eq 0 "$(printf '%s\n' "$list" | grep -vc ' \./usr/')" "everything under /usr"

# exp_procs' known figures (see pkg_install.sh)
check_procs() {
    local db=$1 how=$2
    check_eq "2|131072" "$(q "$db" 'SELECT count(*), max(peak_heap_bytes) FROM processes')" "$how: processes"
    check_eq "16|131072|child_work" "$(q "$db" "SELECT count(*), sum(a.size), f.function
        FROM leaks a JOIN callsites c ON c.id = a.callsite_id JOIN frames f ON f.id = c.frame_id
        WHERE a.size = 8192")" "$how: child_work's blocks, symbolized"
    check_eq "3|300" "$(q "$db" 'SELECT count(*), sum(size) FROM leaks WHERE size = 100')" "$how: parent's leaks"
}

# The files as packaged, unpacked anywhere: heapql finds its shim beside it.
dpkg-deb -x "$deb" "$T/root"
env -u HEAPQL_SHIM -u HEAPQL_BIN "$T/root/usr/bin/heapql" run -q -o x.db -- "$HQ_PROGS/exp_procs"
check_eq 0 "$?" "the unpacked heapql records"
check_procs x.db "unpacked"

if [ "$(id -u)" != 0 ] || [ "${HEAPQL_TEST_DEB:-}" != 1 ]; then
    echo "note: the package was built and inspected; dpkg -i runs only as root with HEAPQL_TEST_DEB=1"
    finish
fi

if dpkg-query -W -f='${Status}' heapql 2>/dev/null | grep -q 'ok installed'; then
    check_true "no heapql package installed before this test (left alone)" false
    finish
fi
trap 'dpkg --purge heapql >/dev/null 2>&1; rm -rf "$T"' EXIT
dpkg -i "$deb" >"$T/dpkg.log" 2>&1
check_eq 0 "$?" "dpkg -i (log: $(tail -3 "$T/dpkg.log"))"
check_eq "install ok installed" "$(dpkg-query -W -f='${Status}' heapql)" "installed"
check_eq "heapql $version" "$(/usr/bin/heapql --version)" "/usr/bin/heapql --version"
env -u HEAPQL_SHIM -u HEAPQL_BIN /usr/bin/heapql run -o i.db -- "$HQ_PROGS/exp_procs" 2>"$T/run.err"
check_eq 0 "$?" "/usr/bin/heapql run"
check_match "leaked +128.29 KiB in 19 blocks" "$(cat "$T/run.err")" "its summary"
check_procs i.db "installed"
check_eq /usr/lib/heapql/libheapql.so \
    "$(q i.db "SELECT DISTINCT path FROM modules WHERE path LIKE '%libheapql.so'")" "the installed shim"
check_match "child_work" "$(/usr/bin/heapql report i.db leaks)" "installed heapql reports"
dpkg --purge heapql >"$T/dpkg.log" 2>&1
check_eq 0 "$?" "dpkg --purge"
check_true "/usr/bin/heapql removed" test ! -e /usr/bin/heapql
check_true "/usr/lib/heapql removed" test ! -e /usr/lib/heapql/libheapql.so
check_eq "" "$(dpkg-query -W -f='${Status}' heapql 2>/dev/null)" "nothing of the package left in dpkg's database"
finish
