"""`ipcity dataip check` closes the gaps of issue 14, finding 9: products still under review are checked against
their filing entry, a truncated log tail with a rewritten state row (and the heads above it deleted) is found
through the signed head kept outside the database, and logged objections must point at their own entries."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from typer.testing import CliRunner

from ipcity.services.dataip import evidence, merkle, service, tlog
from ipcity.services.dataip.tables import LogLeaf, LogState, Objection, TreeHead
from tests.services.dataip.test_registration import _png
from tests.support.dataip import file, to_publicity, upload, verify_identity

pytestmark = pytest.mark.usefixtures("people")


@pytest.fixture
def company(session, people):
    verify_identity(session, people["company"])
    return people["company"]


def _problems(session) -> list[str]:
    session.expire_all()
    tlog.forget_cache()
    return [p.render("en") for p in evidence.integrity_problems(session)]


def test_an_edited_data_hash_of_a_product_under_review_is_found(session, company):
    product = file(session, company)
    session.commit()
    assert _problems(session) == []
    session.execute(text("UPDATE dataip_evidence SET sha256 = :h WHERE product_id = :id"),
                    {"h": "0" * 64, "id": product.id})
    session.commit()
    assert any(product.application_number in p and "data hashes" in p for p in _problems(session))


def test_an_edited_filing_of_a_product_under_review_is_found(session, company):
    product = file(session, company)
    session.commit()
    session.execute(text("UPDATE dataip_product SET holder_name = '冒名公司' WHERE id = :id"), {"id": product.id})
    session.commit()
    assert any("digest logged at filing" in p for p in _problems(session))


def test_a_truncated_tail_with_a_rewritten_state_row_and_no_heads_above_is_found(session, company, people):
    first = file(session, company)
    session.commit()
    kept = tlog.size(session)
    second = file(session, company, name="第二个数据产品")
    session.execute(update(type(first)).where(type(first).id == second.id).values(state="withdrawn"))
    session.commit()
    # The attacker: cut the tail, sign nothing (no key), make the state row and the heads agree with the cut.
    tree = merkle.MerkleTree()
    for h in session.scalars(select(LogLeaf.leaf_hash).where(LogLeaf.idx < kept).order_by(LogLeaf.idx)):
        tree.append_hash(bytes.fromhex(h))
    session.execute(delete(LogLeaf).where(LogLeaf.idx >= kept))
    session.execute(delete(TreeHead).where(TreeHead.size > kept))
    session.execute(update(LogState).where(LogState.id == 1).values(size=kept, root_hash=tree.root().hex()))
    session.execute(text("DELETE FROM dataip_evidence WHERE product_id = :id"), {"id": second.id})
    session.execute(text("DELETE FROM dataip_product WHERE id = :id"), {"id": second.id})
    session.commit()
    assert tlog.check(session, service.signer_of(session).public_raw) == []  # the database agrees with itself
    problems = _problems(session)
    assert any("kept outside the database" in p and "truncated" in p for p in problems), problems


def test_an_objection_pointing_at_another_entry_is_found(session, company, people):
    product = file(session, company)
    to_publicity(session, people, product)
    service.file_objection(session, people["sheitc"], product, name="市经信委", contact="021-1", grounds=["privacy"],
                           statement="样例中疑似包含个人手机号码字段。", evidence=[upload("截图.png", _png())])
    session.commit()
    assert _problems(session) == []
    session.execute(update(Objection).values(log_index=0))
    session.commit()
    assert any("objection" in p and "not its entry" in p for p in _problems(session))


def test_cli_check_fails_on_a_product_under_review(session, company, settings, monkeypatch):
    from ipcity.cli import app

    monkeypatch.setenv("IPCITY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("IPCITY_DATA_DIR", str(settings.data_dir))
    product = file(session, company)
    session.commit()
    runner = CliRunner()
    assert runner.invoke(app, ["dataip", "check"]).exit_code == 0
    session.execute(text("UPDATE dataip_evidence SET sha256 = :h WHERE product_id = :id"),
                    {"h": "1" * 64, "id": product.id})
    session.commit()
    tlog.forget_cache()
    bad = runner.invoke(app, ["dataip", "check"])
    assert bad.exit_code == 1 and product.application_number in bad.output, bad.output
