"""The registration certificate (数据知识产权登记证书): one signed, self-verifying A4 page.

Layout after the unified certificate format of 规发〔2024〕79号: single-sided, the QR code of the public record
at the bottom left, the registering body's seal at the bottom right. The seal drawn here is an illustration
and says so; a legally valid electronic seal needs a certified seal key (电子签名法 §13), which this is not.

What makes the file verifiable offline (`verify.py` checks it):
- the evidence — log entry, inclusion proof, signed tree head, public key — rides along as the PDF
  attachment `ipcity-evidence.json` (canonical JSON);
- the registry signs the whole file: the Info dictionary carries `/IpcitySignature (000…0)`, the SHA-256 of
  the complete file is taken with those 128 zeros in place, and they are then overwritten by the 128 hex
  characters of the Ed25519 signature. Same length, so no offset moves and no byte escapes the signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ipcity.core import fonts
from ipcity.services.dataip import signing, tlog
from ipcity.services.dataip.verify import (
    ENTRY_KINDS,
    EVIDENCE_FORMAT,
    EVIDENCE_NAME,
    SIGNATURE_HEX_LENGTH,
    SIGNATURE_MARKER,
    SIGNATURE_PLACEHOLDER,
    fingerprint,
)

TEMPLATES = Path(__file__).resolve().parent / "certificate_templates"
TITLE_ZH, TITLE_EN = "数据知识产权登记证书", "Data Intellectual Property Registration Certificate"
# The certificate is one page (规发〔2024〕79号). Layouts tried in turn until the facts fit: (tighter type,
# data files listed, characters of free text shown). What a layout leaves out stays in the embedded evidence
# and the public record, and the page says so.
FITS = [(False, 6, None), (True, 6, None), (True, 4, None), (True, 2, None), (True, 1, None), (True, 1, 150)]
SEAL_RED = "#d7000f"

MODES = {"uploaded": ("已上传存证", "file uploaded"), "declared": ("申报哈希", "hash declared")}

_LABELS = {
    "number": ("证书编号", "Certificate No."),
    "data": ("登记数据", "Registered data"),
    "file": ("文件", "File"), "size": ("大小", "Size"), "mode": ("方式", "Mode"),
    "log": ("公开存证（透明日志，RFC 9162）", "Public record (transparency log, RFC 9162)"),
    "scan": ("扫码核验公开记录", "Scan to check the public record"),
    "offline": ("离线核验：ipcity dataip verify 本证书.pdf [数据文件] --key 登记机构公钥",
                "Offline: ipcity dataip verify this.pdf [data file] --key registry-public-key"),
    "signed": ("本文件由登记机构密钥签名，改动任何字节即无法通过核验。",
               "This file is signed with the registry's key; changing any byte makes it fail verification."),
    "seal_note": ("电子印章示意", "not a legal e-seal"),
}

_ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


class CertificateError(RuntimeError):
    """The certificate cannot be issued as asked (wrong key, a PDF without exactly one signature slot)."""


def _pair(zh: str, en: str, lang: str) -> tuple[str, str]:
    """(primary, secondary) text: Chinese first unless the English-first variant was asked for."""
    return (en, zh) if lang == "en" else (zh, en)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def seal_svg(registry: str) -> str:
    """A round red seal: ring, five-pointed star, the body's name along the upper arc, 示意 below the star."""
    n = len(registry)
    span = min(240.0, 30.0 * max(n - 1, 0))  # degrees of arc the name covers, centred on the top
    size = 26 if n <= 9 else max(12, 230 // n)
    glyphs = "".join(
        f'<text transform="rotate({-span / 2 + i * span / max(n - 1, 1):.2f})" x="0" y="-62" font-size="{size}" '
        f'text-anchor="middle">{escape(ch)}</text>' for i, ch in enumerate(registry))
    star = " ".join(f"{(24 if k % 2 == 0 else 9.2) * math.sin(k * math.pi / 5):.2f},"
                    f"{-(24 if k % 2 == 0 else 9.2) * math.cos(k * math.pi / 5):.2f}" for k in range(10))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-100 -100 200 200" width="200" height="200">'
            f'<g fill="{SEAL_RED}" stroke="none" font-family="{fonts.SANS}" opacity="0.88">'
            f'<circle r="93" fill="none" stroke="{SEAL_RED}" stroke-width="5"/>'
            f'<polygon points="{star}"/>{glyphs}'
            f'<text x="0" y="58" font-size="18" text-anchor="middle">示 意</text></g></svg>')


