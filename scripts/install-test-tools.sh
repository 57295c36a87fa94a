#!/usr/bin/env bash
# Installs the Python tools of the integration tests (stack/test-tools/requirements.txt, pinned) into
# <BANKOPS_HOME>/opt/test-tools/venv. Skipped when the venv already holds this requirements file.
set -euo pipefail
cd "$(dirname "$0")/.."
home="${BANKOPS_HOME:-./.bankops}"
case "$home" in /*) ;; *) home="$PWD/$home" ;; esac
venv="$home/opt/test-tools/venv"
requirements=stack/test-tools/requirements.txt
marker="$venv/.requirements.sha256"
digest=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$digest" ]; then
  echo "test tools: ok ($venv)"
  exit 0
fi
echo "installing test tools into $venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
echo "$digest" >"$marker"
echo "test tools: ok ($venv)"
