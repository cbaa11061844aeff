# Sourced by scripts/dev and scripts/test: installs what building the site needs, skipping
# everything already present so a second run costs seconds. Every probe goes through
# `command -v` first: under `set -euo pipefail` a `$(missing-tool --version | ...)` would end the
# calling script silently with 127 (scripts/check-toolchain tests each path on a bare PATH).

# cargo-leptos 0.3.11 needs rustc 1.96; 0.3.10 builds on stable. `no_downloads` because
# cargo-leptos would otherwise fetch tools from outside the package registries at run time.
CARGO_LEPTOS_VERSION=0.3.10

# Colours only on a terminal, so logs and checks read plain text. Each line says how far into
# the run it is (bash's SECONDS), so a log shows what each step cost.
log() {
  if [ -t 1 ]; then
    printf '\033[1;34m==>\033[0m [%ss] %s\n' "$SECONDS" "$*"
  else
    printf '==> [%ss] %s\n' "$SECONDS" "$*"
  fi
}
fail() { if [ -t 2 ]; then printf '\033[1;31m==> error:\033[0m %s\n' "$*"; else printf '==> error: %s\n' "$*"; fi >&2; }

# tool_version BINARY COMMAND...: the second word of the first line COMMAND prints, or nothing
# if BINARY is not on the PATH or COMMAND fails. Never fails itself.
tool_version() {
  command -v "$1" >/dev/null 2>&1 || return 0
  shift
  { "$@" 2>/dev/null || true; } | awk 'NR == 1 { print $2 }'
}

# timed_install WHAT ESTIMATE COMMAND...: runs an install step, saying what it does, how long it
# usually takes and how long it took; on failure, what failed and what to try.
timed_install() {
  local what=$1 estimate=$2 started
  shift 2
  log "installing $what (once per machine; $estimate)"
  started=$(date +%s)
  if ! "$@"; then
    fail "installing $what failed: $*"
    fail "check the network access to the package registry and the disk space (df -h ~/.cargo), then run this command again; the output above says what went wrong"
    return 1
  fi
  log "installed $what in $(( $(date +%s) - started ))s"
}

# cargo-leptos is a build tool that spends its time waiting for cargo and wasm-bindgen: an
# unoptimized build installs in half the CPU time of its release profile (LTO, one codegen unit;
# measured in the README). wasm-bindgen itself stays optimized: it rewrites the 29 MB debug wasm
# on every rebuild of scripts/dev, 5 s unoptimized.
fast_install() {
  cargo install --debug "$@"
}

ensure_wasm_target() {
  if ! command -v rustup >/dev/null 2>&1; then
    fail "rustup is not on the PATH: install Rust from https://rustup.rs, then run this again"
    return 1
  fi
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    timed_install "the wasm32-unknown-unknown target" "under a minute" \
      rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if [ "$(tool_version cargo-leptos cargo leptos --version)" != "$CARGO_LEPTOS_VERSION" ]; then
    timed_install "cargo-leptos $CARGO_LEPTOS_VERSION" "about 10 minutes on 2 cores" \
      fast_install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
}

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
ensure_wasm_bindgen() {
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if [ -z "$want" ]; then
    fail "Cargo.lock names no wasm-bindgen version; run this from the repository's root"
    return 1
  fi
  if [ "$(tool_version wasm-bindgen wasm-bindgen --version)" != "$want" ]; then
    # No --locked: the CLI's own lock file names a yanked crate.
    timed_install "wasm-bindgen-cli $want" "about 3 minutes" \
      cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# cargo-deb builds the Debian package (scripts/package); only that script needs it. Optimized:
# it compresses the whole binary and site on every run.
CARGO_DEB_VERSION=3.8.0

ensure_cargo_deb() {
  if [ "$(tool_version cargo-deb cargo deb --version)" != "$CARGO_DEB_VERSION" ]; then
    timed_install "cargo-deb $CARGO_DEB_VERSION" "a few minutes on 2 cores" \
      cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked
  fi
}

# wasm-opt shrinks the release wasm; cargo-leptos runs it for --release builds only.
ensure_wasm_opt() {
  if ! command -v wasm-opt >/dev/null 2>&1; then
    timed_install "binaryen (wasm-opt)" "under a minute" \
      sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binaryen >/dev/null'
  fi
}

ensure_toolchain() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if ! command -v cargo >/dev/null 2>&1; then
    fail "cargo is not on the PATH: install Rust from https://rustup.rs, then run this again"
    return 1
  fi
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
}
