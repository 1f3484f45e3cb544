"""Pure rules of fast pre-examination (专利快速预审) at a protection centre: who may register with the centre
(备案), whether an admitted company may submit, what a submitted case must contain, whether its subject falls in
the centre's fields, the exclusions, the formal checklist an examiner works through, and the clocks.

Sources (../shared/domain/rules.md §8, §14.6, §14.10; numbers §12.1; classifications §12.7):
- eligibility (§8 [S93][S94]): registered address in the centre's area; independent legal entity; registration
  (备案) with the centre; business scope matching the centre's fields; some IP work foundation — genuine R&D and a
  basic IP management system (§14.10 [S176]); no abnormal-filing record, or corrected; the subject within the
  centre's IPC / Locarno fields;
- exclusions (§8 [S94][S95]): PCT international applications and PCT national-phase entries (type digit 8 or 9 of
  the application number, §12.1); divisional applications; a same-day invention + utility model on the same
  subject, including one pre-examined and the other filed ordinarily (CNIPA Order No. 85 Art 8 excludes the same
  pair from priority examination, §14.6);
- applicant obligations (§8 [S95]): invention applicants tick 放弃主动修改权利 (waive voluntary amendment); no
  voluntary amendments for utility models or designs either; no bibliographic changes before grant; universities
  add proof of industry–university cooperation; joint applicants add a joint R&D contract;
- the form of the application, Implementing Regulations 2023 (2010 numbers in brackets; the 2023 renumbering is
  **unverified** here): Art 22 [19] claims numbered consecutively in Arabic numerals; Art 25 [22] a dependent claim
  refers only to earlier claims, a multiple-dependent claim refers to them in the alternative only and is not the
  basis of another multiple-dependent claim; Art 26 [23] the abstract, whose text part (punctuation included) is
  at most 300 characters as the Examination Guidelines 2023 (Part II Ch 2 §2.4) state it; 2010 Art 39: a utility
  model application without drawings is not accepted;
- Civil Code Art 74 (a branch 分支机构 is no legal person: the legal person bears its liabilities), Art 102
  (partnerships and sole proprietorships are unincorporated organisations, 非法人组织), Art 54 (个体工商户).

Not public (rules.md §8 "unverified", §14.10): the centre's internal time limits (pre-examination, correction
reply, filing at CNIPA after passing), the IPC and Locarno lists of its fields and the admission term. They are the
centre's configuration (`CentreRules`). The defaults below are plausible placeholders modelled on the two Shanghai
centres — 上海市知识产权保护中心 (new materials; energy saving and environmental protection; designs in 3 Locarno
classes) and 中国(浦东)知识产权保护中心 (high-end equipment; biomedicine; new-generation IT, Pudong 2021 rule
Art 3) — and are not their real lists; messages call them "the centre's setting".

No database, no web: plain values in, (field, Msg) problems and findings out. Working days come from the
platform's `WorkCalendar` (core/calendar.py), passed in by the caller.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ipcity.core.i18n import Bilingual, Msg
from ipcity.core.numbers import DESIGN, INVENTION, UTILITY, NumberError, parse_cn_application
from ipcity.core.registration import credit_code_problem, normal_credit_code, normal_phone, phone_problem
from ipcity.patents.claims import is_dependent, split_claims
from ipcity.patents.ipc import IpcError, normalise_ipc, parts
from ipcity.patents.regions import regions

if TYPE_CHECKING:  # the calendar is passed in; its module reads the holiday table
    from ipcity.core.calendar import WorkCalendar

PATENT_TYPES: dict[str, Msg] = {INVENTION: Msg("Invention (发明)"), UTILITY: Msg("Utility model (实用新型)"),
                                DESIGN: Msg("Design (外观设计)")}
TEXT_TYPES = (INVENTION, UTILITY)  # claims, description and abstract; IPC classes

# --- the centre's configuration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TechField:
    """One of the centre's technical fields (技术领域): the classes it covers and the business-scope words that
    show a company works in it. IPC prefixes are matched against normalised symbols (C08, C04B, H01M10/, G01N33/);
    Locarno entries are a class (14) or a subclass (14-03)."""

    key: str
    label: Msg | Bilingual  # Bilingual for a field of the centre's own configuration document
    ipc_prefixes: tuple[str, ...] = ()
    locarno: tuple[str, ...] = ()
    scope_words: tuple[str, ...] = ()


NEW_MATERIALS = TechField(
    "new_materials", Msg("New materials (新材料)"),
    ipc_prefixes=("C08", "C04B", "C22C", "C22F", "B82Y", "C01B", "C03C", "C09D", "C09K", "B32B", "D01F"),
    scope_words=("新材料", "高分子", "复合材料", "纳米", "陶瓷", "合金", "石墨烯", "涂料", "金属材料", "膜材料",
                 "new material", "polymer", "composite"))
ENERGY_ENVIRONMENT = TechField(
    "energy_environment", Msg("Energy saving and environmental protection (节能环保)"),
    ipc_prefixes=("B01D", "C02F", "B09B", "B09C", "F23G", "F23J", "F24S", "H02S", "F03D", "Y02"),
    scope_words=("节能", "环保", "环境保护", "环境治理", "污水", "废气", "固体废物", "再生资源", "新能源", "光伏",
                 "储能", "energy saving", "environmental"))
DESIGNS = TechField(
    "design", Msg("Design patents (外观设计)"),
    locarno=("12", "14", "26"),
    scope_words=("汽车", "交通工具", "电子产品", "通信设备", "计算机", "照明", "灯具", "vehicle", "lighting"))
HIGH_END_EQUIPMENT = TechField(
    "high_end_equipment", Msg("High-end equipment manufacturing (高端装备制造)"),
    ipc_prefixes=("B21", "B23", "B25J", "B63", "B64", "B61", "G05B", "F01D", "F02C"),
    scope_words=("装备", "机械设备", "机器人", "数控", "智能制造", "航空", "船舶", "轨道交通", "仪器仪表",
                 "equipment", "robot"))
BIOMEDICINE = TechField(
    "biomedicine", Msg("Biomedicine (生物医药)"),
    ipc_prefixes=("A61K", "A61P", "C12N", "C12Q", "C12P", "C07K", "A61B", "A61F", "A61M", "G01N33/"),
    scope_words=("生物", "医药", "药品", "药物", "医疗器械", "基因", "诊断试剂", "制剂", "biotech", "pharmaceutical",
                 "medical"))
NEW_GENERATION_IT = TechField(
    "new_generation_it", Msg("New-generation information technology (新一代信息技术)"),
    ipc_prefixes=("G06F", "G06N", "G06Q", "G06T", "G06V", "H04L", "H04W", "H04N", "G11C", "H10", "H01L"),
    scope_words=("软件", "信息技术", "集成电路", "芯片", "人工智能", "通信", "物联网", "大数据", "云计算",
                 "software", "information technology", "integrated circuit"))

DEFAULT_EXAM_DAYS = {INVENTION: 15, UTILITY: 10, DESIGN: 5}  # working days; the centre's setting (§14.10)


@dataclass(frozen=True)
class CentreRules:
    """What the centre itself fixes (rules.md §8 "unverified", §14.10: no public text gives these): its fields and
    area and its time limits. Every default is a placeholder the centre replaces with its own."""

    fields: tuple[TechField, ...]
    # Division codes of the centre's area, GB/T 2260 (310000 Shanghai, 310115 Pudong) or shortened as in
    # ipcity.patents.regions (31, 3101, 310115).
    area_codes: tuple[str, ...]
    # Working days the centre takes to pre-examine a case, by patent type.
    exam_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_EXAM_DAYS))
    correction_reply_days: int = 5  # working days to answer a correction notice (补正)
    filing_period_days: int = 30  # calendar days from the pass notice to file at CNIPA
    abstract_max_chars: int = 300  # Implementing Regulations 2023 Art 26; Examination Guidelines Part II Ch 2 §2.4
    # Guidelines Part I Ch 1 (memory, unverified): a title generally ≤ 25 characters, up to 40 in special cases
    # (chemistry); a design's product name generally ≤ 20. Not in rules.md: the centre's setting.
    title_max_chars: int = 40
    design_title_max_chars: int = 20
    admission_valid_days: int = 365  # admitted for a year, renewed yearly (§14.10)
    registration_documents: tuple[str, ...] = ("rd_evidence", "ip_management")  # §14.10: R&D, IP management
    university_words: tuple[str, ...] = ("大学", "学院", "university", "college")
    title_similarity: float = 0.8  # difflib ratio of normalised titles: "the same subject" for same-day filings
    name: str = ""  # the centre, as it calls itself

    def tech_field(self, key: str) -> TechField | None:
        """The field with this key, None when the centre has none."""
        return next((f for f in self.fields if f.key == key), None)


SHANGHAI_CENTRE = CentreRules(fields=(NEW_MATERIALS, ENERGY_ENVIRONMENT, DESIGNS), area_codes=("310000",),
                              name="上海市知识产权保护中心")
PUDONG_CENTRE = CentreRules(fields=(HIGH_END_EQUIPMENT, BIOMEDICINE, NEW_GENERATION_IT), area_codes=("310115",),
                            name="中国(浦东)知识产权保护中心")
# The platform's default: the fields of both Shanghai centres over the whole of Shanghai. An installation for
# one centre uses SHANGHAI_CENTRE, PUDONG_CENTRE or its own CentreRules.
DEFAULT_RULES = CentreRules(fields=SHANGHAI_CENTRE.fields + PUDONG_CENTRE.fields, area_codes=("310000",))


# --- the centre's own configuration document ------------------------------------------------------------------

_FIELD_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_IPC_PREFIX = re.compile(r"[A-HY](\d\d([A-Z](\d{1,4}(/\d{0,6})?)?)?)?")
_LOCARNO_ENTRY = re.compile(r"\d\d(-\d\d)?")
_AREA_CODE = re.compile(r"\d{2}|\d{4}|\d{6}")
MAX_FIELDS, MAX_ENTRIES = 50, 500


def centre_rules_from(doc, base: CentreRules) -> CentreRules:
    """The centre's fields and area from its configuration document (a JSON object: {"name", "area_codes": [...],
    "fields": [{"key", "zh", "en", "ipc": [...], "locarno": [...], "scope_words": [...]}]}); the time limits stay
    `base`'s. The lists are the centre's own (rules.md §8 "unverified", §14.10). ValueError says what is wrong."""
    if not isinstance(doc, dict):
        raise ValueError("the document is not a JSON object")
    areas = doc.get("area_codes", list(base.area_codes))
    if not isinstance(areas, list) or not areas or not all(isinstance(a, str) and _AREA_CODE.fullmatch(a)
                                                           for a in areas):
        raise ValueError("area_codes: a list of division codes of 2, 4 or 6 digits (e.g. \"310000\")")
    entries = doc.get("fields")
    if not isinstance(entries, list) or not 0 < len(entries) <= MAX_FIELDS:
        raise ValueError(f"fields: a list of 1 to {MAX_FIELDS} fields")
    fields, keys = [], set()
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ValueError(f"field {n}: not a JSON object")
        key, zh, en = (str(entry.get(k) or "").strip() for k in ("key", "zh", "en"))
        if not _FIELD_KEY.fullmatch(key) or key in keys:
            raise ValueError(f"field {n}: key {key!r} must be unique, lower-case letters, digits and _")
        if not zh or not en:
            raise ValueError(f"field {key}: give its name in Chinese (zh) and English (en)")
        lists = {}
        for name, pattern in (("ipc", _IPC_PREFIX), ("locarno", _LOCARNO_ENTRY), ("scope_words", None)):
            values = entry.get(name, [])
            if not isinstance(values, list) or len(values) > MAX_ENTRIES:
                raise ValueError(f"field {key}: {name} must be a list of at most {MAX_ENTRIES} entries")
            clean = [re.sub(r"\s+", "", str(v)).upper() if pattern is _IPC_PREFIX else str(v).strip()
                     for v in values]
            bad = [v for v in clean if not v or (pattern is not None and not pattern.fullmatch(v))]
            if bad:
                raise ValueError(f"field {key}: {name} entries not understood: {', '.join(bad[:5])}")
            lists[name] = tuple(clean)
        if not lists["ipc"] and not lists["locarno"]:
            raise ValueError(f"field {key}: give its IPC prefixes or Locarno classes")
        keys.add(key)
        fields.append(TechField(key, Bilingual(f"{zh}", f"{en} ({zh})"), ipc_prefixes=lists["ipc"],
                                locarno=lists["locarno"], scope_words=lists["scope_words"]))
    return CentreRules(**{**base.__dict__, "fields": tuple(fields), "area_codes": tuple(areas),
                          "name": str(doc.get("name") or base.name)})


# --- small helpers -----------------------------------------------------------------------------------------

def _text(value) -> str:
    return unicodedata.normalize("NFKC", str(value or "")).strip() if not isinstance(value, list | tuple) else ""


def _chars(text: str) -> int:
    """Characters of a text without whitespace (the abstract's count includes punctuation)."""
    return len("".join((text or "").split()))


def names(value) -> list[str]:
    """Names given as a list, or typed one a line or separated by ；、; (not commas: "Co., Ltd.")."""
    items = value if isinstance(value, list | tuple) else re.split(r"[\n\r;；、]+", str(value or ""))
    return [s for s in (str(i or "").strip() for i in items) if s]


def codes(value) -> list[str]:
    """Class symbols given as a list, or typed separated by commas, semicolons or line breaks."""
    items = value if isinstance(value, list | tuple) else re.split(r"[\n\r;；,，、]+", str(value or ""))
    return [s for s in (str(i or "").strip() for i in items) if s]


def _ticked(value) -> bool:
    return value is True or str(value or "").strip().lower() in ("1", "on", "yes", "true", "y")


def _count(documents: dict[str, int] | None, key: str) -> int:
    try:
        return int((documents or {}).get(key) or 0)
    except (TypeError, ValueError):
        return 0


def _fold(name: str) -> str:
    return re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", name or "")).lower()


def listed(labels: Iterable[Msg | str]) -> Bilingual:
    """Labels as one list in either language (、 between them in Chinese, commas in English)."""
    items = list(labels)

    def render(locale: str) -> str:
        return ("、" if locale.startswith("zh") else ", ").join(
            i.render(locale) if isinstance(i, Msg) else str(i) for i in items)

    return Bilingual(render("zh_Hans"), render("en"))


# --- registration with the centre (备案) ---------------------------------------------------------------------

# Independent legal persons (独立法人), the eligibility condition of rules.md §8.
ENTITY_KINDS: dict[str, Msg] = {
    "company": Msg("Company (公司)"),
    "enterprise": Msg("Enterprise legal person other than a company (非公司企业法人)"),
    "institution": Msg("Public institution (事业单位法人), e.g. a university or research institute"),
    "social_organisation": Msg("Social organisation or social service body (社会团体法人、社会服务机构法人)"),
}
# Kinds that are no independent legal person, each with the reason a registration is refused.
NOT_INDEPENDENT: dict[str, tuple[Msg, Msg]] = {
    "branch": (Msg("Branch office (分公司)"), Msg(
        "A branch office (分公司) is not an independent legal entity: the company that set it up bears its "
        "liabilities (Civil Code Art 74). The company itself registers with the centre.")),
    "partnership": (Msg("Partnership (合伙企业)"), Msg(
        "A partnership (合伙企业) is an unincorporated organisation (非法人组织, Civil Code Art 102), not an "
        "independent legal entity")),
    "sole_proprietorship": (Msg("Sole proprietorship (个人独资企业)"), Msg(
        "A sole proprietorship (个人独资企业) is an unincorporated organisation (非法人组织, Civil Code Art 102), "
        "not an independent legal entity")),
    "individual_business": (Msg("Individual business (个体工商户)"), Msg(
        "An individual business (个体工商户) is a natural person doing business (Civil Code Art 54), not an "
        "independent legal entity")),
}
ALL_ENTITY_KINDS: dict[str, Msg] = {**ENTITY_KINDS, **{k: label for k, (label, _why) in NOT_INDEPENDENT.items()}}
_BRANCH_NAME = re.compile(r"(?:分公司|分厂|分行|支行|办事处)$")

RD_EVIDENCE, IP_MANAGEMENT = "rd_evidence", "ip_management"
REGISTRATION_DOCUMENTS: dict[str, Msg] = {
    RD_EVIDENCE: Msg("Evidence of genuine R&D (研发能力证明材料)"),
    IP_MANAGEMENT: Msg("Evidence of an IP management system (知识产权管理制度证明材料)"),
}

REGISTRATION_FIELDS: dict[str, Msg] = {
    "name": Msg("Company name (单位名称)"),
    "credit_code": Msg("Unified social credit code (统一社会信用代码)"),
    "entity_kind": Msg("Kind of legal entity (主体类型)"),
    "division_code": Msg("Registered address: district (注册地所在区县)"),
    "address": Msg("Registered address (注册地址)"),
    "business_scope": Msg("Business scope (经营范围)"),
    "contacts": Msg("Contact persons (联系人)"),
    "agency_name": Msg("Patent agency (专利代理机构)"),
    "agency_code": Msg("Agency code (代理机构代码)"),
}
MAX_NAME, MAX_ADDRESS, MAX_SCOPE = 200, 300, 4000


def area_prefix(code: str) -> str:
    """A division code shortened to the level it denotes, as ipcity.patents.regions writes it: 310000 → 31,
    310100 → 3101, 310115 → 310115 ("" for anything else)."""
    code = _text(code)
    if not code.isdigit() or len(code) not in (2, 4, 6):
        return ""
    if len(code) == 6:
        code = code[:2] if code[2:] == "0000" else code[:4] if code[4:] == "00" else code
    return code


def in_area(division_code: str, rules: CentreRules) -> bool:
    """The county-level division lies inside one of the centre's area codes (310115 is inside 310000)."""
    code = area_prefix(division_code)
    if len(code) != 6:
        return False
    return any(p and code.startswith(p) for p in (area_prefix(a) for a in rules.area_codes))


def area_label(rules: CentreRules) -> str:
    """The centre's area by name: 上海市, 上海市浦东新区."""
    table = regions()
    return "、".join(table.full_name(p) if p in table else p for p in (area_prefix(a) for a in rules.area_codes))


def fields_matching_scope(scope: str, rules: CentreRules) -> tuple[TechField, ...]:
    """The centre's fields whose scope words occur in a business scope (经营范围), in the centre's order."""
    text = _text(scope).lower()
    if not text:
        return ()
    return tuple(f for f in rules.fields if any(w and w.lower() in text for w in f.scope_words))


def agency_code_problem(code: str) -> Msg | None:
    """A patent agency's code: the 5-digit code CNIPA gives it (专利代理机构代码) or its 18-character unified
    social credit code."""
    code = _text(code).upper()
    if re.fullmatch(r"\d{5}", code):
        return None
    if len(code) == 18:
        return credit_code_problem(normal_credit_code(code))
    return Msg("Write the agency's 5-digit CNIPA agency code (专利代理机构代码) or its 18-character unified social "
               "credit code")


def contacts_of(values: dict) -> list[dict]:
    """The contacts of a registration: a list of {"name", "phone", …}, or the single contact_name/contact_phone."""
    contacts = values.get("contacts")
    if isinstance(contacts, list | tuple):
        return [c for c in contacts if isinstance(c, dict) and any(_text(v) for v in c.values())]
    if values.get("contact_name") or values.get("contact_phone"):
        return [{"name": values.get("contact_name"), "phone": values.get("contact_phone")}]
    return []


def registration_problems(values: dict, rules: CentreRules, documents: dict[str, int]) -> list[tuple[str, Msg]]:
    """Every problem of a registration (备案) with the centre, each on its field (rules.md §8 eligibility, §14.10).

    `values`: name, credit_code, entity_kind, division_code (the registered address's county-level code),
    address, business_scope, contacts ([{"name", "phone"}]), agency_name and agency_code (optional);
    `documents`: how many files of each kind are attached (rd_evidence, ip_management, …)."""
    problems: list[tuple[str, Msg]] = []
    label = REGISTRATION_FIELDS
    name = _text(values.get("name"))
    if not name:
        problems.append(("name", Msg("{field} is required", field=label["name"])))
    elif len(name) > MAX_NAME:
        problems.append(("name", Msg("{field} is longer than {n} characters", field=label["name"], n=MAX_NAME)))
    wrong = credit_code_problem(normal_credit_code(_text(values.get("credit_code"))))  # GB 32100-2015
    if wrong:
        problems.append(("credit_code", wrong))
    kind = _text(values.get("entity_kind"))
    if kind in NOT_INDEPENDENT:  # §8: independent legal entity only
        problems.append(("entity_kind", NOT_INDEPENDENT[kind][1]))
    elif kind not in ENTITY_KINDS:
        problems.append(("entity_kind", Msg("Choose the {field}", field=label["entity_kind"])))
    elif _BRANCH_NAME.search(name):  # Civil Code Art 74: a branch named as one, whatever kind was chosen
        problems.append(("entity_kind", NOT_INDEPENDENT["branch"][1]))
    problems += _address_problems(values, rules)
    scope = _text(values.get("business_scope"))
    if not scope:
        problems.append(("business_scope", Msg("{field} is required", field=label["business_scope"])))
    elif len(scope) > MAX_SCOPE:
        problems.append(("business_scope", Msg("{field} is longer than {n} characters",
                                               field=label["business_scope"], n=MAX_SCOPE)))
    elif not fields_matching_scope(scope, rules):  # §8: business scope matches the centre's fields
        problems.append(("business_scope", Msg(
            "The business scope matches none of the centre's fields: {fields}",
            fields=listed(f.label for f in rules.fields))))
    for key in rules.registration_documents:  # §14.10: genuine R&D and a basic IP management system
        if _count(documents, key) < 1:
            problems.append((key, Msg("Attach the {document}",
                                      document=REGISTRATION_DOCUMENTS.get(key, Msg("required document")))))
    problems += _contact_problems(values)
    problems += _agency_problems(values)
    return problems


def _address_problems(values: dict, rules: CentreRules) -> list[tuple[str, Msg]]:
    """§8: the applicant's registered address is in the centre's area."""
    problems: list[tuple[str, Msg]] = []
    table = regions()
    code = area_prefix(_text(values.get("division_code")))
    if not _text(values.get("division_code")):
        problems.append(("division_code", Msg("{field} is required", field=REGISTRATION_FIELDS["division_code"])))
    elif len(code) != 6 or code not in table:
        problems.append(("division_code", Msg("{code} is not a county-level division code (e.g. 310115)",
                                              code=_text(values.get("division_code"))[:12])))
    elif not in_area(code, rules):
        problems.append(("division_code", Msg(
            "The registered address ({place}) is outside the centre's area ({area})", place=table.full_name(code),
            area=area_label(rules))))
    address = _text(values.get("address"))
    if not address:
        problems.append(("address", Msg("{field} is required", field=REGISTRATION_FIELDS["address"])))
    elif len(address) > MAX_ADDRESS:
        problems.append(("address", Msg("{field} is longer than {n} characters", field=REGISTRATION_FIELDS["address"],
                                        n=MAX_ADDRESS)))
    elif len(code) == 6 and code in table:
        named = table.from_address(address)
        if named and not (code.startswith(named) or named.startswith(code)):
            problems.append(("address", Msg(
                "The address names {named}, but the district chosen is {chosen}", named=table.full_name(named),
                chosen=table.full_name(code))))
    return problems


def _contact_problems(values: dict) -> list[tuple[str, Msg]]:
    problems: list[tuple[str, Msg]] = []
    good = 0
    for n, contact in enumerate(contacts_of(values), start=1):
        name, phone = _text(contact.get("name")), normal_phone(_text(contact.get("phone")))
        wrong = phone_problem(phone)
        if not name:
            problems.append(("contacts", Msg("Contact {n}: {problem}", n=n, problem=Msg(
                "{field} is required", field=Msg("Name")))))
        if wrong:
            problems.append(("contacts", Msg("Contact {n}: {problem}", n=n, problem=wrong)))
        good += bool(name and not wrong)
    if not good and not problems:
        problems.append(("contacts", Msg("Give at least one contact person with a name and a phone number")))
    return problems


def _agency_problems(values: dict) -> list[tuple[str, Msg]]:
    """The patent agency is optional; named, it comes with its code, and a code with the agency's name."""
    problems: list[tuple[str, Msg]] = []
    agency, code = _text(values.get("agency_name")), _text(values.get("agency_code"))
    if len(agency) > MAX_NAME:
        problems.append(("agency_name", Msg("{field} is longer than {n} characters",
                                            field=REGISTRATION_FIELDS["agency_name"], n=MAX_NAME)))
    if code and not agency:
        problems.append(("agency_name", Msg("{field} is required", field=REGISTRATION_FIELDS["agency_name"])))
    if agency and not code:
        problems.append(("agency_code", Msg("{field} is required", field=REGISTRATION_FIELDS["agency_code"])))
    elif code:
        wrong = agency_code_problem(code)
        if wrong:
            problems.append(("agency_code", wrong))
    return problems


# --- admission standing --------------------------------------------------------------------------------------

PENDING, ADMITTED, SUSPENDED, REFUSED, LAPSED = "pending", "admitted", "suspended", "refused", "lapsed"
ADMISSION_STATES: dict[str, Msg] = {
    PENDING: Msg("Registration being examined (备案审核中)"),
    ADMITTED: Msg("Registered with the centre (已备案)"),
    SUSPENDED: Msg("Registration suspended (备案暂停)"),
    REFUSED: Msg("Registration refused (备案未通过)"),
    LAPSED: Msg("Registration lapsed (备案失效)"),
}


def renewal_due(admitted_on: date, rules: CentreRules) -> date:
    """The last day of an admission (admitted_until): `admission_valid_days` counted from the admission day
    itself; the company renews by then (the centre's setting, §14.10)."""
    return admitted_on + timedelta(days=max(rules.admission_valid_days, 1) - 1)


def admission_refusal(status: str, admitted_until: date | None, today: date, abnormal: bool) -> Msg | None:
    """Why a company may not submit a case today, None when it may (rules.md §8: registration completed; no
    abnormal-filing record, or corrected)."""
    if status == SUSPENDED:
        return Msg("The company's registration with the centre is suspended; no case can be submitted until the "
                   "centre lifts the suspension")
    if status != ADMITTED:
        return Msg("The company has not completed its registration (备案) with the centre")
    if admitted_until is None or today > admitted_until:
        return Msg("The company's registration with the centre expired on {date}: renew it to submit cases",
                   date=admitted_until.isoformat() if admitted_until else "—")
    if abnormal:
        return Msg("An abnormal patent application finding (非正常专利申请) stands against the company and has not "
                   "been corrected")
    return None


# --- submitting a case -----------------------------------------------------------------------------------------

WAIVE_AMENDMENT, NO_BIBLIOGRAPHIC_CHANGE = "waive_amendment", "no_bibliographic_change"


def declarations(patent_type: str) -> dict[str, Msg]:
    """The declarations a case must carry (rules.md §8, applicant obligations [S95])."""
    waive = (Msg("I waive the right of voluntary amendment (放弃主动修改权利)") if patent_type == INVENTION else
             Msg("I will make no voluntary amendments (不进行主动修改)"))
    return {WAIVE_AMENDMENT: waive,
            NO_BIBLIOGRAPHIC_CHANGE: Msg("I will request no change of bibliographic data before grant "
                                         "(授权前不进行著录项目变更)")}


DRAWINGS, VIEWS = "drawings", "views"
JOINT_RD_CONTRACT, COOPERATION_PROOF = "joint_rd_contract", "cooperation_proof"
CASE_DOCUMENTS: dict[str, Msg] = {
    DRAWINGS: Msg("Drawings (说明书附图)"),
    VIEWS: Msg("Views of the design: drawings or photographs (外观设计图片或照片)"),
    JOINT_RD_CONTRACT: Msg("Joint R&D contract (合作研发合同)"),
    COOPERATION_PROOF: Msg("Proof of industry–university cooperation (产学研合作证明)"),
}

SUBMISSION_FIELDS: dict[str, Msg] = {
    "patent_type": Msg("Patent type (专利类型)"),
    "title": Msg("Title (发明名称)"),
    "product_name": Msg("Product name (使用外观设计的产品名称)"),
    "abstract": Msg("Abstract (说明书摘要)"),
    "claims": Msg("Claims (权利要求书)"),
    "description": Msg("Description (说明书)"),
    "brief_description": Msg("Brief description of the design (简要说明)"),
    "ipc": Msg("Proposed IPC classes (IPC分类号)"),
    "locarno": Msg("Locarno class (洛迦诺分类号)"),
    "applicants": Msg("Applicants (申请人)"),
    "inventors": Msg("Inventors (发明人)"),
    "designers": Msg("Designers (设计人)"),
}
MAX_CLASSES = 10


def is_university(name: str, rules: CentreRules) -> bool:
    """A university applicant, by its name (大学, 学院, University …: the centre's setting)."""
    text = _text(name).lower()
    return any(w and w.lower() in text for w in rules.university_words)


def required_documents(values: dict, rules: CentreRules) -> list[str]:
    """The documents a case needs besides its texts (rules.md §8 [S95]; Implementing Regulations 2010 Art 39)."""
    patent_type = _text(values.get("patent_type"))
    out = []
    if patent_type == DESIGN:
        out.append(VIEWS)
    elif patent_type == UTILITY:  # a utility model without drawings is not accepted (2010 Art 39, 2023 unverified)
        out.append(DRAWINGS)
    applicants = names(values.get("applicants"))
    if len(applicants) >= 2:  # joint applicants: a joint R&D contract
        out.append(JOINT_RD_CONTRACT)
    if any(is_university(a, rules) for a in applicants):  # universities: industry–university cooperation proof
        out.append(COOPERATION_PROOF)
    return out


def normal_locarno(text: str) -> str:
    """A Locarno class-subclass symbol as NN-NN (14-03); ValueError unless it is one (classes 01–32, §12.7)."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).replace("—", "-").replace("–", "-")
    m = re.fullmatch(r"(?:LOC)?(\d{1,2})-(\d{2})", folded.upper())
    if not m or not 1 <= int(m[1]) <= 32 or int(m[2]) < 1:
        raise ValueError(text)
    return f"{int(m[1]):02d}-{m[2]}"


def ipc_symbol_problem(symbol: str) -> Msg | None:
    """A proposed IPC symbol: well formed (normalise_ipc) and at least a subclass (C08L, C08L23/06)."""
    try:
        if len(normalise_ipc(symbol)) < 4:
            return Msg("{symbol}: give the IPC class down to the subclass at least (e.g. C08L 23/06)",
                       symbol=symbol[:20])
    except IpcError as exc:
        return Msg("{symbol} is not an IPC symbol: {why}", symbol=symbol[:20], why=Bilingual(exc.zh, exc.en))
    return None


# Ceilings of a case's texts and lists, checked before anything else reads them (a case is not a document store:
# the longest real descriptions run to a few hundred thousand characters).
TEXT_CEILINGS = {"title": 300, "abstract": 5_000, "claims": 200_000, "description": 1_000_000,
                 "brief_description": 5_000, "agency_name": 200}
MAX_NAMES = 30  # applicants, inventors


def size_problems(values: dict) -> list[tuple[str, Msg]]:
    """A text or list of a case over its ceiling, each on its field."""
    problems: list[tuple[str, Msg]] = []
    for key, most in TEXT_CEILINGS.items():
        if len(_text(values.get(key))) > most:
            problems.append((key, Msg("{field} is too long: at most {n} characters",
                                      field=SUBMISSION_FIELDS.get(key, Msg("Patent agency (专利代理机构)")), n=most)))
    for key in ("applicants", "inventors"):
        if len(names(values.get(key))) > MAX_NAMES:
            problems.append((key, Msg("At most {n} names", n=MAX_NAMES)))
    return problems


def submission_problems(values: dict, rules: CentreRules, documents: dict[str, int]) -> list[tuple[str, Msg]]:
    """Every problem of a case submitted for pre-examination, each on its field.

    `values`: patent_type, title, abstract, claims, description (inventions and utility models), brief_description
    (designs), ipc / locarno (lists or text), applicants, inventors (lists or one a line), declarations
    ({key: True}, or the keys themselves as form fields); `documents`: files attached by kind (drawings, views,
    joint_rd_contract, cooperation_proof)."""
    problems: list[tuple[str, Msg]] = []
    label = SUBMISSION_FIELDS
    oversized = size_problems(values)
    if oversized:  # nothing else is read of a text beyond its ceiling
        return oversized
    patent_type = _text(values.get("patent_type"))
    if patent_type not in PATENT_TYPES:
        return [("patent_type", Msg("Choose the {field}", field=label["patent_type"]))]
    design = patent_type == DESIGN
    title = _text(values.get("title"))
    title_label = label["product_name" if design else "title"]
    most = rules.design_title_max_chars if design else rules.title_max_chars
    if not title:
        problems.append(("title", Msg("{field} is required", field=title_label)))
    elif _chars(title) > most:  # Examination Guidelines Part I (memory, unverified): the centre's setting
        problems.append(("title", Msg("{field} has {n} characters; the centre's setting allows at most {most}",
                                      field=title_label, n=_chars(title), most=most)))
    if design:
        problems += _design_problems(values, documents)
    else:
        problems += _text_problems(values, rules)
    applicants = names(values.get("applicants"))
    if not applicants:
        problems.append(("applicants", Msg("Name at least one applicant")))
    if not names(values.get("inventors")):  # designers are named as inventors (设计人) for designs
        problems.append(("inventors", Msg("Name at least one designer (设计人)") if design else
                         Msg("Name at least one inventor (发明人)")))
    given = values.get("declarations") if isinstance(values.get("declarations"), dict) else {}
    for key, text in declarations(patent_type).items():  # rules.md §8, applicant obligations
        if not (_ticked(given.get(key)) or _ticked(values.get(key))):
            problems.append((key, Msg("Confirm the declaration: {text}", text=text)))
    for key in required_documents(values, rules):
        if _count(documents, key) < 1:
            problems.append((key, Msg("Attach the {document}", document=CASE_DOCUMENTS[key])))
    return problems


def _text_problems(values: dict, rules: CentreRules) -> list[tuple[str, Msg]]:
    """Inventions and utility models: abstract, claims, description, IPC classes."""
    problems: list[tuple[str, Msg]] = []
    label = SUBMISSION_FIELDS
    abstract = _text(values.get("abstract"))
    if not abstract:
        problems.append(("abstract", Msg("{field} is required", field=label["abstract"])))
    elif _chars(abstract) > rules.abstract_max_chars:  # Implementing Regulations 2023 Art 26 (300 characters)
        problems.append(("abstract", Msg("The abstract has {n} characters, punctuation included; at most {most} "
                                         "(Implementing Regulations Art 26)", n=_chars(abstract),
                                         most=rules.abstract_max_chars)))
    for key in ("claims", "description"):
        if not _text(values.get(key)):
            problems.append((key, Msg("{field} is required", field=label[key])))
    symbols = codes(values.get("ipc"))
    if not symbols:  # §8 flow: the field and the IPC class are confirmed first
        problems.append(("ipc", Msg("{field} is required", field=label["ipc"])))
    elif len(symbols) > MAX_CLASSES:
        problems.append(("ipc", Msg("At most {n} classes", n=MAX_CLASSES)))
    else:
        problems += [("ipc", wrong) for wrong in map(ipc_symbol_problem, symbols) if wrong]
    return problems


def _design_problems(values: dict, documents: dict[str, int]) -> list[tuple[str, Msg]]:
    """Designs: Locarno class, views and a brief description instead of claims and description."""
    problems: list[tuple[str, Msg]] = []
    classes = codes(values.get("locarno"))
    if not classes:
        problems.append(("locarno", Msg("{field} is required", field=SUBMISSION_FIELDS["locarno"])))
    elif len(classes) > MAX_CLASSES:
        problems.append(("locarno", Msg("At most {n} classes", n=MAX_CLASSES)))
    for symbol in classes[:MAX_CLASSES]:
        try:
            normal_locarno(symbol)
        except ValueError:
            problems.append(("locarno", Msg("{symbol} is not a Locarno class: write class and subclass as NN-NN "
                                            "(e.g. 14-03)", symbol=symbol[:20])))
    if not _text(values.get("brief_description")):
        problems.append(("brief_description", Msg("{field} is required",
                                                  field=SUBMISSION_FIELDS["brief_description"])))
    return problems


# --- the field check -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldCheck:
    """Which of the centre's fields the proposed classes fall in (rules.md §8: the subject must fall within the
    centre's listed IPC / Locarno fields), and whether the classifier's suggestions agree."""

    fields: tuple[TechField, ...]  # the fields matched, in the centre's order
    classes: tuple[str, ...]  # the proposed classes, normalised (unreadable ones left out)
    mismatch: bool  # the suggested classes share no subclass (Locarno: class) with the proposed ones
    findings: tuple[Msg, ...]

    @property
    def inside(self) -> bool:
        return bool(self.fields)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)


def _prefix(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()


def _normal_ipc(symbols: Iterable[str]) -> list[str]:
    out = []
    for s in symbols:
        try:
            out.append(normalise_ipc(s))
        except IpcError:
            continue
    return list(dict.fromkeys(out))


def _normal_locarno(symbols: Iterable[str]) -> list[str]:
    out = []
    for s in symbols:
        try:
            out.append(normal_locarno(s))
        except ValueError:
            continue
    return list(dict.fromkeys(out))


def _ipc_in(symbol: str, tech: TechField) -> bool:
    return any(p and symbol.startswith(_prefix(p)) for p in tech.ipc_prefixes)


def _locarno_in(symbol: str, tech: TechField) -> bool:
    for entry in tech.locarno:
        entry = _prefix(entry)
        if entry == symbol or (len(entry) <= 2 and entry.isdigit() and f"{int(entry):02d}" == symbol[:2]):
            return True
    return False


def field_findings(patent_type: str, proposed_ipc, proposed_locarno, rules: CentreRules,
                   suggested: list[str] | None = None) -> FieldCheck:
    """The centre's fields the proposed classes fall in: IPC prefixes for inventions and utility models, Locarno
    classes or subclasses for designs. `suggested`: the classifier's top symbols, compared by subclass (first four
    characters; Locarno: class)."""
    design = patent_type == DESIGN
    if design:
        classes = _normal_locarno(codes(proposed_locarno))
        fields = tuple(f for f in rules.fields if any(_locarno_in(c, f) for c in classes))
        hints = _normal_locarno(suggested or [])
        mismatch = bool(classes and hints) and not ({c[:2] for c in classes} & {h[:2] for h in hints})
    else:
        classes = _normal_ipc(codes(proposed_ipc))
        fields = tuple(f for f in rules.fields if any(_ipc_in(c, f) for c in classes))
        hints = _normal_ipc(suggested or [])
        mismatch = bool(classes and hints) and not ({parts(c).subclass or c for c in classes} &
                                                    {parts(h).subclass or h for h in hints})
    findings: list[Msg] = []
    if not classes:
        findings.append(Msg("No proposed class could be read, so the field cannot be checked"))
    elif fields:
        findings.append(Msg("Falls within the centre's field(s): {fields}", fields=listed(f.label for f in fields)))
    else:  # §8: the subject must fall within the centre's listed fields
        findings.append(Msg("The proposed classes ({classes}) fall outside the centre's fields ({fields})",
                            classes=", ".join(classes), fields=listed(f.label for f in rules.fields)))
    if mismatch:
        findings.append(Msg("The classifier suggests {suggested}, which shares no subclass with the proposed "
                            "classes {classes}: check the classification", suggested=", ".join(hints[:5]),
                            classes=", ".join(classes)))
    return FieldCheck(fields, tuple(classes), mismatch, tuple(findings))


# --- exclusions (rules.md §8 "Excluded") -----------------------------------------------------------------------

@dataclass(frozen=True)
class Sibling:
    """Another application of the same applicant: a pre-examination case or an ordinary filing."""

    patent_type: str
    day: date  # its CNIPA filing date, or its submission date while it is not yet filed
    applicants: tuple[str, ...]
    title: str
    reference: str = ""  # its application or case number, for the message
    pre_examined: bool = False


_GENERIC_TITLE = re.compile(r"^(?:一种|一类|一个|an?\s+|the\s+)")


def normal_title(title: str) -> str:
    """A title compared for "the same subject": full-width folded, lower case, without punctuation, spaces and
    a leading 一种 / "a"."""
    text = unicodedata.normalize("NFKC", title or "").lower().strip()
    text = _GENERIC_TITLE.sub("", text)
    return "".join(ch for ch in text if ch.isalnum())


def title_similarity(a: str, b: str) -> float:
    """difflib's ratio of two normalised titles (1.0: the same)."""
    x, y = normal_title(a), normal_title(b)
    if not x or not y:
        return 0.0
    return difflib.SequenceMatcher(None, x, y).ratio()


