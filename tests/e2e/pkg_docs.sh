# The user documentation agrees with itself and with the commands: `heapql
# help CMD`, each command's own --help, the man page's section for CMD and
# the bash completion name the same long options; every command has help, a
# man section and completion; the man page renders without groff warnings
# and documents the exit codes.
. "$(dirname "$0")/lib.sh"

MAN=$HQ_SRC/packaging/heapql.1
COMPL=$HQ_SRC/packaging/heapql.bash-completion
longopts() { grep -oE -- '--[a-z][a-z-]*[a-z]' | sort -u; }
# the man page's section of a command, troff dashes made plain
man_section() {
    sed -n "/^\.SS \"heapql $1[ \"]/,/^\.S[SH] /p" "$MAN" | sed '$d' | sed 's/\\-/-/g'
}
# options the completion offers for a command
compl_opts() { bash -c '. "$1"; _heapql_options "$2"' _ "$COMPL" "$1" | tr ' ' '\n' | grep -- '^--' | sort -u; }
missing() { # missing LIST-A LIST-B: words of A not in B
    comm -23 <(printf '%s\n' "$1" | grep . | sort -u) <(printf '%s\n' "$2" | grep . | sort -u) | tr '\n' ' '
}

# the commands of `heapql --help`, but the internal collector
cmds=$("$HEAPQL_BIN" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' | grep -v '^collect$')
check_match "export" "$cmds" "heapql --help lists export"
for c in $cmds; do
    help=$("$HEAPQL_BIN" help "$c" 2>"$T/e")
    check_eq "0|" "$?|$(cat "$T/e")" "heapql help $c"
    check_match "^usage: heapql $c( |$)" "$help" "help $c: usage line"
    hopts=$(printf '%s\n' "$help" | longopts)
    sect=$(man_section "$c")
    check_true "man: a section for $c" test -n "$sect"
    mopts=$(printf '%s\n' "$sect" | longopts)
    copts=$(compl_opts "$c" | grep -v '^--help$')
    check_eq "" "$(missing "$hopts" "$mopts")" "$c: help options missing from the man page"
    check_eq "" "$(missing "$mopts" "$hopts")" "$c: man page options missing from help"
    check_eq "" "$(missing "$hopts" "$copts")" "$c: help options missing from the completion"
    check_eq "" "$(missing "$copts" "$hopts")" "$c: completion options missing from help"
    # the command's own usage (where it has one) names nothing help does not
    own=$("$HEAPQL_BIN" "$c" --help 2>&1 | longopts | grep -v '^--help$')
    check_eq "" "$(missing "$own" "$hopts")" "$c: options of '$c --help' missing from help"
    check_match "(^| )$c( |$)" "$(bash -c '. "$1"; echo $_heapql_commands' _ "$COMPL")" \
        "completion knows $c"
done
# report's subcommands: help and completion
rsubs=$("$HEAPQL_BIN" help report | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
csubs=$(sed -n '/compgen -W "summary/,/flamegraph"/p' "$COMPL" | tr '\n' ' ' |
        sed 's/.*compgen -W "\([^"]*\)".*/\1/' | tr -s ' ' '\n')
check_eq "" "$(missing "$rsubs" "$csubs")" "report subcommands missing from the completion"
check_eq "" "$(missing "$csubs" "$rsubs")" "completion's report subcommands missing from help"

"$HEAPQL_BIN" help nosuch >"$T/o" 2>"$T/e"
check_eq "2|1|0" "$?|$(wc -l <"$T/e")|$(wc -c <"$T/o")" "help of an unknown command: exit 2, one line"

groff -man -Tutf8 -ww -P-cbou "$MAN" >"$T/man.txt" 2>"$T/e"
check_eq "0|" "$?|$(cat "$T/e")" "groff: no warnings"
exits=$(sed -n '/^EXIT STATUS/,/^FILES/p' "$T/man.txt")
for code in 0 1 2 127 '128\+N'; do
    check_match "(^| )$code( |$)" "$exits" "exit status $code documented"
done
check_match "^ENVIRONMENT" "$(cat "$T/man.txt")" "environment documented"
for v in HEAPQL_OUTPUT HEAPQL_DEPTH HEAPQL_RING_MB HEAPQL_SHIM HEAPQL_BIN; do
    check_match "$v" "$(sed -n '/^ENVIRONMENT/,/^EXIT STATUS/p' "$T/man.txt")" "man: $v"
done
finish
