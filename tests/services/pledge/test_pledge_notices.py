"""The notices as PDF: the text (read back with pypdf) carries the numbers and the parties, and the CJK fonts
are embedded, so the notice reads the same on any machine."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from ipcity.services.pledge import notices

PATENTS = [{"patent_number": "ZL202010000001.X", "title": "一种锂电池极片涂布装置", "app_date": "2020-03-02",
            "grant_date": "2022-06-07"}]


def notice(kind: str, number: str, text=()) -> notices.Notice:
    return notices.Notice(kind=kind, number=number, body="上海市知识产权局", issued_on="2026-11-24",
                          rows=[("出质人", "Pledgor", "测试公司（上海市浦东新区）"), ("质权人", "Pledgee", "测试银行")],
                          patents=PATENTS, text=list(text))


def fonts(reader: PdfReader) -> list[tuple[str, bool]]:
    out = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            desc = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            out.append((str(font.get("/BaseFont")), embedded))
    return out


@pytest.mark.parametrize(("kind", "number", "title"), [
    (notices.REGISTRATION, "Y20263100000001", "专利权质押登记通知书"),
    (notices.REFUSAL, "ZY2026000001", "专利权质押不予登记通知书"),
    (notices.CHANGE, "Y20263100000001", "专利权质押登记变更通知书"),
    (notices.CANCELLATION, "Y20263100000001", "专利权质押登记注销通知书"),
])
def test_notice_text_and_embedded_fonts(kind, number, title):
    pdf = notices.render_pdf(notice(kind, number, ["（9）专利权已被质押且处于质押期间"]))
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    for expected in (title, number, "ZL202010000001.X", "测试公司", "测试银行", "上海市知识产权局", "2022-06-07"):
        assert expected in text, expected
    found = fonts(reader)
    assert found and all(embedded for _name, embedded in found)
    assert all("IPCity-Sans" in name for name, _e in found), found  # the platform's own font (core/fonts.py)
    assert notices.source_of(pdf) == notice(kind, number, ["（9）专利权已被质押且处于质押期间"])
    assert notices.filename(notice(kind, number)).endswith(f"-{number}.pdf")
