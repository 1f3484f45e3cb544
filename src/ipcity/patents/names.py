"""Applicant (and inventor, agency) names: one spelling per name, a grouping key, and what kind of
applicant a name denotes — so that counts by applicant come out right.

`normalise_applicant` is the display-grade canonical form the index stores; `applicant_key` is a
coarser key for grouping (legal form and punctuation dropped); `applicant_kind` sorts names into
company / university / institute / individual / government / other with Chinese and English
heuristics; `split_names` splits the name lists of exports.
"""

from __future__ import annotations

import re
import unicodedata

COMPANY, UNIVERSITY, INSTITUTE, INDIVIDUAL, GOVERNMENT, OTHER = (
    "company", "university", "institute", "individual", "government", "other")
APPLICANT_KINDS = (COMPANY, UNIVERSITY, INSTITUTE, INDIVIDUAL, GOVERNMENT, OTHER)


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a literal, as a set."""
    return frozenset(text.split())


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAS_CJK = re.compile(f"[{_CJK}]")
_HAS_LATIN = re.compile(r"[A-Za-z]")
# Spaces next to a Chinese character or bracket are layout, not part of the name (华为 技术 有限 公司).
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}（）])\s+|\s+(?=[{_CJK}（）])")
_EDGE_PUNCTUATION = " .,;:!?/\\|_-–—·•、。，；：\"'*"
# Traditional-character spellings of legal forms (applicants from Taiwan, Hong Kong).
_TRADITIONAL = {"責任": "责任", "集團": "集团", "會社": "会社"}

# Chinese legal forms and group markers, dropped by applicant_key (longest first, repeatedly).
_CN_LEGAL_FORMS = ("（普通合伙）", "（有限合伙）", "有限合伙", "股份合作公司", "股份有限公司", "有限责任公司",
                   "有限公司", "股份公司", "总公司", "公司", "（集团）", "集团")
_CN_BRANCH = re.compile(r"(?:分公司|分厂|分院|分所|办事处)$")  # a branch is its own applicant: keep its form

# Latin legal forms (as token sequences after punctuation is removed), dropped by applicant_key.
_LATIN_LEGAL_FORMS = sorted((tuple(form.split()) for form in (
    "INC", "INCORPORATED", "CORP", "CORPORATION", "CO", "COMPANY", "LTD", "LIMITED", "LLC", "L L C", "LLP", "LP",
    "PLC", "GMBH", "G M B H", "MBH", "M B H", "GES M B H", "GESELLSCHAFT MBH", "AG", "KG", "CO KG", "GMBH CO KG",
    "SA", "S A", "SAS", "S A S", "SARL", "S A R L", "SPA", "S P A", "SRL", "S R L", "SRO", "S R O", "BV", "B V",
    "NV", "N V", "KK", "K K", "KABUSHIKI KAISHA", "OY", "OYJ", "AB", "AS", "A S", "PTY", "PTY LTD", "PTE",
    "PTE LTD", "SE", "EV", "E V", "ULC", "AND CO", "CO LTD", "AND CO KG", "GMBH AND CO KG", "GMBH AND CO", "UG",
    "OOO", "ZAO", "OAO", "PAO", "SNC", "SOC", "SPOL S R O")), key=len, reverse=True)
_LATIN_PREFIXES = (("KABUSHIKI", "KAISHA"), ("THE",))

# applicant_kind vocabularies. Chinese: substrings; Latin: whole words after upper-casing.
_CN_UNIVERSITY = ("大学",)
_CN_INSTITUTE = ("科学院", "研究院", "研究所", "研究中心", "实验室", "设计院", "工程院", "科学研究")
_CN_SCHOOL = ("学院", "学校", "中学", "小学", "党校")
_CN_COMPANY = ("公司", "有限", "企业", "厂", "集团", "合作社", "事务所", "工作室", "商行", "经营部", "门市部", "商店",
               "合伙", "株式会社", "会社")
_CN_GOVERNMENT = ("人民政府", "政府", "委员会", "管委会", "局", "厅", "办公室", "公安", "海关", "法院", "检察院",
                  "部队", "解放军", "武警", "军区", "国家知识产权")
_CN_OTHER_ORG = ("医院", "协会", "学会", "基金会", "中心", "站", "所", "馆", "院", "会", "社", "部", "队", "处",
                 "科")
_LATIN_UNIVERSITY = _words("UNIV UNIVERSITY UNIVERSITE UNIVERSITAET UNIVERSITAT UNIVERSIDAD UNIVERSIDADE "
                              "UNIVERSITA COLLEGE HOCHSCHULE POLYTECHNIC POLYTECHNIQUE ECOLE SCHOOL")
_LATIN_INSTITUTE = _words("INST INSTITUTE INSTITUT INSTITUTO ISTITUTO RESEARCH RES ACADEMY ACAD LAB LABORATORY "
                             "LABORATOIRE FORSCHUNG FRAUNHOFER CNRS CSIC CENTRE CENTER CENTRUM KIST ETRI")
_LATIN_GOVERNMENT = _words("GOVERNMENT GOVT MINISTRY MINISTER DEPARTMENT DEPT NAVY ARMY SECRETARY AGENCY "
                              "ADMINISTRATION COMMISSION BUREAU AUTHORITY REPUBLIC STATES KINGDOM COMMONWEALTH")
_LATIN_COMPANY = _words(
    "INC INCORPORATED CORP CORPORATION CO COMPANY LTD LIMITED LLC LLP PLC GMBH MBH AG KG SA SAS SARL SPA SRL SRO "
    "BV NV KK OY OYJ AB PTY PTE ULC GES KABUSHIKI KAISHA IND INDUSTRIES INDUSTRY TECH TECHNOLOGY TECHNOLOGIES "
    "TECHNOLOGIE SYSTEMS SYSTEM SOLUTIONS SERVICES PRODUCTS ELECTRONICS ELECTRIC ELECTRICAL ENG ENGINEERING "
    "GROUP HOLDING HOLDINGS INTERNATIONAL INTERNAT ENTERPRISES ENTERPRISE MFG MANUFACTURING AVIATION AVIAT "
    "AEROSPACE AERONAUTICS MOTORS MOTOR PHARMA PHARMACEUTICAL PHARMACEUTICALS CHEMICAL CHEMICALS DESIGN LIGHTING "
    "INNOVATIONS INNOVATION DYNAMICS ROBOTICS NETWORKS TELECOM COMMUNICATIONS ENERGY POWER GRID MACHINERY "
    "INSTRUMENTS DEVICES MEDICAL BIOTECH BIOTECHNOLOGY LABS UG OOO ZAO OAO PAO SNC SOC SOCIETE GESELLSCHAFT "
    "HAFTUNGSBESCHRAENKT WERKE WERK FABRIK LICENSING TECHNIK SYSTEMTECHNIK ASS ASSOCIATION ASSOC SOCIETY SCIENCE "
    "SCIENCES OPTICS OPTICAL BIOLOG HEALTH ROBOTS DRONE DRONES MUNITIONS CHIMIE FRANCE DEUTSCHLAND EUROPE EUROP "
    "AMERICA CHINA JAPAN KOREA")


def _fold(name: str) -> str:
    """NFKC (full-width to half-width), one space between words, no spaces next to Chinese characters."""
    text = unicodedata.normalize("NFKC", name or "")
    text = re.sub(r"\s+", " ", text).strip()
    return _SPACE_NEAR_CJK.sub("", text)


def normalise_applicant(name: str) -> str:
    """The canonical display form of an applicant (inventor, agency) name.

    Full-width letters and digits become half-width; whitespace is collapsed and dropped next to
    Chinese characters; punctuation at either end goes; a Chinese name gets Chinese brackets （）, a
    Latin one ASCII brackets (); traditional spellings of legal forms (有限責任公司) become simplified.
    The legal form itself is kept (华为技术有限公司 stays so); use `applicant_key` to group across forms.
    """
    text = _fold(name).strip(_EDGE_PUNCTUATION)
    if not text:
        return ""
    if _HAS_CJK.search(text):
        text = _SPACE_NEAR_CJK.sub("", text.replace("(", "（").replace(")", "）"))
        for old, new in _TRADITIONAL.items():
            text = text.replace(old, new)
    return text


def applicant_key(name: str) -> str:
    """A grouping key: names of one applicant written differently get the same key.

    Chinese names lose their legal form (股份有限公司, 有限责任公司, 有限公司, 公司, （集团）…) unless the
    name is a branch (…分公司); Latin names are upper-cased, lose accents and punctuation, a leading
    THE / KABUSHIKI KAISHA and trailing legal forms (INC, CORP, CO LTD, GMBH, AG, SA, LLC, KK …).
    """
    text = normalise_applicant(name)
    if not text:
        return ""
    if _HAS_CJK.search(text):
        return _cn_key(text).upper()
    return _latin_key(text)


def _cn_key(text: str) -> str:
    text = text.replace(" ", "")
    if _CN_BRANCH.search(text):
        return text
    changed = True
    while changed:
        changed = False
        for form in _CN_LEGAL_FORMS:
            if text.endswith(form) and len(text) - len(form) >= 2:
                text = text[: -len(form)]
                changed = True
                break
    return text


def _latin_tokens(text: str) -> list[str]:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    plain = plain.upper().replace("&", " AND ")
    return re.sub(r"[^\w]+|_", " ", plain).split()


def _latin_key(text: str) -> str:
    tokens = _latin_tokens(text)
    for prefix in _LATIN_PREFIXES:
        if tuple(tokens[: len(prefix)]) == prefix and len(tokens) > len(prefix):
            tokens = tokens[len(prefix):]
    changed = True
    while changed:
        changed = False
        for form in _LATIN_LEGAL_FORMS:
            if len(tokens) > len(form) and tuple(tokens[-len(form):]) == form:
                tokens = tokens[: -len(form)]
                changed = True
                break
    return " ".join(tokens)


def applicant_kind(name: str) -> str:
    """COMPANY / UNIVERSITY / INSTITUTE / INDIVIDUAL / GOVERNMENT / OTHER, by the words in the name.

    A heuristic: 大学 / UNIV → university; 科学院, 研究院, 研究所 / INST, RESEARCH → institute; 学院 → university;
    公司, 有限, 厂 / INC, CORP, LTD, GMBH … → company; 政府, 局, 委员会 / MINISTRY, NAVY … → government;
    2–4 Chinese characters with no such word, or 2–4 Latin words (SURNAME GIVEN) with none → individual.
    """
    text = normalise_applicant(name)
    if not text:
        return OTHER
    if _HAS_CJK.search(text):
        return _cn_kind(text)
    return _latin_kind(text)


def _cn_kind(text: str) -> str:
    compact = text.replace(" ", "")
    if any(w in compact for w in _CN_UNIVERSITY):
        return UNIVERSITY
    if any(w in compact for w in _CN_INSTITUTE):
        return INSTITUTE
    if any(w in compact for w in _CN_SCHOOL):
        return UNIVERSITY
    if any(w in compact for w in _CN_COMPANY):
        return COMPANY
    if any(w in compact for w in _CN_GOVERNMENT):
        return GOVERNMENT
    person = compact.replace("·", "").replace("•", "")
    if re.fullmatch(f"[{_CJK}]{{2,4}}", person) and not any(compact.endswith(w) for w in _CN_OTHER_ORG):
        return INDIVIDUAL
    if "·" in compact and re.fullmatch(f"[{_CJK}·]{{3,12}}", compact):
        return INDIVIDUAL  # transcribed names: 买买提·艾力
    return OTHER


def _latin_kind(text: str) -> str:
    tokens = _latin_tokens(text)
    words = set(tokens)
    if words & _LATIN_UNIVERSITY or "INSTITUTE OF TECHNOLOGY" in " ".join(tokens):
        return UNIVERSITY
    if words & _LATIN_INSTITUTE:
        return INSTITUTE
    if words & _LATIN_GOVERNMENT or " ".join(tokens[:2]) in ("US NAVY", "US ARMY", "US AIR"):
        return GOVERNMENT
    if words & _LATIN_COMPANY or any(tuple(tokens[-len(f):]) == f for f in _LATIN_LEGAL_FORMS if len(f) > 1):
        return COMPANY
    if 2 <= len(tokens) <= 4 and all(t.isalpha() for t in tokens) and not {"AND", "OF", "FOR"} & words:
        return INDIVIDUAL
    return OTHER


# Exports separate names by ; ； | (with spaces around); Chinese lists also by , ， 、.
_SPLIT_ANY = re.compile(r"\s*[;；|]\s*")
_SPLIT_CJK = re.compile(r"\s*[,，、]\s*")
_TRAILING_COUNTRY = re.compile(r"\s{2,}[A-Z]{2}$")  # "ZHENG JIANFENG    CN": inventor + country code


def split_names(text: str) -> list[str]:
    """The names of a list as exports write it (A; B / A；B / A | B / A;;B / 张三,李四 / 张三、李四), stripped,
    empties dropped.

    A comma splits only a list in Chinese: in Latin lists it belongs to the name (KUHN, Wayne, H.).
    """
    if not text:
        return []
    names = []
    for part in _SPLIT_ANY.split(text.strip()):
        part = _TRAILING_COUNTRY.sub("", part.rstrip()).strip()
        if _HAS_CJK.search(part) and not _HAS_LATIN.search(part):
            names.extend(p.strip() for p in _SPLIT_CJK.split(part))
        else:
            names.append(part)
    return [n for n in names if n]
