"""Issue 14 finding 4: the anonymous objection form filled the disk (50 files = 50 MB in one request) and any
number of objections from anyone blocked registration. Each test reproduces one part of that finding."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ipcity.core.clock import now
from ipcity.core.errors import DomainError
from ipcity.core.files import FileStore
from ipcity.core.notify import MemoryNotifier
from ipcity.core.tables import Attachment, OutboxMessage, StoredFile
from ipcity.services.dataip import access, objections, queries, service
from ipcity.services.dataip.tables import ContactCode, LogLeaf, Objection
from ipcity.workflow.tables import Case
from tests.support.clock import pin_today
from tests.support.dataip import (
    code_from_outbox,
    code_in,
    file,
    object_confirmed,
    to_publicity,
    upload,
    verify_identity,
)

STATEMENT = "部分原始数据为我司所有，权属存在争议。"


def pdf(i: int = 0, size: int = 0) -> bytes:
    return b"%PDF-1.4\n%" + str(i).encode() + b"\n" + b"0" * size


@pytest.fixture
def product(session, people):
    verify_identity(session, people["company"])
    p = file(session, people["company"])
    to_publicity(session, people, p)
    session.flush()
    return p


@pytest.fixture
def notifier(session):
    found = session.info["notifier"] = MemoryNotifier()
    return found


@pytest.fixture
def limits(session):
    def apply(**values):
        session.info["settings"] = dataclasses.replace(session.info["settings"], **values)
    return apply


def anonymous(session, product, *, contact="objector@example.cn", client="203.0.113.5", evidence=None,
              name="某数据公司"):
    return service.file_objection(session, None, product, name=name, contact=contact, grounds=["ownership"],
                                  statement=STATEMENT, evidence=evidence or [upload("e.pdf", pdf())], client=client)


def stored(session, settings) -> tuple[int, int, int, int]:
    files_on_disk = [p for p in settings.files_dir.rglob("*") if p.is_file()] if settings.files_dir.exists() else []
    return (session.scalar(select(func.count()).select_from(Objection)),
            session.scalar(select(func.count()).select_from(Attachment)),
            session.scalar(select(func.count()).select_from(StoredFile)), len(files_on_disk))


def case_of(session, product) -> Case:
    return session.get(Case, product.case_id)


# --- evidence: files and bytes per objection, checked before anything is stored ----------------------------

def test_fifty_evidence_files_are_refused_and_nothing_is_stored(session, settings, product, notifier):
    before = stored(session, settings)
    with pytest.raises(DomainError, match="At most 10 evidence files") as err:
        anonymous(session, product, evidence=[upload(f"e{i}.pdf", pdf(i, 1000)) for i in range(50)])
    assert err.value.field == "evidence"
    assert stored(session, settings) == before and notifier.sent == []


def test_evidence_over_the_byte_limit_is_refused_and_nothing_is_stored(session, settings, product, limits):
    limits(objection_max_bytes=4000)
    before = stored(session, settings)
    with pytest.raises(DomainError, match="larger than") as err:
        anonymous(session, product, evidence=[upload(f"e{i}.pdf", pdf(i, 1500)) for i in range(3)])
    assert err.value.field == "evidence"
    assert stored(session, settings) == before


def test_a_bad_last_file_leaves_none_of_the_others_on_disk(session, settings, product):
    before = stored(session, settings)
    with pytest.raises(DomainError, match="is not a .pdf file"):
        anonymous(session, product, evidence=[upload("a.pdf", pdf(1)), upload("b.pdf", pdf(2)),
                                              upload("c.pdf", b"not a pdf")])
    assert stored(session, settings) == before


# --- the installation's storage quota ----------------------------------------------------------------------

def test_a_full_file_store_refuses_with_a_clear_message_and_stores_nothing(session, settings, product):
    store = session.info["files"]
    session.info["files"] = FileStore(store.root, store.max_bytes, quota_bytes=store.usage(session) + 100)
    before = stored(session, settings)
    with pytest.raises(DomainError, match="file store of this installation is full") as err:
        anonymous(session, product, evidence=[upload("e.pdf", pdf(1, 500))])
    assert err.value.field == "evidence"
    assert stored(session, settings) == before


def test_the_quota_holds_for_any_upload_and_a_known_file_costs_nothing(session, settings, tmp_path):
    store = FileStore(tmp_path / "files", 1 << 20, quota_bytes=1000)
    store.put(session, upload("a.pdf", pdf(1, 600)))
    store.put(session, upload("again.pdf", pdf(1, 600)))  # the same content: kept once, no room needed
    with pytest.raises(DomainError, match="full"):
        store.put(session, upload("b.pdf", pdf(2, 600)))
    assert len([p for p in (tmp_path / "files").rglob("*") if p.is_file()]) == 1
    assert store.usage(session) == len(pdf(1, 600))


# --- objections per person, address, contact and product within the window ---------------------------------

def test_a_fourth_objection_from_one_address_is_refused(session, product, notifier):
    for i in range(3):
        anonymous(session, product, contact=f"p{i}@example.cn")
    with pytest.raises(DomainError, match="3 objections in the last 24 hours"):
        anonymous(session, product, contact="p9@example.cn")
    anonymous(session, product, contact="p9@example.cn", client="198.51.100.7")  # another address may


def test_a_fourth_objection_from_one_contact_is_refused_whatever_the_address(session, product, notifier):
    for i in range(3):
        anonymous(session, product, contact="+86 138-1234-5678", client=f"198.51.100.{i}")
    with pytest.raises(DomainError, match="in the last 24 hours"):
        anonymous(session, product, contact="13812345678", client="198.51.100.99")


def test_a_signed_in_person_is_limited_too(session, people, product, limits):
    limits(objection_limit_per_client=2)
    for _ in range(2):
        service.file_objection(session, people["sheitc"], product, name="市经信委", contact="021-1",
                               grounds=["privacy"], statement=STATEMENT, evidence=[upload("e.pdf", pdf())])
    with pytest.raises(DomainError, match="2 objections"):
        service.file_objection(session, people["sheitc"], product, name="市经信委", contact="021-1",
                               grounds=["privacy"], statement=STATEMENT, evidence=[upload("e.pdf", pdf())])


def test_objections_per_product_are_limited_and_an_expired_pending_one_frees_its_place(session, product, notifier,
                                                                                        limits):
    limits(objection_limit_per_product=2)
    first = anonymous(session, product, contact="a@example.cn", client="198.51.100.1")
    anonymous(session, product, contact="b@example.cn", client="198.51.100.2")
    with pytest.raises(DomainError, match="This product has received 2 objections"):
        anonymous(session, product, contact="c@example.cn", client="198.51.100.3")
    session.execute(update(ContactCode).where(ContactCode.objection_id == first.objection.id)
                    .values(expires_at=now() - timedelta(minutes=1)))
    anonymous(session, product, contact="c@example.cn", client="198.51.100.3")


# --- a verified contact for anonymous objectors --------------------------------------------------------------

def test_an_unconfirmed_anonymous_objection_blocks_nothing_and_is_not_public(session, people, product, notifier,
                                                                             monkeypatch):
    receipt = anonymous(session, product)
    assert not receipt.filed and receipt.objection.status == "pending" and receipt.channel == "email"
    assert product.state == "in_publicity"
    assert "object" not in [e.transition for e in case_of(session, product).events]
    assert "objection" not in session.scalars(select(LogLeaf.kind).where(
        LogLeaf.subject == product.application_number)).all()
    assert queries.product_context(session, people["reviewer"], product)["objections"] == []
    assert not access.may_see_objection_file(session, people["reviewer"], str(receipt.objection.id))
    ends = service.publicity_ends(session, case_of(session, product))
    pin_today(monkeypatch, (ends + timedelta(days=1)).isoformat())
    assert service.sweep(session)["registered"] == 1  # registration went ahead
    with pytest.raises(DomainError, match="not in publicity"):  # too late to confirm now
        service.confirm_objection(session, product, receipt.ticket, code_in(notifier.sent[-1],
                                                                            product.application_number))


def test_a_confirmed_objection_is_filed_under_the_neutral_name_and_blocks_registration(session, people, product,
                                                                                       notifier):
    objection = object_confirmed(session, product, name="某数据公司", grounds=["ownership"], statement=STATEMENT,
                                 evidence=[upload("e.pdf", pdf())])
    assert objection.status == "filed" and objection.log_index is not None
    assert product.state == "objection_review"
    assert case_of(session, product).events[-1].actor_name == service.OBJECTOR  # never the objector's name
    assert objection.objector_name == "某数据公司"
    assert access.may_see_objection_file(session, people["reviewer"], str(objection.id))


def test_a_landline_or_a_word_cannot_receive_a_code(session, product):
    for contact in ("010-12345678", "x", "a@b"):
        with pytest.raises(DomainError, match="e-mail address or a mobile phone number") as err:
            anonymous(session, product, contact=contact)
        assert err.value.field == "objector_contact"


def test_a_wrong_code_is_counted_and_too_many_void_the_code(session, product, notifier, limits, monkeypatch):
    limits(contact_code_attempts=3)
    compared = []
    real = objections.hmac.compare_digest
    monkeypatch.setattr(objections.hmac, "compare_digest", lambda a, b: compared.append(1) or real(a, b))
    receipt = anonymous(session, product)
    code = code_in(notifier.sent[-1], product.application_number)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(objections.CodeRejected, match="2 attempts left"):
        service.confirm_objection(session, product, receipt.ticket, wrong)
    with pytest.raises(objections.CodeRejected, match="1 attempts left"):
        service.confirm_objection(session, product, receipt.ticket, wrong)
    with pytest.raises(objections.CodeRejected, match="Too many wrong codes"):
        service.confirm_objection(session, product, receipt.ticket, wrong)
    assert compared  # compared in constant time
    with pytest.raises(DomainError, match="Too many wrong codes"):  # the right code is too late now
        service.confirm_objection(session, product, receipt.ticket, code)
    assert receipt.objection.status == "pending" and product.state == "in_publicity"


def test_an_expired_code_is_refused(session, product, notifier):
    receipt = anonymous(session, product)
    session.execute(update(ContactCode).values(expires_at=now() - timedelta(seconds=1)))
    with pytest.raises(DomainError, match="expired"):
        service.confirm_objection(session, product, receipt.ticket, code_in(notifier.sent[-1],
                                                                            product.application_number))
    assert product.state == "in_publicity"


def test_a_code_is_single_use_and_tied_to_its_ticket(session, product, notifier):
    first = anonymous(session, product, contact="a@example.cn")
    code = code_in(notifier.sent[-1], product.application_number)
    with pytest.raises(DomainError, match="unknown"):
        service.confirm_objection(session, product, "a-guessed-ticket", code)
    service.confirm_objection(session, product, first.ticket, code)
    with pytest.raises(DomainError, match="confirmed already"):
        service.confirm_objection(session, product, first.ticket, code)


def test_the_default_notifier_queues_the_code_in_the_outbox_and_the_code_is_stored_hashed(session, product):
    receipt = anonymous(session, product, contact="13812345678")
    message = session.scalars(select(OutboxMessage)).one()
    assert message.channel == "sms" and message.recipient == "13812345678" and message.sent_at is None
    code = code_in(message, product.application_number)
    row = session.scalars(select(ContactCode)).one()
    assert code not in (row.code_hash, row.ticket_hash) and receipt.ticket != row.ticket_hash
    service.confirm_objection(session, product, receipt.ticket, code)
    assert product.state == "objection_review"


# --- through the page: a refused code keeps its attempt, the form refuses many files ---------------------------

def test_the_page_counts_wrong_codes_and_refuses_many_files(client, services, people, settings):
    with services.db.session() as s:
        verify_identity(s, people["company"])
        p = file(s, people["company"])
        to_publicity(s, people, p)
        s.commit()
        number = p.application_number
    client.cookies.clear()
    form = client.get(f"/dataip/registry/{number}/object")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    data = {"csrf_token": token, "objector_name": "某数据公司", "objector_contact": "objector@example.cn",
            "grounds": ["ownership"], "statement": STATEMENT}
    many = client.post(f"/dataip/registry/{number}/object", data=data,
                       files=[("evidence", (f"e{i}.pdf", pdf(i), "application/pdf")) for i in range(11)])
    assert many.status_code == 400 and 'data-field="evidence"' in many.text
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Objection)) == 0
    pending = client.post(f"/dataip/registry/{number}/object", data=data,
                          files=[("evidence", ("e.pdf", pdf(), "application/pdf"))])
    assert 'id="objection-pending"' in pending.text and "ob***@example.cn" in pending.text
    ticket = re.search(r'name="ticket" value="([^"]+)"', pending.text).group(1)
    code = code_from_outbox(services.db, number)
    wrong = client.post(f"/dataip/registry/{number}/object/confirm",
                        data={"csrf_token": token, "ticket": ticket, "code": "x" + code})
    assert wrong.status_code == 400 and 'data-field="code"' in wrong.text
    with services.db.session() as s:
        assert s.scalar(select(ContactCode.attempts)) == 1  # committed despite the refusal
    received = client.post(f"/dataip/registry/{number}/object/confirm",
                           data={"csrf_token": token, "ticket": ticket, "code": code})
    assert received.status_code == 200 and 'id="objection-received"' in received.text


def test_concurrent_objections_never_pass_the_limit_together(db, session, product, limits):
    """Eight objectors at once on a product with three places left: exactly three get in, on both databases."""
    import threading

    session.commit()
    settings = dataclasses.replace(session.info["settings"], objection_limit_per_product=3)
    accepted, refused, errors = [], [], []

    def objector(i: int):
        with db.session(write=True) as s:  # as a web request that writes
            s.info["settings"], s.info["notifier"] = settings, MemoryNotifier()
            try:
                anonymous(s, s.get(type(product), product.id), contact=f"o{i}@example.cn", client=f"198.51.100.{i}")
                s.commit()
                accepted.append(i)
            except DomainError as exc:
                refused.append(exc.message.render("en"))
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=objector, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(accepted) == 3 and len(refused) == 5
    assert all("objections in the last" in m for m in refused)
