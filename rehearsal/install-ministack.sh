#!/usr/bin/env bash
# Installs the pinned MiniStack into rehearsal/.venv (git-ignored), the
# project's own virtual environment; skipped when it already holds exactly
# rehearsal/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")"
venv=.venv
stamp="$venv/requirements.installed"
if [ -x "$venv/bin/python" ] && cmp -s requirements.txt "$stamp"; then
  echo "MiniStack: $("$venv/bin/python" -m pip show ministack | sed -n 's/^Version: //p') already in rehearsal/$venv"
  exit 0
fi
command -v python3 >/dev/null || { echo 'The rehearsal needs Python 3 (python3 on PATH) to run MiniStack.' >&2; exit 1; }
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r requirements.txt
"$venv/bin/python" -m pip check
cp requirements.txt "$stamp"
echo "MiniStack: $("$venv/bin/python" -m pip show ministack | sed -n 's/^Version: //p') installed in rehearsal/$venv"
