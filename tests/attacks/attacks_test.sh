#!/usr/bin/env bash
# A program under `sysgate run` attacks its supervisor (tests/attacks/attacker.cc), then makes a
# call its policy denies and one its policy kills. Whatever the attack, the denied call must not
# run and the killed one must not return. One attack per invocation, tried under the built-in
# `default` and `strict` profiles and a deny-list policy, in both modes (default and --exec),
# as root and as an unprivileged user.
# Usage: attacks_test.sh SYSGATE ATTACKER ATTACK
set -uo pipefail
sg=$1 attacker=$2 attack=$3
source "$(dirname "$0")/../e2e/lib.sh"
make_scratch

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: the attacks run as root and as nobody, which needs root to set up"
  exit 0
fi
cat > "$tmp/denylist.sgp" <<'POLICY'
# A deny-list: everything runs but what is named; the attacker's means stay allowed.
default allow
errno(EPERM) unshare, mount, setns
kill-process mincore
POLICY

users=(root)
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
  users+=(nobody)
else
  echo "note: no user nobody or no setpriv: the attacks run as root only"
fi

# Processes of one run that may outlive it (a stopped supervisor, the prober): released and
# ended, so that nothing is left behind.
cleanup_run() {
  local tag=$1 i pid left
  local -a pids
  mapfile -t pids < <(pgrep -f "ATTACK_TAG=$tag")
  ((${#pids[@]})) || return 0
  kill -CONT "${pids[@]}" 2>/dev/null
  for i in $(seq 20); do
    left=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left=1; done
    ((left)) || return 0
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null
}

# What the supervisor processes of a run execute besides the sysgate executable: files a root
# program could write (a shared library). Empty when there is nothing. Sanitized builds link
# the sanitizers' runtimes dynamically: not checked there.
mapped_code() {
  local tag=$1 pid exe seen=0
  [[ -n ${SYSGATE_TEST_SANITIZED:-} ]] && return 0
  exe=$(realpath "$sg")
  for pid in $(pgrep -f "ATTACK_TAG=$tag"); do
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sysgate* ]] || continue
    seen=1
    awk -v exe="$exe" '$2 ~ /x/ && $6 ~ /^\// && $6 != exe {print "the supervisor runs code from " $6}' "/proc/$pid/maps" | head -1
  done
  ((seen)) || echo "no supervisor process to look at"
}

# run_one USER MODE POLICY: one attack, then the probes; checks what the prober saw.
run_one() {
  local user=$1 mode=$2 policy=$3 probes=errno
  local -a policy_args mode_args=() as=()
  case $policy in
    default|strict) policy_args=(--profile "$policy") ;;
    denylist) policy_args=(-p "$tmp/denylist.sgp"); probes="errno kill" ;;
  esac
  [[ $mode == exec ]] && mode_args=(--exec)
  [[ $user == nobody ]] && as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  local tag="$attack-$user-$mode-$policy-$$-$RANDOM"
  local res="$tmp/$tag.result"
  : > "$res" && chmod 666 "$res"
  # In the background: a supervisor whose code the attack replaced never exits by itself.
  # shellcheck disable=SC2086
  timeout -k 5 60 "${as[@]}" "$sg" run "${mode_args[@]}" --env "ATTACK_TAG=$tag" --env "ATTACK_RESULT=$res" \
    "${policy_args[@]}" -- "$attacker" "$attack" $probes > "$tmp/$tag.out" 2>&1 &
  local job=$! i
  for i in $(seq 200); do
    grep -q "prober: done" "$res" && break
    kill -0 "$job" 2>/dev/null || { grep -q "prober: done" "$res" || sleep 0.1; }
    sleep 0.1
  done
  local mapped=""
  [[ $attack == lib ]] && mapped=$(mapped_code "$tag")
  cleanup_run "$tag"
  wait "$job" 2>/dev/null
  local name="$attack [$policy, ${mode}, $user]" why=""
  grep -q "prober: done" "$res" || why="the prober did not finish"
  grep -q "probe errno:" "$res" || why="no errno probe"
  # The attacks on the supervisor need one to aim at (the attacker finds it as any program could).
  case $attack in none|flood|exit-midway) ;; *) grep -qE "attacker: [1-9]" "$res" || why="no supervisor found to attack" ;; esac
  grep -qE "RAN|SURVIVED|WRONG|WROTE|ATTACHED|OPENED|took the listener" "$res" && why="the attack got through"
  [[ -n $mapped ]] && why=$mapped
  [[ $probes == *kill* ]] && grep -q "probe kill: HUNG" "$res" && why="a killed call hung instead"
  [[ $probes == *kill* ]] && ! grep -q "probe kill:" "$res" && why="no kill probe"
  if [[ -n $why ]]; then
    echo "FAIL: $name: $why"
    sed 's/^/    /' "$res" | head -30
    echo "    sysgate's output:"
    sed 's/^/    /' "$tmp/$tag.out" | head -20
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
}

for user in "${users[@]}"; do
  for mode in default exec; do
    for policy in default strict denylist; do
      run_one "$user" "$mode" "$policy"
    done
  done
done
finish
