# Sourced by scripts/dev and scripts/test: installs what building the site needs, skipping
# everything already present so a second run costs seconds.

# cargo-leptos 0.3.11 needs rustc 1.96; 0.3.10 builds on stable. `no_downloads` because
# cargo-leptos would otherwise fetch tools from outside the package registries at run time.
CARGO_LEPTOS_VERSION=0.3.10

log() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (once per machine, about 12 minutes)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
}

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
ensure_wasm_bindgen() {
  local want have
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')
  if [ -z "$want" ]; then
    echo "Cargo.lock names no wasm-bindgen version" >&2
    return 1
  fi
  if [ "$want" != "$have" ]; then
    log "installing wasm-bindgen-cli $want"
    # No --locked: the CLI's own lock file names a yanked crate.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_toolchain() {
  export PATH="$HOME/.cargo/bin:$PATH"
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
}
