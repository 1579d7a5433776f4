#!/usr/bin/env bash
# Collect the UI strings into the English catalogues (then fill every msgstr; no fuzzy entries).
# The apps added from issue 5 on keep their own catalogue (src/ecredit/<app>/locale/, strings of that
# app's templates and code); the project catalogue (src/ecredit/locale/) holds the rest.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/../src/ecredit"
ECREDIT="${ECREDIT:-$(cd ../.. && pwd)/.venv/bin/ecredit}"
export ECREDIT_VAR_DIR="${ECREDIT_VAR_DIR:-$(pwd)/../../var}"
ignore=()
for catalogue in */locale; do
  app="${catalogue%/locale}"
  ignore+=(--ignore "$app/*")
  (cd "$app" && "$ECREDIT" makemessages -l en --no-obsolete -v0)
done
"$ECREDIT" makemessages -l en --no-obsolete -v0 ${ignore[@]+"${ignore[@]}"}
