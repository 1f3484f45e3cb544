"""Issuing a registration certificate again (core/documents.py): the registration body's officials, from the
application's page, or `ipcity documents reissue dataip.certificate` for every registration in force.

The certificate of the facts in force is rendered again (in the platform's font, with the log's newest signed
tree head) and kept as the edition served from then on; every earlier edition — those of earlier revisions
(换发) and the one replaced — stays listed and downloadable on the application's page.
"""

from __future__ import annotations

import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import documents
from ipcity.core.files import FileStore, Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, Actor
from ipcity.core.tables import Attachment
from ipcity.services.dataip import casetypes, evidence, service
from ipcity.services.dataip.tables import DataProduct

KIND_KEY = "dataip.certificate"
FORM = "reissue-certificate"


def _subjects(session: Session) -> list[int]:
    return list(session.scalars(select(DataProduct.id).where(DataProduct.state == "registered",
                                                             DataProduct.certificate_number.is_not(None))
                                .order_by(DataProduct.id)))


def attachments(session: Session, product_id: int) -> list[Attachment]:
    """Every certificate kept of the registration, newest first."""
    return documents.editions(session, service.CERTIFICATE_OWNER, product_id)


def current(session: Session, product_id: int) -> list[Attachment]:
    """The edition served now (none before the first download rendered it)."""
    product = session.get(DataProduct, product_id)
    if product is None or not product.certificate_sha256:
        return []
    return [a for a in attachments(session, product_id) if a.sha256 == product.certificate_sha256][:1]


def may_reissue(session: Session, actor: Actor, product_id: int) -> bool:
    """A registration in force; the registration body's officials (and the platform itself, for the command)."""
    product = session.get(DataProduct, product_id)
    if product is None or product.state != "registered" or product.certificate_number is None:
        return False
    if actor.user_id is None and actor.role == ADMIN:
        return True
    return actor.role in casetypes.OFFICIALS and actor.unit_id == service.registry_unit(session).id


def _reissue(session: Session, files: FileStore, actor: Actor, product_id: int, reason: str,
             prepared=None) -> list[Attachment]:
    from ipcity.services.dataip.certificate import render_certificate

    product = session.get(DataProduct, product_id)
    service.include_now(session, product.log_index)  # the log signer may not have signed over it yet
    pdf = render_certificate(evidence.evidence_for(session, product), service.signer_of(session))
    kept = files.attach(session, Upload(f"{product.certificate_number}.pdf", io.BytesIO(pdf)),
                        service.CERTIFICATE_OWNER, product.id, actor.user_id)
    product.certificate_sha256 = kept.sha256
    return [kept]


KIND = documents.DocumentKind(key=KIND_KEY, label=Msg("Data-IP registration certificate"), subjects=_subjects,
                              current=current, may_reissue=may_reissue, reissue=_reissue)


def page_context(session: Session, actor: Actor, product: DataProduct) -> dict:
    """The certificate's editions for the application's page, and whether this person may issue it again."""
    kept = attachments(session, product.id)
    return {"certificate_editions": documents.editions_marked(session, KIND_KEY, product.id, kept),
            "current_certificate": product.certificate_sha256,
            "may_reissue_certificate": actor.user_id is not None and may_reissue(session, actor, product.id)}
