"""Claims text read as claims (ipcity.patents.claims): numbered claims split only at the next number, independent
claims told from dependent ones in Chinese and English, the first claim's length."""

from __future__ import annotations

from ipcity.patents.claims import ENGLISH_WORD_CHARS, parse_claims

ZH_CLAIMS = ("1. 一种固态电解质膜，其特征在于，颗粒的质量分数为20%~60%，厚度为1.5 mm。\n"
             "2、根据权利要求1所述的电解质膜，其特征在于，所述基体为聚环氧乙烷。\n"
             "3．如权利要求1或2所述的电解质膜，其特征在于，还包括涂层。\n"
             "4、一种权利要求1所述电解质膜的制备方法，包括流延和热压步骤。")
EN_CLAIMS = ("What is claimed is:\n1. A drone comprising a frame, four rotors and a camera.\n"
             "2. The drone of claim 1, wherein the camera is gimballed.\n"
             "3. A method of inspecting a power line using the drone of claim 1.")



def test_chinese_claims():
    claims = parse_claims(ZH_CLAIMS)
    assert claims.count == 4 and claims.independent == 2 and claims.lang == "zh"
    first = "一种固态电解质膜，其特征在于，颗粒的质量分数为20%~60%，厚度为1.5mm。"
    assert claims.first_length == len(first)


def test_english_claims_count_words():
    claims = parse_claims(EN_CLAIMS)
    assert claims.count == 3 and claims.independent == 2 and claims.lang == "en"
    assert claims.first_length == 10 * ENGLISH_WORD_CHARS  # "A drone comprising a frame, four rotors and a camera."


def test_claims_without_numbers_or_text():
    assert parse_claims("") is None
    one = parse_claims("一种装置，包括壳体。")
    assert one.count == 1 and one.independent == 1
    inline = parse_claims("1.一种装置，包括A；2.根据权利要求1所述的装置，其中B；3.根据权利要求2所述的装置，其中C。")
    assert inline.count == 3 and inline.independent == 1
