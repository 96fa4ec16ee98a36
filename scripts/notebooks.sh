#!/usr/bin/env bash
# The main job: executes every notebook headless, which trains each step and records
# its results into results/, then exports each as a report page under reports/.
#   npm run notebooks                 all notebooks
#   npm run notebooks -- 01-baseline  some of them
set -euo pipefail
source "$(dirname "$0")/jupyter.sh"
ensure_jupyter
cd "$root"
mkdir -p reports
# One copy of the plotting library beside the pages, instead of one inside each page.
cp node_modules/plotly.js-dist/plotly.js reports/plotly.js
export LENET_PLOTLY_SRC=plotly.js
names=("$@")
if [ ${#names[@]} -eq 0 ]; then for f in notebooks/*.ipynb; do names+=("$(basename "$f" .ipynb)"); done; fi
for name in "${names[@]}"; do
  nb="notebooks/$name.ipynb"
  [ -f "$nb" ] || { echo "error: no notebook $nb; valid: $(cd notebooks && ls *.ipynb | sed 's/.ipynb//' | tr '\n' ' ')" >&2; exit 1; }
  echo "== $name"
  start=$SECONDS
  jupyter nbconvert --to html --template lenet --execute "$nb" --output-dir reports --ExecutePreprocessor.timeout=-1 --log-level=WARN
  echo "   reports/$name.html ($((SECONDS - start)) s)"
done
npx tsx scripts/report-index.ts reports
