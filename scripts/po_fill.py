"""Fill translations into the Chinese catalogue: python scripts/po_fill.py 'msgid=译文' 'context|msgid=译文' ..."""

import sys

from babel.messages.pofile import read_po, write_po

PATH = "src/ipcity/locale/zh_Hans/LC_MESSAGES/messages.po"
with open(PATH, "rb") as fh:
    cat = read_po(fh)
for arg in sys.argv[1:]:
    msgid, text = arg.split("=", 1)
    context = None
    if "|" in msgid:
        context, msgid = msgid.split("|", 1)
    message = cat.get(msgid, context=context)
    if message is None:
        sys.exit(f"not in catalogue: {context + '|' if context else ''}{msgid}")
    message.string = text
with open(PATH, "wb") as fh:
    write_po(fh, cat, width=120, omit_header=False, sort_output=True)