def same_subject(patent_type: str, day: date, applicants: Iterable[str], title: str, sibling: Sibling,
                 threshold: float) -> bool:
    """Same day, the other of invention / utility model, a common applicant, and similar titles."""
    pair = {patent_type, sibling.patent_type}
    if pair != {INVENTION, UTILITY} or sibling.day != day:
        return False
    if not {_fold(a) for a in applicants} & {_fold(a) for a in sibling.applicants}:
        return False
    return title_similarity(title, sibling.title) >= threshold


def exclusions(is_pct: bool, is_divisional: bool, app_number: str | None, same_day: Iterable[Sibling], title: str,
               *, patent_type: str, applicants: Iterable[str], day: date | None,
               threshold: float = 0.8) -> list[tuple[str, Msg]]:
    """Why the case cannot be pre-examined at all (rules.md §8 "Excluded" [S94][S95]), each on its field.

    `app_number`: a CNIPA application number the case already has (type digit 8 or 9: a PCT national phase);
    `same_day`: the applicant's other applications of that day (filed or submitted); `day`: the case's filing
    day, or its submission day while it is not yet filed; `threshold`: the title similarity (difflib ratio) from
    which two titles are taken for the same subject (CentreRules.title_similarity)."""
    problems: list[tuple[str, Msg]] = []
    if is_pct:  # PCT international applications and national-phase entries
        problems.append(("is_pct", Msg("PCT international applications and PCT national-phase entries are "
                                       "excluded from pre-examination")))
    number = _text(app_number)
    if number:
        try:
            parsed = parse_cn_application(number, require_check=False)
        except NumberError as exc:
            problems.append(("app_number", Msg("{number} is not a Chinese application number: {why}",
                                               number=number[:30], why=Bilingual(exc.zh, exc.en))))
        else:
            if parsed.pct and not is_pct:  # type digit 8 / 9 (rules.md §12.1)
                problems.append(("app_number", Msg(
                    "{number} is a PCT national-phase application (type digit {digit}): excluded from "
                    "pre-examination", number=parsed.formatted, digit=parsed.type_digit)))
    if is_divisional:
        problems.append(("is_divisional", Msg("Divisional applications (分案申请) are excluded from "
                                              "pre-examination")))
    applicant_names = names(list(applicants))
    if day is not None and patent_type in (INVENTION, UTILITY):
        for sibling in same_day:  # same-day invention + utility model on the same subject, either way round
            if same_subject(patent_type, day, applicant_names, title, sibling, threshold):
                how = (Msg("pre-examined at a centre") if sibling.pre_examined else Msg("filed ordinarily"))
                problems.append(("same_day", Msg(
                    "A {other} on the same subject by the same applicant is dated the same day ({reference}, "
                    "“{title}”, {how}): a same-day invention and utility model are excluded from "
                    "pre-examination", other=PATENT_TYPES.get(sibling.patent_type, sibling.patent_type),
                    reference=sibling.reference or "—", title=sibling.title[:60], how=how)))
    return problems


