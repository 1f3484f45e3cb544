"""The pure rules of the rights-protection network: intake, tracking numbers, routing, and the clocks of Order 81
adjudication, mediation and the exhibition fast track, on the shipped official calendar (the 2025 National Day
week, Oct 1–8 off with Sep 28 and Oct 11 worked; the 2026 Spring Festival, Feb 15–23 off with Feb 14 and Feb 28
worked)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ipcity.core.calendar import WorkCalendar, shipped_days
from ipcity.core.i18n import Msg
from ipcity.services.rights import domain as d
from ipcity.services.rights.domain import ANY, ANY_DISTRICT, ANY_FAIR, Extension, Rule, Stop

KEY = b"test-installation-secret"


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.from_days(shipped_days())


def fields(problems) -> list[str]:
    return [f for f, _ in problems]


def english(problems) -> str:
    """Every message rendered (both languages, so a placeholder mistake fails here), the English joined."""
    for _f, msg in problems:
        msg.render("zh_Hans")
    return "\n".join(msg.render("en") for _f, msg in problems)


def test_the_calendar_days_the_tests_rely_on(cal):
    assert not any(cal.is_working_day(date(2025, 10, n)) for n in range(1, 9))
    assert cal.is_working_day(date(2025, 9, 28)) and cal.is_working_day(date(2025, 10, 11))  # Sun, Sat worked
    assert not any(cal.is_working_day(date(2026, 2, n)) for n in range(15, 24))
    assert cal.is_working_day(date(2026, 2, 14)) and cal.is_working_day(date(2026, 2, 28))  # Saturdays worked
    assert date(2026, 2, 28).weekday() == 5


# --- vocabularies ------------------------------------------------------------------------------------------------

def test_vocabularies_are_bilingual_messages_with_the_official_term():
    tables = [d.REQUESTER_ROLES, d.RIGHTS, d.REQUEST_KINDS, d.CHANNELS, d.UNIT_KINDS, d.WHERE, d.DISPUTE_SUBJECTS,
              d.MEDIATION_MATTERS, d.MEDIATORS, d.STOP_KINDS, d.EXTENSION_LEVELS, d.MAJOR_CATEGORIES,
              d.INFRINGING_ACTS, d.FAIR_MEASURES, d.INTAKE_FIELDS]
    for table in tables:
        for label in table.values():
            assert isinstance(label, Msg) and "(" in label.msgid and label.render("en") and label.render("zh_Hans")
            assert any("\u4e00" <= ch <= "\u9fff" for ch in label.msgid)


def test_vocabularies_hold_what_the_issue_names():
    assert set(d.REQUESTER_ROLES) == {"right_holder", "exclusive_licensee", "sole_licensee", "ordinary_licensee",
                                      "accused_party", "exhibitor", "enterprise_abroad"}
    assert set(d.RIGHTS) == {"patent", "trademark", "gi", "copyright", "data_ip"}
    assert set(d.REQUEST_KINDS) == {"consultation", "assistance", "complaint", "adjudication", "mediation",
                                    "overseas_guidance"}
    assert set(d.CHANNELS) == {"web", "phone", "walk_in", "fair_desk"}
    assert set(d.UNIT_KINDS) == {"district_office", "municipal_office", "protection_centre", "assistance_centre",
                                 "workstation", "mediation_body", "overseas_subcentre", "cnipa"}
    assert set(d.STOP_KINDS) == {"suspension", "announcement", "inspection", "jurisdiction_objection",
                                 "evidence_extension", "settlement"}  # Order 81 Art 37
    assert set(d.MEDIATORS) >= {"wipo_amc", "arbitration"}
    assert len(d.MAJOR_CATEGORIES) == 4


# --- intake --------------------------------------------------------------------------------------------------------

def request(**changes) -> dict:
    values = {"role": "right_holder", "right": "trademark", "kind": "complaint", "channel": "web",
              "where": "district", "division_code": "310115", "description": "对方在门店销售假冒我司注册商标的商品。",
              "respondent": "上海某某贸易有限公司", "contact_name": "张三", "phone": "138 0013 8000"}
    values.update(changes)
    return values


def adjudication(**changes) -> dict:
    return request(**{"right": "patent", "kind": "adjudication", "patent_number": "ZL202010714197.0", **changes})


def test_a_complete_request_has_no_problem():
    assert d.intake_problems(request()) == []
    assert d.intake_problems(request(where="online", division_code="")) == []
    assert d.intake_problems(request(where="fair", fair="ciie", channel="fair_desk")) == []
    assert d.intake_problems(request(kind="consultation", respondent="", channel="phone")) == []
    assert d.intake_problems(adjudication()) == []


def test_who_what_and_which_kind_are_chosen_from_the_lists():
    problems = d.intake_problems(request(role="lawyer", right="plant_variety", kind="lawsuit", channel="fax"))
    assert fields(problems) == ["role", "right", "kind", "channel"]
    assert "Choose the Requester's role" in english(problems)


def test_where_is_a_district_of_the_city_online_or_a_fair():
    assert fields(d.intake_problems(request(where=""))) == ["where"]
    assert fields(d.intake_problems(request(division_code=""))) == ["division_code"]
    for code in ("320102", "310100", "310000", "31", "abc", "319999"):  # Nanjing, the city itself, not a district
        problems = d.intake_problems(request(division_code=code))
        assert fields(problems) == ["division_code"], code
    assert "not a district of the city" in english(d.intake_problems(request(division_code="320102")))
    assert d.intake_problems(request(division_code="320102"), d.IntakeRules(city="32")) == []
    assert fields(d.intake_problems(request(where="fair", fair=""))) == ["fair"]
    rules = d.IntakeRules(fairs=("ciie", "cifte"))
    assert fields(d.intake_problems(request(where="fair", fair="canton"), rules)) == ["fair"]
    assert d.intake_problems(request(where="fair", fair="ciie"), rules) == []


def test_a_fair_desk_takes_requests_about_its_fair_only():
    problems = d.intake_problems(request(channel="fair_desk"))
    assert fields(problems) == ["where"] and "fair desk" in english(problems)


def test_area_of_a_request():
    assert d.area_of(request()) == "310115"
    assert d.area_of(request(where="online")) == "online"
    assert d.area_of(request(where="fair", fair="ciie")) == "fair:ciie"
    assert d.area_of(request(where="fair", fair="")) == ""
    assert d.area_of(request(division_code="320102")) == ""


def test_description_limits():
    assert fields(d.intake_problems(request(description=""))) == ["description"]
    assert "too short" in english(d.intake_problems(request(description="假冒")))
    assert "longer than 5000" in english(d.intake_problems(request(description="字" * 5001)))
    assert d.intake_problems(request(description="字" * 5000)) == []
    rules = d.IntakeRules(description_min_chars=2, description_max_chars=20)
    assert d.intake_problems(request(description="假冒"), rules) == []


def test_the_other_party_is_named_where_there_is_one():
    for kind in ("complaint", "mediation"):
        assert "respondent" in fields(d.intake_problems(request(kind=kind, respondent="")))
    assert "respondent" in fields(d.intake_problems(adjudication(respondent="")))
    assert fields(d.intake_problems(request(respondent="某" * 201))) == ["respondent"]
    for kind in ("consultation", "assistance"):
        assert d.intake_problems(request(kind=kind, respondent="")) == []


def test_contact_and_phone():
    assert fields(d.intake_problems(request(contact_name=""))) == ["contact_name"]
    assert fields(d.intake_problems(request(contact_name="张" * 201))) == ["contact_name"]
    assert fields(d.intake_problems(request(phone=""))) == ["phone"]
    assert "not a phone number" in english(d.intake_problems(request(phone="12345")))
    assert d.intake_problems(request(phone="+86 021-6123 4567")) == []


def test_adjudication_is_for_patents():
    problems = d.intake_problems(adjudication(right="trademark"))
    assert fields(problems) == ["right"] and "patent disputes" in english(problems)


def test_adjudication_requesters_under_art_12():
    for role in ("accused_party", "exhibitor", "enterprise_abroad"):
        problems = d.intake_problems(adjudication(role=role))
        assert fields(problems) == ["role"] and "Art 12" in english(problems)
    assert d.intake_problems(adjudication(role="exclusive_licensee")) == []  # may request alone
    assert fields(d.intake_problems(adjudication(role="sole_licensee"))) == ["patentee_not_requesting"]
    assert d.intake_problems(adjudication(role="sole_licensee", patentee_not_requesting="on")) == []
    assert fields(d.intake_problems(adjudication(role="ordinary_licensee"))) == ["authorised"]
    assert d.intake_problems(adjudication(role="ordinary_licensee", authorised=True)) == []


def test_adjudication_admissibility_under_art_12():
    assert fields(d.intake_problems(adjudication(court_action="yes"))) == ["court_action"]
    assert fields(d.intake_problems(adjudication(other_method="1"))) == ["other_method"]
    assert fields(d.intake_problems(adjudication(patent_number=""))) == ["patent_number"]
    problems = d.intake_problems(adjudication(patent_number="ZL202010714197.1"))  # wrong check character
    assert fields(problems) == ["patent_number"] and "not a Chinese patent number" in english(problems)
    assert fields(d.intake_problems(adjudication(subject="antitrust"))) == ["subject"]
    for subject in ("infringement", "drug_linkage", "open_licence"):
        assert d.intake_problems(adjudication(subject=subject)) == []


def test_a_patent_number_given_with_another_kind_is_checked():
    assert fields(d.intake_problems(request(right="patent", patent_number="ZL2020"))) == ["patent_number"]
    assert d.intake_problems(request(right="patent", patent_number="CN202010714197.0")) == []


def test_mediation_matter_and_provisional_royalties():
    patent = request(right="patent", kind="mediation")
    assert fields(d.intake_problems(patent)) == ["matter"]
    assert d.intake_problems({**patent, "matter": "ownership"}) == []
    problems = d.intake_problems({**patent, "matter": "provisional_royalty"})
    assert fields(problems) == ["matter"] and "after the patent is granted" in english(problems)
    assert d.intake_problems({**patent, "matter": "provisional_royalty", "granted": True}) == []
    assert d.intake_problems(request(kind="mediation")) == []  # a trademark mediation by a body: no Art 63 matter


def test_overseas_guidance_names_a_country_abroad():
    overseas = request(kind="overseas_guidance", role="enterprise_abroad", respondent="", where="online")
    assert fields(d.intake_problems(overseas)) == ["country"]
    assert "outside the Chinese mainland" in english(d.intake_problems({**overseas, "country": "cn"}))
    assert "not a country" in english(d.intake_problems({**overseas, "country": "QQ"}))
    assert d.intake_problems({**overseas, "country": "us"}) == []
    assert d.intake_problems({**overseas, "country": "HK"}) == []


# --- tracking numbers --------------------------------------------------------------------------------------------

def test_tracking_number_round_trip():
    for serial, year in ((1, 2025), (123, 2025), (999_999, 2026), (40_000, 2031)):
        number = d.tracking_number(serial, year, key=KEY)
        assert number.startswith(f"WQ{year}-{serial:06d}-") and len(number) == 24
        parsed = d.parse_tracking(number, key=KEY)
        assert (parsed.year, parsed.serial, parsed.number) == (year, serial, number)
        assert d.parse_tracking(number).number == number  # the check alone, without the key


def test_tracking_number_as_typed():
    number = d.tracking_number(7, 2025, key=KEY)
    compact = number.replace("-", "")
    assert d.parse_tracking(f"  {compact.lower()} ", key=KEY).number == number
    assert d.parse_tracking(" ".join(number.split("-")), key=KEY).number == number
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in number)
    assert d.parse_tracking(full_width, key=KEY).number == number
    assert d.parse_tracking(number.replace("0", "O"), key=KEY).number == number  # Crockford: O read as 0


def test_every_single_mistyped_character_is_refused():
    number = d.tracking_number(4321, 2025, key=KEY)
    folded_same = {"0": "O", "1": "IL"}
    tried = 0
    for i, ch in enumerate(number):
        if ch == "-":
            continue
        for other in d.TRACKING_ALPHABET + "UOIL":
            if other == ch or other in folded_same.get(ch, ""):
                continue
            with pytest.raises(d.TrackingError):
                d.parse_tracking(number[:i] + other + number[i + 1:])
            tried += 1
    assert tried > 20 * 31


def test_swapped_neighbours_are_refused_except_zero_and_z():
    number = d.tracking_number(4321, 2025, key=KEY).replace("-", "")
    for i in range(2, len(number) - 1):
        a, b = number[i], number[i + 1]
        if a == b or {a, b} == {"0", "Z"}:
            continue
        with pytest.raises(d.TrackingError, match="mistyped|digits"):
            d.parse_tracking(number[:i] + b + a + number[i + 2:])


def test_tracking_refusals_say_why():
    number = d.tracking_number(5, 2025, key=KEY)

    def why(text, **kw) -> str:
        with pytest.raises(d.TrackingError) as caught:
            d.parse_tracking(text, **kw)
        caught.value.msg.render("zh_Hans")
        return caught.value.msg.render("en")

    assert "required" in why("")
    assert "begins with WQ" in why("AB" + number[2:])
    assert "characters after WQ" in why(number[:-1])
    assert "no letter U" in why(number[:-3] + "U" + number[-2:])
    assert "mistyped" in why(number[:-1] + ("0" if number[-1] != "0" else "1"))
    # A well-formed number under another key: issued elsewhere, or made up with the public check character.
    assert "No request has this tracking number" in why(number, key=b"another key")
    forged = d.Tracking(2025, 5, "00000000").number
    assert d.parse_tracking(forged).serial == 5 and "No request" in why(forged, key=KEY)


def test_tracking_numbers_are_not_computable_without_the_key():
    tokens = {d.parse_tracking(d.tracking_number(n, 2025, key=KEY)).token for n in range(1, 2001)}
    assert len(tokens) == 2000  # no pattern to follow from one serial to the next
    assert d.tracking_number(1, 2025, key=KEY) != d.tracking_number(1, 2025, key=b"other")
    assert len(d.TRACKING_ALPHABET) ** d.TOKEN_WIDTH == 2 ** 40  # the search space per serial


def test_tracking_number_arguments():
    with pytest.raises(ValueError, match="secret key"):
        d.tracking_number(1, 2025, key=b"")
    with pytest.raises(ValueError, match="digits"):
        d.tracking_number(1_000_000, 2025, key=KEY)
    with pytest.raises(ValueError):
        d.tracking_number(0, 2025, key=KEY)
    with pytest.raises(ValueError, match="year"):
        d.tracking_number(1, 1999, key=KEY)
    assert d.parse_tracking(d.EXAMPLE_TRACKING).number == d.EXAMPLE_TRACKING


# --- routing -------------------------------------------------------------------------------------------------------

TABLE = [
    Rule(ANY, ANY, ANY, "assistance-centre"),
    Rule("patent", ANY, ANY, "protection-centre"),
    Rule(ANY, "mediation", ANY, "mediation-body"),
    Rule("patent", "adjudication", ANY, "municipal-office"),
    Rule(ANY, ANY, "310115", "pudong-office"),
    Rule("trademark", ANY, "310115", "pudong-trademark"),
    Rule(ANY, ANY, ANY_DISTRICT, "district-desk"),
    Rule(ANY, ANY, ANY_FAIR, "fair-workstation"),
    Rule(ANY, ANY, "fair:ciie", "ciie-workstation"),
    Rule(ANY, "overseas_guidance", ANY, "overseas-subcentre"),
]


def test_a_named_area_beats_a_wildcard_area_whatever_the_right_and_kind():
    assert d.route(TABLE, "patent", "adjudication", "310115") == "pudong-office"
    assert d.route(TABLE, "copyright", "consultation", "310115") == "pudong-office"


def test_then_a_named_right_beats_any():
    assert d.route(TABLE, "trademark", "complaint", "310115") == "pudong-trademark"
    assert d.route(TABLE, "patent", "mediation", "online") == "protection-centre"  # right before kind


def test_then_a_named_kind_beats_any():
    assert d.route(TABLE, "patent", "adjudication", "online") == "municipal-office"
    assert d.route(TABLE, "copyright", "mediation", "online") == "mediation-body"
    assert d.route(TABLE, "gi", "overseas_guidance", "online") == "overseas-subcentre"


def test_area_families_sit_between_named_areas_and_any():
    assert d.route(TABLE, "patent", "complaint", "fair:ciie") == "ciie-workstation"
    assert d.route(TABLE, "patent", "adjudication", "fair:cifte") == "fair-workstation"  # family beats right
    assert d.route(TABLE, "patent", "adjudication", "310101") == "district-desk"
    assert d.route(TABLE, "copyright", "consultation", "online") == "assistance-centre"  # no family for online


def test_ties_go_to_the_higher_priority_then_the_earlier_rule():
    table = [Rule("patent", ANY, "310104", "first"), Rule("patent", ANY, "310104", "second")]
    assert d.route(table, "patent", "complaint", "310104") == "first"
    table.append(Rule("patent", ANY, "310104", "urgent", priority=5))
    assert d.route(table, "patent", "complaint", "310104") == "urgent"
    # priority decides ties only: it never lifts a less specific rule
    table.append(Rule(ANY, ANY, "310104", "generic", priority=99))
    assert d.route(table, "patent", "complaint", "310104") == "urgent"
    assert d.matching_rule(table, "patent", "complaint", "310104") == table[2]


def test_no_matching_rule_routes_nowhere():
    assert d.route([Rule("patent", ANY, "310115", "x")], "trademark", "complaint", "310115") is None
    assert d.route([], "patent", "complaint", "online") is None
    assert d.matching_rule([Rule(ANY, ANY, ANY_DISTRICT, "x")], "patent", "complaint", "online") is None


def test_routing_table_rows_are_checked():
    assert d.rule_problems(Rule("patent", "complaint", "310115", "u1"), ["u1"]) == []
    for area in (ANY, ANY_DISTRICT, ANY_FAIR, "online", "fair:ciie"):
        assert d.rule_problems(Rule(ANY, ANY, area, "u1")) == [], area
    problems = d.rule_problems(Rule("plant_variety", "lawsuit", "320102", ""))
    assert fields(problems) == ["right", "kind", "area", "unit_code"]
    english(problems)
    assert fields(d.rule_problems(Rule(ANY, ANY, "fair:", "u1"))) == ["area"]
    assert fields(d.rule_problems(Rule(ANY, ANY, ANY, "u9"), ["u1"])) == ["unit_code"]


def test_ambiguous_rows_are_reported():
    a, b = Rule("patent", ANY, "310104", "one"), Rule("patent", ANY, "310104", "two")
    assert d.ambiguous_rules([a, b, Rule("patent", ANY, "310104", "one")]) == [(a, b)]
    assert d.ambiguous_rules([a, Rule("patent", ANY, "310104", "two", priority=1)]) == []


def test_major_disputes_for_cnipa():
    for category in d.MAJOR_CATEGORIES:
        assert d.major_cnipa([category])
    assert not d.major_cnipa([])
    with pytest.raises(ValueError, match="unknown"):
        d.major_cnipa(["famous"])


def test_provincial_cases_under_art_7():
    assert d.provincial(foreign=True)
    assert d.provincial(hk_macao_taiwan=True)
    assert d.provincial(multi_prefecture=True, major_impact=True)
    assert not d.provincial(multi_prefecture=True)
    assert not d.provincial(major_impact=True)
    assert not d.provincial()


def test_adjudication_level_comes_before_the_table():
    assert d.adjudication_level(["public_interest"], foreign=True) == "cnipa"
    assert d.adjudication_level([], foreign=True) == "municipal_office"
    assert d.adjudication_level() == ""


# --- periods -------------------------------------------------------------------------------------------------------

def test_months_are_calendar_months_ending_on_the_corresponding_day():
    assert d.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert d.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert d.add_months(date(2025, 3, 31), 3) == date(2025, 6, 30)
    assert d.add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert d.add_months(date(2025, 3, 10), 3) == date(2025, 6, 10)
    assert d.add_months(date(2020, 2, 29), 36) == date(2023, 2, 28)


# --- adjudication clocks -------------------------------------------------------------------------------------------

def test_acceptance_within_5_working_days_10_when_complex(cal):
    assert d.acceptance_due(date(2025, 9, 29), cal) == date(2025, 10, 13)  # Sep 30, Oct 9, 10, 11 (Sat), 13
    assert d.acceptance_due(date(2025, 9, 29), cal, complex_case=True) == date(2025, 10, 20)
    assert d.acceptance_due(date(2026, 2, 12), cal) == date(2026, 2, 26)  # Feb 13, 14 (Sat), 24, 25, 26


def test_one_correction_notice_only(cal):
    assert d.correction_notice_refusal(0) is None
    refusal = d.correction_notice_refusal(1)
    assert "Art 16" in refusal.render("en") and refusal.render("zh_Hans")
    assert d.correction_notice_refusal(2) is not None
    assert d.correction_due(date(2025, 9, 16), cal) == date(2025, 10, 9)  # Oct 1 is a holiday
    assert d.correction_due(date(2025, 9, 16), cal, days=10) == date(2025, 9, 26)


def test_a_late_or_still_defective_correction_means_not_filed():
    due = date(2025, 10, 9)
    assert d.correction_refusal(due, None, False, date(2025, 10, 9)) is None  # still running
    assert "No correction" in d.correction_refusal(due, None, False, date(2025, 10, 10)).render("en")
    assert "after the period" in d.correction_refusal(due, date(2025, 10, 10), True, date(2025, 10, 10)).render("en")
    assert "still has defects" in d.correction_refusal(due, date(2025, 10, 9), False, due).render("en")
    assert d.correction_refusal(due, date(2025, 10, 9), True, due) is None


def test_service_and_forwarding_within_5_working_days(cal):
    assert d.service_due(date(2025, 9, 26), cal) == date(2025, 10, 10)  # Sep 28 (Sun) worked, 29, 30, Oct 9, 10
    assert d.forward_due(date(2026, 2, 25), cal) == date(2026, 3, 3)  # Feb 26, 27, 28 (Sat), Mar 2, 3


def test_answer_within_15_days_30_without_domicile_in_china(cal):
    assert d.answer_due(date(2025, 9, 16), cal) == date(2025, 10, 9)  # Oct 1 → next working day
    assert d.answer_due(date(2025, 9, 16), cal, domicile_in_china=False) == date(2025, 10, 16)
    assert d.answer_due(date(2026, 2, 5), cal) == date(2026, 2, 24)  # Feb 20 in the Spring Festival
    assert d.answer_due(date(2025, 9, 16), cal, extra_days=10) == date(2025, 10, 11)  # a worked Saturday
    with pytest.raises(ValueError):
        d.answer_due(date(2025, 9, 16), cal, extra_days=-1)


def test_the_3_year_limitation(cal):
    assert d.limitation_end(date(2022, 10, 1), cal) == date(2025, 10, 9)
    assert d.limitation_refusal(date(2022, 10, 1), date(2025, 10, 9), cal) is None
    late = d.limitation_refusal(date(2022, 10, 1), date(2025, 10, 10), cal)
    assert "out of time" in late.render("en") and "2025-10-09" in late.render("en")
    assert d.limitation_end(date(2020, 2, 29), cal) == date(2023, 2, 28)


def test_a_continuing_infringement_is_accepted_within_the_patent_term(cal):
    knew, asked = date(2020, 5, 6), date(2025, 6, 3)
    assert d.limitation_refusal(knew, asked, cal, continuing=True, patent_expires_on=date(2030, 1, 1)) is None
    expired = d.limitation_refusal(knew, asked, cal, continuing=True, patent_expires_on=date(2025, 6, 2))
    assert "term ended on 2025-06-02" in expired.render("en")
    assert d.limitation_refusal(knew, asked, cal, continuing=True) is not None  # the term must be shown
    assert d.limitation_refusal(knew, asked, cal, patent_expires_on=date(2030, 1, 1)) is not None


HEAD_EXT = Extension("head", "王局长", date(2025, 9, 20))
NEXT_EXT = Extension("next_level", "市知识产权局", date(2025, 10, 20))


def test_decision_within_3_months_on_a_working_day(cal):
    assert d.decision_due(date(2025, 6, 30), [], [], cal) == date(2025, 9, 30)
    assert d.decision_due(date(2025, 7, 8), [], [], cal) == date(2025, 10, 9)  # Oct 8 is a holiday
    assert d.decision_due(date(2025, 11, 30), [], [], cal) == date(2026, 2, 28)  # a worked Saturday
    assert d.decision_due(date(2025, 11, 20), [], [], cal) == date(2026, 2, 24)  # Spring Festival


def test_extensions_of_1_then_2_months(cal):
    filed = date(2025, 6, 30)
    assert d.decision_due(filed, [HEAD_EXT], [], cal) == date(2025, 10, 30)
    assert d.decision_due(filed, [HEAD_EXT, NEXT_EXT], [], cal) == date(2025, 12, 30)
    shorter = Extension("next_level", "市知识产权局", date(2025, 10, 20), months=1)
    assert d.decision_due(filed, [HEAD_EXT, shorter], [], cal) == date(2025, 12, 1)  # Nov 30 is a Sunday


def test_extensions_in_order_each_once_with_its_approver(cal):
    filed = date(2025, 6, 30)
    assert d.extension_problem(filed, [], HEAD_EXT, [], cal) is None
    assert d.extension_problem(filed, [HEAD_EXT], NEXT_EXT, [], cal) is None
    cases = {
        "first extension is approved by the department head": ([], NEXT_EXT),
        "second extension is approved by the next-level": ([HEAD_EXT], HEAD_EXT),
        "twice at most": ([HEAD_EXT, NEXT_EXT], NEXT_EXT),
        "Name who approved": ([], Extension("head", " ", date(2025, 9, 1))),
        "by 1 to 1 months": ([], Extension("head", "王局长", date(2025, 9, 1), months=2)),
        "by 1 to 2 months": ([HEAD_EXT], Extension("next_level", "市局", date(2025, 10, 1), months=3)),
        "Unknown extension level": ([], Extension("mayor", "市长", date(2025, 9, 1))),
    }
    for text, (existing, new) in cases.items():
        problem = d.extension_problem(filed, existing, new, [], cal)
        assert problem is not None and text in problem.render("en"), text
        problem.render("zh_Hans")
    with pytest.raises(ValueError, match="department head"):
        d.decision_due(filed, [NEXT_EXT], [], cal)


def test_an_extension_comes_before_the_period_ends(cal):
    filed = date(2025, 6, 30)
    assert d.extension_problem(filed, [], Extension("head", "王局长", date(2025, 9, 30)), [], cal) is None
    late = d.extension_problem(filed, [], Extension("head", "王局长", date(2025, 10, 1)), [], cal)
    assert "ended on 2025-09-30" in late.render("en")
    # a stop moved the end: the same day is then in time
    stops = [Stop(date(2025, 7, 10), date(2025, 7, 20))]
    assert d.extension_problem(filed, [], Extension("head", "王局长", date(2025, 10, 1)), stops, cal) is None
    late_next = d.extension_problem(filed, [HEAD_EXT], Extension("next_level", "市局", date(2025, 10, 31)), [], cal)
    assert "ended on 2025-10-30" in late_next.render("en")


def test_stopped_periods_shift_the_due_day_by_their_calendar_days(cal):
    filed = date(2025, 6, 30)  # due 2025-09-30
    suspension = Stop(date(2025, 7, 10), date(2025, 7, 20), "suspension")
    assert d.decision_due(filed, [], [suspension], cal) == date(2025, 10, 10)
    appraisal = (date(2025, 7, 15), date(2025, 7, 25))  # a plain pair, overlapping: the union counts once
    assert d.decision_due(filed, [], [suspension, appraisal], cal) == date(2025, 10, 15)
    settlement = Stop(date(2025, 8, 1), date(2025, 8, 6), "settlement")
    assert d.decision_due(filed, [], [suspension, appraisal, settlement], cal) == date(2025, 10, 20)
    assert d.decision_due(filed, [], [Stop(date(2025, 7, 10), date(2025, 7, 10))], cal) == date(2025, 9, 30)
    for kind in d.STOP_KINDS:  # every kind stops the clock alike: 5 days, Sep 30 → Oct 5 (a holiday) → Oct 9
        assert d.decision_due(filed, [], [Stop(date(2025, 7, 1), date(2025, 7, 6), kind)], cal) == date(2025, 10, 9)
    # stopped 2 days from Sep 1: due Oct 2, a holiday → Oct 9
    assert d.decision_due(filed, [], [Stop(date(2025, 9, 1), date(2025, 9, 3))], cal) == date(2025, 10, 9)


def test_stops_and_extensions_add_up(cal):
    filed = date(2025, 6, 30)
    stops = [Stop(date(2025, 7, 10), date(2025, 7, 20))]
    assert d.decision_due(filed, [HEAD_EXT], stops, cal) == date(2025, 11, 10)
    assert d.decision_due(filed, [HEAD_EXT, NEXT_EXT], stops, cal) == date(2026, 1, 9)


def test_a_stop_after_the_clock_ran_out_counts_for_nothing(cal):
    filed = date(2025, 6, 30)
    assert d.decision_due(filed, [], [Stop(date(2025, 10, 1), date(2025, 10, 20))], cal) == date(2025, 9, 30)
    # a stop on the last day still counts: Sep 30 + 2 = Oct 2, a holiday
    assert d.decision_due(filed, [], [Stop(date(2025, 9, 30), date(2025, 10, 2))], cal) == date(2025, 10, 9)
    # a later stop counts when an earlier one moved the due day past its start
    stops = [Stop(date(2025, 7, 1), date(2025, 7, 11)), Stop(date(2025, 10, 5), date(2025, 10, 10))]
    assert d.decision_due(filed, [], stops, cal) == date(2025, 10, 15)


def test_an_open_stop_leaves_the_due_day_unknown(cal):
    filed = date(2025, 6, 30)
    stops = [Stop(date(2025, 8, 1), None, "inspection")]
    assert d.decision_due(filed, [], stops, cal) is None
    assert d.decision_due(filed, [], stops, cal, today=date(2025, 8, 11)) == date(2025, 10, 10)


def test_stops_are_checked():
    filed = date(2025, 6, 30)
    with pytest.raises(ValueError, match="before the case was filed"):
        d.decision_due(filed, [], [Stop(date(2025, 6, 1), date(2025, 7, 1))], None)
    with pytest.raises(ValueError, match="before it begins"):
        d.decision_due(filed, [], [Stop(date(2025, 8, 1), date(2025, 7, 1))], None)


def test_time_left_runs_and_freezes(cal):
    filed = date(2025, 6, 30)
    reading = d.time_left(filed, [], [], date(2025, 9, 1), cal)
    assert (reading.due, reading.days_left, reading.running, reading.stopped_days) == (date(2025, 9, 30), 29, True, 0)
    assert d.time_left(filed, [], [], date(2025, 10, 1), cal).overdue
    assert not d.time_left(filed, [], [], date(2025, 9, 30), cal).overdue
    stops = [Stop(date(2025, 8, 1), None, "jurisdiction_objection")]
    first = d.time_left(filed, [], stops, date(2025, 8, 11), cal)
    later = d.time_left(filed, [], stops, date(2025, 8, 21), cal)
    assert not first.running and first.days_left == later.days_left == 60  # Aug 1 → Sep 30
    assert (first.due, later.due, later.stopped_days) == (date(2025, 10, 10), date(2025, 10, 20), 20)
    resumed = d.time_left(filed, [], [Stop(date(2025, 8, 1), date(2025, 8, 21))], date(2025, 8, 22), cal)
    assert resumed.running and resumed.days_left == 59 and resumed.due == date(2025, 10, 20)
    # an open stop begun after the clock ran out stops nothing
    late = d.time_left(filed, [], [Stop(date(2025, 10, 9), None)], date(2025, 10, 20), cal)
    assert late.running and late.overdue


def test_escalation_points_at_3_4_and_6_months(cal):
    points = d.escalation_points(date(2025, 6, 30), [Stop(date(2025, 7, 10), date(2025, 7, 20))], cal)
    assert points == {3: date(2025, 10, 10), 4: date(2025, 11, 10), 6: date(2026, 1, 9)}


def test_the_15_days_to_sue_and_enforcement(cal):
    assert d.suit_deadline(date(2026, 2, 1), cal) == date(2026, 2, 24)  # Feb 16 in the Spring Festival
    assert d.suit_deadline(date(2025, 9, 10), cal) == date(2025, 9, 25)
    assert not d.enforcement_open(date(2026, 2, 1), date(2026, 2, 24), cal, sued=False, stopped=False)
    assert d.enforcement_open(date(2026, 2, 1), date(2026, 2, 25), cal, sued=False, stopped=False)
    assert not d.enforcement_open(date(2026, 2, 1), date(2026, 2, 25), cal, sued=True, stopped=False)
    assert not d.enforcement_open(date(2026, 2, 1), date(2026, 2, 25), cal, sued=False, stopped=True)


def test_repeat_infringement_under_art_34():
    prior = d.PriorRuling("上海某某科技有限公司", "ZL202010714197.0", "sell", date(2025, 3, 1))
    assert d.repeat_infringement("上海某某科技有限公司 ", "CN202010714197.0", "sell", date(2025, 4, 1), [prior])
    assert d.repeat_infringement("上海某某科技有限公司", "202010714197", "sell", date(2025, 4, 1), [prior])
    assert not d.repeat_infringement("上海某某科技有限公司", "ZL202010714197.0", "make", date(2025, 4, 1), [prior])
    assert not d.repeat_infringement("上海另一家公司", "ZL202010714197.0", "sell", date(2025, 4, 1), [prior])
    assert not d.repeat_infringement("上海某某科技有限公司", "ZL201910067706.2", "sell", date(2025, 4, 1), [prior])
    assert not d.repeat_infringement("上海某某科技有限公司", "ZL202010714197.0", "sell", date(2025, 3, 1), [prior])
    not_effective = d.PriorRuling("上海某某科技有限公司", "ZL202010714197.0", "sell", None)
    assert not d.repeat_infringement("上海某某科技有限公司", "ZL202010714197.0", "sell", date(2025, 4, 1),
                                     [not_effective])
    assert not d.repeat_infringement("上海某某科技有限公司", "ZL202010714197.0", "sell", date(2025, 4, 1), [])
    with pytest.raises(ValueError):
        d.repeat_infringement("x", "y", "rent", date(2025, 4, 1), [prior])


def test_serious_dishonesty():
    assert d.seriously_dishonest(wilful=True, refuses_to_perform=False)
    assert d.seriously_dishonest(wilful=False, refuses_to_perform=True)
    assert not d.seriously_dishonest(wilful=False, refuses_to_perform=False)


# --- mediation clocks ----------------------------------------------------------------------------------------------

def test_mediation_clocks(cal):
    assert d.mediation_notice_due(date(2026, 2, 12), cal) == date(2026, 2, 26)  # Feb 13, 14 (Sat), 24, 25, 26
    assert d.mediation_statement_due(date(2026, 2, 5), cal) == date(2026, 2, 24)  # Feb 20 → Feb 24
    assert d.mediation_statement_due(date(2025, 9, 1), cal) == date(2025, 9, 16)
    assert d.mediation_filing_due(date(2025, 9, 29), cal) == date(2025, 10, 13)  # across National Day


def test_mediation_not_filed_when_refused_or_late():
    due = date(2026, 2, 24)
    assert d.mediation_refusal(due, None, False, due) is None  # the period runs
    assert "no statement" in d.mediation_refusal(due, None, False, date(2026, 2, 25)).render("en")
    assert "came after" in d.mediation_refusal(due, date(2026, 2, 25), True, date(2026, 2, 25)).render("en")
    assert "does not agree" in d.mediation_refusal(due, date(2026, 2, 10), False, due).render("en")
    assert d.mediation_refusal(due, date(2026, 2, 24), True, due) is None


# --- exhibition fast track -----------------------------------------------------------------------------------------

NOTICE = datetime(2025, 11, 5, 10, 30)  # CIIE week, Beijing time


def test_the_24_hours_run_in_beijing_time():
    assert d.statement_deadline(NOTICE) == datetime(2025, 11, 6, 10, 30, tzinfo=d.BEIJING)
    in_utc = datetime(2025, 11, 5, 2, 30, tzinfo=UTC)
    assert d.statement_deadline(in_utc) == d.statement_deadline(NOTICE)
    assert d.statement_deadline(in_utc).utcoffset() == timedelta(hours=8)
    # hours run through rest days: notified on a National Day holiday
    assert d.statement_deadline(datetime(2025, 10, 4, 15, 0)) == datetime(2025, 10, 5, 15, 0, tzinfo=d.BEIJING)
    assert d.transfer_deadline(NOTICE) == datetime(2025, 11, 6, 10, 30, tzinfo=d.BEIJING)


def test_measures_when_no_statement_within_24_hours():
    assert not d.measures_due(NOTICE, datetime(2025, 11, 6, 10, 30))  # the last minute is still in time
    assert d.measures_due(NOTICE, datetime(2025, 11, 6, 10, 31))
    reason = d.measures_reason(NOTICE, datetime(2025, 11, 6, 11, 0))
    assert "2025-11-06 10:30" in reason.render("en") and reason.render("zh_Hans")
    assert not d.measures_due(NOTICE, datetime(2025, 11, 6, 12, 0), statement_at=datetime(2025, 11, 6, 9, 0))
    assert d.measures_due(NOTICE, datetime(2025, 11, 6, 12, 0), statement_at=datetime(2025, 11, 6, 11, 0))
    assert not d.measures_due(NOTICE, datetime(2025, 11, 6, 12, 0), good_reason=True)
    # a statement in UTC compared in Beijing time: 02:00Z is 10:00 in Beijing, in time
    assert not d.measures_due(NOTICE, datetime(2025, 11, 6, 12, 0),
                              statement_at=datetime(2025, 11, 6, 2, 0, tzinfo=UTC))


def test_measures_at_once_when_confirmed_or_admitted():
    assert "effective legal document" in d.measures_reason(NOTICE, NOTICE, confirmed=True).render("en")
    assert "admits" in d.measures_reason(NOTICE, NOTICE, admitted=True).render("en")
    assert d.measures_due(NOTICE, NOTICE, admitted=True, statement_at=NOTICE)
    assert not d.measures_due(NOTICE, NOTICE)


def test_fairs_and_repeat_exhibitors():
    assert d.complaint_body_expected(date(2025, 11, 5), date(2025, 11, 7))
    assert not d.complaint_body_expected(date(2025, 11, 5), date(2025, 11, 6))
    assert not d.barred_next_edition(0) and not d.barred_next_edition(1)
    assert d.barred_next_edition(2) and d.barred_next_edition(3)
    assert not d.barred_next_edition(2, threshold=3)
    assert set(d.FAIR_MEASURES) == {"cover", "withdraw", "take_down"}
