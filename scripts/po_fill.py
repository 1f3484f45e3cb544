"""Fill translations into the Chinese catalogue: python scripts/po_fill.py 'msgid=译文' ..."""

import sys

from babel.messages.pofile import read_po, write_po

PATH = "src/ipcity/locale/zh_Hans/LC_MESSAGES/messages.po"
with open(PATH, "rb") as fh:
    cat = read_po(fh)
for arg in sys.argv[1:]:
    msgid, text = arg.split("=", 1)
    if msgid not in cat:
        sys.exit(f"not in catalogue: {msgid}")
    cat[msgid].string = text
with open(PATH, "wb") as fh:
    write_po(fh, cat, width=120, omit_header=False, sort_output=True)