# --- the formal checklist ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckItem:
    key: str
    label: Msg
    ok: bool
    detail: Msg | None = None


# A number opening a line, as a claim number is written: "1." "1．" "1、" "1)" "权利要求1:".
_NUMBERED_LINE = re.compile(r"^[ \t\u3000]*(?:权利要求\s*)?(\d{1,3})[ \t]*([.．、):：])(?!\d)", re.M)
_SPAN_ZH = re.compile(r"权利要求\s*(\d+(?:\s*(?:[-~～—–至到或和及、,，]|以及)\s*(?:权利要求\s*)?\d+)*)")
_SPAN_EN = re.compile(r"\bclaims?\s+(\d+(?:\s*(?:,|-|–|to|or|and|and/or)\s*(?:claims?\s+)?\d+)*)", re.I)
_RANGE = re.compile(r"(\d+)\s*(?:[-~～—–至到]|to)\s*(?:权利要求\s*|claims?\s+)?(\d+)", re.I)
_ALL_EARLIER = re.compile(r"(?:前述|上述|以上)任(?:一|意一)项?权利要求|any\s+(?:one\s+)?(?:of\s+the\s+)?"
                          r"preceding\s+claims?", re.I)
_DRAWING_REF = re.compile(r"附图|图\s*\d|\bfig(?:ure)?s?\.?\s*\d", re.I)


