"""Open licensing across the patent register, on SQLite and PostgreSQL: filing checked against the register,
publication re-checked (a pledge recorded after filing blocks it until the pledgee's consent is given), the
OPEN_LICENCE and LICENCE register entries, withdrawal that keeps the licences already taken (Patent Law Art 50),
payments by either side, refused steps that write nothing, the fee schedule, matchmaking and statistics."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import func, select

from ipcity.core.errors import Conflict, DomainError, PermissionDenied
from ipcity.core.files import Upload
from ipcity.core.tables import AuditEntry, InboxItem
from ipcity.patents import fees, register
from ipcity.patents.position import LICENCE, OPEN_LICENCE, PLEDGE, PRESERVATION
from ipcity.services.openlicense import matching, service, stats
from ipcity.services.openlicense.tables import Declaration, Licence, Payment
from ipcity.workflow import engine
from ipcity.workflow.tables import Case
from tests.support.clock import pin_today
from tests.support.register import add_patent

TODAY = "2026-11-24"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TERMS = {"mode": "entry_plus_running", "entry_fee": "80000", "rate": "3", "rate_basis": "net_sales",
         "term_start": "2026-12-01", "term_end": "2030-11-30", "other_terms": "按年结算", "contact": "021-5555",
         "small_entity": "none"}


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    pin_today(monkeypatch, TODAY)


def pdf(name: str = "doc.pdf") -> Upload:
    return Upload(name, io.BytesIO(PDF))


def declare(session, people, rec, **changes):
    return service.file_declaration(session, people["company"], {**TERMS, "patent_number": rec.app_number, **changes},
                                    changes.pop("report", None))


def published(session, people, serial=1, **patent):
    rec = add_patent(session, serial, **patent)
    d = declare(session, people, rec)
    service.DECLARATIONS.act(session, people["lead_handler"], d, "publish")
    return rec, d


def take(session, people, d, who="licensee", **changes):
    values = {"mode": d.mode, "start_on": "2026-12-01", "products": "极片涂布设备", "contact": "021-6666", **changes}
    return service.take_licence(session, people[who], d, values)


def keys_of(exc) -> set[str]:
    return {f for f, _ in exc.value.problems}


def open_entries(session, key, kind):
    return [e for e in register.entries(session, key, (kind,)) if e.closed_on is None]


def counts(session) -> tuple:
    return (session.scalar(select(func.count()).select_from(Declaration)),
            session.scalar(select(func.count()).select_from(Case)),
            session.scalar(select(func.count()).select_from(AuditEntry)),
            len(register.entries(session, "x")))


# --- declaring and publishing -------------------------------------------------------------------------------

def test_publication_writes_the_open_licence_entry_in_the_register(session, people):
    rec, d = published(session, people)
    assert d.state == "published" and d.published_on == date(2026, 11, 24)
    [entry] = open_entries(session, rec.app_number, OPEN_LICENCE)
    assert (entry.start, entry.end, entry.reference) == (date(2026, 11, 24), date(2030, 11, 30), d.number)
    position = register.position(session, rec.app_number)
    assert position.open_licence is not None and position.open_licence.reference == d.number
    case = session.get(Case, d.case_id)
    assert [e.transition for e in case.events] == ["create", "publish"]
    assert case.events[-1].actor_name == "lead_handler"


def test_a_refused_filing_names_every_ground_and_writes_nothing(session, people):
    rec = add_patent(session, 2, patent_type="utility", owners=("别的公司",), legal_status="valid")
    register.record_entry(session, people["admin"], rec.app_number, PRESERVATION, start=date(2026, 1, 1))
    session.commit()
    before = counts(session)
    with pytest.raises(DomainError) as exc:
        declare(session, people, rec, lump_sum="", mode="running", rate="25", other_terms="业内顶级")
    assert keys_of(exc) == {"patent_number", "rate", "evaluation_report", "other_terms", "term_end"}
    messages = " ".join(m.render("en") for _, m in exc.value.problems)
    for article in ("Art 50", "Art 86(2)", "国知发运字〔2024〕19号", "Art 85", "Art 42"):
        assert article in messages
    session.rollback()
    assert counts(session) == before


def test_a_pledge_blocks_filing_until_the_pledgees_consent_is_uploaded(session, people):
    rec = add_patent(session, 3)
    register.record_entry(session, people["admin"], rec.app_number, PLEDGE, start=date(2025, 5, 1),
                          reference="ZL-PLEDGE-1", detail={"pledgee": "测试银行"})
    with pytest.raises(DomainError) as exc:
        declare(session, people, rec)
    assert keys_of(exc) == {"consents"} and "测试银行" in exc.value.problems[0][1].render("en")
    with pytest.raises(DomainError) as exc:  # a consent naming someone else does not do
        service.file_declaration(session, people["company"], {**TERMS, "patent_number": rec.app_number}, None,
                                 [("别的银行", pdf("consent.pdf"))])
    assert keys_of(exc) == {"consents"}
    d = service.file_declaration(session, people["company"], {**TERMS, "patent_number": rec.app_number}, None,
                                 [("测试银行", pdf("consent.pdf"))])
    assert d.consents[0]["pledgee"] == "测试银行"
    service.DECLARATIONS.act(session, people["lead_handler"], d, "publish")
    assert d.state == "published"


def test_a_pledge_recorded_after_filing_blocks_publication_until_corrected(session, people):
    rec = add_patent(session, 4)
    d = declare(session, people, rec)
    register.record_entry(session, people["admin"], rec.app_number, PLEDGE, start=date(2026, 11, 20),
                          reference="ZL-PLEDGE-2", detail={"pledgee": "测试银行"})
    session.commit()
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(DomainError) as exc:
        service.DECLARATIONS.act(session, people["lead_handler"], d, "publish")
    assert keys_of(exc) == {"consents"}
    # the refused step wrote nothing: no state change, no register entry, no history, no audit
    assert d.state == "filed" and session.get(Case, d.case_id).state == "filed"
    assert open_entries(session, rec.app_number, OPEN_LICENCE) == []
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits
    service.DECLARATIONS.act(session, people["lead_handler"], d, "return", reason="质押未经质权人同意，请补正")
    with pytest.raises(DomainError) as exc:
        service.resubmit(session, people["company"], d, TERMS)
    assert keys_of(exc) == {"consents"}
    service.resubmit(session, people["company"], d, TERMS, consents=[("测试银行", pdf("consent.pdf"))],
                     reason="已补交质权人同意书")
    service.DECLARATIONS.act(session, people["lead_handler"], d, "publish")
    assert d.state == "published" and len(open_entries(session, rec.app_number, OPEN_LICENCE)) == 1


def test_utility_models_need_the_evaluation_report(session, people):
    rec = add_patent(session, 5, patent_type="utility", app_date=date(2022, 3, 2))
    session.commit()
    with pytest.raises(DomainError) as exc:
        declare(session, people, rec)
    assert keys_of(exc) == {"evaluation_report"}
    with pytest.raises(DomainError) as exc:  # the type is checked, not the name
        service.file_declaration(session, people["company"], {**TERMS, "patent_number": rec.app_number},
                                 Upload("report.pdf", io.BytesIO(b"not a pdf at all")))
    assert keys_of(exc) == {"evaluation_report"}
    session.rollback()
    d = service.file_declaration(session, people["company"], {**TERMS, "patent_number": rec.app_number},
                                 pdf("report.pdf"))
    assert d.state == "filed"


def test_only_the_recorded_patentee_may_declare_and_only_once(session, people):
    rec = add_patent(session, 6)
    with pytest.raises(DomainError) as exc:
        service.file_declaration(session, people["licensee"], {**TERMS, "patent_number": rec.app_number})
    assert keys_of(exc) == {"patent_number"} and "测试公司" in exc.value.problems[0][1].render("en")
    with pytest.raises(PermissionDenied):
        service.file_declaration(session, people["bank"], {**TERMS, "patent_number": rec.app_number})
    first = declare(session, people, rec)
    with pytest.raises(DomainError) as exc:
        declare(session, people, rec)
    assert first.number in exc.value.problems[0][1].render("en")


def test_the_office_refuses_with_grounds_and_only_its_officials_act(session, people):
    rec = add_patent(session, 7)
    d = declare(session, people, rec)
    with pytest.raises(PermissionDenied):
        service.DECLARATIONS.act(session, people["pudong"], d, "publish")  # an official of another unit
    with pytest.raises(DomainError) as exc:
        service.DECLARATIONS.act(session, people["lead_handler"], d, "refuse", {"grounds": []}, "")
    assert keys_of(exc) == {"grounds", "reason"}
    service.DECLARATIONS.act(session, people["reviewer"], d, "refuse", {"grounds": ["suspended"]}, "登记簿显示保全")
    assert d.state == "refused"
    assert session.get(Case, d.case_id).events[-1].values == {"grounds": ["suspended"]}


# --- licences and withdrawal --------------------------------------------------------------------------------

def test_take_record_pay_and_withdraw_keeps_the_licence(session, people):
    rec, d = published(session, people, 8)
    lic = take(session, people, d)
    assert lic.state == "notified" and lic.licensor == "测试公司" and lic.end_on == d.term_end
    task = session.scalar(select(InboxItem).where(InboxItem.unit_id == people["company"].unit_id,
                                                  InboxItem.case_id == lic.case_id))
    assert task is not None  # the patentee is notified (Art 51)
    with pytest.raises(DomainError) as exc:
        service.record_licence(session, people["licensee"], lic, None)
    assert keys_of(exc) == {"proof"}
    service.record_licence(session, people["company"], lic, pdf("contract.pdf"))  # either side may record
    [entry] = open_entries(session, rec.app_number, LICENCE)
    assert entry.reference == lic.number and entry.detail["licence_type"] == "ordinary"
    assert entry.detail["licensee"] == "测试制造公司"
    service.record_payment(session, people["licensee"], lic, {"amount": "80000", "paid_on": "2026-11-24",
                                                              "period": "入门费"}, pdf("pay.pdf"))
    service.record_payment(session, people["company"], lic, {"amount": "1200.50", "paid_on": "2026-11-24"},
                           pdf("pay2.pdf"))
    assert [p.recorded_by_side for p in service.payments_of(session, lic)] == ["licensee", "licensor"]

    service.DECLARATIONS.act(session, people["company"], d, "request_withdrawal", reason="转为独占许可谈判")
    assert d.state == "withdrawal_requested" and len(open_entries(session, rec.app_number, OPEN_LICENCE)) == 1
    service.DECLARATIONS.act(session, people["lead_handler"], d, "withdraw")
    assert d.state == "withdrawn" and d.withdrawn_on == date(2026, 11, 24)
    [closed] = register.entries(session, rec.app_number, (OPEN_LICENCE,))
    assert closed.closed_on == date(2026, 11, 24)
    # Patent Law Art 50: the licence already obtained survives the withdrawal
    session.refresh(lic)
    assert lic.state == "recorded" and len(open_entries(session, rec.app_number, LICENCE)) == 1
    assert register.position(session, rec.app_number, date(2027, 1, 1)).licences[0].reference == lic.number
    service.record_payment(session, people["licensee"], lic, {"amount": "100", "paid_on": "2026-11-24"},
                           pdf("pay3.pdf"))
    with pytest.raises(Conflict):  # but no new licence can be taken
        take(session, people, d)


def test_licence_taking_rules(session, people):
    _, d = published(session, people, 9)
    with pytest.raises(PermissionDenied):
        take(session, people, d, who="company")  # the patentee itself
    with pytest.raises(PermissionDenied):
        take(session, people, d, who="bank")
    with pytest.raises(DomainError) as exc:
        take(session, people, d, mode="lump_sum", products="", start_on="2026-01-01")
    assert keys_of(exc) == {"mode", "products", "start_on"}
    lic = take(session, people, d)
    with pytest.raises(DomainError) as exc:
        take(session, people, d)
    assert lic.number in exc.value.problems[0][1].render("en")
    with pytest.raises(PermissionDenied):
        service.record_payment(session, people["bank"], lic, {"amount": "1", "paid_on": TODAY}, pdf())
    with pytest.raises(DomainError) as exc:
        service.record_payment(session, people["licensee"], lic, {"amount": "", "paid_on": ""}, None)
    assert keys_of(exc) == {"amount", "paid_on", "proof"}
    service.end_licence(session, people["licensee"], lic, "产品停产")
    assert lic.state == "ended" and lic.ended_on == date(2026, 11, 24)


def test_the_generic_case_page_path_is_guarded_too(session, people):
    """The portal fires transitions through the engine directly: the hooks still check and write the register."""
    rec = add_patent(session, 10)
    d = declare(session, people, rec)
    register.record_entry(session, people["admin"], rec.app_number, PRESERVATION, start=date(2026, 11, 1))
    case = session.get(Case, d.case_id)
    with pytest.raises(DomainError):
        engine.fire(session, service.DECLARATION, case, "publish", people["lead_handler"])
    rec2 = add_patent(session, 11)
    d2 = declare(session, people, rec2)
    engine.fire(session, service.DECLARATION, session.get(Case, d2.case_id), "publish", people["reviewer"])
    assert d2.state == "published" and open_entries(session, rec2.app_number, OPEN_LICENCE)


# --- fees, matching, statistics -----------------------------------------------------------------------------

def test_the_fee_schedule_shows_the_open_licence_reduction_after_publication(session, people):
    rec, d = published(session, people, 12)
    position = register.position(session, rec.app_number)
    schedule = service.fee_schedule(session, position, "none")
    by_year = {y.year: y for y in schedule}
    # filed 2020-03-02: year 8 begins 2027-03-02, inside the open licence (2026-11-24 … 2030-11-30)
    assert by_year[8].reduction == fees.OPEN_LICENCE and by_year[8].payable == round(by_year[8].full * 0.85)
    assert by_year[12].reduction is None
    small = {y.year: y for y in service.fee_schedule(session, position, "single")}
    assert small[8].reduction == fees.SINGLE_SMALL


def test_matchmaking_ranks_published_declarations_with_passages(session, people):
    published(session, people, 13, title="一种锂电池极片涂布装置", abstract="涂布均匀，提高锂电池极片一致性。")
    published(session, people, 14, title="一种光伏组件清洁机器人", abstract="机器人沿光伏阵列清洁组件表面。",
              ipc=("H02S40/10",))
    unpublished = add_patent(session, 15, title="一种锂电池电解液")
    declare(session, people, unpublished)
    results = matching.match(session, "我们生产锂电池，需要极片涂布技术")
    assert [m.declaration.title for m in results][0] == "一种锂电池极片涂布装置"
    assert all(m.declaration.state == "published" for m in results)
    assert "<mark>" in str(results[0].passages[0]) and "锂电池" in results[0].matched
    assert matching.match(session, "   ") == []


class CharEncoder:
    """A stand-in encoder: character counts over a small alphabet (unit rows)."""

    name, dim = "chars", 64

    def encode(self, texts):
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for ch in t:
                rows[i, ord(ch) % self.dim] += 1
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return rows / norms


def test_matchmaking_uses_the_encoder_when_there_is_one(session, people):
    published(session, people, 16, title="一种锂电池极片涂布装置", abstract="涂布均匀。")
    published(session, people, 17, title="光伏清洁机器人", abstract="清洁光伏板。", ipc=("H02S40/10",))
    results = matching.match(session, "光伏清洁机器人", encoder=CharEncoder())
    assert results[0].declaration.title == "光伏清洁机器人" and results[0].passages
    assert results[0].score > results[-1].score or len(results) == 1


def test_statistics_count_by_section_region_and_month(session, people):
    _, d = published(session, people, 18, ipc=("H01M4/04",), region_code="310115")
    lic = take(session, people, d)
    service.record_payment(session, people["licensee"], lic, {"amount": "500", "paid_on": TODAY}, pdf())
    published(session, people, 19, ipc=("A61K9/00",), region_code="310104")
    rows, total = stats.table(session, "section")
    by = {r.key: r for r in rows}
    assert (by["H"].published, by["H"].licences, by["H"].royalties) == (1, 1, Decimal(500))
    assert by["A"].licences == 0 and total.filed == 2
    regions = {r.key: r.name for r in stats.table(session, "region")[0]}
    assert "浦东新区" in regions["310115"]
    months = stats.table(session, "month")[0]
    assert sum(r.filed for r in months) == 2
    sei_rows, _ = stats.table(session, "sei")
    assert sum(r.filed for r in sei_rows) >= 2


def test_payments_are_stored_exactly(session, people):
    _, d = published(session, people, 20)
    lic = take(session, people, d)
    service.record_payment(session, people["licensee"], lic, {"amount": "0.10", "paid_on": TODAY}, pdf())
    session.commit()
    assert session.scalar(select(Payment.amount)) == Decimal("0.10")
    assert session.scalar(select(Licence.state)) == "notified"
