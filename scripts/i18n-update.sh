#!/usr/bin/env bash
# Re-extract message ids and merge them into the Chinese catalogue; lists what still needs translating.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k Msg -k _ -k gettext -k N_ --no-location --sort-output \
  -o /tmp/ipcity-messages.pot src/ipcity
.venv/bin/pybabel update -i /tmp/ipcity-messages.pot -d src/ipcity/locale -l zh_Hans -w 120 --no-fuzzy-matching \
  --ignore-obsolete
.venv/bin/python - <<'PY'
from babel.messages.pofile import read_po
with open("src/ipcity/locale/zh_Hans/LC_MESSAGES/messages.po", "rb") as fh:
    cat = read_po(fh)
missing = [m.id for m in cat if m.id and not m.string]
print(f"{len(cat)} messages, {len(missing)} untranslated")
for m in missing:
    print("  ", m)
PY