def claim_numbers(text: str) -> list[int]:
    """The numbers that open lines of a claims text, in order (a claim per paragraph, as claims are filed). Where
    some are written as claim numbers are ("1." "1．" "1、"), only those: "1)" "2)" are then items inside a claim."""
    found = [(int(m[1]), m[2]) for m in _NUMBERED_LINE.finditer(text or "")]
    dotted = [n for n, mark in found if mark in ".．、"]
    return dotted or [n for n, _mark in found]


def numbering_problem(text: str) -> Msg | None:
    """Implementing Regulations 2023 Art 22: claims numbered consecutively from 1. The claims parser accepts a
    number only when it is the next one; a line opening with a number it skipped shows a gap, a repeat or a
    wrong start. (Numbers below the last accepted one are taken for items inside a claim, 1) 2) …)"""
    claims = split_claims(text)
    numbers = claim_numbers(text)
    if not numbers:
        return None if len(claims) <= 1 else Msg("The claims are not numbered")
    if numbers[0] != 1:
        return Msg("The claims are numbered from {n}, not from 1", n=numbers[0])
    accepted = 0
    for n in numbers:
        if n == accepted + 1:
            accepted = n
        elif n > accepted + 1:
            return Msg("Claim {n} follows claim {last}: the numbering skips {missing}", n=n, last=accepted,
                       missing=accepted + 1)
        elif n == accepted and accepted > 1:
            return Msg("Claim number {n} is used twice", n=n)
    return None


