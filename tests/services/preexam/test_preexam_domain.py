"""The pure rules of fast pre-examination (专利快速预审): registration with the centre, admission standing, what a
case must contain, the field check, the exclusions, the formal checklist and the clocks on the real calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ipcity.core.calendar import WorkCalendar, shipped_days
from ipcity.core.i18n import Msg
from ipcity.core.numbers import DESIGN, INVENTION, UTILITY
from ipcity.services.preexam import domain

RULES = domain.DEFAULT_RULES
GOOD_USCC = "91310115MA1H7ABCDF"  # format and check character per GB 32100-2015
BAD_USCC = "91310115MA1H7ABCDA"  # the same with a wrong check character


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar.from_days(shipped_days())


def fields(problems) -> list[str]:
    return [f for f, _ in problems]


def english(problems) -> str:
    """Every message rendered (both languages, so a placeholder mistake fails here), the English joined."""
    for _f, msg in problems:
        msg.render("zh_Hans")
    return "\n".join(msg.render("en") for _f, msg in problems)


# --- configuration ---------------------------------------------------------------------------------------------

def test_default_rules_cover_both_shanghai_centres_over_shanghai():
    assert [f.key for f in RULES.fields] == ["new_materials", "energy_environment", "design", "high_end_equipment",
                                             "biomedicine", "new_generation_it"]
    assert RULES.area_codes == ("310000",)
    assert len(domain.SHANGHAI_CENTRE.tech_field("design").locarno) == 3  # rules.md §8: 3 Locarno classes
    assert domain.PUDONG_CENTRE.tech_field("new_materials") is None
    assert RULES.abstract_max_chars == 300 and RULES.admission_valid_days == 365
    assert set(RULES.exam_days) == {INVENTION, UTILITY, DESIGN}


def test_labels_are_bilingual_messages():
    for label in [*domain.PATENT_TYPES.values(), *domain.ALL_ENTITY_KINDS.values(), *domain.CHECKS.values(),
                  *domain.CASE_DOCUMENTS.values(), *domain.REGISTRATION_DOCUMENTS.values(),
                  *domain.ADMISSION_STATES.values(), *(f.label for f in RULES.fields)]:
        assert isinstance(label, Msg) and "(" in label.msgid and label.render("en")


# --- registration (备案) ------------------------------------------------------------------------------------------

def registration(**changes) -> dict:
    values = {"name": "上海新材科技有限公司", "credit_code": GOOD_USCC, "entity_kind": "company",
              "division_code": "310115", "address": "上海市浦东新区张江路100号",
              "business_scope": "高分子材料、复合材料的研发与销售",
              "contacts": [{"name": "王明", "phone": "13812345678"}]}
    values.update(changes)
    return values


DOCS = {"rd_evidence": 1, "ip_management": 2}


def test_a_sound_registration_has_no_problem():
    assert domain.registration_problems(registration(), RULES, DOCS) == []
    assert domain.registration_problems(registration(credit_code="91310115ma1h7abcdf"), RULES, DOCS) == []


def test_a_wrong_check_character_of_the_credit_code_is_refused():
    problems = domain.registration_problems(registration(credit_code=BAD_USCC), RULES, DOCS)
    assert fields(problems) == ["credit_code"]
    assert "check character" in english(problems)


@pytest.mark.parametrize(("code", "words"), [("", "required"), ("9131011", "18 characters")])
def test_a_missing_or_short_credit_code_is_refused(code, words):
    problems = domain.registration_problems(registration(credit_code=code), RULES, DOCS)
    assert fields(problems) == ["credit_code"] and words in english(problems)


@pytest.mark.parametrize(("kind", "article"), [("branch", "Civil Code Art 74"), ("partnership", "Civil Code Art 102"),
                                               ("sole_proprietorship", "Civil Code Art 102"),
                                               ("individual_business", "Civil Code Art 54")])
def test_entities_that_are_no_independent_legal_person_are_refused_with_the_reason(kind, article):
    problems = domain.registration_problems(registration(entity_kind=kind), RULES, DOCS)
    assert fields(problems) == ["entity_kind"]
    assert article in english(problems) and "not an independent legal entity" in english(problems)


def test_a_branch_office_is_refused_by_its_name_whatever_kind_was_chosen():
    problems = domain.registration_problems(registration(name="北京新材科技有限公司上海分公司"), RULES, DOCS)
    assert fields(problems) == ["entity_kind"] and "分公司" in english(problems)


@pytest.mark.parametrize("kind", ["company", "enterprise", "institution", "social_organisation"])
def test_independent_legal_persons_are_accepted(kind):
    assert domain.registration_problems(registration(entity_kind=kind), RULES, DOCS) == []


def test_an_unknown_entity_kind_is_asked_for():
    problems = domain.registration_problems(registration(entity_kind="corporation"), RULES, DOCS)
    assert fields(problems) == ["entity_kind"] and "Choose" in english(problems)


def test_a_registered_address_outside_the_centres_area_is_refused():
    values = registration(division_code="320505", address="江苏省苏州市虎丘区科灵路78号")
    problems = domain.registration_problems(values, RULES, DOCS)
    assert fields(problems) == ["division_code"]
    assert "江苏省苏州市虎丘区" in english(problems) and "上海市" in english(problems)


@pytest.mark.parametrize(("division", "area", "inside"), [
    ("310115", ("310000",), True),  # Pudong inside Shanghai
    ("310104", ("310000",), True),  # Xuhui inside Shanghai
    ("310104", ("310115",), False),  # Xuhui outside Pudong
    ("310115", ("310115",), True),
    ("310115", ("31",), True),  # the shortened form of ipcity.patents.regions
    ("310115", ("3101",), True),
    ("320505", ("310000",), False),
    ("310000", ("310000",), False),  # a province is no county-level division
])
def test_in_area(division, area, inside):
    assert domain.in_area(division, replace(RULES, area_codes=area)) is inside


def test_the_pudong_centre_refuses_a_company_in_xuhui():
    values = registration(division_code="310104", address="上海市徐汇区漕宝路1号",
                          business_scope="生物医药技术开发")
    problems = domain.registration_problems(values, domain.PUDONG_CENTRE, DOCS)
    assert fields(problems) == ["division_code"] and "上海市浦东新区" in english(problems)


@pytest.mark.parametrize("code", ["31011", "999999", "abc"])
def test_a_division_code_that_is_no_county_level_code_is_refused(code):
    problems = domain.registration_problems(registration(division_code=code), RULES, DOCS)
    assert fields(problems) == ["division_code"] and "county-level" in english(problems)


def test_an_address_naming_another_place_than_the_district_chosen_is_refused():
    problems = domain.registration_problems(registration(address="江苏省苏州市虎丘区科灵路78号"), RULES, DOCS)
    assert fields(problems) == ["address"] and "江苏省苏州市虎丘区" in english(problems)


def test_address_and_scope_are_required():
    problems = domain.registration_problems(registration(address="", business_scope=" "), RULES, DOCS)
    assert fields(problems) == ["address", "business_scope"]


def test_a_business_scope_outside_the_centres_fields_is_refused():
    problems = domain.registration_problems(registration(business_scope="餐饮服务；日用百货销售"), RULES, DOCS)
    assert fields(problems) == ["business_scope"]
    assert "New materials (新材料)" in english(problems)


@pytest.mark.parametrize(("scope", "keys"), [
    ("高分子材料、复合材料的研发与销售", ["new_materials"]),
    ("污水处理及其再生利用；光伏设备销售", ["energy_environment"]),
    ("药品研发；医疗器械销售", ["biomedicine"]),
    ("软件开发；人工智能应用软件开发", ["new_generation_it"]),
    ("工业机器人制造；纳米材料研发", ["new_materials", "high_end_equipment"]),
    ("Research and development of pharmaceutical products", ["biomedicine"]),
    ("餐饮服务", []),
    ("", []),
])
def test_fields_matching_scope(scope, keys):
    assert [f.key for f in domain.fields_matching_scope(scope, RULES)] == keys


def test_rd_and_ip_management_evidence_are_required():
    problems = domain.registration_problems(registration(), RULES, {"rd_evidence": 1})
    assert fields(problems) == ["ip_management"]
    problems = domain.registration_problems(registration(), RULES, {})
    assert fields(problems) == ["rd_evidence", "ip_management"]


def test_a_contact_with_name_and_valid_phone_is_required():
    assert fields(domain.registration_problems(registration(contacts=[]), RULES, DOCS)) == ["contacts"]
    problems = domain.registration_problems(registration(contacts=[{"name": "王明", "phone": "12345"}]), RULES, DOCS)
    assert fields(problems) == ["contacts"] and "Contact 1" in english(problems)
    problems = domain.registration_problems(registration(contacts=[{"name": "", "phone": "021-12345678"}]), RULES,
                                            DOCS)
    assert fields(problems) == ["contacts"]
    flat = registration(contacts=None, contact_name="王明", contact_phone="+86 138 1234 5678")
    assert domain.registration_problems(flat, RULES, DOCS) == []


@pytest.mark.parametrize(("agency", "code", "expected"), [
    ("", "", []),
    ("上海专利商标事务所有限公司", "31100", []),  # the 5-digit CNIPA agency code
    ("上海专利商标事务所有限公司", GOOD_USCC, []),  # or its unified social credit code
    ("上海专利商标事务所有限公司", "", ["agency_code"]),
    ("上海专利商标事务所有限公司", "3110", ["agency_code"]),
    ("上海专利商标事务所有限公司", BAD_USCC, ["agency_code"]),
    ("", "31100", ["agency_name"]),
])
def test_the_optional_patent_agency_and_its_code(agency, code, expected):
    problems = domain.registration_problems(registration(agency_name=agency, agency_code=code), RULES, DOCS)
    assert fields(problems) == expected
    english(problems)


# --- admission standing ---------------------------------------------------------------------------------------------

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(("status", "until", "abnormal", "words"), [
    (domain.ADMITTED, date(2027, 3, 1), False, None),
    (domain.ADMITTED, TODAY, False, None),  # the last day still counts
    (domain.PENDING, None, False, "not completed its registration"),
    (domain.REFUSED, None, False, "not completed its registration"),
    (domain.SUSPENDED, date(2027, 3, 1), False, "suspended"),
    (domain.ADMITTED, date(2026, 11, 23), False, "expired on 2026-11-23"),
    (domain.ADMITTED, None, False, "expired"),
    (domain.ADMITTED, date(2027, 3, 1), True, "abnormal patent application"),
])
def test_admission_refusal(status, until, abnormal, words):
    refusal = domain.admission_refusal(status, until, TODAY, abnormal)
    if words is None:
        assert refusal is None
    else:
        assert words in refusal.render("en")
        refusal.render("zh_Hans")


def test_an_admission_lasts_a_year_and_is_renewed_by_its_last_day():
    assert domain.renewal_due(date(2026, 3, 2), RULES) == date(2027, 3, 1)
    assert domain.renewal_due(date(2026, 3, 2), replace(RULES, admission_valid_days=30)) == date(2026, 3, 31)
    until = domain.renewal_due(date(2025, 11, 25), RULES)
    assert domain.admission_refusal(domain.ADMITTED, until, until, False) is None
    assert domain.admission_refusal(domain.ADMITTED, until, date(2026, 11, 25), False) is not None


# --- submitting a case ------------------------------------------------------------------------------------------

CLAIMS = """1. 一种石墨烯复合导热膜，其特征在于，包括基材层和石墨烯层。
2. 根据权利要求1所述的石墨烯复合导热膜，其特征在于，所述基材层为聚酰亚胺。
3. 根据权利要求1或2所述的石墨烯复合导热膜，其特征在于，所述石墨烯层厚度为10-50微米。
4. 一种权利要求1所述石墨烯复合导热膜的制备方法，包括涂布和烧结。"""
DESCRIPTION = "技术领域 本发明涉及导热材料。附图说明 图1为导热膜的结构示意图。具体实施方式 如图1所示……"


def case(**changes) -> dict:
    values = {"patent_type": INVENTION, "title": "一种石墨烯复合导热膜及其制备方法",
              "abstract": "本发明公开了一种石墨烯复合导热膜，包括基材层和石墨烯层，导热性能好。", "claims": CLAIMS,
              "description": DESCRIPTION, "ipc": ["C08J 5/18", "C01B 32/182"], "applicants": ["上海新材科技有限公司"],
              "inventors": ["王明", "李华"], "declarations": {"waive_amendment": True, "no_bibliographic_change": True}}
    values.update(changes)
    return values


def design(**changes) -> dict:
    values = {"patent_type": DESIGN, "title": "智能手表", "locarno": ["10-02"],
              "brief_description": "1．产品名称：智能手表……", "applicants": "上海新材科技有限公司", "inventors": "赵六",
              "waive_amendment": "on",
              "no_bibliographic_change": "on"}
    values.update(changes)
    return values


CASE_DOCS = {"drawings": 1}


def test_a_sound_invention_case_has_no_problem():
    assert domain.submission_problems(case(), RULES, CASE_DOCS) == []


def test_a_sound_design_case_has_no_problem():
    assert domain.submission_problems(design(), RULES, {"views": 6}) == []


def test_the_patent_type_is_asked_for_first():
    assert fields(domain.submission_problems(case(patent_type="trademark"), RULES, CASE_DOCS)) == ["patent_type"]


@pytest.mark.parametrize("patent_type", [INVENTION, UTILITY])
def test_abstract_claims_description_and_ipc_are_required_for_inventions_and_utility_models(patent_type):
    values = case(patent_type=patent_type, abstract="", claims="", description="  ", ipc=[])
    problems = domain.submission_problems(values, RULES, CASE_DOCS)
    assert fields(problems) == ["abstract", "claims", "description", "ipc"]


@pytest.mark.parametrize(("length", "ok"), [(300, True), (301, False)])
def test_the_abstract_is_at_most_300_characters_punctuation_included(length, ok):
    abstract = ("导热膜，" * 100)[:length]
    problems = domain.submission_problems(case(abstract=abstract + "\n  "), RULES, CASE_DOCS)  # whitespace not counted
    assert (problems == []) is ok
    if not ok:
        assert fields(problems) == ["abstract"] and "301" in english(problems) and "Art 26" in english(problems)


def test_the_abstract_limit_is_the_centres_to_set():
    problems = domain.submission_problems(case(), replace(RULES, abstract_max_chars=20), CASE_DOCS)
    assert fields(problems) == ["abstract"]


@pytest.mark.parametrize(("values", "length", "ok"), [
    (case, 40, True), (case, 41, False), (design, 20, True), (design, 21, False)])
def test_the_title_limit_is_the_centres_setting(values, length, ok):
    problems = domain.submission_problems(values(title="导" * length), RULES, {"views": 1, "drawings": 1})
    assert (problems == []) is ok
    if not ok:
        assert fields(problems) == ["title"] and "the centre's setting" in english(problems)


def test_a_design_needs_locarno_class_views_and_a_brief_description_not_claims():
    problems = domain.submission_problems(design(locarno=[], brief_description=""), RULES, {})
    assert fields(problems) == ["locarno", "brief_description", "views"]


@pytest.mark.parametrize(("symbol", "ok"), [("14-03", True), ("14－03", True), ("1-01", True), ("LOC 26-05", True),
                                            ("33-01", False), ("1403", False), ("14-00", False), ("G06F", False)])
def test_locarno_symbols(symbol, ok):
    problems = domain.submission_problems(design(locarno=[symbol]), RULES, {"views": 1})
    assert (problems == []) is ok
    if not ok:
        assert fields(problems) == ["locarno"] and "NN-NN" in english(problems)


@pytest.mark.parametrize(("symbol", "words"), [("XYZ", "not an IPC symbol"), ("C", "subclass"),
                                               ("C08", "subclass")])
def test_proposed_ipc_symbols_must_be_valid_subclasses_or_deeper(symbol, words):
    problems = domain.submission_problems(case(ipc=["C08J 5/18", symbol]), RULES, CASE_DOCS)
    assert fields(problems) == ["ipc"] and words in english(problems)


def test_ipc_symbols_may_be_typed_as_text():
    assert domain.submission_problems(case(ipc="C08J 5/18；C01B32/182"), RULES, CASE_DOCS) == []


def test_applicants_and_inventors_or_designers_are_required():
    problems = domain.submission_problems(case(applicants=[], inventors=[]), RULES, CASE_DOCS)
    assert fields(problems) == ["applicants", "inventors"] and "inventor" in english(problems)
    problems = domain.submission_problems(design(inventors=""), RULES, {"views": 1})
    assert fields(problems) == ["inventors"] and "designer (设计人)" in english(problems)


def test_an_invention_waives_voluntary_amendment_and_no_case_changes_bibliographic_data():
    problems = domain.submission_problems(case(declarations={}), RULES, CASE_DOCS)
    assert fields(problems) == ["waive_amendment", "no_bibliographic_change"]
    assert "放弃主动修改权利" in english(problems)
    problems = domain.submission_problems(case(patent_type=UTILITY, declarations={"no_bibliographic_change": 1}),
                                          RULES, CASE_DOCS)
    assert fields(problems) == ["waive_amendment"] and "no voluntary amendments" in english(problems)
    problems = domain.submission_problems(design(no_bibliographic_change=""), RULES, {"views": 1})
    assert fields(problems) == ["no_bibliographic_change"]


def test_joint_applicants_need_the_joint_rd_contract():
    values = case(applicants=["上海新材科技有限公司", "上海材料研究所有限公司"])
    problems = domain.submission_problems(values, RULES, CASE_DOCS)
    assert fields(problems) == ["joint_rd_contract"]
    assert domain.submission_problems(values, RULES, {**CASE_DOCS, "joint_rd_contract": 1}) == []


@pytest.mark.parametrize("university", ["复旦大学", "上海理工大学", "上海电力学院", "Tongji University"])
def test_a_university_applicant_needs_the_industry_university_cooperation_proof(university):
    values = case(applicants=[university])
    assert fields(domain.submission_problems(values, RULES, CASE_DOCS)) == ["cooperation_proof"]
    assert domain.submission_problems(values, RULES, {**CASE_DOCS, "cooperation_proof": 1}) == []


def test_a_utility_model_needs_drawings():
    problems = domain.submission_problems(case(patent_type=UTILITY), RULES, {})
    assert fields(problems) == ["drawings"]


# --- the field check ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("patent_type", "ipc", "locarno", "keys"), [
    (INVENTION, ["C08L 23/06"], [], ["new_materials"]),
    (INVENTION, ["A61K 31/4439", "A61P 35/00"], [], ["biomedicine"]),
    (UTILITY, ["C02F 1/44"], [], ["energy_environment"]),
    (INVENTION, ["G06F 16/00", "C08K 3/04"], [], ["new_materials", "new_generation_it"]),
    (INVENTION, ["G01N 33/53"], [], ["biomedicine"]),
    (INVENTION, ["G01N 21/00"], [], []),
    (INVENTION, ["H01M 10/0525"], [], []),
    (DESIGN, [], ["14-03"], ["design"]),
    (DESIGN, [], ["26-05"], ["design"]),
    (DESIGN, [], ["02-01"], []),
])
def test_field_findings(patent_type, ipc, locarno, keys):
    check = domain.field_findings(patent_type, ipc, locarno, RULES, [])
    assert list(check.keys) == keys
    assert check.inside is bool(keys) and not check.mismatch
    text = "\n".join(m.render("en") for m in check.findings)
    assert ("outside the centre's fields" in text) is (not keys)


def test_outside_the_centres_fields_names_them():
    check = domain.field_findings(INVENTION, ["H01M 10/0525"], [], domain.PUDONG_CENTRE, [])
    text = check.findings[0].render("en")
    assert "H01M10/0525" in text and "Biomedicine (生物医药)" in text
    assert "生物医药" in check.findings[0].render("zh_Hans")


def test_a_locarno_subclass_entry_matches_that_subclass_only():
    rules = replace(RULES, fields=(replace(domain.DESIGNS, locarno=("14-03",)),))
    assert domain.field_findings(DESIGN, [], ["14-03"], rules).keys == ("design",)
    assert domain.field_findings(DESIGN, [], ["14-02"], rules).keys == ()


@pytest.mark.parametrize(("suggested", "mismatch"), [
    (["G06F 16/00", "H04L 9/32"], True),
    (["C08K 3/04"], True),  # another subclass of the same class
    (["C08L 23/08", "G06F 16/00"], False),
    ([], False),
    (["nonsense"], False),
])
def test_the_classifiers_suggestions_are_compared_by_subclass(suggested, mismatch):
    check = domain.field_findings(INVENTION, ["C08L 23/06"], [], RULES, suggested)
    assert check.mismatch is mismatch
    assert any("shares no subclass" in m.render("en") for m in check.findings) is mismatch


def test_design_suggestions_are_compared_by_locarno_class():
    assert domain.field_findings(DESIGN, [], ["14-03"], RULES, ["14-02"]).mismatch is False
    assert domain.field_findings(DESIGN, [], ["14-03"], RULES, ["26-05"]).mismatch is True


def test_unreadable_classes_say_the_field_cannot_be_checked():
    check = domain.field_findings(INVENTION, ["???"], [], RULES)
    assert not check.inside and "cannot be checked" in check.findings[0].render("en")


# --- exclusions ---------------------------------------------------------------------------------------------------

DAY = date(2026, 6, 1)
ME = ("上海新材科技有限公司",)


def exclusions(**changes):
    args = {"is_pct": False, "is_divisional": False, "app_number": None, "same_day": [],
            "title": "一种石墨烯复合导热膜", "patent_type": INVENTION, "applicants": ME, "day": DAY,
            "threshold": RULES.title_similarity}
    args.update(changes)
    return domain.exclusions(**args)


def test_an_ordinary_case_has_no_exclusion():
    assert exclusions() == []


def test_pct_and_divisional_applications_are_excluded():
    assert fields(exclusions(is_pct=True)) == ["is_pct"]
    assert fields(exclusions(is_divisional=True)) == ["is_divisional"]


@pytest.mark.parametrize(("number", "expected"), [
    ("CN201880012345.5", ["app_number"]),  # type digit 8: a PCT national-phase invention
    ("201890012345", ["app_number"]),  # type digit 9 (utility model), written without its check character
    ("202610123456.X", []),  # type digit 1: an ordinary invention application
    ("202610123456.1", ["app_number"]),  # wrong check character
])
def test_pct_by_the_type_digit_of_the_application_number(number, expected):
    problems = exclusions(app_number=number)
    assert fields(problems) == expected
    english(problems)
    if expected and number.endswith(".5"):
        assert "type digit 8" in english(problems)


def sibling(**changes) -> domain.Sibling:
    base = domain.Sibling(patent_type=UTILITY, day=DAY, applicants=ME, title="石墨烯复合导热膜",
                          reference="CN202620123456.5")
    return replace(base, **changes)


def test_a_same_day_utility_model_on_the_same_subject_is_flagged():
    problems = exclusions(same_day=[sibling()])
    assert fields(problems) == ["same_day"]
    assert "CN202620123456.5" in english(problems) and "filed ordinarily" in english(problems)


def test_either_way_round_and_when_the_other_was_pre_examined():
    problems = exclusions(patent_type=UTILITY, same_day=[sibling(patent_type=INVENTION, pre_examined=True)])
    assert fields(problems) == ["same_day"] and "pre-examined" in english(problems)


@pytest.mark.parametrize("other", [
    sibling(title="一种可降解聚乳酸包装膜"),  # another subject on the same day
    sibling(day=date(2026, 6, 2)),  # the same subject on another day
    sibling(patent_type=INVENTION),  # two inventions: not the invention + utility model pair
    sibling(patent_type=DESIGN),
    sibling(applicants=("别的公司",)),  # another applicant
])
def test_not_flagged(other):
    assert exclusions(same_day=[other]) == []


def test_a_common_applicant_among_several_is_the_same_applicant():
    other = sibling(applicants=("上海新材科技有限公司", "复旦大学"))
    assert fields(exclusions(same_day=[other])) == ["same_day"]


def test_designs_have_no_same_day_exclusion():
    assert exclusions(patent_type=DESIGN, same_day=[sibling()]) == []


@pytest.mark.parametrize(("a", "b", "similar"), [
    ("一种石墨烯复合导热膜", "石墨烯复合导热膜", True),
    ("一种石墨烯复合导热膜", "一种石墨烯复合导热膜。", True),
    ("A graphene heat-conducting film", "Graphene heat conducting film", True),
    ("一种锂电池极片涂布装置", "一种锂电池极片涂布方法", False),
    ("一种石墨烯复合导热膜", "一种智能手表", False),
])
def test_title_similarity_against_the_default_threshold(a, b, similar):
    assert (domain.title_similarity(a, b) >= RULES.title_similarity) is similar


# --- the formal checklist -------------------------------------------------------------------------------------------

def checklist(documents=None, **changes) -> dict[str, domain.CheckItem]:
    items = domain.formal_checklist(case(**changes), CASE_DOCS if documents is None else documents, RULES)
    for item in items:
        if item.detail is not None:
            item.detail.render("zh_Hans")
    return {item.key: item for item in items}


def failed(items: dict[str, domain.CheckItem]) -> list[str]:
    return [k for k, item in items.items() if not item.ok]


def test_a_sound_invention_passes_every_check():
    items = checklist()
    assert list(items) == ["abstract_length", "claims_numbering", "claims_references", "multiple_dependency",
                           "drawings", "documents"]
    assert failed(items) == []
    assert items["claims_numbering"].detail.render("en") == "4 claims"


def test_an_abstract_too_long_fails_its_check():
    items = checklist(abstract="导" * 301)
    assert failed(items) == ["abstract_length"] and "301" in items["abstract_length"].detail.render("en")


@pytest.mark.parametrize(("claims", "words"), [
    ("1. 一种装置。\n2. 根据权利要求1所述的装置。\n4. 根据权利要求1所述的装置。", "skips 3"),
    ("2. 一种装置。\n3. 根据权利要求2所述的装置。", "from 2"),
    ("1. 一种装置。\n2. 根据权利要求1所述的装置。\n2. 根据权利要求1所述的装置。", "used twice"),
    ("1. A device.\n2. The device of claim 1.\n3. The device of claim 1.\n5. The device of claim 1.", "skips 4"),
])
def test_gaps_repeats_and_a_wrong_start_in_the_claim_numbering(claims, words):
    items = checklist(claims=claims)
    assert "claims_numbering" in failed(items)
    assert words in items["claims_numbering"].detail.render("en")


def test_items_numbered_inside_a_claim_are_no_numbering_fault():
    claims = "1. 一种制备方法，包括以下步骤：\n1) 混合；\n2) 烧结。\n2. 根据权利要求1所述的方法，其特征在于温度为800℃。"
    assert "claims_numbering" not in failed(checklist(claims=claims))


@pytest.mark.parametrize(("claims", "pair"), [
    ("1. 一种装置。\n2. 根据权利要求3所述的装置。\n3. 根据权利要求1所述的装置。", "claim 2 refers to claim 3"),
    ("1. 一种装置。\n2. 根据权利要求2所述的装置。", "claim 2 refers to claim 2"),
    ("1. 一种装置。\n2. 如权利要求1-3任一项所述的装置。\n3. 根据权利要求1所述的装置。", "claim 2 refers to claim 2"),
    ("1. A device.\n2. The device according to claim 2.", "claim 2 refers to claim 2"),
    ("1. A device.\n2. The device as claimed in any of claims 1 to 3.\n3. The device of claim 1.",
     "claim 2 refers to claim 2"),
])
def test_a_dependent_claim_may_refer_only_to_earlier_claims(claims, pair):
    items = checklist(claims=claims)
    assert "claims_references" in failed(items)
    assert pair in items["claims_references"].detail.render("en").lower()


@pytest.mark.parametrize("claims", [
    "1. 一种装置。\n2. 根据权利要求1所述的装置。\n3. 根据权利要求1或2所述的装置。\n4. 根据权利要求3所述的装置。",
    "1. A device.\n2. The device according to claim 1.\n3. The device as claimed in any of claims 1 to 2.",
])
def test_references_to_earlier_claims_pass(claims):
    assert failed(checklist(claims=claims)) == []


@pytest.mark.parametrize("claims", [
    "1. 一种装置。\n2. 根据权利要求1所述的装置。\n3. 根据权利要求1或2所述的装置。\n"
    "4. 根据权利要求1-3任一项所述的装置。",
    "1. A device.\n2. The device of claim 1.\n3. The device of claim 1 or 2.\n4. The device of any preceding claim.",
])
def test_a_multiple_dependent_claim_cannot_rest_on_another(claims):
    items = checklist(claims=claims)
    assert failed(items) == ["multiple_dependency"]
    assert "Claim 4" in items["multiple_dependency"].detail.render("en")
    assert "claim 3" in items["multiple_dependency"].detail.render("en")


def test_references_read_from_chinese_and_english_claims():
    assert domain.references("根据权利要求1所述的装置") == {1}
    assert domain.references("如权利要求1-3任一项所述的装置") == {1, 2, 3}
    assert domain.references("根据权利要求1至3中任一项所述的装置") == {1, 2, 3}
    assert domain.references("根据权利要求1、2或5所述的装置") == {1, 2, 5}
    assert domain.references("The device according to claim 2, wherein 3 layers") == {2}
    assert domain.references("as claimed in any of claims 1 to 3") == {1, 2, 3}
    assert domain.references("The method of claim 1 or claim 4") == {1, 4}


@pytest.mark.parametrize(("description", "drawings", "ok", "words"), [
    ("如图1所示，导热膜包括基材层。", 1, True, None),
    ("As shown in FIG. 2, the film has two layers.", 1, True, None),
    ("如图1所示，导热膜包括基材层。", 0, False, "none are attached"),
    ("参见附图，导热膜包括基材层。", 0, False, "附图"),
    ("See Fig. 3.", 0, False, "Fig. 3"),
    ("导热膜包括基材层和石墨烯层。", 1, False, "never refers"),
    ("导热膜包括基材层和石墨烯层。", 0, True, None),
])
def test_drawings_referred_to_if_and_only_if_attached(description, drawings, ok, words):
    items = checklist(documents={"drawings": drawings}, description=description)
    assert items["drawings"].ok is ok
    if words:
        assert words in items["drawings"].detail.render("en")


def test_required_documents_in_the_checklist():
    items = checklist(applicants=["上海新材科技有限公司", "复旦大学"])
    assert failed(items) == ["documents"]
    text = items["documents"].detail.render("en")
    assert "Joint R&D contract" in text and "industry–university" in text
    items = checklist(documents={"drawings": 1, "joint_rd_contract": 1, "cooperation_proof": 1},
                      applicants=["上海新材科技有限公司", "复旦大学"])
    assert failed(items) == []


def test_a_design_checklist():
    items = {i.key: i for i in domain.formal_checklist(design(brief_description=""), {}, RULES)}
    assert list(items) == ["brief_description", "documents"]
    assert not items["brief_description"].ok and not items["documents"].ok
    assert "Views of the design" in items["documents"].detail.render("en")
    assert all(i.ok for i in domain.formal_checklist(design(), {"views": 6}, RULES))


# --- clocks on the shipped calendar (2026: 中秋 09-25..27; 国庆 10-01..07; make-up days 09-20 and 10-10) -----------

@pytest.mark.parametrize(("start", "patent_type", "due"), [
    (date(2026, 9, 29), INVENTION, date(2026, 10, 26)),  # 15: 09-30, 10-08, 10-09, 10-10 (Sat, make-up) …
    (date(2026, 9, 29), DESIGN, date(2026, 10, 12)),  # 5: 09-30, 10-08, 10-09, 10-10, 10-12
    (date(2026, 9, 18), UTILITY, date(2026, 10, 9)),  # 10: 09-20 (Sun, make-up), 09-21..24, 09-28..30, 10-08, 10-09
    (date(2026, 11, 2), INVENTION, date(2026, 11, 23)),  # no holiday: three weeks
])
def test_exam_due_across_national_day(calendar, start, patent_type, due):
    assert domain.exam_due(start, patent_type, RULES, calendar) == due


def test_exam_days_are_the_centres_to_set(calendar):
    rules = replace(RULES, exam_days={INVENTION: 3, UTILITY: 2, DESIGN: 1})
    assert domain.exam_due(date(2026, 9, 29), INVENTION, rules, calendar) == date(2026, 10, 9)


def test_correction_due_skips_the_holiday(calendar):
    assert domain.correction_due(date(2026, 9, 30), RULES, calendar) == date(2026, 10, 13)  # 10-08, 09, 10, 12, 13


def test_a_correction_stops_the_clock_and_the_reply_resumes_it_with_what_was_left(calendar):
    start = date(2026, 9, 29)
    due = domain.exam_due(start, INVENTION, RULES, calendar)
    assert due == date(2026, 10, 26)
    stopped = date(2026, 10, 9)  # 3 working days spent: 09-30, 10-08, 10-09
    left = domain.remaining_after_stop(start, stopped, due, calendar)
    assert left == 12
    resumed = domain.resumed_due(date(2026, 10, 20), left, calendar)
    assert resumed == date(2026, 11, 5)  # 10-21..23, 10-26..30, 11-02..05: 12 more, not a fresh 15
    assert resumed != domain.exam_due(date(2026, 10, 20), INVENTION, RULES, calendar)


def test_a_clock_stopped_after_it_ran_out_has_nothing_left(calendar):
    assert domain.remaining_after_stop(date(2026, 9, 29), date(2026, 10, 27), date(2026, 10, 26), calendar) == 0
    assert domain.resumed_due(date(2026, 11, 2), 0, calendar) == date(2026, 11, 2)
    with pytest.raises(ValueError):
        domain.remaining_after_stop(date(2026, 9, 29), date(2026, 9, 28), date(2026, 10, 26), calendar)


@pytest.mark.parametrize(("passed", "deadline"), [
    (date(2026, 9, 1), date(2026, 10, 8)),  # 30 days: 10-01, National Day → the next working day
    (date(2026, 9, 2), date(2026, 10, 8)),
    (date(2026, 9, 10), date(2026, 10, 10)),  # a Saturday, but a make-up working day
    (date(2026, 8, 26), date(2026, 9, 28)),  # 09-25, 中秋 → Monday 09-28
    (date(2026, 11, 2), date(2026, 12, 2)),
])
def test_filing_deadline_in_calendar_days_moved_off_rest_days(calendar, passed, deadline):
    assert domain.filing_deadline(passed, RULES, calendar) == deadline


@pytest.mark.parametrize(("filed", "in_time"), [
    (date(2026, 10, 8), True), (date(2026, 9, 1), True), (date(2026, 10, 9), False),
    (date(2026, 8, 31), False),  # before the pass notice: an ordinary filing
])
def test_filed_in_time(calendar, filed, in_time):
    assert domain.filed_in_time(date(2026, 9, 1), filed, RULES, calendar) is in_time


def test_no_reply_by_the_correction_deadline_is_deemed_withdrawn(calendar):
    due = domain.correction_due(date(2026, 9, 30), RULES, calendar)
    assert domain.deemed_withdrawn(due, date(2026, 10, 13)) is False
    assert domain.deemed_withdrawn(due, date(2026, 10, 14)) is True


def test_a_centre_document_gives_its_fields_and_area_and_refuses_what_is_wrong():
    from ipcity.services.preexam.domain import DEFAULT_RULES, centre_rules_from

    rules = centre_rules_from({"area_codes": ["3101"], "fields": [
        {"key": "designs", "zh": "外观设计", "en": "Designs", "locarno": ["14", "26-05"]},
        {"key": "chips", "zh": "集成电路", "en": "Chips", "ipc": ["h01l 21/", "G11C"], "scope_words": ["芯片"]}]},
        DEFAULT_RULES)
    assert [f.key for f in rules.fields] == ["designs", "chips"] and rules.area_codes == ("3101",)
    assert rules.tech_field("chips").ipc_prefixes == ("H01L21/", "G11C")
    assert rules.tech_field("chips").label.render("zh_Hans") == "集成电路"
    assert rules.exam_days == DEFAULT_RULES.exam_days  # the time limits are the settings', not the document's
    for bad, why in ((["fields"], "not a JSON object"), ({"fields": []}, "fields"),
                     ({"fields": [{"key": "a", "zh": "甲", "en": "A"}]}, "IPC prefixes or Locarno"),
                     ({"fields": [{"key": "a", "zh": "甲", "en": "A", "ipc": ["X99"]}]}, "X99"),
                     ({"fields": [{"key": "a", "zh": "甲", "en": "A", "locarno": ["1403"]}]}, "1403"),
                     ({"area_codes": ["31000"], "fields": [{"key": "a", "zh": "甲", "en": "A", "ipc": ["H"]}]},
                      "area_codes"),
                     ({"fields": [{"key": "a", "zh": "甲", "en": "A", "ipc": ["H"]},
                                  {"key": "a", "zh": "乙", "en": "B", "ipc": ["G"]}]}, "unique")):
        with pytest.raises(ValueError, match=why):
            centre_rules_from(bad, DEFAULT_RULES)


def test_oversized_texts_and_lists_are_refused_before_anything_reads_them():
    from ipcity.services.preexam.domain import DEFAULT_RULES, MAX_NAMES, TEXT_CEILINGS, submission_problems

    values = {"patent_type": "invention", "title": "一种电池", "abstract": "摘要", "claims": "1. 一种电池。",
              "description": "说" * (TEXT_CEILINGS["description"] + 1), "ipc": "C08J 5/22",
              "applicants": "\n".join(f"公司{i}" for i in range(MAX_NAMES + 1)), "inventors": "张三"}
    problems = submission_problems(values, DEFAULT_RULES, {})
    assert [f for f, _ in problems] == ["description", "applicants"]  # and no other check ran
    assert "1000000" in problems[0][1].render("en")
