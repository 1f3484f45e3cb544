"""Offline verification of a registration certificate PDF: no database, no network, only the file.

A certificate proves itself twice over. The registry's Ed25519 signature covers every byte of the file
(the 128 hex characters of the signature counted as zeros), so any change to the printed page, the
metadata or the attachment breaks it. The embedded evidence (`ipcity-evidence.json`) carries the log
entry, its RFC 9162 §2.1.3 inclusion proof and a signed tree head, so the registered facts are proven to
be in the public transparency log independently of the file signature.

Checks run in a fixed order; a check whose premise failed is reported as "not checked" (never as passed),
and the report is `ok` only when every check passed.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ipcity.core.files import sha256_of
from ipcity.services.dataip import merkle, signing, tlog

# The file format (written by certificate.py, read here).
SIGNATURE_MARKER = b"/IpcitySignature ("
SIGNATURE_HEX_LENGTH = 128  # an Ed25519 signature (64 bytes), lowercase hex
SIGNATURE_PLACEHOLDER = b"0" * SIGNATURE_HEX_LENGTH
EVIDENCE_NAME = "ipcity-evidence.json"
EVIDENCE_FORMAT = "ipcity.dataip.evidence/1"
ENTRY_KINDS = {"registration": "登记", "change": "变更登记", "renewal": "续展登记"}  # the kinds a certificate shows

_HEX_SIGNATURE = re.compile(rb"[0-9a-f]{%d}\)" % SIGNATURE_HEX_LENGTH)  # lowercase only: one spelling per signature


def fingerprint(public_raw: bytes) -> str:
    """What certificates print for a key: the first 16 hex characters of its RFC 6962 key id."""
    return signing.key_id(public_raw)[:16]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail_zh: str
    detail_en: str


@dataclass
class VerifyReport:
    checks: list[Check] = field(default_factory=list)
    facts: dict | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (zh, en): worth saying, never a failure

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)


class _Failed(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


class _Verifier:
    def __init__(self, pdf: bytes, data_path: Path | None, pinned: bytes | None) -> None:
        self.pdf, self.data_path, self.pinned = pdf, data_path, pinned
        self.signature_at = -1
        self.evidence: dict | None = None
        self.evidence_error: _Failed | None = None
        self.entry: dict = {}
        self.facts: dict = {}

    # -- the evidence is read first: without a pinned key, the key to check the signature with is in it
    def read_evidence(self) -> None:
        try:
            from pypdf import PdfReader  # imported here: only verifying reads PDFs

            found = PdfReader(io.BytesIO(self.pdf)).attachments.get(EVIDENCE_NAME) or []
            if len(found) != 1:
                raise _Failed(f"证书中应恰有一个 {EVIDENCE_NAME} 附件，实有 {len(found)} 个",
                              f"the certificate should carry exactly one {EVIDENCE_NAME} attachment; it has "
                              f"{len(found)}")
            evidence = json.loads(found[0])
            if not isinstance(evidence, dict) or evidence.get("format") != EVIDENCE_FORMAT:
                raise _Failed(f"附件不是 {EVIDENCE_FORMAT} 格式的存证",
                              f"the attachment is not {EVIDENCE_FORMAT} evidence")
            log = evidence["log"]
            entry = json.loads(log["entry"])
            if not (isinstance(entry, dict) and isinstance(entry.get("facts"), dict)
                    and isinstance(evidence["verify_url"], str) and isinstance(log["head"], dict)):
                raise ValueError("the entry, its facts, verify_url or the tree head has the wrong type")
        except _Failed as exc:
            self.evidence_error = exc
        except Exception as exc:  # noqa: BLE001 — untrusted bytes through a third-party parser: any error is a fail
            self.evidence_error = _Failed(f"内嵌存证 {EVIDENCE_NAME} 无法读取：{exc}",
                                          f"the embedded evidence {EVIDENCE_NAME} cannot be read: {exc}")
        else:
            self.evidence, self.entry, self.facts = evidence, entry, entry["facts"]

    def embedded_key(self) -> bytes | None:
        try:
            raw = bytes.fromhex(self.evidence["public_key"]) if self.evidence else b""
        except (TypeError, ValueError):
            return None
        return raw if len(raw) == 32 else None

    def key(self) -> bytes:
        key = self.pinned or self.embedded_key()
        if key is None:
            raise _Failed("没有可用的验证密钥：内嵌存证中没有可读的公钥，也未用 --key 指定",
                          "no key to verify with: the embedded evidence holds no readable public key and no --key "
                          "was given")
        return key

    # -- a. the marker, exactly once, followed by 128 lowercase hex characters
    def signature_present(self) -> tuple[str, str]:
        count = self.pdf.count(SIGNATURE_MARKER)
        if count != 1:
            raise _Failed(f"文件中的 ipcity 签名标记 /IpcitySignature 出现 {count} 次（应恰好 1 次）",
                          f"the ipcity signature marker /IpcitySignature occurs {count} times in the file (it must "
                          "occur exactly once)")
        start = self.pdf.index(SIGNATURE_MARKER) + len(SIGNATURE_MARKER)
        if not _HEX_SIGNATURE.match(self.pdf, start):
            raise _Failed("ipcity 签名不是 128 个小写十六进制字符",
                          "the ipcity signature is not 128 lowercase hex characters")
        self.signature_at = start
        return "文件带有 ipcity 文档签名", "the file carries an ipcity document signature"

    # -- b. the signature over the whole file, placeholder zeroed (certificate.py signs exactly this)
    def document_signature(self) -> tuple[str, str]:
        key = self.key()
        embedded = self.embedded_key()
        if self.pinned and embedded and embedded != self.pinned:
            raise _Failed(f"证书由另一把密钥签署（指纹 {fingerprint(embedded)}），"
                          f"不是登记机构的公钥（{fingerprint(self.pinned)}）",
                          f"the certificate was signed by another key (fingerprint {fingerprint(embedded)}), not the "
                          f"registry's pinned key ({fingerprint(self.pinned)})")
        at = self.signature_at
        signature = bytes.fromhex(self.pdf[at:at + SIGNATURE_HEX_LENGTH].decode("ascii"))
        digest = hashlib.sha256(self.pdf[:at] + SIGNATURE_PLACEHOLDER + self.pdf[at + SIGNATURE_HEX_LENGTH:]).digest()
        try:
            signing.verify(key, signature, signing.certificate_message(digest), "certificate")
        except signing.SignatureError:
            raise _Failed(f"文档签名无效：文件在签署后被改动过（或并非密钥 {fingerprint(key)} 所签）",
                          f"the document signature does not verify: the file was changed after signing (or was not "
                          f"signed by key {fingerprint(key)})") from None
        return (f"文档签名有效（密钥指纹 {fingerprint(key)}），文件自签署后未被改动",
                f"the document signature verifies (key fingerprint {fingerprint(key)}); the file is unchanged since "
                "signing")

    # -- c.
    def evidence_readable(self) -> tuple[str, str]:
        if self.evidence_error:
            raise self.evidence_error
        return (f"内嵌存证 {EVIDENCE_NAME} 可读（{EVIDENCE_FORMAT}）",
                f"the embedded evidence {EVIDENCE_NAME} is readable ({EVIDENCE_FORMAT})")

    # -- d. RFC 6962 §3.5 signed tree head, with the same key as the document
    def tree_head(self) -> tuple[str, str]:
        head = self.evidence["log"]["head"]
        try:
            tlog.verify_head(head, self.key())
        except (signing.SignatureError, KeyError, TypeError, ValueError) as exc:
            raise _Failed(f"日志树头签名无效：{exc}", f"the signed tree head does not verify: {exc}") from None
        return (f"日志树头签名有效（大小 {head['tree_size']}，时间 {head.get('time', '')}）",
                f"the signed tree head verifies (size {head['tree_size']}, time {head.get('time', '')})")

    # -- e. RFC 9162 §2.1.3.2 inclusion of the entry under the signed root
    def inclusion(self) -> tuple[str, str]:
        log = self.evidence["log"]
        try:
            index, size = log["index"], log["head"]["tree_size"]
            if not (type(index) is int and type(size) is int):
                raise ValueError("the index and the tree size must be integers")
            merkle.verify_inclusion(merkle.leaf_hash(log["entry"].encode("utf-8")), index, size,
                                    [bytes.fromhex(h) for h in log["inclusion_proof"]],
                                    bytes.fromhex(log["head"]["root_hash"]))
        except (KeyError, TypeError, ValueError) as exc:  # merkle.ProofError is a ValueError
            where = log.get("index")
            raise _Failed(f"登记记录未被证明在已签名的日志中（序号 {where}）：{exc}",
                          f"the entry is not proven to be in the signed log (index {where}): {exc}") from None
        return (f"登记记录位于日志第 {index} 号，包含证明有效",
                f"the entry is log entry {index}; its inclusion proof verifies")

    # -- f. the entry is a registration record of the certificate the QR code points to
    def entry_matches(self) -> tuple[str, str]:
        kind = self.entry.get("kind")
        if kind not in ENTRY_KINDS:
            raise _Failed(f"日志记录类型为 {kind!r}，不是登记、变更或续展", f"the log entry is a {kind!r} entry, not a "
                          "registration, change or renewal")
        url = self.evidence["verify_url"]
        named = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        number = self.facts.get("certificate_number")
        if not named or named != number:
            raise _Failed(f"核验地址 {url} 指向证书 {named}，而日志记录的证书编号为 {number}",
                          f"the verification address {url} names certificate {named}, but the log entry is for "
                          f"certificate {number}")
        return (f"日志记录为证书 {number} 的{ENTRY_KINDS[kind]}记录",
                f"the log entry is the {kind} record of certificate {number}")

    # -- g. the data file is one of the registered data
    def data_file(self) -> tuple[str, str]:
        registered = [d.get("sha256") for d in self.facts.get("data") or [] if isinstance(d, dict)]
        try:
            computed = sha256_of(self.data_path)
        except OSError as exc:
            raise _Failed(f"数据文件无法读取：{exc}", f"the data file cannot be read: {exc}") from None
        if computed not in registered:
            listed = ", ".join(str(h) for h in registered) or "—"
            raise _Failed(f"数据文件的 SHA-256 为 {computed}，与登记的哈希（{listed}）都不一致",
                          f"the data file's SHA-256 is {computed}, which is none of the registered hashes ({listed})")
        return (f"数据文件与登记的哈希一致（SHA-256 {computed}）",
                f"the data file matches a registered hash (SHA-256 {computed})")


# name, the checks it needs, what it runs
_STEPS: list[tuple[str, tuple[str, ...], Callable[[_Verifier], tuple[str, str]]]] = [
    ("signature-present", (), _Verifier.signature_present),
    ("document-signature", ("signature-present",), _Verifier.document_signature),
    ("evidence", (), _Verifier.evidence_readable),
    ("tree-head", ("evidence",), _Verifier.tree_head),
    ("inclusion", ("tree-head",), _Verifier.inclusion),
    ("entry", ("inclusion",), _Verifier.entry_matches),
    ("data-file", ("entry",), _Verifier.data_file),
]


def verify_certificate(pdf: bytes, *, data_path: Path | None = None, public_key: bytes | None = None) -> VerifyReport:
    """Every check of the certificate file `pdf` (and, given, of the data file); `public_key` pins the
    registry's published key, otherwise the key in the certificate itself is used."""
    verifier = _Verifier(pdf, data_path, public_key)
    verifier.read_evidence()
    report = VerifyReport(facts=verifier.facts or None)
    passed: dict[str, bool] = {}
    for name, needs, run in _STEPS:
        if name == "data-file" and data_path is None:
            continue
        failed = [n for n in needs if not passed[n]]
        if failed:
            check = Check(name, False, f"未检查：前提检查 {', '.join(failed)} 未通过",
                          f"not checked: it depends on {', '.join(failed)}, which failed")
        else:
            try:
                check = Check(name, True, *run(verifier))
            except _Failed as exc:
                check = Check(name, False, exc.zh, exc.en)
        passed[name] = check.ok
        report.checks.append(check)
    embedded = verifier.embedded_key()
    if public_key is None and embedded is not None:
        report.notes.append((f"验证密钥取自证书本身（指纹 {fingerprint(embedded)}）："
                             "任何人都能用自己的密钥签出外观相同的证书；请用 --key 指定登记机构公布的公钥",
                             f"the key was taken from the certificate itself (fingerprint {fingerprint(embedded)}): "
                             "anyone can sign a look-alike with their own key; pass --key with the registry's "
                             "published key to pin it"))
    return report
