"""The registration certificate PDF and its offline verifier: a valid certificate passes every check; any
changed byte, another key, a wrong proof, an edited entry or a changed data file fails at the right check.
No database: the evidence is built here from an in-memory Merkle tree and a signed tree head."""

from __future__ import annotations

import copy
import hashlib
import shutil
import subprocess
import zlib
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from ipcity.cli import app
from ipcity.services.dataip import merkle, signing, tlog
from ipcity.services.dataip.certificate import CertificateError, render_certificate, sign_document
from ipcity.services.dataip.verify import EVIDENCE_NAME, SIGNATURE_MARKER, fingerprint, verify_certificate

POPPLER = all(shutil.which(tool) for tool in ("pdftoppm", "pdffonts", "pdftotext"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftoppm, pdffonts, pdftotext) not installed")

NUMBER = "DIP31202500000123"
DATA = "日期,线路,客流\n".encode() + b"".join(f"2024-01-{d:02},{d % 7},{d * 1234}\n".encode() for d in range(1, 29))
FACTS = {
    "certificate_number": NUMBER, "registration_number": "SH20250000001234", "application_number": "DA2025SH000123",
    "name": "城市交通客流时空数据集（2024年度）", "category": "processed", "category_label": "数据加工集合",
    "industry_code": "I6450", "industry_name": "互联网数据服务", "holder_name": "上海示例数据科技有限公司",
    "holder_type_label": "企业法人", "scenario": "城市交通规划与客流预测", "registered_on": "2025-03-14",
    "valid_until": "2028-03-13", "revision": 0, "registry": "上海市知识产权局",
    "data": [{"filename": "flows.csv", "sha256": hashlib.sha256(DATA).hexdigest(), "size": len(DATA),
              "mode": "uploaded"},
             {"filename": "stations.parquet", "sha256": "ab" * 32, "size": None, "mode": "declared"}],
}
INDEX = 4  # the registration's leaf among filler entries: a proof with siblings on both sides
CHECKS = ["signature-present", "document-signature", "evidence", "tree-head", "inclusion", "entry"]


def signed_head(signer: signing.RegistrySigner, tree: merkle.MerkleTree, timestamp_ms: int = 1741917600000) -> dict:
    """A tree head shaped like tlog.head_json's."""
    root = tree.root()
    return {"tree_size": len(tree), "root_hash": root.hex(), "timestamp": timestamp_ms,
            "signature": signer.sign(signing.tree_head_message(len(tree), timestamp_ms, root)).hex(),
            "key_id": signer.key_id,
            "time": datetime.fromtimestamp(timestamp_ms / 1000, UTC).isoformat(timespec="seconds")}


def build_evidence(signer: signing.RegistrySigner, *, kind: str = "registration", **facts) -> dict:
    facts = {**FACTS, **facts}
    entries = [tlog.canonical({"v": 1, "kind": "filing", "subject": f"DA{i}", "at": "2025-03-14T01:00:00Z", "n": i})
               for i in range(6)]
    entries.insert(INDEX, tlog.canonical({"v": 1, "kind": kind, "subject": facts["application_number"],
                                          "at": "2025-03-14T02:00:00Z", "facts": facts}))
    tree = merkle.MerkleTree()
    for entry in entries:
        tree.append(entry)
    return {"format": "ipcity.dataip.evidence/1",
            "verify_url": f"http://127.0.0.1:8000/dataip/verify/{facts['certificate_number']}",
            "public_key": signer.public_raw.hex(),
            "log": {"index": INDEX, "entry": entries[INDEX].decode("utf-8"),
                    "inclusion_proof": [h.hex() for h in tree.inclusion_proof(INDEX)],
                    "head": signed_head(signer, tree)}}


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    return signing.load_signer(folder / "k.pem"), signing.load_signer(folder / "other.pem")


@pytest.fixture(scope="module")
def signer(keys):
    return keys[0]


@pytest.fixture(scope="module")
def evidence(signer):
    return build_evidence(signer)


@pytest.fixture(scope="module")
def pdf(evidence, signer):
    return render_certificate(evidence, signer)


@pytest.fixture(scope="module")
def pdf_file(pdf, tmp_path_factory):
    path = tmp_path_factory.mktemp("cert") / "certificate.pdf"
    path.write_bytes(pdf)
    return path


def by_name(report) -> dict:
    return {check.name: check for check in report.checks}


def flipped(data: bytes, at: int, mask: int = 0x01) -> bytes:
    return data[:at] + bytes([data[at] ^ mask]) + data[at + 1:]


def test_a_valid_certificate_passes_every_check(pdf, signer):
    report = verify_certificate(pdf)
    assert [c.name for c in report.checks] == CHECKS
    assert all(c.ok for c in report.checks) and report.ok
    assert report.facts["certificate_number"] == NUMBER
    # the key came from the certificate itself: said, with its fingerprint, but not a failure
    assert len(report.notes) == 1 and fingerprint(signer.public_raw) in report.notes[0][1]
    assert "--key" in report.notes[0][1]
    pinned = verify_certificate(pdf, public_key=signer.public_raw)
    assert pinned.ok and pinned.notes == []


def test_the_file_is_a_single_signed_page_with_its_evidence(pdf, evidence):
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert reader.attachments[EVIDENCE_NAME] == [tlog.canonical(evidence)]
    assert reader.metadata["/Title"] == f"数据知识产权登记证书 {NUMBER}"
    assert pdf.count(SIGNATURE_MARKER) == 1
    signature = reader.metadata["/IpcitySignature"]
    assert len(signature) == 128 and signature != "0" * 128 and int(signature, 16)


def _attachment_stream(pdf: bytes, evidence: dict) -> tuple[int, int]:
    start = pdf.index(b"stream", pdf.index(b"/EmbeddedFile")) + len(b"stream\n")
    end = pdf.index(b"endstream", start)
    assert zlib.decompress(pdf[start:end]) == tlog.canonical(evidence)  # found the right bytes
    return start, end


def test_one_changed_byte_anywhere_fails(pdf, evidence, signer):
    signature_at = pdf.index(SIGNATURE_MARKER) + len(SIGNATURE_MARKER)
    stream_start, stream_end = _attachment_stream(pdf, evidence)
    positions = [round(i * (len(pdf) - 1) / 149) for i in range(150)]
    positions += [signature_at, signature_at + 63, signature_at + 127, signature_at - 2, signature_at + 128]
    positions += [stream_start, (stream_start + stream_end) // 2, stream_end - 1]
    for at in positions:
        for key in (None, signer.public_raw):
            report = verify_certificate(flipped(pdf, at), public_key=key)
            assert not report.ok, f"a byte changed at {at} of {len(pdf)} went unnoticed"
            assert not by_name(report)["signature-present"].ok or not by_name(report)["document-signature"].ok
    # a hex letter changed to upper case decodes to the same signature bytes: still refused
    letter = next(i for i in range(signature_at, signature_at + 128) if pdf[i:i + 1] in b"abcdef")
    report = verify_certificate(flipped(pdf, letter, 0x20))
    assert not report.ok and not by_name(report)["signature-present"].ok


def test_garbage_and_truncated_files_fail_without_raising(pdf):
    for data in (b"", b"not a pdf at all", pdf[: len(pdf) // 2], pdf.replace(SIGNATURE_MARKER, b"/IpcitySignaturX (")):
        report = verify_certificate(data)
        assert not report.ok and not by_name(report)["signature-present"].ok


def test_another_key_fails_when_the_registry_key_is_pinned(keys):
    registry, forger = keys
    forged = render_certificate(build_evidence(forger), forger)
    report = verify_certificate(forged, public_key=registry.public_raw)
    assert not report.ok
    check = by_name(report)["document-signature"]
    assert not check.ok
    assert check.detail_en == (f"the certificate was signed by another key (fingerprint "
                               f"{fingerprint(forger.public_raw)}), not the registry's pinned key "
                               f"({fingerprint(registry.public_raw)})")
    assert not by_name(report)["tree-head"].ok
    # unpinned, a self-consistent forgery passes: which is why the note names the key it trusted
    unpinned = verify_certificate(forged)
    assert unpinned.ok and fingerprint(forger.public_raw) in unpinned.notes[0][1]


def _tamper_proof(ev):
    ev["log"]["inclusion_proof"][0] = "00" * 32


def _tamper_entry(ev):
    ev["log"]["entry"] = ev["log"]["entry"].replace(FACTS["holder_name"], "另一家数据公司")


def _tamper_root(ev):
    ev["log"]["head"]["root_hash"] = "11" * 32


def _tamper_index(ev):
    ev["log"]["index"] += 1


def _tamper_url(ev):
    ev["verify_url"] = ev["verify_url"].replace(NUMBER, "DIP31202500000999")


@pytest.mark.parametrize(("tamper", "failing", "reason"), [
    (_tamper_proof, "inclusion", "does not lead to the signed root"),
    (_tamper_entry, "inclusion", "does not lead to the signed root"),
    (_tamper_index, "inclusion", "does not lead to the signed root"),
    (_tamper_root, "tree-head", "tree head signature does not verify"),
    (_tamper_url, "entry", "names certificate DIP31202500000999"),
])
def test_bad_evidence_in_a_validly_signed_certificate_fails_at_its_check(signer, evidence, tamper, failing, reason):
    bad = copy.deepcopy(evidence)
    tamper(bad)
    report = verify_certificate(render_certificate(bad, signer), public_key=signer.public_raw)
    checks = by_name(report)
    assert not report.ok
    assert checks["document-signature"].ok  # the registry did sign this file: the evidence is what is wrong
    assert not checks[failing].ok and reason in checks[failing].detail_en
    later = CHECKS[CHECKS.index(failing) + 1:]
    assert all(not checks[n].ok and checks[n].detail_en.startswith("not checked") for n in later)
    assert all(checks[n].ok for n in CHECKS[:CHECKS.index(failing)])


def test_an_entry_that_is_no_registration_fails(signer):
    report = verify_certificate(render_certificate(build_evidence(signer, kind="filing"), signer))
    check = by_name(report)["entry"]
    assert not report.ok and not check.ok and "'filing'" in check.detail_en


def test_the_data_file_matches_and_a_changed_byte_names_both_hashes(pdf, tmp_path):
    good = tmp_path / "flows.csv"
    good.write_bytes(DATA)
    report = verify_certificate(pdf, data_path=good)
    assert report.ok and [c.name for c in report.checks] == [*CHECKS, "data-file"]
    bad = tmp_path / "flows-changed.csv"
    bad.write_bytes(flipped(DATA, len(DATA) // 2))
    report = verify_certificate(pdf, data_path=bad)
    check = by_name(report)["data-file"]
    assert not report.ok and not check.ok
    computed = hashlib.sha256(bad.read_bytes()).hexdigest()
    assert computed in check.detail_en and FACTS["data"][0]["sha256"] in check.detail_en
    assert "ab" * 32 in check.detail_zh and computed in check.detail_zh


def test_the_data_file_is_not_checked_against_unproven_facts(signer, evidence, tmp_path):
    bad = copy.deepcopy(evidence)
    _tamper_proof(bad)
    data = tmp_path / "flows.csv"
    data.write_bytes(DATA)
    check = by_name(verify_certificate(render_certificate(bad, signer), data_path=data))["data-file"]
    assert not check.ok and check.detail_en.startswith("not checked")


@needs_poppler
def test_the_qr_code_links_to_the_public_record(pdf_file, evidence, tmp_path):
    import zxingcpp
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf_file), str(tmp_path / "page")],
                   check=True)
    (png,) = tmp_path.glob("page*.png")
    texts = [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(png))]
    assert texts == [evidence["verify_url"]]


@needs_poppler
def test_the_shipped_fonts_are_embedded(pdf_file):
    lines = subprocess.run(["pdffonts", str(pdf_file)], check=True, capture_output=True, text=True).stdout.splitlines()
    fonts = [line.split() for line in lines[2:] if line.strip()]
    names = [f[0] for f in fonts]
    # the platform's own font only (core/fonts.py): the text face, and the monospaced one for the hashes
    assert any("IPCity-Sans" in n for n in names) and any("IPCity-Mono" in n for n in names), names
    assert all("IPCity-" in n for n in names), names
    # columns: name, type…, encoding, emb, sub, uni, object ID: emb is the 5th from the end
    assert all(f[-5] == "yes" for f in fonts), lines


@needs_poppler
def test_the_text_shows_the_facts(pdf_file):
    text = subprocess.run(["pdftotext", str(pdf_file), "-"], check=True, capture_output=True, text=True).stdout
    for value in (NUMBER, FACTS["registration_number"], FACTS["holder_name"], "数据知识产权登记证书",
                  "电子印章示意", "not a legal e-seal"):
        assert value in text
    assert FACTS["data"][0]["sha256"] in "".join(text.split())  # the hash may wrap
    assert "换发" not in text  # revision 0: no reissue line


@needs_poppler
def test_a_reissue_in_english_first(signer, tmp_path):
    pdf = render_certificate(build_evidence(signer, revision=2), signer, lang="en")
    assert verify_certificate(pdf, public_key=signer.public_raw).ok
    path = tmp_path / "en.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert text.lstrip().startswith("Data Intellectual Property Registration Certificate")
    assert "reissue 2" in text and "第2次换发" in text


@needs_poppler
def test_long_facts_still_make_one_page_and_say_what_is_left_out(signer, tmp_path):
    import io

    from pypdf import PdfReader

    files = [{"filename": f"flows_{i}_" + "x" * 80 + ".csv", "sha256": f"{i:02x}" * 32, "size": 10**12,
              "mode": "uploaded"} for i in range(9)]
    pdf = render_certificate(build_evidence(signer, scenario="用于城市交通规划与客流预测。" * 90, data=files), signer)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert verify_certificate(pdf, public_key=signer.public_raw).ok
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    text = "".join(subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                                  text=True).stdout.split())
    assert "moredatafilesintheembeddedevidence" in text and "fulltextinthepublicrecord" in text
    assert files[0]["sha256"] in text and files[8]["sha256"] not in text


def test_the_renderer_refuses_what_could_never_verify(signer, keys, evidence):
    with pytest.raises(CertificateError, match="another public key"):
        render_certificate(evidence, keys[1])
    with pytest.raises(CertificateError, match="2 signature slots"):
        sign_document(b"%PDF /IpcitySignature (" + b"0" * 128 + b") /IpcitySignature (", signer)


def test_the_cli_exits_0_for_a_good_certificate_and_1_for_a_tampered_one(pdf, pdf_file, signer, tmp_path):
    runner = CliRunner()
    key = tmp_path / "registry.pub"
    key.write_bytes(signer.public_pem())
    data = tmp_path / "flows.csv"
    data.write_bytes(DATA)
    good = runner.invoke(app, ["dataip", "verify", str(pdf_file), str(data), "--key", str(key)])
    assert good.exit_code == 0, good.output
    assert "✓ data-file" in good.output and "✗" not in good.output
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(flipped(pdf, len(pdf) // 3))
    bad = runner.invoke(app, ["dataip", "verify", str(tampered), "--key", str(key)])
    assert bad.exit_code == 1
    assert "✗ document-signature" in bad.output and "the file was changed after signing" in bad.output
    missing = runner.invoke(app, ["dataip", "verify", str(tmp_path / "nowhere.pdf")])
    assert missing.exit_code == 2
