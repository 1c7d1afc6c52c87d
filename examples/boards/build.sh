#!/usr/bin/env bash
# Builds (does not run) every board example in release, sharing one target directory (the host
# build scripts and microlite-build compile once), and prints each board's build time and
# image size. Installs the Rust targets it needs. Usage: bash examples/boards/build.sh [BOARD]...
set -euo pipefail
cd "$(dirname "$0")"
boards=("$@")
[ ${#boards[@]} -gt 0 ] || boards=(rp2040 nrf52840 stm32f4 esp32c3)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
rustup target add thumbv6m-none-eabi thumbv7em-none-eabihf riscv32imc-unknown-none-elf >/dev/null
status=0
for b in "${boards[@]}"; do
  target=$(sed -n 's/^target = "\(.*\)"/\1/p' "$b/.cargo/config.toml")
  start=$(date +%s)
  if (cd "$b" && cargo build --release --locked -q); then
    elf="$CARGO_TARGET_DIR/$target/release/microlite-board-$b"
    # Flash: code, read-only data, vectors and the initial values of .data.
    text=$(size -A "$elf" 2>/dev/null | awk '$1 ~ /^\.(vector_table|text|rodata|data|trap|rwtext|boot2)$/ {f += $2}
      END {if (f) print f " B flash"}')
    echo "board $b ($target): built in $(( $(date +%s) - start )) s${text:+, $text}"
  else
    echo "board $b ($target): BUILD FAILED"; status=1
  fi
done
exit $status
