"""The patent page shows the register position of a granted Chinese patent (fees, licences, pledges, open
licence), through the real application."""

from __future__ import annotations

from datetime import date

from ipcity.core.roles import Actor
from ipcity.patents import position as pos
from ipcity.patents import register
from tests.support.clock import pin_today
from tests.support.register import add_patent


def test_the_patent_page_shows_fees_pledges_licences_and_the_open_licence_reduction(app, client, monkeypatch):
    pin_today(monkeypatch, "2026-11-24")
    db = app.state.services.db
    actor = Actor.system("tests")
    with db.session() as s:
        rec = add_patent(s, 5151, app_date=date(2020, 3, 2))
        key = register.key_of(rec)
        register.record_entry(s, actor, key, pos.ANNUAL_FEE, start=date(2026, 2, 1), detail={"year": 7})
        register.record_entry(s, actor, key, pos.PLEDGE, start=date(2026, 1, 5), end=date(2028, 1, 5),
                              reference="ZY-1", detail={"pledgee": "测试银行"})
        register.record_entry(s, actor, key, pos.LICENCE, start=date(2025, 1, 1),
                              detail={"licence_type": pos.EXCLUSIVE, "licensee": "乙公司"})
        s.commit()
    html = client.get(f"/patents/{rec.pub_number}", params={"lang": "en"}).text
    assert 'id="register-position" data-in-force="yes"' in html
    assert "ZL202010005151" in html and "2040-03-01" in html
    assert "paid through year 7" in html and "2,000" not in html
    assert "fee: 2000 yuan; payable 2000 yuan" in html  # year 7 of an invention: 2,000 yuan
    assert "测试银行" in html and "ZY-1" in html and "乙公司" in html

    with db.session() as s:
        register.record_entry(s, actor, key, pos.OPEN_LICENCE, start=date(2026, 10, 1), end=date(2030, 1, 1),
                              reference="OL-1")
        s.commit()
    html = client.get(f"/patents/{rec.pub_number}", params={"lang": "en"}).text
    assert "payable 1700 yuan" in html and "OL-1" in html  # 15 % off while the open licence is in effect


def test_an_unpaid_fee_is_flagged(app, client, monkeypatch):
    pin_today(monkeypatch, "2026-05-10")
    with app.state.services.db.session() as s:
        rec = add_patent(s, 5152, app_date=date(2020, 3, 2))
        register.record_entry(s, Actor.system("t"), rec.app_number, pos.ANNUAL_FEE, start=date(2025, 2, 1),
                              detail={"year": 6})
        s.commit()
    html = client.get(f"/patents/{rec.pub_number}", params={"lang": "en"}).text
    assert "Unpaid: due 2026-03-01; with the late surcharge until 2026-09-01" in html
