#!/usr/bin/env bash
# The behaviour a container init must have, checked against any init binary (posixprocs-init,
# or tini as the reference): init-contract.sh INIT CASE. Prints "PASS CASE ..." or
# "FAIL CASE: why" and exits 0 or 1. Cases that need PID 1 run the init as PID 1 of a new PID
# namespace (unshare --pid --fork --kill-child=SIGKILL --mount-proc: root). Every wait is bounded.
set -uo pipefail
init=$1
case_name=$2
work=$(mktemp -d)
unshare_pid="" init_pid=""
# Whatever a failed case leaves behind goes. In a PID namespace, unshare's --kill-child
# takes the namespace's init, and with it every process in the namespace. Elsewhere, the
# program's process group (its orphans stay in it; they would hold our output open).
cleanup() {
    [ -s "$work/pgid" ] && kill -KILL -- "-$(tr -d ' ' < "$work/pgid")" 2>/dev/null
    [ -n "$init_pid" ] && kill -KILL "$init_pid" 2>/dev/null
    [ -n "$unshare_pid" ] && kill -KILL "$unshare_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

pass() { echo "PASS $case_name $*"; exit 0; }
fail() { echo "FAIL $case_name: $*"; exit 1; }
as_pid1() { unshare --pid --fork --kill-child=SIGKILL --mount-proc "$init" "$@"; }

# For a failure message: each process under PID (and PID itself) with its state and its
# blocked, ignored and caught signal masks, so a lost signal can be traced after the fact.
signal_masks() {
    local pid
    for pid in "$1" $(pgrep -P "$1"); do
        [ -r "/proc/$pid/status" ] || continue
        printf '[%s %s %s] ' "$pid" "$(tr '\0' ' ' < "/proc/$pid/cmdline" | cut -c1-40)" \
            "$(grep -E '^(State|SigPnd|ShdPnd|SigBlk|SigIgn|SigCgt):' "/proc/$pid/status" | tr -s '\t\n' '  ')"
    done
}

# Waits (bounded, 30 s) until the command succeeds.
wait_for() {
    local deadline=$((SECONDS + 30))
    until "$@"; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.02
    done
}

case $case_name in
exit-code)
    as_pid1 -- sh -c 'exit 7'
    code=$?
    [ $code -eq 7 ] || fail "exit code $code, expected 7"
    pass "exit code 7"
    ;;
killed-by-signal)
    as_pid1 -- sh -c 'kill -KILL $$'
    code=$?
    [ $code -eq 137 ] || fail "exit code $code, expected 137 (128 + SIGKILL)"
    pass "exit code 137"
    ;;
orphans-reaped)
    # 1,000 grandchildren orphaned at once (perl double-forks without exec, in one burst, cheap
    # even on a saturated machine): each child exits at once, so its child is re-parented to PID 1.
    # Inside the namespace, the program then counts zombies until none is left (bounded).
    cat > "$work/orphans.sh" <<'SCRIPT'
made=$(perl -e 'my $n = 0; for (1..1000) { my $p = fork // die "fork: $!"; if (!$p) { fork // die "fork: $!"; exit 0 } $n++ } 1 while wait != -1; print $n')
zombies() { grep -l '^State:[[:space:]]*Z' /proc/[0-9]*/status 2>/dev/null | wc -l; }
deadline=$((SECONDS + 60))
while [ "$(zombies)" -gt 0 ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
echo "orphans=$made zombies=$(zombies)"
SCRIPT
    out=$(as_pid1 -- bash "$work/orphans.sh")
    code=$?
    [ $code -eq 0 ] || fail "exit code $code: $out"
    [ "$out" = "orphans=1000 zombies=0" ] || fail "$out"
    pass "$out"
    ;;
signals-forwarded)
    # Each forwarded signal must reach the program, which records it; TERM last, which ends it.
    cat > "$work/traps.sh" <<SCRIPT
