"""The notices of pledge registration as PDF (WeasyPrint in the platform's own font, core/fonts.py):
专利权质押登记通知书 (registration), 专利权质押不予登记通知书 (refusal, with its grounds), and the notices of a
change (变更) and a cancellation (注销) of the registration (rules.md §3.1 [S42][S43]).

Chinese first, English beneath each label. Nothing is fetched while rendering: the HTML is self-contained.
Each PDF carries what it says as the attachment `ipcity-notice.json`, so that the office can issue the same
notice again (reissue.py) exactly as it was decided.
"""

from __future__ import annotations

import dataclasses
import io
import json
from dataclasses import dataclass, field

from jinja2 import Environment, StrictUndefined, select_autoescape

from ipcity.core import fonts

REGISTRATION = "registration"
REFUSAL = "refusal"
CHANGE = "change"
CANCELLATION = "cancellation"

TITLES = {
    REGISTRATION: ("专利权质押登记通知书", "Notice of Patent Pledge Registration"),
    REFUSAL: ("专利权质押不予登记通知书", "Notice of Refusal of Patent Pledge Registration"),
    CHANGE: ("专利权质押登记变更通知书", "Notice of Change of a Patent Pledge Registration"),
    CANCELLATION: ("专利权质押登记注销通知书", "Notice of Cancellation of a Patent Pledge Registration"),
}
FILE_PREFIX = {REGISTRATION: "质押登记通知书", REFUSAL: "不予登记通知书", CHANGE: "质押变更通知书",
               CANCELLATION: "质押注销通知书"}
SOURCE_NAME = "ipcity-notice.json"  # the notice's content, attached to its PDF
SOURCE_FORMAT = "ipcity.pledge.notice/1"


@dataclass
class Notice:
    kind: str
    number: str  # the registration number, or the application number of a refused application
    body: str  # the registering body
    issued_on: str
    rows: list[tuple[str, str, str]]  # (Chinese label, English label, value)
    patents: list[dict]  # patent_number, title, app_date, grant_date
    text: list[str] = field(default_factory=list)  # paragraphs (the decision, the grounds)
    reissued_on: str = ""  # set on an edition issued again (reissue.py): the date of this edition

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
table.patents th { width: auto; }
p { margin: 2mm 0; }
.sign { margin-top: 12mm; text-align: right; }
.note { margin-top: 8mm; font-size: 8pt; color: #555; }
</style></head><body>
<h1>{{ title[0] }}<span class="en">{{ title[1] }}</span></h1>
{% if reissued_on %}<p class="reissued">（{{ reissued_on }} 重新出具，内容与原通知书相同 / issued again on {{ reissued_on }}, same content as the original）</p>{% endif %}
<p class="no">{{ "登记号" if kind != "refusal" else "申请号" }} / {{ "Registration No." if kind != "refusal" else "Application No." }}: {{ number }}</p>
<table>{% for zh, en, value in rows %}<tr><th>{{ zh }}<span class="en">{{ en }}</span></th><td>{{ value }}</td></tr>{% endfor %}</table>
<table class="patents"><tr><th>专利号<span class="en">Patent No.</span></th><th>发明创造名称<span class="en">Title</span></th>
<th>申请日<span class="en">Filing date</span></th><th>授权公告日<span class="en">Grant announced</span></th></tr>
{% for p in patents %}<tr><td>{{ p.patent_number }}</td><td>{{ p.title }}</td><td>{{ p.app_date }}</td><td>{{ p.grant_date }}</td></tr>{% endfor %}
</table>
{% for t in text %}<p>{{ t }}</p>{% endfor %}
<p class="sign">{{ body }}<br>{{ issued_on }}</p>
<p class="note">本通知书由平台依《专利权质押登记办法》以电子方式出具，质权自登记之日起设立。电子印章示意，非法定电子签章。<br>
Issued electronically under the Measures for Patent Pledge Registration; the pledge is created on registration.
The seal is not a legal electronic seal.</p>
</body></html>"""  # noqa: E501 (template lines are kept whole, Chinese beside English)

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True), undefined=StrictUndefined)


def render_html(notice: Notice) -> str:
    return _ENV.from_string(_TEMPLATE).render(kind=notice.kind, title=TITLES[notice.kind], number=notice.number,
                                              rows=notice.rows, patents=notice.patents, text=notice.text,
                                              body=notice.body, issued_on=notice.issued_on,
                                              reissued_on=notice.reissued_on)


def render_pdf(notice: Notice) -> bytes:
    """The notice in the platform's own font, its content attached (SOURCE_NAME); fonts.MissingGlyphs where a
    character has no glyph, before anything is kept."""
    import weasyprint  # heavy import: only where a PDF is made

    source = weasyprint.Attachment(string=notice.as_json(), name=SOURCE_NAME,
                                   description="ipcity pledge notice: what it says, to issue it again")
    return fonts.html_to_pdf(render_html(notice), what=TITLES[notice.kind][1], attachments=[source])


def source_of(pdf: bytes) -> Notice | None:
    """The notice a PDF made by `render_pdf` carries (None for a PDF without it, such as one issued before)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        found = PdfReader(io.BytesIO(pdf)).attachments.get(SOURCE_NAME) or []
        return Notice.from_json(found[0]) if found else None
    except (PyPdfError, ValueError, TypeError, KeyError):
        return None


def filename(notice: Notice) -> str:
    return f"{FILE_PREFIX[notice.kind]}-{notice.number}.pdf"
