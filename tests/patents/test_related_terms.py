"""Related terms of a search (相关检索词) and a patent's key terms (关键词): what they pick, what they leave out,
and their bounds."""

from __future__ import annotations

import pytest

from ipcity.patents import related_terms as rt
from ipcity.patents.record import PatentRecord
from ipcity.patents.related_terms import key_terms, related_terms

BATTERY = [
    ("一种锂离子电池负极材料及其制备方法",
     "本发明公开了一种锂离子电池负极材料，由硅纳米颗粒和石墨烯组成，石墨烯片层包覆硅纳米颗粒，提高负极材料的循环稳定性。"),
    ("硅碳负极材料及锂离子电池",
     "一种硅碳负极材料，包括硅纳米颗粒、石墨烯和无定形碳包覆层，用于锂离子电池，首次库伦效率高。"),
    ("石墨烯包覆硅负极材料的制备方法",
     "将硅纳米颗粒分散于氧化石墨烯溶液，喷雾干燥后高温还原，得到石墨烯包覆的硅负极材料，用于锂离子电池。"),
    ("一种高容量锂离子电池",
     "锂离子电池包括正极、隔膜和负极，负极材料为石墨烯与硅纳米颗粒的复合物，比容量高。"),
]
DRONE = ("一种植保无人机", "植保无人机包括机身、旋翼和喷洒装置，飞行控制器根据作物高度调整飞行高度。")
ENGLISH = [
    ("Drone with a camera gimbal", "A drone comprising a fuselage, rotor arms and a camera gimbal stabilised by "
     "a flight controller."),
    ("Camera gimbal for unmanned aerial vehicles", "A camera gimbal mounted to the fuselage of a drone; the "
     "flight controller drives the camera gimbal motors."),
    ("Foldable drone", "A drone whose rotor arms fold against the fuselage; a camera gimbal hangs below."),
]


def records(pairs) -> list[PatentRecord]:
    return [PatentRecord(pub_number=f"CN11500{i:04d}A", title=t, abstract=a) for i, (t, a) in enumerate(pairs)]


def test_related_terms_are_phrases_the_top_hits_share():
    hits = records([*BATTERY, DRONE])
    terms = related_terms(hits, ["电池"], "zh")
    assert terms and len(terms) <= 8
    assert any("石墨烯" in t or "硅纳米颗粒" in t or "负极" in t for t in terms), terms
    for term in terms:  # each is written in at least two of the hits …
        assert sum(term in r.title + "。" + r.abstract for r in hits) >= 2, term
    assert not {"无人机", "植保无人机", "旋翼"} & set(terms)  # … so the one drone says nothing
    assert all(a not in b for a in terms for b in terms if a != b)  # no phrase inside another
    assert terms == related_terms(hits, ["电池"], "zh")  # deterministic
    assert related_terms(hits, ["电池"], "zh", k=2) == terms[:2]


def test_the_querys_own_words_are_left_out():
    hits = records(BATTERY)
    plain = related_terms(hits, ["电池"], "zh", k=20)
    for query in (["石墨烯"], ["硅纳米颗粒", "石墨烯"], ["锂离子电池"]):
        terms = related_terms(hits, query, "zh", k=20)
        for word in query:
            assert all(t != word and t not in word for t in terms), (query, terms)
    assert "石墨烯" in plain or any("石墨烯" in t for t in plain)
    assert not any(t == "石墨烯" for t in related_terms(hits, ["石墨烯"], "zh", k=20))
    # nothing but the query's words: 锂 + 电池 says 锂电池, so it is no suggestion for 锂 电池
    assert rt._own_words("锂电池", ["锂", "电池"]) and not rt._own_words("锂离子电池", ["电池"])
    assert rt._own_words("camera gimbals", ["camera", "gimbal"]) and not rt._own_words("camera gimbal", ["drone"])


def test_english_and_language_choice():
    hits = records(ENGLISH)
    terms = related_terms(hits, ["drone"], "en")
    assert "camera gimbal" in terms, terms
    assert all("drone" not in t.split() for t in terms)
    assert related_terms(hits, ["drone"], "zh") == []  # Chinese suggestions wanted, no Chinese hit
    assert related_terms(records(BATTERY), ["电池"], "en") == []
    mixed = records([*ENGLISH, *BATTERY])
    both = related_terms(mixed, [], None, k=20)
    assert "camera gimbal" in both and any("石墨烯" in t for t in both), both


def test_hits_that_share_nothing_suggest_nothing():
    hits = records([BATTERY[0], DRONE, ENGLISH[0]])
    assert related_terms(hits, ["电池"], None) == []
    assert related_terms([], ["电池"], "zh") == []


def test_bounded_records_and_text(monkeypatch):
    calls = []

    def fake(title, text, k, lang):
        calls.append((title, text))
        return ("共同短语",)

    monkeypatch.setattr(rt, "_phrases", fake)
    long = records([("标题", "很长的摘要" * 5_000)] * (rt.RELATED_RECORDS + 15))
    assert related_terms(long, ["电池"], "zh") == ["共同短语"]
    assert len(calls) == rt.RELATED_RECORDS
    assert all(len(t) + len(a) <= rt.RELATED_CHARS for t, a in calls)


def test_key_terms_of_a_patent():
    record = records([BATTERY[0]])[0]
    terms = key_terms(record)
    assert 2 <= len(terms) <= rt.KEY_TERMS
    text = record.title + "。" + record.abstract
    assert all(t in text for t in terms), terms
    assert any("石墨烯" in t for t in terms) and any("负极" in t for t in terms), terms
    assert not set(terms) & (rt.GENERIC | {"一种", "本发明", "方法"})
    english = key_terms(records(ENGLISH)[1])
    assert "camera gimbal" in english, english
    assert key_terms(PatentRecord(pub_number="CN1A")) == []


def test_key_terms_read_a_bounded_text(monkeypatch):
    seen = []
    monkeypatch.setattr(rt, "_phrases", lambda title, text, k, lang: seen.append((title, text)) or ())
    key_terms(PatentRecord(pub_number="CN1A", title="一种电池" * 1_000, abstract="负极材料" * 10_000))
    (title, text), = seen
    assert len(title) + len(text) <= rt.KEY_TERMS_CHARS


@pytest.mark.parametrize("k", [1, 3, 8])
def test_k_is_respected(k):
    assert len(related_terms(records(BATTERY), ["电池"], "zh", k=k)) <= k
    assert len(key_terms(records(BATTERY)[0], k=k)) <= k
