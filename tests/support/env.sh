# The shell suites' side of tests/support/env.h: what a test needs from the machine, probed by
# the test_env program (ctest passes its path in SYSGATE_TEST_ENV). A missing need skips, with
# the reason on a line of its own that `make check` sums up: never a failure, and never for a
# failure of sysgate's (the probes do the operation itself, without sysgate).
test_env=${SYSGATE_TEST_ENV:-}
if [[ ! -x $test_env ]]; then
  echo "SYSGATE_TEST_ENV must name the test_env program (ctest sets it: build/tests/test_env)" >&2
  exit 2
fi

# need NEED...: true when the environment meets every NEED; otherwise false, with the reason in
# $why. An unknown NEED is the test's mistake: the test stops there, failing.
need() {
  why=$("$test_env" "$@")
  local rc=$?
  ((rc <= 1)) || { echo "FAIL: test_env $* exited $rc"; exit 2; }
  ((rc == 0))
}

# skip_part REASON: a part of the test is not run here; the rest still is.
skip_part() { echo "skip: $*"; }

# skip_all REASON: nothing of the test can run here (ctest's SKIP_RETURN_CODE).
skip_all() {
  echo "skip: $*"
  exit 77
}