def references(claim: str) -> set[int]:
    """The claim numbers a claim refers to: 根据权利要求1所述, 如权利要求1-3任一项所述, 权利要求1或2, "according to
    claim 2", "as claimed in any of claims 1 to 3"."""
    out: set[int] = set()
    for span in [m[1] for m in _SPAN_ZH.finditer(claim)] + [m[1] for m in _SPAN_EN.finditer(claim)]:
        for a, b in _RANGE.findall(span):
            lo, hi = sorted((int(a), int(b)))
            out.update(range(lo, hi + 1) if hi - lo <= 200 else (lo, hi))
        out.update(int(n) for n in re.findall(r"\d+", span))
    return out


def claim_references(claims: list[str]) -> dict[int, set[int]]:
    """Claim number → the claims it refers to ("any preceding claim": all earlier ones)."""
    out = {}
    for number, claim in enumerate(claims, start=1):
        refs = references(claim)
        if _ALL_EARLIER.search(claim):
            refs |= set(range(1, number))
        out[number] = refs
    return out


def forward_references(claims: list[str]) -> list[tuple[int, int]]:
    """(claim, referred claim) pairs where a claim refers to itself, a later or a missing claim
    (Implementing Regulations 2023 Art 25: a dependent claim refers only to earlier claims)."""
    return [(n, r) for n, refs in claim_references(claims).items() for r in sorted(refs) if r >= n]


