#!/usr/bin/env bash
# bench/analysis.sh -- how fast one large recording can be read: heapql's
# symbolization and `report summary|top|leaks` against heaptrack_print on
# heaptrack's recording of the same workload.
#   usage: bench/analysis.sh [WORKLOAD=clang] [REPEATS=5]
# WORKLOAD is `clang` (clang++ -O2 compiling a generated C++ file: one
# process, about 13.7M allocations and 23,000 distinct frames, in libLLVM and
# libclang-cpp; CLANG_CLASSES=24 sets its size) or one of bench/workloads.sh.
# The workload is recorded once by each tool.  heaptrack_print must have read
# heaptrack's file: exit status 0, a report, and the allocation count heapql
# recorded (within 1%), else the script stops.  Then every step runs REPEATS
# times (symbolization each time on a fresh copy of the unsymbolized
# database) and bench/analysis.md gets the medians: wall and CPU (user +
# sys) seconds, and the peak RSS.  KEEP=1 keeps the recordings (the path is
# printed).
set -euo pipefail
cd "$(dirname "$0")/.."
WL=${1:-clang}
REPEATS=${2:-5}
BUILD=$(realpath -m "${BUILD:-build}")
HEAPQL=$BUILD/bin/heapql
WORK=$(mktemp -d /tmp/heapql-analysis.XXXXXX)
trap 'if [ -n "${KEEP:-}" ]; then echo "bench: recordings kept in $WORK" >&2; else rm -rf "$WORK"; fi' EXIT
. bench/workloads.sh
die() { echo "bench: $*" >&2; exit 1; }
[ -x "$HEAPQL" ] || die "build heapql first ($HEAPQL)"
for t in heaptrack heaptrack_print sqlite3 /usr/bin/time; do
    command -v "$t" >/dev/null || die "$t is not installed (scripts/deps.sh)"
done

# ---- the clang workload ------------------------------------------------------
CLANG_CLASSES=${CLANG_CLASSES:-24}
clang_source() {
    printf '#include <%s>\n' algorithm functional iostream map memory regex set sstream string \
        unordered_map vector variant future filesystem random
    for i in $(seq "$CLANG_CLASSES"); do cat <<EOF
struct S$i { int a; std::string b; bool operator<(const S$i &o) const { return a < o.a; } };
int use$i(int n) {
    std::map<std::string, std::vector<S$i>> m; std::set<S$i> s; std::unordered_map<int, S$i> u;
    std::function<int(const S$i &)> f = [n](const S$i &x) { return x.a + n; };
    for (int k = 0; k < n; k++) { S$i x{k, std::to_string(k)}; m[x.b].push_back(x); s.insert(x); u[k] = x; }
    std::vector<S$i> v(s.begin(), s.end()); std::sort(v.begin(), v.end());
    std::ostringstream os; for (auto &x : v) os << f(x) << x.b;
    return (int)os.str().size() + (int)u.size();
}
EOF
    done
    echo 'int main() { std::regex r("[a-z]+"); std::mt19937 g; int t = 0;'
    for i in $(seq "$CLANG_CLASSES"); do echo "  t += use$i($i);"; done
    echo '  std::cout << t << std::filesystem::current_path() << g() << std::endl; }'
}
wl_clang() { "$@" clang++ -std=c++17 -O2 -c "$WORK/tu.cpp" -o /dev/null; }
if [ "$WL" = clang ]; then
    command -v clang++ >/dev/null || die "clang++ is not installed (or choose another workload)"
    clang_source >"$WORK/tu.cpp"
fi
declare -F "wl_$WL" >/dev/null || die "unknown workload $WL"

# ---- one recording with each tool ---------------------------------------------
"wl_$WL" "$HEAPQL" run -q --no-symbolize -o "$WORK/h.db" -- >/dev/null 2>"$WORK/err" ||
    die "heapql run failed: $(tail -n 1 "$WORK/err")"
