"""The panels valuation adds to other services' record pages (core.plugins.Panel), through the registry:

- "pledge.registration" — the pledge application page: each pledged patent's score, grade, indicative value and
  suggested pledge rate, and a link to the valuation form, for the pledgee bank, the registering body and
  administrators. The page passes its record (the application, whose `patents` each have a `patent_number`);
  the pledge service imports nothing of valuation, and valuation nothing of pledge.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from ipcity.core.errors import DomainError
from ipcity.core.plugins import Panel
from ipcity.core.roles import Actor
from ipcity.services.valuation import service
from ipcity.services.valuation.access import PANEL_READERS
from ipcity.services.valuation.domain import FINANCE

PLEDGE_APPLICATION = "pledge.registration"  # the pledge service's subject type (its registration case type)
PLEDGE_PANEL_TEMPLATE = "valuation/_pledge_panel.html"


def patent_numbers(subject: object) -> list[str]:
    """The patent numbers of a subject: a record whose `patents` each have a `patent_number`, or the numbers."""
    items = getattr(subject, "patents", subject)
    if isinstance(items, str):
        return service.split_numbers(items)
    return [str(getattr(p, "patent_number", p)) for p in (items if isinstance(items, Iterable) else ())]


def pledge_panel(session: Session, actor: Actor, subject: object) -> Panel | None:
    """The valuation summaries of a pledge application's patents under the finance scenario (None inside the
    panel when they cannot be valued, e.g. a patent not in the register); no panel for anyone else."""
    if actor.role not in PANEL_READERS:
        return None
    numbers = patent_numbers(subject)
    try:
        valuations = service.summaries(session, numbers, scenario=FINANCE,
                                       own_reference=str(getattr(subject, "registration_number", "") or ""))
    except DomainError:
        valuations = None
    link = service.PAGE + "?" + urlencode({"numbers": ",".join(numbers)})
    return Panel(PLEDGE_PANEL_TEMPLATE, {"valuations": valuations, "link": link})