def multiple_on_multiple(claims: list[str]) -> list[tuple[int, int]]:
    """(claim, basis) pairs where a multiple-dependent claim refers to another multiple-dependent claim
    (Implementing Regulations 2023 Art 25: not the basis of another multiple-dependent claim)."""
    refs = claim_references(claims)
    multiple = {n for n, r in refs.items()
                if len(r) >= 2 and (is_dependent(claims[n - 1]) or _ALL_EARLIER.search(claims[n - 1]))}
    return [(n, r) for n in sorted(multiple) for r in sorted(refs[n]) if r in multiple and r != n]


def drawings_referenced(*texts: str) -> str:
    """The first reference to a drawing in the texts (图1, 附图, Fig. 1, FIG. 2), "" when there is none."""
    for text in texts:
        m = _DRAWING_REF.search(text or "")
        if m:
            return m[0]
    return ""


CHECKS: dict[str, Msg] = {
    "abstract_length": Msg("Abstract within the length limit (说明书摘要字数)"),
    "claims_numbering": Msg("Claims numbered consecutively from 1 (权利要求顺序编号)"),
    "claims_references": Msg("Dependent claims refer only to earlier claims (从属权利要求只引用在前的权利要求)"),
    "multiple_dependency": Msg("No multiple-dependent claim based on another (多项从属不得作为另一项多项从属的基础)"),
    "drawings": Msg("Drawings referred to if and only if attached (附图与附图说明一致)"),
    "brief_description": Msg("Brief description of the design (简要说明)"),
    "documents": Msg("Required documents attached (所需文件齐备)"),
}


