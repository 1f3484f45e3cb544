"""A notice the platform issues on a case (受理通知书, 补正通知书, a decision …) as a PDF: the title in Chinese with
its English beneath, the case number, a table of facts, the text of the decision, the issuing body and date, and a
footnote. One layout for every service that issues notices of this shape; a service declares its kinds (titles and
file names) and fills in the facts.

The PDF is rendered in the platform's own font (core/fonts.py: a missing glyph is refused before anything is kept)
and carries what it says as the attachment `ipcity-notice.json`, so that the same notice can be issued again exactly
as it was decided.
"""

from __future__ import annotations

import dataclasses
import io
import json
from dataclasses import dataclass, field

from jinja2 import Environment, StrictUndefined, select_autoescape

from ipcity.core import fonts

SOURCE_NAME = "ipcity-notice.json"
SOURCE_FORMAT = "ipcity.notice/1"


@dataclass
class Notice:
    kind: str                           # the service's key of the kind of notice
    title: tuple[str, str]              # (Chinese, English)
    number_label: tuple[str, str]       # what `number` is: ("预审编号", "Pre-examination No.")
    number: str
    body: str                           # the issuing body
    issued_on: str
    rows: list[tuple[str, str, str]]    # (Chinese label, English label, value)
    text: list[str] = field(default_factory=list)       # paragraphs: the decision, its reasons, what to do next
    footnote: tuple[str, str] = ("", "")                # (Chinese, English): the legal basis, how it was issued
    reissued_on: str = ""               # set on an edition issued again: the date of this edition

    def as_json(self) -> str:
        return json.dumps({"format": SOURCE_FORMAT, **dataclasses.asdict(self)}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Notice:
        data = json.loads(text)
        if data.pop("format", None) != SOURCE_FORMAT:
            raise ValueError(f"not {SOURCE_FORMAT}")
        names = {f.name for f in dataclasses.fields(cls)}
        notice = cls(**{k: v for k, v in data.items() if k in names})
        notice.rows = [tuple(r) for r in notice.rows]
        notice.title, notice.number_label, notice.footnote = (tuple(notice.title), tuple(notice.number_label),
                                                              tuple(notice.footnote))
        return notice


_TEMPLATE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm 18mm; @bottom-center { content: counter(page) " / " counter(pages);
  font-size: 8pt; color: #666; } }
html { font-family: "IPCity Sans", "Noto Sans CJK SC", sans-serif; font-size: 10.5pt; line-height: 1.5; color: #111; }
h1 { text-align: center; font-size: 18pt; margin: 0; letter-spacing: .1em; }
.en { display: block; font-size: 7.5pt; color: #555; font-weight: normal; }
h1 .en { font-size: 9pt; letter-spacing: 0; }
.reissued { text-align: center; font-size: 9pt; color: #555; margin: 2mm 0 0; }
.no { text-align: right; margin: 6mm 0 4mm; }
table { width: 100%; border-collapse: collapse; margin: 3mm 0; }
th, td { border: 1px solid #999; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }
th { width: 32%; background: #f3f3f3; font-weight: bold; }
p { margin: 2mm 0; white-space: pre-line; }
.sign { margin-top: 12mm; text-align: right; }
.note { margin-top: 8mm; font-size: 8pt; color: #555; }
</style></head><body>
<h1>{{ n.title[0] }}<span class="en">{{ n.title[1] }}</span></h1>
{% if n.reissued_on %}<p class="reissued">（{{ n.reissued_on }} 重新出具，内容与原通知书相同 / issued again on {{ n.reissued_on }}, same content as the original）</p>{% endif %}
<p class="no">{{ n.number_label[0] }} / {{ n.number_label[1] }}: {{ n.number }}</p>
<table>{% for zh, en, value in n.rows %}<tr><th>{{ zh }}<span class="en">{{ en }}</span></th><td>{{ value }}</td></tr>{% endfor %}</table>
{% for t in n.text %}<p>{{ t }}</p>{% endfor %}
<p class="sign">{{ n.body }}<br>{{ n.issued_on }}</p>
{% if n.footnote[0] or n.footnote[1] %}<p class="note">{{ n.footnote[0] }}<br>{{ n.footnote[1] }}</p>{% endif %}
</body></html>"""  # noqa: E501 (template lines are kept whole, Chinese beside English)

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True), undefined=StrictUndefined)


def render_html(notice: Notice) -> str:
    return _ENV.from_string(_TEMPLATE).render(n=notice)


def render_pdf(notice: Notice) -> bytes:
    """The notice in the platform's own font, its content attached (SOURCE_NAME); fonts.MissingGlyphs where a
    character has no glyph, before anything is kept."""
    import weasyprint  # heavy import: only where a PDF is made

    source = weasyprint.Attachment(string=notice.as_json(), name=SOURCE_NAME,
                                   description="ipcity notice: what it says, to issue it again")
    return fonts.html_to_pdf(render_html(notice), what=notice.title[1], attachments=[source])


def source_of(pdf: bytes) -> Notice | None:
    """The notice a PDF made by `render_pdf` carries (None for a PDF without it)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        found = PdfReader(io.BytesIO(pdf)).attachments.get(SOURCE_NAME) or []
        return Notice.from_json(found[0]) if found else None
    except (PyPdfError, ValueError, TypeError, KeyError):
        return None
