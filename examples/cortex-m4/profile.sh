#!/usr/bin/env bash
# Where a firmware binary's instructions go, per instruction, inside the functions whose
# (mangled) names match a pattern: QEMU executes one instruction per translation block and logs
# each (`-singlestep -d exec,nochain -dfilter RANGE`), then the log becomes a histogram beside
# the disassembly. Slow (QEMU logs every instruction): use it on a short binary.
#
#   bash profile.sh BIN PATTERN [TOP]    e.g.  bash profile.sh dsp-check gemm_rows 40
#   MLPERF_ONLY=hello_world CARGO_TARGET_DIR=target/prof bash profile.sh mlperf microlite 40
#   (one model of the mlperf binary; a separate target dir keeps the full build intact)
#   ANNOTATE=FILE also writes the matched functions' disassembly with each instruction's count.
#
# Prints the instructions per matched function, then the hottest runs of straight-line code (address, length, times run, instructions in
# all, first instruction); instructions counted are only those inside the matched functions.
set -euo pipefail
cd "$(dirname "$0")"
bin=${1:?usage: profile.sh BIN PATTERN [TOP]}
pattern=${2:?usage: profile.sh BIN PATTERN [TOP]}
top=${3:-30}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$(pwd)/target}"
cargo build -q --release --bin "$bin"
elf="$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release/$bin"
llvm_bin="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$llvm_bin/llvm-objdump" -d --no-show-raw-insn "$elf" > "$work/dis"
"$llvm_bin/llvm-nm" -S --demangle "$elf" > "$work/syms"
ranges=$("$llvm_bin/llvm-nm" -S "$elf" | python3 -c '
import re, sys
p = re.compile(sys.argv[1]); out = []
for line in sys.stdin:
    f = line.split()
    if len(f) == 4 and f[2] in "tT" and p.search(f[3]):
        a, s = int(f[0], 16), int(f[1], 16)
        out.append(f"{a:#x}..{a + s:#x}")
print(",".join(out))' "$pattern")
[ -n "$ranges" ] || { echo "no function matches $pattern in $elf"; exit 1; }
echo "functions: $ranges"
timeout 600 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic \
  -semihosting-config enable=on,target=native -singlestep -d exec,nochain \
  -dfilter "$ranges" -D "$work/log" -kernel "$elf" > /dev/null || true
python3 - "$work/log" "$work/dis" "$top" "$work/syms" "${ANNOTATE:-}" <<'PY'
import bisect, re, sys
log, dis, top, syms, annotate = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
counts = {}
for line in open(log):
    if line.startswith("Trace"):
        m = re.search(r"\[[0-9a-f]+/([0-9a-f]+)/", line)
        if m:
            pc = int(m.group(1), 16)
            counts[pc] = counts.get(pc, 0) + 1
text = {}
for line in open(dis):
    m = re.match(r"\s+([0-9a-f]+):\s+(.*)", line)
    if m:
        text[int(m.group(1), 16)] = m.group(2).split("<")[0].strip()
print(f"instructions in the matched functions: {sum(counts.values()):,}")
funcs = []
for line in open(syms):
    f = line.split(None, 3)
    if len(f) == 4 and f[2] in "tT":
        funcs.append((int(f[0], 16), int(f[1], 16), re.sub(r"::h[0-9a-f]{16}$", "", f[3].strip())))
funcs.sort()
starts = [a for a, _, _ in funcs]
per = {}
for pc, c in counts.items():
    i = bisect.bisect_right(starts, pc) - 1
    if i >= 0 and pc < funcs[i][0] + funcs[i][1]:
        per[funcs[i][2]] = per.get(funcs[i][2], 0) + c
print("per function:")
for name, c in sorted(per.items(), key=lambda x: -x[1])[:top]:
    print(f"  {c:12,}  {name[:100]}")
runs, start, prev, n, c = [], None, None, 0, 0
for pc in sorted(counts):
    if start is not None and counts[pc] == c and pc - prev <= 4:
        n, prev = n + 1, pc
        continue
    if start is not None:
        runs.append((n * c, start, n, c))
    start, prev, n, c = pc, pc, 1, counts[pc]
if start is not None:
    runs.append((n * c, start, n, c))
if annotate:
    with open(annotate, "w") as out:
        for name in sorted(per, key=lambda k: -per[k]):
            f = next(x for x in funcs if x[2] == name)
            out.write(f"\n{name}: {per[name]:,}\n")
            for a in sorted(t for t in text if f[0] <= t < f[0] + f[1]):
                out.write(f"{counts.get(a, 0):8}  {a:#08x}  {text[a]}\n")
for total, a, n, c in sorted(runs, reverse=True)[:top]:
    print(f"{a:#08x}  {n:4d} instructions x {c:9,} = {total:12,}  {text.get(a, '')}")
PY