def formal_checklist(values: dict, documents: dict[str, int], rules: CentreRules) -> list[CheckItem]:
    """The formal checks an examiner works through, each passed or not with what was found."""
    patent_type = _text(values.get("patent_type"))
    items: list[CheckItem] = []
    if patent_type in TEXT_TYPES:
        abstract, claims_text = _text(values.get("abstract")), str(values.get("claims") or "")
        n = _chars(abstract)
        items.append(CheckItem("abstract_length", CHECKS["abstract_length"], 0 < n <= rules.abstract_max_chars,
                               Msg("{n} characters of at most {most}", n=n, most=rules.abstract_max_chars)))
        claims = split_claims(claims_text)
        wrong = numbering_problem(claims_text) if claims else Msg("No claims")
        items.append(CheckItem("claims_numbering", CHECKS["claims_numbering"], wrong is None,
                               wrong or Msg("{n} claims", n=len(claims))))
        forward = forward_references(claims)
        items.append(CheckItem("claims_references", CHECKS["claims_references"], not forward, Msg(
            "Claim {n} refers to claim {ref}, which does not come before it (Implementing Regulations Art 25)",
            n=forward[0][0], ref=forward[0][1]) if forward else None))
        stacked = multiple_on_multiple(claims)
        items.append(CheckItem("multiple_dependency", CHECKS["multiple_dependency"], not stacked, Msg(
            "Claim {n} is multiple dependent and refers to claim {ref}, itself multiple dependent (Implementing "
            "Regulations Art 25)", n=stacked[0][0], ref=stacked[0][1]) if stacked else None))
        seen = drawings_referenced(str(values.get("description") or ""), abstract, claims_text)
        attached = _count(documents, DRAWINGS) > 0
        detail = None
        if seen and not attached:
            detail = Msg("The texts refer to drawings (“{seen}”) but none are attached", seen=seen)
        elif attached and not seen:
            detail = Msg("Drawings are attached but the description never refers to them (附图说明)")
        items.append(CheckItem("drawings", CHECKS["drawings"], bool(seen) == attached, detail))
    elif patent_type == DESIGN:
        present = bool(_text(values.get("brief_description")))
        items.append(CheckItem("brief_description", CHECKS["brief_description"], present,
                               None if present else Msg("{field} is required",
                                                        field=SUBMISSION_FIELDS["brief_description"])))
    missing = [k for k in required_documents(values, rules) if _count(documents, k) < 1]
    items.append(CheckItem("documents", CHECKS["documents"], not missing, Msg(
        "Missing: {documents}", documents=listed(CASE_DOCUMENTS[k] for k in missing)) if missing else None))
    return items