"wl_$WL" heaptrack -o "$WORK/ht" >/dev/null 2>&1 || die "heaptrack failed"
HT=$(ls "$WORK"/ht.*)
q() { sqlite3 "$WORK/h.db" "$1"; }
allocs=$(q 'SELECT sum(alloc_calls) FROM processes')
frames=$(q 'SELECT count(*) FROM frames')
callsites=$(q 'SELECT count(*) FROM callsites')

# heaptrack_print on heaptrack's file, once to check it read the same run.
heaptrack_print "$HT" >"$WORK/htp.txt" 2>"$WORK/htp.err" ||
    die "heaptrack_print $HT failed: $(tail -n 1 "$WORK/htp.err")"
ht_allocs=$(sed -n 's/^calls to allocation functions: \([0-9]*\).*/\1/p' "$WORK/htp.txt")
[ -n "$ht_allocs" ] || die "heaptrack_print printed no allocation count ($(wc -c <"$WORK/htp.txt") bytes)"
awk -v a="$allocs" -v b="$ht_allocs" 'BEGIN { d = a - b; exit !(a > 0 && (d < 0 ? -d : d) <= a / 100) }' ||
    die "heaptrack saw $ht_allocs allocations, heapql $allocs: not the same run"

# ---- timing ----------------------------------------------------------------
# timed FILE CMD...: run CMD once, append "wall cpu rss_kib" to FILE.
timed() {
    local out=$1
    shift
    /usr/bin/time -o "$WORK/time" -f '%e %U %S %M' "$@" >/dev/null 2>"$WORK/err" ||
        die "failed: $* ($(tail -n 1 "$WORK/err"))"
    awk '{ printf "%s %.2f %d\n", $1, $2 + $3, $4 }' "$WORK/time" >>"$out"
}
# median FILE COLUMN
median() {
    awk -v c="$2" '{ print $c }' "$1" | sort -n |
        awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
row() {
    printf '| %s | %.2f | %.2f | %.0f |\n' "$1" "$(median "$2" 1)" "$(median "$2" 2)" \
        "$(median "$2" 3 | awk '{ print $1 / 1024 }')"
}
for _ in $(seq "$REPEATS"); do
    cp "$WORK/h.db" "$WORK/s.db"
    timed "$WORK/t_sym" "$HEAPQL" symbolize "$WORK/s.db"
done
for r in summary top leaks; do
    for _ in $(seq "$REPEATS"); do timed "$WORK/t_$r" "$HEAPQL" report "$WORK/s.db" "$r"; done
done
for _ in $(seq "$REPEATS"); do timed "$WORK/t_htp" heaptrack_print "$HT"; done

fmt() { echo "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'; } # 11423554 -> 11,423,554
{
    echo "\`bench/analysis.sh $WL $REPEATS\`: reading one $WL recording, heapql $(fmt "$allocs") allocations (heaptrack: $(fmt "$ht_allocs")),"
    echo "$(fmt "$frames") distinct frames, $(fmt "$callsites") call sites; database $(($(stat -c %s "$WORK/h.db") >> 20)) MiB,"
    echo "heaptrack file $(($(stat -c %s "$HT") >> 20)) MiB.  Measured $(date -u +%Y-%m-%d) on $(nproc) cores"
    echo "(load $(cut -d' ' -f1 /proc/loadavg)), medians of $REPEATS runs; heaptrack $(heaptrack --version 2>/dev/null | awk '{print $2}')."
    echo
    echo "| step | wall s | CPU s (user+sys) | peak RSS MiB |"
    echo "|---|---:|---:|---:|"
    row "heapql symbolize ($(fmt "$frames") frames; once per recording, stored)" "$WORK/t_sym"
    row "heapql report summary" "$WORK/t_summary"
    row "heapql report top" "$WORK/t_top"
    row "heapql report leaks" "$WORK/t_leaks"
    row "heaptrack_print (all its reports in one run; symbols resolved while recording)" "$WORK/t_htp"
} | tee bench/analysis.md
