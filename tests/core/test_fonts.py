"""Documents on a machine without a CJK font (issue 15, item 1): the platform's own font (core/fonts.py) sets every
PDF it issues, and a document with a character that font cannot draw is refused, with nothing stored.

The rendering runs in a subprocess whose fontconfig knows one empty font directory, so no system font can
help; the PDFs are then read with pypdf and fontTools (every character of the text is drawn by a glyph of an
embedded font) and drawn with pdftoppm (the Chinese is ink in the shape of distinct characters, not boxes).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from ipcity.core import fonts
from ipcity.services.pledge import notices

ROOT = Path(__file__).resolve().parents[2]
needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
GRID = "数据知识产权登记证书质押导航报告"  # sixteen different characters, one a cell, to be told apart from boxes

RENDER = textwrap.dedent('''
    import json, sys
    from pathlib import Path

    out = Path(sys.argv[1])
    from ipcity.core import fonts
    from ipcity.navigation import report
    from ipcity.navigation.model import ChartSpec, ReportDoc, Section, Table
    from ipcity.services.dataip import signing
    from ipcity.services.dataip.certificate import render_certificate
    from ipcity.services.pledge import notices
    from ipcity.services.valuation import report as valuation_report
    from ipcity.services.valuation.weights import DEFAULT_CONFIG
    from tests.core.test_fonts import GRID, grid_html, notice
    from tests.services.dataip.test_certificate import build_evidence

    signer = signing.load_signer(out / "key.pem")
    (out / "certificate.pdf").write_bytes(render_certificate(build_evidence(signer), signer))
    (out / "notice.pdf").write_bytes(notices.render_pdf(notice()))
    (out / "valuation.pdf").write_bytes(valuation_report.render_pdf([], DEFAULT_CONFIG, run_by="测试银行（演示）"))
    chart = ChartSpec("applicants", "申请人排名", "hbar", categories=["上海甲新能源有限公司", "北京乙科技有限公司"],
                      series=[("申请量", [12, 7])], x_label="申请人")
    doc = ReportDoc("锂电池产业专利导航", "演示", cover_facts=[("检索式", "锂电池")], sections=[
        Section("applicants", "申请人分析", ["上海的申请人居前。"], [chart], [Table("主要申请人", ["申请人", "件数"],
                                                                          [["上海甲新能源有限公司", 12]])])])
    (out / "navigation.pdf").write_bytes(report.render_pdf(doc))
    (out / "grid.pdf").write_bytes(fonts.html_to_pdf(grid_html(GRID)))
    # The same cells with a character no font has, drawn as WeasyPrint does when nothing is checked: the boxes
    # a document without fonts showed (fonts.html_to_pdf would refuse it).
    import weasyprint
    with fonts._renderer() as r:
        boxes = weasyprint.HTML(string=grid_html("\\ue000" * len(GRID))).render(
            stylesheets=[r.stylesheet], font_config=r.font_config).write_pdf()
    (out / "boxes.pdf").write_bytes(boxes)
    import re
    html = re.sub("[\u4e00-\u9fff]", "\ue000", notices.render_html(notice()))  # the notice as a machine without
    with fonts._renderer() as r:                                                # a CJK font showed it
        (out / "notice-boxes.pdf").write_bytes(weasyprint.HTML(string=html).render(
            stylesheets=[r.stylesheet], font_config=r.font_config).write_pdf())
    refused = {}
    for name, call in {"notice": lambda: notices.render_pdf(notice("\\ue000")),
                       "gothic": lambda: fonts.html_to_pdf(grid_html("𐌰𐌱"))}.items():
        try:
            call()
        except fonts.MissingGlyphs as exc:
            refused[name] = [exc.message.render("en"), exc.chars]
    print(json.dumps({"refused": refused, "fonts": [str(p) for p in fonts.font_files().values()]}))
''')


def notice(extra: str = "") -> notices.Notice:
    return notices.Notice(kind=notices.REGISTRATION, number="Y20263100000001", body="上海市知识产权局",
                          issued_on="2026-11-24", rows=[("出质人", "Pledgor", "测试公司（上海市浦东新区）" + extra),
                                                        ("质权人", "Pledgee", "测试银行")],
                          patents=[{"patent_number": "ZL202010000001.X", "title": "一种锂电池极片涂布装置",
                                    "app_date": "2020-03-02", "grant_date": "2022-06-07"}],
                          text=["经审查，准予登记。"])


def grid_html(chars: str) -> str:
    cells = "".join(f'<span class="c">{c}</span>' for c in chars)
    return ('<html><head><style>@page { size: 200mm 30mm; margin: 5mm; } body { margin: 0; } '
            f'.c {{ display: inline-block; width: 10mm; height: 10mm; font: 28pt/10mm "{fonts.SANS}"; '
            f'text-align: center; overflow: hidden; }}</style></head><body>{cells}</body></html>')


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, dict]:
    """The documents, rendered where fontconfig has one empty directory and no font."""
    out = tmp_path_factory.mktemp("documents")
    empty = tmp_path_factory.mktemp("no-fonts")
    conf = out / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    f"<fontconfig><dir>{empty}</dir><cachedir>{out / 'fc-cache'}</cachedir></fontconfig>\n")
    env = os.environ | {"FONTCONFIG_FILE": str(conf), "FONTCONFIG_PATH": str(out),
                        "IPCITY_DATA_DIR": str(out / "data"), "PYTHONPATH": str(ROOT)}
    listed = subprocess.run(["fc-list"], env=env, capture_output=True, text=True) if shutil.which("fc-list") else None
    if listed is not None:
        assert listed.stdout.strip() == "", "fontconfig still sees system fonts"
    result = subprocess.run([sys.executable, "-c", RENDER, str(out)], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return out, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ["certificate", "notice", "valuation", "navigation"])
def test_every_character_is_drawn_by_an_embedded_font(rendered, name):
    out, _ = rendered
    found = fonts.pdf_fonts((out / f"{name}.pdf").read_bytes())
    assert found.fonts and all("IPCity-" in f for f in found.fonts), found.fonts  # only the shipped font
    assert not found.not_embedded
    assert any("\u4e00" <= ch <= "\u9fff" for ch in found.text), "no Chinese in the text"
    assert found.uncovered == [], [fonts.describe(c) for c in found.uncovered]
    expected = {"certificate": "数据知识产权登记证书", "notice": "专利权质押登记通知书",
                "valuation": "专利价值内部评估报告", "navigation": "申请人排名"}[name]  # chart labels are text too
    assert expected in found.text.replace(" ", "").replace("\n", "")


def test_the_check_sees_a_missing_glyph(rendered):
    out, _ = rendered
    found = fonts.pdf_fonts((out / "boxes.pdf").read_bytes())
    assert found.uncovered == ["\ue000"]


def test_the_faces_come_from_the_package_and_are_the_simplified_chinese_ones(rendered):
    _, result = rendered
    from fontTools.ttLib import TTFont

    names = sorted(TTFont(path, lazy=True)["name"].getDebugName(1) for path in result["fonts"])
    assert names == ["Noto Sans CJK SC", "Noto Sans Mono CJK SC"]
    # 骨 and 直 are drawn differently in Simplified Chinese and Japanese: the extracted face maps them as the
    # collection's SC face does, not as its JP face (the collection's first)
    from fontTools.ttLib import TTCollection

    with resources.as_file(resources.files(fonts.PACKAGE).joinpath(fonts.COLLECTION)) as path:
        faces = {f["name"].getDebugName(1): f.getBestCmap() for f in TTCollection(str(path), lazy=True).fonts}
    sans = TTFont(next(p for p in result["fonts"] if "Mono" not in Path(p).name), lazy=True).getBestCmap()
    for ch in "骨直":
        assert sans[ord(ch)] == faces["Noto Sans CJK SC"][ord(ch)] != faces["Noto Sans CJK JP"][ord(ch)]


def _page(pdf: Path, tmp: Path, dpi: int = 60) -> Image.Image:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp / pdf.stem)],
                   check=True, timeout=120)
    (png,) = tmp.glob(f"{pdf.stem}*.png")
    return Image.open(png).convert("L")


def _ink(image: Image.Image) -> int:
    return sum(image.histogram()[:128])  # dark pixels


@needs_pdftoppm
def test_the_chinese_is_drawn_as_distinct_characters_not_boxes(rendered, tmp_path):
    out, _ = rendered
    # at 254 dpi a 10 mm cell is 100 pixels and the 5 mm margin 50: every cell falls on the same pixel grid
    glyphs, boxes = _page(out / "grid.pdf", tmp_path, 254), _page(out / "boxes.pdf", tmp_path, 254)

    def cells(image):
        return [image.crop((50 + i * 100, 50, 150 + i * 100, 150)) for i in range(len(GRID))]

    drawn, notdef = cells(glyphs), cells(boxes)
    assert all(_ink(c) > 500 for c in drawn)  # every cell has ink

    def apart(a: Image.Image, b: Image.Image) -> int:  # pixels of clearly different grey, of the cell's 10 000
        return ImageChops.difference(a, b).point(lambda v: 255 if v > 64 else 0).histogram()[255]

    # a box is the same picture in every cell (but for anti-aliasing); characters are different pictures
    assert all(apart(notdef[0], box) < 300 for box in notdef)
    assert all(apart(a, b) > 300 for i, a in enumerate(drawn) for b in drawn[i + 1:])
    assert all(apart(c, box) > 300 for c, box in zip(drawn, notdef, strict=True))


@needs_pdftoppm
def test_the_notice_s_title_is_ink_in_the_shape_of_its_characters(rendered, tmp_path):
    out, _ = rendered
    real, boxes = _page(out / "notice.pdf", tmp_path), _page(out / "notice-boxes.pdf", tmp_path)
    width, height = real.size
    band = (0, 0, width, height // 8)  # the title
    assert _ink(real.crop(band)) > 100
    # the same page with a box for every Chinese character: the title is drawn otherwise
    difference = ImageChops.difference(real.crop(band), boxes.crop(band)).point(lambda v: 255 if v > 64 else 0)
    assert difference.histogram()[255] > 100


def test_a_character_the_font_lacks_is_refused_and_named(rendered):
    _, result = rendered
    message, chars = result["refused"]["notice"]
    assert chars == ["\ue000"] and "U+E000" in message and "Nothing was stored" in message
    message, chars = result["refused"]["gothic"]
    assert chars == ["𐌰", "𐌱"] and "U+10330" in message


def test_missing_lists_what_the_face_cannot_draw():
    assert fonts.missing("数据知识产权 Data IP ¥1,000 — 第3次换发\n") == []
    assert fonts.missing("a\ue000b𐌰") == ["\ue000", "𐌰"]


def test_the_notice_carries_its_content_and_says_when_it_is_issued_again():
    again = notice()
    again.reissued_on = "2027-01-05"
    pdf = notices.render_pdf(again)
    assert notices.source_of(pdf) == again
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")
    assert "2027-01-05重新出具" in text
    assert notices.source_of(b"%PDF-1.4 not a notice") is None
