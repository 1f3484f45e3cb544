"""The demo: a published declaration with a recorded licence and a payment, one awaiting the formal check, one
refused on a register ground — on the demo register patents."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipcity.core.setup import load_demo
from ipcity.patents import register
from ipcity.patents.position import LICENCE, OPEN_LICENCE
from ipcity.services.openlicense.tables import Declaration, Licence, Payment


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_demo_shows_each_stage(services):
    load_demo(services.db, services.registry, services.files, password="Demo-Test-2026")
    with services.db.session() as s:
        states = sorted(d.state for d in s.scalars(select(Declaration)))
        assert states == ["filed", "published", "refused"]
        published = s.scalar(select(Declaration).where(Declaration.state == "published"))
        assert published.patentee == "演示科技有限公司（演示）"
        lic = s.scalar(select(Licence))
        assert lic.licensee == "演示制造有限公司（演示）" and lic.state == "recorded"
        assert s.scalar(select(Payment.amount)) > 0
        key = published.app_number
        assert [e.reference for e in register.entries(s, key, (OPEN_LICENCE,))] == [published.number]
        assert [e.reference for e in register.entries(s, key, (LICENCE,))] == [lic.number]
