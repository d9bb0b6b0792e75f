#!/usr/bin/env bash
# Runs the whole test suite with the system clock moved ahead (two years by default), to prove
# that no test depends on today's date: the application reads the time through one seam that the
# harness pins, so every date the tests use stays in the future whatever the date is.
#
#   tests/clock-shifted.sh            # +2y
#   tests/clock-shifted.sh +400d      # any offset faketime understands
#
# Cargo builds first, on the real clock (faked times would confuse its fingerprints); then each
# test binary runs under libfaketime, as `cargo test` would run it (from its package's folder).
# The monotonic clock is left alone (FAKETIME_DONT_FAKE_MONOTONIC=1): only the date moves, so
# timeouts, polls and the processes the tests start (Piazza, Python, Chromium, RabbitMQ) behave.
# Needs `faketime` (Debian: apt-get install faketime) and `jq`.
set -euo pipefail
cd "$(dirname "$0")/.."

offset="${1:-+2y}"
command -v faketime >/dev/null || { echo "faketime is not installed (apt-get install faketime)" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is not installed (apt-get install jq)" >&2; exit 1; }

echo "==> building the tests (real clock)"
binaries=$(cargo test --workspace --no-run --message-format=json 2>/dev/null \
  | jq -r 'select(.reason == "compiler-artifact" and .profile.test == true and .executable != null)
           | "\(.manifest_path)\t\(.executable)"')
[ -n "$binaries" ] || { echo "no test binaries built" >&2; exit 1; }

# `faketime` takes "+2y"-style offsets as relative: the clock starts that far ahead and runs.
export FAKETIME_DONT_FAKE_MONOTONIC=1
echo "==> running the suite with the clock at $(faketime -f "$offset" date -u +%FT%TZ) ($offset)"
started=$(date +%s)
failed=()
while IFS=$'\t' read -r manifest executable; do
  package_dir=$(dirname "$manifest")
  echo "==> $(basename "$executable") (in ${package_dir#"$PWD"/})"
  if ! (cd "$package_dir" && faketime -f "$offset" "$executable"); then
    failed+=("$(basename "$executable")")
  fi
done <<< "$binaries"
elapsed=$(( $(date +%s) - started ))

echo "==> clock shifted by $offset: ${elapsed}s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
