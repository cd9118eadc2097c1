#!/usr/bin/env bash
# Installs what the build and the tests need, and nothing else; idempotent and quick when all is
# there. Usage: scripts/setup.sh [--browser]
#   - the Rust target wasm32-unknown-unknown and the rustfmt and clippy components (rustup);
#   - the wasm-bindgen CLI (wasm-bindgen, wasm-bindgen-test-runner) of exactly the version that
#     Cargo.toml pins (cargo install);
#   - node_modules (npm ci from package-lock.json);
#   - with --browser: Chromium and ChromeDriver (apt-get), for the wasm-bindgen tests in a browser.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "setup: unknown argument $arg" >&2; exit 2 ;;
  esac
done

say() { printf 'setup: %s\n' "$*"; }

# Cargo's bin directory is where rustup and cargo install put things.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust with rustup (https://rustup.rs)" >&2; exit 1; }
command -v node >/dev/null || { echo "setup: node not found; install Node.js 20 or later" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || { echo "setup: Node $(node --version) is too old; Node 20 or later is needed" >&2; exit 1; }

# 1. The wasm32 target.
if command -v rustup >/dev/null; then
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rust target wasm32-unknown-unknown: present"
  else
    say "rust target wasm32-unknown-unknown: installing (rustup target add)"
    rustup target add wasm32-unknown-unknown
  fi
elif [ -d "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown" ]; then
  say "rust target wasm32-unknown-unknown: present (no rustup)"
else
  echo "setup: the wasm32-unknown-unknown target is missing and rustup is not available" >&2; exit 1
fi

# 1b. rustfmt and clippy, for the lint suite.
if command -v rustup >/dev/null; then
  for component in rustfmt clippy; do
    if rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
      say "rust component $component: present"
    else
      say "rust component $component: installing (rustup component add)"
      rustup component add "$component"
    fi
  done
fi

# 2. The wasm-bindgen CLI, the exact version Cargo.toml pins (the CLI and the crate must agree).
want=$(sed -n 's/^wasm-bindgen[[:space:]]*=[[:space:]]*{\{0,1\}[^"]*"=\{0,1\}\([0-9][0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
[ -n "$want" ] || { echo "setup: could not read the wasm-bindgen version from Cargo.toml" >&2; exit 1; }
have=$( (wasm-bindgen --version 2>/dev/null || true) | awk '{print $2}')
have_runner=$( (wasm-bindgen-test-runner --version 2>/dev/null || true) | awk '{print $2}')
if [ "$have" = "$want" ] && [ "$have_runner" = "$want" ]; then
  say "wasm-bindgen CLI $want: present"
else
  say "wasm-bindgen CLI $want: installing (found '${have:-none}'; cargo install, takes a few minutes)"
  cargo install wasm-bindgen-cli --version "$want" --force
  wasm-bindgen --version
fi

# 3. node_modules, as locked.
stamp=node_modules/.setup-stamp
# Every dependency of package.json present at the version it asks for (exact pins)?
deps_ok() {
  node -e '
    const fs = require("fs");
    const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
    const deps = { ...p.dependencies, ...p.devDependencies };
    for (const [name, want] of Object.entries(deps)) {
      const f = `node_modules/${name}/package.json`;
      if (!fs.existsSync(f)) process.exit(1);
      if (/^\d/.test(want) && JSON.parse(fs.readFileSync(f, "utf8")).version !== want) process.exit(1);
    }' 2>/dev/null
}
if [ -f package-lock.json ]; then
  if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ "$stamp" -nt package.json ] && deps_ok; then
    say "node_modules: up to date with package-lock.json"
  else
    say "node_modules: installing (npm ci)"
    npm ci --no-audit --no-fund
    touch "$stamp"
  fi
elif [ -f "$stamp" ] && [ "$stamp" -nt package.json ] && deps_ok; then
  say "node_modules: up to date with package.json"
else
  say "node_modules: installing (npm install)"
  npm install --no-audit --no-fund
  touch "$stamp"
fi
# binaryen's wasm-opt ships as JS+wasm in the package: it needs no install script. Check it runs.
node_modules/.bin/wasm-opt --version >/dev/null || { echo "setup: node_modules/.bin/wasm-opt does not run" >&2; exit 1; }

# 4. Chromium and ChromeDriver, only when asked.
if [ "$browser" = 1 ]; then
  chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
  driver=$(command -v chromedriver || true)
  if [ -n "$chrome" ] && [ -n "$driver" ]; then
    say "chromium + chromedriver: present ($driver)"
  else
    command -v apt-get >/dev/null || { echo "setup: Chromium and ChromeDriver are missing and apt-get is not available; install them and put chromedriver on PATH" >&2; exit 1; }
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    say "chromium + chromedriver: installing (apt-get)"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver
  fi
fi
say "ready"
