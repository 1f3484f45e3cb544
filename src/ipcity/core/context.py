"""What a service finds through its database session: the installation's settings, its file store, and the unit
that acts as the office for a service.

Sessions carry the settings and the file store in `session.info` (core.db.Database(info=...)); case hooks and
service functions read them here, so that every service finds them the same way.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core.config import Settings, load_settings
from ipcity.core.errors import DomainError
from ipcity.core.files import FileStore, store_for
from ipcity.core.i18n import Msg
from ipcity.core.tables import Unit


def settings_of(session: Session) -> Settings:
    return session.info.get("settings") or load_settings()


def files_of(session: Session) -> FileStore:
    store = session.info.get("files")
    if store is None:
        store = store_for(settings_of(session))
    return store


def office_unit(session: Session, setting: str) -> Unit:
    """The unit that acts for a service: the one whose code the Settings field `setting` holds (dataip_unit,
    from IPCITY_DATAIP_UNIT), else the IP office."""
    code = getattr(settings_of(session), setting)
    q = select(Unit).where(Unit.code == code) if code else select(Unit).where(Unit.kind == "ip_office")
    unit = session.scalar(q.order_by(Unit.id).limit(1))
    if unit is None:
        raise DomainError(Msg("No acting unit is configured: create a unit of kind 'IP office', or set {variable}",
                              variable=f"IPCITY_{setting.upper()}"))
    return unit
