# Shared helpers for integration tests (sourced, not run).

# skip MESSAGE: marks the test skipped, with one line saying why.
skip() { echo "skipped: $*"; exit 77; }
# fail MESSAGE: fails the test.
fail() { echo "FAIL: $*"; exit 1; }

# need_shared SUBDIR: skips unless $MIXQ_SHARED/SUBDIR exists.
need_shared() {
  [ -e "$MIXQ_SHARED/$1" ] || skip "$MIXQ_SHARED/$1 is absent (set MIXQ_SHARED to the shared folder)"
}
