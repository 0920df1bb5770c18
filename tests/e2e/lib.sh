# Shared by the e2e scripts: `expect` runs a command and checks its exit status and output;
# `finish` prints the count line and sets the exit status. `need`, `skip_part` and `skip_all`
# (support/env.sh) say what a test needs from the machine.
pass=0 fail=0
source "$(dirname "${BASH_SOURCE[0]}")/../support/env.sh"
# Debian's interpreter, not a wrapper script some PATH puts first (pyenv shims run bash).
py=/usr/bin/python3
[[ -x $py ]] || py=$(command -v python3)

# make_scratch: a scratch directory in $tmp (world-readable, for runs as nobody), removed at exit.
make_scratch() {
  tmp=$(mktemp -d)
  chmod 755 "$tmp"
  trap 'rm -rf "$tmp"' EXIT
}

# sys 'NR, ARGS...': python3 code that makes a raw syscall and prints its errno (0 on success).
# (Each argument is passed as a C long: ctypes would pass a Python int as an int and cut its
# upper half, so a test of high bits would test nothing.)
sys() { echo "import ctypes; l = ctypes.CDLL(None, use_errno=True); l.syscall.restype = ctypes.c_long; r = l.syscall(*map(ctypes.c_long, ($1,))); print('errno', ctypes.get_errno() if r == -1 else 0)"; }

# Python code for exec attempts: memfd + execveat of /bin/true, and execve with a NULL envp.
# Each prints its errno if the exec fails (the exec'd /bin/true prints nothing).
memfd_execveat='import os, ctypes
fd = os.memfd_create("x"); os.write(fd, open("/bin/true", "rb").read())
l = ctypes.CDLL(None, use_errno=True); argv = (ctypes.c_char_p * 2)(b"true", None)
l.syscall(322, fd, b"", argv, (ctypes.c_char_p * 1)(None), 0x1000); print("errno", ctypes.get_errno())'
execve_null_envp='import ctypes
l = ctypes.CDLL(None, use_errno=True); argv = (ctypes.c_char_p * 2)(b"true", None)
l.syscall(59, b"/bin/true", argv, None); print("errno", ctypes.get_errno())'

# expect NAME WANT_EXIT WANT_OUTPUT_SUBSTRING -- CMD...   (stdout and stderr merged)
expect() { lib_expect "to contain" "$@"; }
# expect_without NAME WANT_EXIT UNWANTED_SUBSTRING -- CMD...: output without UNWANTED.
expect_without() { lib_expect "not to contain" "$@"; }
# expect_line NAME WANT_EXIT LINE -- CMD...: a whole line of the output is LINE ("1" is not "11").
expect_line() { lib_expect "to have the line" "$@"; }

lib_expect() {  # HOW ("to contain", "not to contain", "to have the line") NAME WANT_EXIT TEXT -- CMD...
  local how=$1 name=$2 want_rc=$3 text=$4
  shift 5
  local out rc wanted=no found=no
  out=$("$@" 2>&1)
  rc=$?
  [[ $how != "not to contain" ]] && wanted=yes
  if [[ $how == "to have the line" ]]; then
    grep -qxF -- "$text" <<< "$out" && found=yes
  elif [[ $out == *"$text"* ]]; then
    found=yes
  fi
  if [[ $rc -ne $want_rc ]] || [[ $found != "$wanted" ]]; then
    echo "FAIL: $name: exit $rc (want $want_rc), output:"
    echo "$out" | sed 's/^/    /' | head -20
    echo "  wanted $how: $text"
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
}

# expect_reaching CALL NAME ...: `expect NAME ...` for a check of what sysgate's supervisor does
# with the syscall CALL (NAME[,ARG...] as the command makes it; test_env's reaches:). Where the
# environment's own filter fails or kills CALL first (a container's profile), the supervisor
# never sees it: the check is skipped, saying what the environment answered.
expect_reaching() {
  local call=$1
  shift
  if need "reaches:$call"; then
    expect "$@"
  else
    not_checked "$1"
  fi
}

# not_checked WHAT: the checks WHAT are skipped here, for the reason in $why (alone on its skip
# line, so that make check's summary puts together what one reason skips).
not_checked() {
  echo "not checked: $*"
  skip_part "$why"
}

# expect_call NAME WANT_EXIT WANT_OUTPUT CALL [RUN_OPTION...]: `sysgate run RUN_OPTION...` on
# python making the raw syscall CALL (NR,ARG..., integer literals) and printing its errno: a
# check of sysgate's answer, skipped where the environment's filter answers CALL first.
expect_call() {
  local name=$1 want_rc=$2 want_out=$3 call=$4
  shift 4
  expect_reaching "$call" "$name" "$want_rc" "$want_out" -- "$sg" run "$@" -- "$py" -c "$(sys "$call")"
}

finish() {
  echo "$pass passed, $fail failed"
  ((fail == 0))
}
