#!/usr/bin/env bash
# Opens the notebooks in JupyterLab (or the classic Notebook) with the repo's tslab kernel.
set -euo pipefail
source "$(dirname "$0")/jupyter.sh"
cd "$root/notebooks"
if jupyter lab --version >/dev/null 2>&1; then exec jupyter lab "$@"; fi
if command -v jupyter-notebook >/dev/null; then exec jupyter-notebook "$@"; fi
cat >&2 <<'MSG'
error: neither JupyterLab nor the classic Notebook is installed.
  pip install jupyterlab          (anywhere)
  sudo apt-get install jupyter-notebook   (Debian's classic Notebook)
MSG
exit 1