def qr_svg_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m", micro=False).svg_data_uri(border=2)


def _clip(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[:limit] + "……"


def _view(evidence: dict, entry: dict, signer: signing.RegistrySigner, lang: str, fit: tuple) -> dict:
    compact, max_files, max_text = fit
    facts, head = entry["facts"], evidence["log"]["head"]

    def row(zh: str, en: str, value, *, mono: bool = False) -> dict:
        label, sub = _pair(zh, en, lang)
        return {"label": label, "sub": sub, "value": "" if value is None else str(value), "mono": mono}

    holder = facts["holder_name"] + (f"（{facts['holder_type_label']}）" if facts.get("holder_type_label") else "")
    rows = [  # one or two facts a line: short ones share, so the page keeps room for the data hashes
        [row("登记号", "Registration No.", facts["registration_number"], mono=True),
         row("申请号", "Application No.", facts["application_number"], mono=True)],
        [row("数据名称", "Data name", _clip(facts["name"], max_text))],
        [row("数据类别", "Data category", facts["category_label"]),
         row("所属行业", "Industry (GB/T 4754)", f"{facts['industry_code']} {facts['industry_name']}")],
        [row("登记主体", "Holder", holder)],
        [row("应用场景", "Application scenario", _clip(facts["scenario"], max_text))],
        [row("登记日期", "Registered on", facts["registered_on"]),
         row("有效期至", "Valid until", facts["valid_until"])],
        [row("登记机构", "Registering body", facts["registry"])],
    ]
    data = facts.get("data") or []
    files = [{"filename": d["filename"], "sha256": d["sha256"],
              "size": "—" if d.get("size") is None else f"{int(d['size']):,} B",
              "mode": _pair(*MODES.get(d.get("mode"), (d.get("mode") or "",) * 2), lang)}
             for d in data[:max_files]]
    hidden = len(data) - len(files)
    clipped = any(_clip(facts[k], max_text) != facts[k] for k in ("name", "scenario"))
    revision = int(facts.get("revision") or 0)
    # the time that is signed (the millisecond timestamp), not the head's convenience "time" text
    signed_at = datetime.fromtimestamp(head["timestamp"] / 1000, UTC).isoformat(timespec="seconds")
    kind = entry.get("kind", "")
    return {
        "lang": lang, "html_lang": "en" if lang == "en" else "zh-CN",
        "title": _pair(TITLE_ZH, TITLE_EN, lang), "number": facts["certificate_number"],
        "reissue": _pair(f"第{revision}次换发", f"reissue {revision}", lang) if revision > 0 else None,
        "rows": rows, "files": files,
        "hidden": _pair(f"另有 {hidden} 个数据文件，见内嵌存证 {EVIDENCE_NAME}",
                        f"{hidden} more data files in the embedded evidence {EVIDENCE_NAME}", lang) if hidden else None,
        "clipped": _pair(f"……：全文见公开记录及内嵌存证 {EVIDENCE_NAME}",
                         f"……: full text in the public record and the embedded evidence {EVIDENCE_NAME}",
                         lang) if clipped else None,
        "compact": compact,
        "log": [
            row("日志序号", "Log index", evidence["log"]["index"], mono=True),
            row("记录类型", "Entry kind", f"{ENTRY_KINDS.get(kind, kind)} / {kind}"),
            row("签名树头", "Signed tree head", f"size {head['tree_size']} · {signed_at}", mono=True),
            row("树根哈希", "Root hash", head["root_hash"], mono=True),
            row("密钥指纹", "Key fingerprint", fingerprint(signer.public_raw), mono=True),
        ],
        "verify_url": evidence["verify_url"], "qr_src": qr_svg_uri(evidence["verify_url"]),
        "seal_src": _data_uri(seal_svg(facts["registry"])), "registry": facts["registry"],
        "issued_on": facts["registered_on"],
        "l": {key: _pair(zh, en, lang) for key, (zh, en) in _LABELS.items()},
    }


def render_html(evidence: dict, signer: signing.RegistrySigner, *, lang: str = "zh", fit: tuple = FITS[0]) -> str:
    entry = json.loads(evidence["log"]["entry"])
    return _ENV.get_template("certificate.html").render(**_view(evidence, entry, signer, lang, fit))


def _add_signature_slot(document, pdf) -> None:
    """WeasyPrint finisher: the placeholder goes into the Info dictionary, written as plain text.

    WeasyPrint (pydyf) packs small objects into compressed object streams; a dictionary that says it is not
    compressible is written as it is, so the placeholder's bytes can be found and overwritten. The Info
    dictionary only becomes a file object when the PDF is written, so it can still be replaced here."""
    import pydyf

    class PlainDictionary(pydyf.Dictionary):
        compressible = False

    pdf.info = PlainDictionary({**pdf.info, "IpcitySignature": pydyf.String(SIGNATURE_PLACEHOLDER.decode())})
    # WeasyPrint logs and skips an attachment it cannot read; a certificate without its evidence is no certificate.
    if "EmbeddedFiles" not in (pdf.catalog.get("Names") or {}):
        raise CertificateError(f"WeasyPrint did not embed {EVIDENCE_NAME}")


def sign_document(pdf: bytes, signer: signing.RegistrySigner) -> bytes:
    """Overwrite the signature placeholder with the signature of the file's SHA-256 (placeholder in place)."""
    if pdf.count(SIGNATURE_MARKER) != 1:
        raise CertificateError(f"the PDF holds {pdf.count(SIGNATURE_MARKER)} signature slots, not exactly one")
    at = pdf.index(SIGNATURE_MARKER) + len(SIGNATURE_MARKER)
    if pdf[at:at + SIGNATURE_HEX_LENGTH + 1] != SIGNATURE_PLACEHOLDER + b")":
        raise CertificateError("the signature slot does not hold the 128-zero placeholder")
    signature = signer.sign(signing.certificate_message(hashlib.sha256(pdf).digest())).hex().encode("ascii")
    return pdf[:at] + signature + pdf[at + SIGNATURE_HEX_LENGTH:]


def render_certificate(evidence: dict, signer: signing.RegistrySigner, *, lang: str = "zh") -> bytes:
    """The signed certificate PDF for `evidence` ("ipcity.dataip.evidence/1"); lang "en" puts English first.

    Set in the platform's own font (core/fonts.py); fonts.MissingGlyphs where a character of the facts has no
    glyph in it, before anything is signed or kept."""
    import weasyprint  # heavy import (Pango, cffi): only where a PDF is made

    lang = "en" if lang.lower().startswith("en") else "zh"
    if evidence.get("format") != EVIDENCE_FORMAT:
        raise CertificateError(f"the evidence is not {EVIDENCE_FORMAT}")
    if evidence.get("public_key") != signer.public_raw.hex():
        raise CertificateError("the evidence names another public key than the signer's: it would never verify")
    # Self-contained: only the QR code's and the seal's data: URIs are read; nothing is ever fetched.
    with fonts.pdf_renderer(TITLE_EN) as renderer:
        for fit in FITS:
            document = renderer.render(render_html(evidence, signer, lang=lang, fit=fit))
            if len(document.pages) == 1:
                break
        else:
            raise CertificateError("the facts do not fit on the one page of a certificate")
        attachment = weasyprint.Attachment(string=tlog.canonical(evidence), name=EVIDENCE_NAME,
                                           description="ipcity data-IP registration evidence (log entry, proof, head)")
        pdf = renderer.write_pdf(document, attachments=[attachment], finisher=_add_signature_slot)
    return sign_document(pdf, signer)
