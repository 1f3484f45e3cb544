"""The evidence of a registration: the certificate with its proof, and the checks that the registry and the
transparency log still agree (the registry row against the entry it was published in, the log against its
signed tree heads)."""

from __future__ import annotations

import io
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit_anchor
from ipcity.core.errors import DomainError
from ipcity.core.files import Upload
from ipcity.core.i18n import Msg
from ipcity.services.dataip import merkle, service, signing, tlog
from ipcity.services.dataip.tables import DataProduct, LogLeaf, Objection


def evidence_for(session: Session, product: DataProduct) -> dict:
    """What a certificate carries to be verified offline: the facts' log entry, its inclusion proof and a
    signed tree head that covers it."""
    if product.log_index is None or product.certificate_number is None:
        raise DomainError(Msg("{number} has no certificate", number=product.application_number))
    leaf = tlog.leaf(session, product.log_index)
    head = tlog.latest_head(session)
    if leaf is None or head is None or head.size <= product.log_index:
        raise DomainError(Msg("The transparency log does not hold this registration's entry"))
    signer = service.signer_of(session)
    proof = tlog.inclusion_proof(session, product.log_index, head.size)
    return {"format": "ipcity.dataip.evidence/1",
            "verify_url": f"{service.settings_of(session).public_url}/dataip/verify/{product.certificate_number}",
            "public_key": signer.public_raw.hex(),
            "log": {"index": leaf.idx, "entry": leaf.entry, "inclusion_proof": [p.hex() for p in proof],
                    "head": tlog.head_json(head)}}


def certificate_pdf(session: Session, product: DataProduct) -> bytes:
    """The certificate of the facts in force, rendered once per edition and kept in the file store."""
    store = service.files_of(session)
    if product.certificate_sha256 and store.exists(product.certificate_sha256):
        with store.open(product.certificate_sha256) as fh:
            return fh.read()
    from ipcity.services.dataip.certificate import render_certificate

    pdf = render_certificate(evidence_for(session, product), service.signer_of(session))
    stored = store.attach(session, Upload(f"{product.certificate_number}.pdf", io.BytesIO(pdf)),
                          service.CERTIFICATE_OWNER, product.id, None)
    product.certificate_sha256 = stored.sha256
    return pdf


def latest_leaf(session: Session, product: DataProduct, kinds) -> LogLeaf | None:
    return session.scalar(select(LogLeaf).where(LogLeaf.subject == product.application_number,
                                                LogLeaf.kind.in_(tuple(kinds))).order_by(LogLeaf.idx.desc()).limit(1))


def record_problems(session: Session, product: DataProduct) -> list[Msg]:
    """Where the registry row of a product and the transparency log disagree (empty: they agree).

    The row's public facts are recomputed and compared field by field with the entry they were logged in;
    the entry must hash to its leaf, be the product's latest such entry, and be included under the signed head.
    """
    number = product.application_number
    if product.state in ("in_publicity", "objection_review"):
        kinds, expected = ("publicity",), service.publicity_facts(product)
    elif product.log_index is not None:
        kinds, expected = service.FACT_KINDS, service.certificate_facts(product, service.registry_unit(session).name_zh)
    else:
        return []
    leaf = latest_leaf(session, product, kinds)
    if leaf is None:
        return [Msg("{number}: the transparency log holds no entry of this record", number=number)]
    problems = []
    if kinds == service.FACT_KINDS and leaf.idx != product.log_index:
        problems.append(Msg("{number}: the registry points at log entry {index}, the latest entry of the product "
                            "is {latest}", number=number, index=product.log_index, latest=leaf.idx))
    if merkle.leaf_hash(leaf.entry.encode("utf-8")).hex() != leaf.leaf_hash:
        problems.append(Msg("{number}: log entry {index} was edited (hash mismatch)", number=number, index=leaf.idx))
    logged = json.loads(leaf.entry).get("facts", {})
    for key in sorted(set(expected) | set(logged)):
        if expected.get(key) != logged.get(key):
            problems.append(Msg("{number}: '{field}' in the registry ({registry}) differs from the log ({log})",
                                number=number, field=key, registry=repr(expected.get(key)),
                                log=repr(logged.get(key))))
    status = latest_leaf(session, product, service.STATUS_KINDS)
    if status is not None and service.STATUS_KINDS[status.kind] != product.state:
        problems.append(Msg("{number}: the registry says '{state}', the log says '{logged}'", number=number,
                            state=product.state, logged=service.STATUS_KINDS[status.kind]))
    head = tlog.latest_head(session)
    if head is not None and leaf.idx < head.size:
        try:
            merkle.verify_inclusion(bytes.fromhex(leaf.leaf_hash), leaf.idx, head.size,
                                    tlog.inclusion_proof(session, leaf.idx, head.size), bytes.fromhex(head.root_hash))
            tlog.verify_head(tlog.head_json(head), service.signer_of(session).public_raw)
        except (merkle.ProofError, signing.SignatureError, tlog.LogIntegrityError) as exc:
            problems.append(Msg("{number}: the log's proof fails: {detail}", number=number, detail=str(exc)))
    return problems


