#!/usr/bin/env python3
"""Regenerates the `builtins! { ... }` table in src/schema.rs from schema/schema.fbs."""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
fbs = (root / "schema" / "schema.fbs").read_text()
body = re.search(r"enum BuiltinOperator : int32 \{(.*?)\n\}", fbs, re.S).group(1)
pairs = re.findall(r"^\s*([A-Z0-9_]+)\s*=\s*(-?\d+)", body, re.M)
lines, cur = [], "   "
for name, value in pairs:
    item = f" {name} = {value},"
    if len(cur) + len(item) > 96:
        lines.append(cur)
        cur = "   "
    cur += item
lines.append(cur)
table = "builtins! {\n" + "\n".join(lines) + "\n}"
target = root / "src" / "schema.rs"
text = re.sub(r"builtins! \{\n.*?\n\}", table, target.read_text(), count=1, flags=re.S)
target.write_text(text)
print(f"{len(pairs)} builtin operators written to {target}")
