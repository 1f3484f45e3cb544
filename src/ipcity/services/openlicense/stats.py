"""Statistics of open licensing for the IP office: declarations filed, published and withdrawn, licences taken and
royalties recorded — by industry (IPC section; strategic emerging industry through ipcity.navigation.sei), by
region (district, names from ipcity.patents.regions) and by month of filing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core.clock import local
from ipcity.core.i18n import Msg
from ipcity.services.openlicense.tables import Declaration, Licence, Payment

IPC_SECTIONS = {"A": "人类生活必需", "B": "作业；运输", "C": "化学；冶金", "D": "纺织；造纸", "E": "固定建筑物",
                "F": "机械工程；照明；加热；武器；爆破", "G": "物理", "H": "电学"}
COLUMNS = ("filed", "published", "withdrawn", "licences", "royalties")
HEADER = ["key", "name", *COLUMNS]
BY = {"section": Msg("By IPC section"), "sei": Msg("By strategic emerging industry"),
      "region": Msg("By district"), "month": Msg("By month of filing")}


@dataclass
class Row:
    key: str
    name: str
    filed: int = 0
    published: int = 0
    withdrawn: int = 0
    licences: int = 0
    royalties: Decimal = Decimal(0)

    def cells(self) -> list:
        return [self.key, self.name, self.filed, self.published, self.withdrawn, self.licences,
                f"{self.royalties:.2f}"]


def _sei_groups(ipc_text: str) -> list[str]:
    from ipcity.navigation import sei

    return sorted({code.split(".", 1)[0] for code in sei.classify(ipc_text.split())})


def _region(code: str) -> tuple[str, str]:
    from ipcity.patents.regions import regions

    code = (code or "")[:6]
    if not code:
        return "", "—"
    try:
        return code, regions().full_name(code) or code
    except Exception:
        return code, code


def _keys(d: Declaration, by: str) -> list[tuple[str, str]]:
    if by == "section":
        s = (d.ipc_main or "?")[:1]
        return [(s, IPC_SECTIONS.get(s, "—"))]
    if by == "sei":
        from ipcity.navigation import sei

        return [(g, sei.name_of(g)) for g in _sei_groups(d.ipc_text)] or [("", "—")]
    if by == "region":
        return [_region(d.region_code)]
    month = local(d.filed_at).strftime("%Y-%m")
    return [(month, month)]


def _add(row: Row, published: bool, withdrawn: bool, licences: int, royalties: Decimal) -> None:
    row.filed += 1
    row.published += published
    row.withdrawn += withdrawn
    row.licences += licences
    row.royalties += royalties


def table(session: Session, by: str) -> tuple[list[Row], Row]:
    """Rows by `by` (section, sei, region, month) and the totals. A patent in several industries counts in each."""
    if by not in BY:
        by = "section"
    decls = list(session.scalars(select(Declaration)))
    licences: dict[int, int] = defaultdict(int)
    royalties: dict[int, Decimal] = defaultdict(Decimal)
    for lic in session.scalars(select(Licence)):
        licences[lic.declaration_id] += 1
    for declaration_id, amount in session.execute(select(Licence.declaration_id, Payment.amount)
                                                  .join(Payment, Payment.licence_id == Licence.id)):
        royalties[declaration_id] += Decimal(amount)
    rows: dict[str, Row] = {}
    total = Row("", "total")
    for d in decls:
        published = d.published_on is not None
        withdrawn = d.state == "withdrawn"
        for key, name in _keys(d, by):
            _add(rows.setdefault(key, Row(key, name)), published, withdrawn, licences[d.id], royalties[d.id])
        _add(total, published, withdrawn, licences[d.id], royalties[d.id])
    return sorted(rows.values(), key=lambda r: r.key), total