def filing_problems(session: Session, product: DataProduct) -> list[Msg]:
    """Every product, whatever its state (under review too): its data hashes are those fixed in its filing
    entry, and until a change is registered its whole filing still matches the digest logged then."""
    number = product.application_number
    filing = latest_leaf(session, product, ("filing",))
    if filing is None:
        return [Msg("{number}: the transparency log holds no filing entry of this product", number=number)]
    problems = []
    if merkle.leaf_hash(filing.entry.encode("utf-8")).hex() != filing.leaf_hash:
        problems.append(Msg("{number}: log entry {index} was edited (hash mismatch)", number=number,
                            index=filing.idx))
    logged = json.loads(filing.entry)
    if logged.get("data") != service._data(product, names=False):
        problems.append(Msg("{number}: the data hashes in the registry differ from those logged at filing "
                            "(log entry {index})", number=number, index=filing.idx))
    if product.revision == 0 and logged.get("filing_digest") != service._filing_digest(product):
        problems.append(Msg("{number}: the filing in the registry differs from the digest logged at filing "
                            "(log entry {index})", number=number, index=filing.idx))
    return problems


def objection_problems(session: Session) -> list[Msg]:
    """Every logged objection points at its own entry in the log."""
    problems = []
    rows = session.execute(select(Objection.id, Objection.log_index, DataProduct.application_number)
                           .join(DataProduct, DataProduct.id == Objection.product_id)
                           .where(Objection.log_index.is_not(None)).order_by(Objection.id))
    for objection_id, index, number in rows:
        leaf = tlog.leaf(session, index)
        entry = json.loads(leaf.entry) if leaf is not None else {}
        if leaf is None or leaf.subject != number or leaf.kind != "objection" or entry.get("objection") != objection_id:
            problems.append(Msg("{number}: objection {id} points at log entry {index}, which is not its entry",
                                number=number, id=objection_id, index=index))
    return problems


def integrity_problems(session: Session) -> list[Msg]:
    """The whole check: the log against its signed heads and the head kept outside the database, then every
    product (under review too) and every logged objection against the log."""
    public_key = service.signer_of(session).public_raw
    anchors = audit_anchor.anchor_dir(service.settings_of(session))
    problems = [Msg("Transparency log: {detail}", detail=p) for p in tlog.check(session, public_key, anchors)]
    for product in session.scalars(select(DataProduct).order_by(DataProduct.id)):
        try:
            problems += filing_problems(session, product)
            if product.state in service.PUBLIC_STATES:
                problems += record_problems(session, product)
        except tlog.LogIntegrityError as exc:
            problems.append(Msg("{number}: the log's proof fails: {detail}", number=product.application_number,
                                detail=str(exc)))
    return problems + objection_problems(session)
