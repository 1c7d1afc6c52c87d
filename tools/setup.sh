#!/usr/bin/env bash
# Creates tools/.venv and installs tools/requirements.txt into it.
# Idempotent: does nothing when the venv already satisfies the requirements.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
py="${PYTHON:-python3.11}"
command -v "$py" >/dev/null 2>&1 || py=python3

if [ ! -x "$venv/bin/python" ]; then
    echo "setup.sh: creating $venv with $("$py" --version)"
    "$py" -m venv "$venv"
fi

# The stamp records the requirements the venv was last installed from; if they
# are unchanged and pip agrees that everything is installed, skip pip install.
stamp="$venv/.requirements.installed"
if [ -f "$stamp" ] && cmp -s "$stamp" "$req" && "$venv/bin/python" - "$req" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
ok = True
for line in open(sys.argv[1]):
    line = line.split('#', 1)[0].strip()
    if not line:
        continue
    name, want = line.split('==')
    try:
        have = version(name)
    except PackageNotFoundError:
        have = None
    if have != want:
        ok = False
sys.exit(0 if ok else 1)
PY
then
    echo "setup.sh: $venv already satisfies requirements.txt"
    exit 0
fi

"$venv/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip
"$venv/bin/python" -m pip install --disable-pip-version-check -r "$req"
cp "$req" "$stamp"
echo "setup.sh: installed requirements into $venv"
