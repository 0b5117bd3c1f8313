# rel_lib.sh -- helpers of the reliability tests (tests/e2e/rel_*.sh),
# sourced after tests/e2e/lib.sh.  Nothing here sleeps for a fixed time to
# let something happen: waits poll a condition until a deadline.

# wait_until SECONDS COMMAND...: poll (every 50 ms) until COMMAND succeeds;
# 1 when the deadline passes first.
wait_until() {
    local end=$((SECONDS + $1)); shift
    until "$@"; do
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 0.05
    done
    return 0
}

# meta DB KEY: a value of the meta table ('' when absent).
meta() { q "$1" "SELECT value FROM meta WHERE key = '$2'" 2>/dev/null; }

# check_valid DB WHAT: a SQLite file that passes integrity_check, schema v1.
check_valid() {
    check_eq ok "$(q "$1" 'PRAGMA integrity_check' 2>&1)" "$2: integrity_check"
    check_eq 1 "$(q "$1" 'PRAGMA user_version' 2>&1)" "$2: schema version"
}

# check_truthful DB WHAT: status is complete or truncated, and says so
# truthfully: complete means no event lost and no reason; truncated names
# a reason.
check_truthful() {
    local st lost reason
    st=$(meta "$1" status)
    lost=$(q "$1" "SELECT coalesce(sum(lost_events), 0) FROM processes")
    reason=$(meta "$1" truncated_reason)
    check_match '^(complete|truncated)$' "$st" "$2: status complete or truncated"
    if [ "$st" = complete ]; then
        check_eq "0|0|" "$(meta "$1" events_lost)|$lost|$reason" "$2: complete means nothing lost"
    else
        check_match '.' "$reason" "$2: a truncated recording says why"
    fi
}

# rss_kb PID: VmRSS in KiB (empty when the process is gone).
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# no_crash_in FILE WHAT: no sanitizer report in FILE.
no_crash_in() {
    CHECKS=$((CHECKS + 1))
    if grep -Eq 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$1"; then
        FAILS=$((FAILS + 1))
        echo "FAIL: $2: sanitizer report:" >&2
        head -20 "$1" >&2
    fi
}