# --- clocks ----------------------------------------------------------------------------------------------------

def exam_due(start: date, patent_type: str, rules: CentreRules, calendar: WorkCalendar) -> date:
    """The day the centre's pre-examination is due: `exam_days[patent_type]` working days after `start`
    (the centre's setting, §14.10)."""
    return calendar.add_working_days(start, rules.exam_days[patent_type])


def correction_due(sent_on: date, rules: CentreRules, calendar: WorkCalendar) -> date:
    """The last day to answer a correction notice (补正): `correction_reply_days` working days after it was sent
    (the centre's setting)."""
    return calendar.add_working_days(sent_on, rules.correction_reply_days)


def remaining_after_stop(started: date, stopped_on: date, due: date, calendar: WorkCalendar) -> int:
    """Working days of the examination clock left when a correction notice stops it on `stopped_on`: those after
    that day up to the due day (the day of the notice is spent). 0 when the clock had run out."""
    if stopped_on < started:
        raise ValueError("the clock cannot stop before it started")
    return max(calendar.working_days_between(stopped_on, due), 0)


def resumed_due(resumed_on: date, remaining: int, calendar: WorkCalendar) -> date:
    """The new due day when the clock resumes (the reply arrives) with what was left, not a fresh period."""
    return calendar.add_working_days(resumed_on, max(remaining, 0))


def filing_deadline(passed_on: date, rules: CentreRules, calendar: WorkCalendar) -> date:
    """The last day to file at CNIPA after passing (§8: within the period in the notice): `filing_period_days`
    calendar days (the centre's setting); a deadline on a rest day moves to the next working day."""
    return calendar.next_working_day(passed_on + timedelta(days=rules.filing_period_days))


def filed_in_time(passed_on: date, filed_on: date, rules: CentreRules, calendar: WorkCalendar) -> bool:
    """Filed at CNIPA on or after the pass day and by the filing deadline (a filing before the pass notice is an
    ordinary filing, outside the fast channel)."""
    return passed_on <= filed_on <= filing_deadline(passed_on, rules, calendar)


def deemed_withdrawn(correction_due: date, today: date) -> bool:
    """No reply by the correction deadline: the case is deemed withdrawn (视为撤回) from the day after."""
    return today > correction_due
