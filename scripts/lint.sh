#!/usr/bin/env bash
# One style, checked: the Rust code formatted by rustfmt.toml and free of clippy warnings, natively
# and for wasm32; the JavaScript of www/, worker/, emulator/, scripts/, bench/ and tests/ formatted
# by Prettier (.prettierrc.json, .prettierignore; `npm run format` rewrites it). Prints one
# "lint: pass <check>" or "lint: FAIL <check>" line per check and exits non-zero if any failed.
# Run by `node scripts/test.mjs lint` (part of `npm test`).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
failed=0
check() {
  local name="$1"; shift
  if "$@"; then echo "lint: pass $name"; else echo "lint: FAIL $name"; failed=1; fi
}
check "cargo fmt --check" cargo fmt --all --check
check "cargo clippy (native, all targets)" cargo clippy --quiet --all-targets -- -D warnings
check "cargo clippy (wasm32 library)" cargo clippy --quiet --target wasm32-unknown-unknown --lib -- -D warnings
# The smaller package entries (Cargo.toml entry-*), so they stay warning-free too.
check "cargo clippy (wasm32, filter entry)" cargo clippy --quiet --target wasm32-unknown-unknown --lib --no-default-features --features entry-filter -- -D warnings
check "cargo clippy (wasm32, client entry)" cargo clippy --quiet --target wasm32-unknown-unknown --lib --no-default-features --features entry-client -- -D warnings
check "prettier --check" node_modules/.bin/prettier --check --log-level warn www worker emulator scripts bench tests
exit "$failed"
