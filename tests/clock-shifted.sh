#!/usr/bin/env bash
# Runs the whole test suite with the system clock moved ahead (two years by default), to prove
# that no test depends on today's date: the application reads the time through one seam that the
# harness pins, so every date the tests use stays in the future whatever the date is.
#
#   tests/clock-shifted.sh                  # +2y, every test
#   tests/clock-shifted.sh +400d            # any offset libfaketime understands (m, h, d, y)
#   tests/clock-shifted.sh +2y booking::    # further arguments go to each test binary
#
# Cargo builds first, on the real clock (faked times would confuse its fingerprints); then each
# test binary runs under libfaketime, as `cargo test` would run it (from its package's folder).
# The monotonic clock is left alone (FAKETIME_DONT_FAKE_MONOTONIC=1): only the date moves, so
# timeouts, polls and the processes the tests start (Piazza, Python, Chromium, RabbitMQ) behave.
# Run it where the suite runs (after `tests/run` prepared the machine); it needs `faketime`
# (which `tests/run` installs) and python3. Chromium keeps the real date: it cannot run under
# libfaketime (see tests/src/browser.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

offset="${1:-+2y}"
shift || true
command -v faketime >/dev/null || { echo "faketime is not installed (apt-get install faketime)" >&2; exit 1; }
# What tests/run prepared (database URL, Python tools), unless the environment says otherwise.
state="${XDG_CACHE_HOME:-$HOME/.cache}/piazza/test.env"
if [ -f "$state" ] && [ -z "${PIAZZA_TEST_DATABASE_URL:-}" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$state"
  set +a
fi
if [ -n "${PIAZZA_TEST_PATH_PREFIX:-}" ]; then export PATH="$PIAZZA_TEST_PATH_PREFIX:$PATH"; fi

echo "==> building the tests (real clock)"
cargo test --workspace --no-run
binaries=$(cargo test --workspace --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("profile", {}).get("test") and m.get("executable"):
        print(m["manifest_path"] + "\t" + m["executable"])
')
[ -n "$binaries" ] || { echo "no test binaries built" >&2; exit 1; }

# `faketime` takes "+2y"-style offsets as relative: the clock starts that far ahead and runs.
export FAKETIME_DONT_FAKE_MONOTONIC=1
echo "==> running the suite with the clock at $(faketime -f "$offset" date -u +%FT%TZ) ($offset)"
started=$(date +%s)
failed=()
while IFS=$'\t' read -r manifest executable; do
  package_dir=$(dirname "$manifest")
  echo "==> $(basename "$executable") (in ${package_dir#"$PWD"/})"
  if ! (cd "$package_dir" && faketime -f "$offset" "$executable" "$@"); then
    failed+=("$(basename "$executable")")
  fi
done <<< "$binaries"
elapsed=$(( $(date +%s) - started ))

echo "==> clock shifted by $offset: ${elapsed}s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