for s in HUP INT QUIT USR1 USR2 WINCH; do trap "echo \$s >> $work/got" \$s; done
trap "echo TERM >> $work/got; exit 0" TERM
touch $work/ready
while :; do sleep 0.02; done
SCRIPT
    # Job control on: a non-interactive shell starts background jobs with SIGINT and SIGQUIT
    # ignored, and a program cannot trap what it was started with ignored.
    set -m
    unshare --pid --fork --kill-child=SIGKILL --mount-proc "$init" -- bash "$work/traps.sh" &
    unshare_pid=$!
    wait_for test -e "$work/ready" || { fail "program never started"; }
    init_pid=$(pgrep -P $unshare_pid | head -n 1)
    [ -n "$init_pid" ] || { fail "no init process under unshare"; }
    expected=""
    for s in HUP INT QUIT USR1 USR2 WINCH TERM; do
        kill -s $s "$init_pid"
        expected="$expected$s "
        if ! wait_for sh -c "[ \"\$(tr '\n' ' ' < $work/got 2>/dev/null)\" = \"$expected\" ]"; then
            fail "after SIG$s the program had: $(tr '\n' ' ' < "$work/got" 2>/dev/null); $(signal_masks "$init_pid")"
        fi
    done
    wait $unshare_pid
    code=$?
    [ $code -eq 0 ] || fail "exit code $code after the TERM trap exited 0"
    pass "received: $expected"
    ;;
group-forwarding)
    # -g: a signal reaches the program's whole process group, a background job included.
    cat > "$work/group.sh" <<SCRIPT
sh -c 'trap "echo job >> $work/got; exit 0" TERM; while :; do sleep 0.02; done' &
trap "echo program >> $work/got; wait; exit 0" TERM
touch $work/ready
while :; do sleep 0.02; done
SCRIPT
    set -m
    unshare --pid --fork --kill-child=SIGKILL --mount-proc "$init" -g -- bash "$work/group.sh" &
    unshare_pid=$!
    wait_for test -e "$work/ready" || { fail "program never started"; }
    sleep 0.1 # the background job sets its trap
    init_pid=$(pgrep -P $unshare_pid | head -n 1)
    kill -s TERM "$init_pid"
    if ! wait_for sh -c "[ \$(cat $work/got 2>/dev/null | wc -l) -ge 2 ]"; then
        fail "only reached: $(tr '\n' ' ' < "$work/got" 2>/dev/null)"
    fi
    wait $unshare_pid
    pass "reached: $(sort "$work/got" | tr '\n' ' ')"
    ;;
subreaper)
    # Not PID 1: with -s, orphans of the program are re-parented to init, which reaps them.
    cat > "$work/subreaper.sh" <<SCRIPT
ps -o pgid= \$\$ > $work/pgid
for i in \$(seq 20); do (sleep 60 &); done
touch $work/ready
while [ ! -e $work/done ]; do sleep 0.02; done
SCRIPT
    "$init" -s -- bash "$work/subreaper.sh" &
    init_pid=$!
    wait_for test -e "$work/ready" || { fail "program never started"; }
    orphans=$(for child in $(cat /proc/$init_pid/task/*/children); do
        [ "$(cat /proc/$child/comm 2>/dev/null)" = sleep ] && echo "$child"; done)
    count=$(echo $orphans | wc -w)
    [ "$count" -eq 20 ] || { fail "$count of 20 orphans re-parented to init"; }
    kill -KILL $orphans
    zombie_children() {
        for child in $(cat /proc/$init_pid/task/*/children 2>/dev/null); do
            grep -q '^State:[[:space:]]*Z' /proc/$child/status 2>/dev/null && echo "$child"; done | wc -l
    }
    if ! wait_for sh -c "[ \$(for c in \$(cat /proc/$init_pid/task/*/children 2>/dev/null); do grep -l '^State:[[:space:]]*Z' /proc/\$c/status 2>/dev/null; done | wc -l) -eq 0 ]"; then
        left=$(zombie_children)
        touch "$work/done"; wait $init_pid
        fail "$left killed orphans left as zombies"
    fi
    touch "$work/done"
    wait $init_pid
    code=$?
    [ $code -eq 0 ] || fail "exit code $code"
    pass "20 orphans re-parented, killed and reaped"
    ;;
exec-failure)
    out=$("$init" -- /nonexistent/program 2>&1)
    code=$?
    [ $code -ne 0 ] || fail "exit code 0 for a program that does not exist"
    pass "exit code $code: $out"
    ;;
*)
    fail "unknown case"
    ;;
esac
