"""Certificates issued by the service verify offline; `ipcity dataip check` finds edited rows and entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from ipcity.cli import app as cli
from ipcity.services.dataip import casetypes, evidence, service
from ipcity.services.dataip.verify import verify_certificate
from ipcity.workflow import engine
from ipcity.workflow.tables import Case
from tests.support.clock import pin_today
from tests.support.dataip import DATA, file, to_publicity, verify_identity


@pytest.fixture
def registered(session, people, monkeypatch):
    verify_identity(session, people["company"])
    product = file(session, people["company"])
    to_publicity(session, people, product)
    ends = service.publicity_ends(session, session.get(Case, product.case_id))
    pin_today(monkeypatch, (ends + timedelta(days=1)).isoformat())
    service.PRODUCTS.act(session, people["reviewer"], product, "register", {}, "")
    session.commit()
    return product


def test_the_issued_certificate_verifies_with_its_data_file_and_the_pinned_key(session, registered, tmp_path):
    pdf = evidence.certificate_pdf(session, registered)
    session.commit()
    data = tmp_path / "charging.csv"
    data.write_bytes(DATA)
    key = service.signer_of(session).public_raw
    report = verify_certificate(pdf, data_path=data, public_key=key)
    assert report.ok, [(c.name, c.detail_en) for c in report.checks if not c.ok]
    assert report.facts["certificate_number"] == registered.certificate_number
    assert report.facts["holder_name"] == "测试公司"
    # the stored edition is served again, byte for byte
    assert evidence.certificate_pdf(session, registered) == pdf
    other = tmp_path / "other.csv"
    other.write_bytes(DATA + b"x")
    failed = verify_certificate(pdf, data_path=other, public_key=key)
    assert not failed.ok
    assert any(registered.data_files[0].sha256 in c.detail_en for c in failed.checks if not c.ok)


def test_a_change_issues_a_new_edition_and_the_old_one_still_verifies(session, people, registered):
    old = evidence.certificate_pdf(session, registered)
    case = service.request_amendment(session, people["company"], registered, casetypes.CHANGE,
                                     {"scale": "13万站点，3.4亿条记录"}, "数据扩容")
    engine.fire(session, service.AMENDMENT, case, "approve", people["head"])
    session.commit()
    new = evidence.certificate_pdf(session, registered)
    assert new != old
    key = service.signer_of(session).public_raw
    new_report = verify_certificate(new, public_key=key)
    assert new_report.ok and new_report.facts["revision"] == 1
    assert new_report.facts["scale"] == "13万站点，3.4亿条记录"
    assert verify_certificate(old, public_key=key).ok  # its proof is against an older signed head


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("IPCITY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("IPCITY_DATABASE_URL", settings.database_url)


def test_check_passes_on_an_intact_registry_and_names_an_edited_row(session, registered, cli_env):
    result = CliRunner().invoke(cli, ["dataip", "check"])
    assert result.exit_code == 0, result.output
    assert "log intact" in result.output
    session.execute(text("UPDATE dataip_product SET name = '篡改后的名称' WHERE id = :id"), {"id": registered.id})
    session.commit()
    result = CliRunner().invoke(cli, ["dataip", "check"])
    assert result.exit_code == 1
    assert "'name' in the registry ('篡改后的名称')" in result.output


def test_check_names_an_edited_log_entry(session, registered, cli_env):
    session.execute(text("UPDATE dataip_log_leaf SET entry = replace(entry, '测试公司', '别的公司') "
                         "WHERE kind = 'registration'"))
    session.commit()
    result = CliRunner().invoke(cli, ["dataip", "check"])
    assert result.exit_code == 1
    assert "its entry does not hash to its stored leaf hash" in result.output


def test_sweep_registers_after_publicity(session, people, cli_env, monkeypatch):
    verify_identity(session, people["company"])
    product = file(session, people["company"])
    to_publicity(session, people, product)
    ends = service.publicity_ends(session, session.get(Case, product.case_id))
    session.commit()
    pin_today(monkeypatch, (ends + timedelta(days=1)).isoformat())
    result = CliRunner().invoke(cli, ["dataip", "sweep"])
    assert result.exit_code == 0 and "registered 1" in result.output
    session.expire_all()
    assert session.get(type(product), product.id).state == "registered"
