"""Patent numbers: Chinese application numbers and publication numbers of any office.

Pure functions, no I/O. What they enforce comes from rules.md §12.1 (application numbers and
their check character), §12.2 (publication numbers and kind codes) and Appendix C (check-digit
examples). Everything a user may type is accepted: full-width characters, spaces, lower case,
an optional CN / ZL prefix, the 13-character form CNIPA online queries use.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# 专利类型 (Patent Law Art 2), as the type digit of an application number gives it (rules.md §12.1).
INVENTION = "invention"
UTILITY = "utility"
DESIGN = "design"



def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a literal, as a set."""
    return frozenset(text.split())


class NumberError(ValueError):
    """A number that cannot be parsed; the message says what is wrong, in Chinese then English."""

    def __init__(self, zh: str, en: str, text: str = ""):
        self.zh = zh
        self.en = en
        self.text = text
        super().__init__(f"{zh} / {en}" + (f": {text!r}" if text else ""))


def _fold(text: str) -> str:
    """Full-width to half-width (NFKC), upper case, outer whitespace removed."""
    if not isinstance(text, str):
        raise NumberError("号码必须是文本", "a number must be text", repr(text))
    return unicodedata.normalize("NFKC", text).upper().strip()


# ---------------------------------------------------------------------------------------------
# Application numbers (申请号), rules.md §12.1

# The type digit of an application number (§12.1): 8 and 9 are PCT applications in the national phase.
_APP_TYPES = {"1": (INVENTION, False), "2": (UTILITY, False), "3": (DESIGN, False),
              "8": (INVENTION, True), "9": (UTILITY, True)}
_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9)  # §12.1: 2..9, repeated (2..9,2..5 for the 12-digit body)
# Body (12 digits since 2003-10-01, 8 before), optional dot, optional check character.
_APP = re.compile(r"(?P<body>\d{12}|\d{8})(?:(?P<dot>\.)?(?P<check>[0-9X]))?")
# Databases exported in DOCDB style add an application kind after a space (CN 200610167726 A).
_DOCDB_APP_KIND = re.compile(r"\s+[AUSFW]$")


def check_digit(body: str) -> str:
    """The check character of a 12-digit (or pre-2003 8-digit) application-number body.

    rules.md §12.1: digits times weights 2,3,…,9,2,3,… summed, mod 11; 10 is written X.
    """
    if not isinstance(body, str) or not body.isascii() or not body.isdigit() or len(body) not in (8, 12):
        raise NumberError("申请号主体应为 12 位（2003 年前为 8 位）数字", "an application-number body is 12 digits "
                          "(8 before 2003)", str(body))
    total = sum(int(d) * _WEIGHTS[i % len(_WEIGHTS)] for i, d in enumerate(body))
    value = total % 11
    return "X" if value == 10 else str(value)


@dataclass(frozen=True)
class AppNumber:
    """A parsed Chinese application number, e.g. CN201910067706.2."""

    year: int  # filing year, 4 digits
    type_digit: str  # 1, 2, 3, 8 or 9
    patent_type: str  # record.INVENTION / UTILITY / DESIGN
    pct: bool  # a PCT application in the national phase (type digit 8 or 9)
    serial: str  # 7 digits (5 before 2003)
    check: str  # the check character, 0-9 or X
    body: str  # the digits before the dot: 12 (8 before 2003)

    @property
    def formatted(self) -> str:
        """The written form: CN201910067706.2."""
        return f"CN{self.body}.{self.check}"

    @property
    def compact(self) -> str:
        """Without prefix and dot, as CNIPA online queries use: 2019100677062 (9 characters before 2003)."""
        return f"{self.body}{self.check}"

    @property
    def patent_number(self) -> str:
        """The number on the certificate (§12.1): ZL + application number, e.g. ZL201910067706.2."""
        return f"ZL{self.body}.{self.check}"

    def __str__(self) -> str:
        return self.formatted


def parse_cn_application(text: str, *, require_check: bool = True) -> AppNumber:
    """Parse a Chinese application number in any usual spelling.

    Accepts CN201910067706.2, 201910067706.2, 2019100677062, ZL201910067706.2, spaces, full-width
    characters, a lower-case x, and the pre-2003 form 99811452.9. The check character is verified.
    With `require_check=False` a number written without its check character (201910067706, as
    DOCDB-style exports give it) is accepted and the check character computed.
    """
    raw = _fold(text)
    folded = _DOCDB_APP_KIND.sub("", raw)
    folded = re.sub(r"\s+", "", folded)
    folded = re.sub(r"^(?:ZL|CN)", "", folded)
    match = _APP.fullmatch(folded)
    if not match:
        raise NumberError("不是有效的中国专利申请号（应为 年份4位+类型1位+流水号7位+.校验位）",
                          "not a Chinese application number (4-digit year, type digit, 7-digit serial, "
                          "dot, check character)", str(text))
    body, check = match["body"], match["check"]
    if match["dot"] and not check:
        raise NumberError("申请号的小数点后缺少校验位", "check character missing after the dot", str(text))
    if len(body) == 12:
        year, type_digit, serial = int(body[:4]), body[4], body[5:]
        if year < 2003:  # the 12-digit form exists from 2003-10-01 (§12.1)
            raise NumberError("12 位申请号的年份不应早于 2003 年", "12-digit application numbers start in 2003",
                              str(text))
    else:
        yy, type_digit, serial = int(body[:2]), body[2], body[3:]
        year = 1900 + yy if yy >= 85 else 2000 + yy  # the Chinese patent system opened in 1985
        if year > 2003:
            raise NumberError("8 位申请号只用于 2003 年 10 月以前", "8-digit application numbers end in 2003",
                              str(text))
    if type_digit not in _APP_TYPES:
        raise NumberError(f"申请号的类型位 {type_digit} 无效（应为 1、2、3、8 或 9）",
                          f"invalid type digit {type_digit} (1, 2, 3, 8 or 9)", str(text))
    expected = check_digit(body)
    if check is None:
        if require_check:
            raise NumberError("申请号缺少校验位", "check character missing", str(text))
        check = expected
    elif check != expected:
        raise NumberError(f"申请号校验位错误：应为 {expected}，实为 {check}",
                          f"wrong check character: expected {expected}, got {check}", str(text))
    patent_type, pct = _APP_TYPES[type_digit]
    return AppNumber(year=year, type_digit=type_digit, patent_type=patent_type, pct=pct, serial=serial,
                     check=check, body=body)


# ---------------------------------------------------------------------------------------------
# Publication numbers (公开号 / 公告号), rules.md §12.2

# WIPO ST.3 two-letter codes: ISO 3166-1 alpha-2, regional and historical offices; RD is Research
# Disclosure as Derwent writes it.
_OFFICES = _words("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI
FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN
IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE
YT ZA ZM ZW
WO EP EA AP OA GC EM IB XN XV QZ
RD
SU DD CS YU
""")
# Letters some offices put before the serial: US designs, reissues, plants, SIRs, defensive
# publications; Japanese era years (Showa, Heisei).
_SERIAL_PREFIXES = {"US": {"D", "RE", "PP", "H", "T"}, "JP": {"S", "H"}}
# Office, serial (ending in a digit; letters inside only for offices that use them, checked below),
# kind code. The serial is matched lazily so that a trailing letter+digit is read as the kind code.
_PUB = re.compile(r"(?P<office>[A-Z]{2})(?P<serial>[A-Z0-9/,]*?\d)(?P<kind>[A-Z]\d?)?")
_NUMERIC = re.compile(r"(?P<prefix>[A-Z]{0,2})(?P<digits>\d[\d/,]*)")
# Lens appends the date to corrections (EP 0259054 B9 20031217).
_TRAILING_DATE = re.compile(r"(.*\d\s*[A-Z]\d?)\s+(?:19|20)\d{6}")

# Stages a publication marks (§12.2).
APPLICATION = "application"  # published application, not (yet) a grant
EXAMINED = "examined"  # 1985–1992 examined-application publication (审定公告)
GRANT = "grant"
CORRECTION = "correction"  # corrected front page or full reprint of an earlier publication
PARTIAL_INVALIDATION = "partial_invalidation"


@dataclass(frozen=True)
class KindMeaning:
    """What a kind code says about a publication."""

    stage: str  # APPLICATION / EXAMINED / GRANT / CORRECTION / PARTIAL_INVALIDATION
    zh: str
    en: str


_CN_TYPE_BY_LETTER = {"A": INVENTION, "B": INVENTION, "C": INVENTION, "U": UTILITY, "Y": UTILITY,
                      "S": DESIGN, "D": DESIGN}
_CN_TYPE_BY_DIGIT = {"1": INVENTION, "2": UTILITY, "3": DESIGN, "8": INVENTION, "9": UTILITY}


def _cn_kind_meaning(kind: str, before_1993: bool) -> KindMeaning | None:
    """Meaning of a CN kind code (rules.md §12.2); `before_1993` for the 1985–1992 8-digit numbers."""
    letter, digit = kind[:1], kind[1:]
    names = {"A": ("发明专利申请", "invention application"), "B": ("发明专利", "invention patent"),
             "C": ("发明专利", "invention patent"), "U": ("实用新型专利", "utility model"),
             "Y": ("实用新型专利", "utility model"), "S": ("外观设计专利", "design"),
             "D": ("外观设计专利", "design")}
    if letter not in names:
        return None
    zh, en = names[letter]
    if before_1993 and not digit:  # 1985–1992: A, B examined, U and S pre-grant
        if letter == "A":
            return KindMeaning(APPLICATION, "发明专利申请公开", "invention application published")
        if letter == "B":
            return KindMeaning(EXAMINED, "发明专利申请审定公告", "examined invention application published")
        if letter in "US":
            return KindMeaning(APPLICATION, f"{zh}申请公告", f"{en} application published")
        return None
    if letter == "A" and digit in ("", "8", "9"):
        if digit:
            return KindMeaning(CORRECTION, f"发明专利申请公布{'扉页更正' if digit == '8' else '全文更正'}",
                               f"invention application, {'corrected front page' if digit == '8' else 'full reprint'}")
        return KindMeaning(APPLICATION, "发明专利申请公布", "invention application published")
    if digit in ("8", "9") and letter in "BUS" and not (letter == "S" and digit == "8"):  # S8 is reserved
        what = "扉页更正" if digit == "8" else "全文更正"
        return KindMeaning(CORRECTION, f"{zh}授权公告{what}",
                           f"{en} grant, {'corrected front page' if digit == '8' else 'full reprint'}")
    if digit in tuple("1234567") and letter in "CYS":
        return KindMeaning(PARTIAL_INVALIDATION, f"{zh}权部分无效宣告", f"{en} partially invalidated")
    if not digit and letter in "BCUYSD":
        # B, U, S since 2004-07-01; C, Y, D for 1993–2004 grants.
        return KindMeaning(GRANT, f"{zh}授权公告", f"{en} granted")
    return None


def patent_type_from_kind(office: str, kind: str) -> str | None:
    """INVENTION / UTILITY / DESIGN as far as the kind code tells, else None.

    CN follows rules.md §12.2 (A, B, C invention; U, Y utility model; S, D design). Elsewhere U and Y
    mark utility models (DE, JP, KR, …), S designs, A/B/C/E/T patents and applications for inventions.
    """
    office, kind = _fold(office), _fold(kind)
    letter = kind[:1]
    if office == "CN":
        return _CN_TYPE_BY_LETTER.get(letter)
    if letter in ("U", "Y"):
        return UTILITY
    if letter == "S":
        return DESIGN
    if letter in ("A", "B", "C", "E", "T"):
        return INVENTION
    return None


@dataclass(frozen=True)
class PubNumber:
    """A parsed publication number, e.g. CN218751475U or US20050286606A1."""

    office: str  # CN, US, EP, WO, JP, …
    serial: str  # digits with any letter prefix the office uses: 218751475, D435854, 20050286606
    kind: str  # kind code, "" where the number was given without one
    patent_type: str | None  # record.INVENTION / UTILITY / DESIGN where known

    @property
    def formatted(self) -> str:
        """No spaces, dashes or slashes: CN218751475U, US20050286606A1, WO2016071291A1, US6336130."""
        return f"{self.office}{self.serial}{self.kind}"

    @property
    def key_without_kind(self) -> str:
        return f"{self.office}{self.serial}"

    @property
    def kind_meaning(self) -> KindMeaning | None:
        """What the kind code means — for CN numbers (rules.md §12.2); None elsewhere or without a kind."""
        if self.office != "CN" or not self.kind:
            return None
        return _cn_kind_meaning(self.kind, before_1993=len(self.serial) == 8)

    def __str__(self) -> str:
        return self.formatted


def _wo_serial(digits: str, slashed: bool, text: str) -> str:
    """WO numbers as PATENTSCOPE writes them: 4-digit year + 6-digit serial (WO 96/04186 → 1996004186)."""
    if slashed:
        year, serial = digits.split("/", 1)
    elif len(digits) == 7:  # old compact form yy + 5 digits
        year, serial = digits[:2], digits[2:]
    else:
        return digits
    if len(year) == 2:
        year = ("19" if int(year) >= 78 else "20") + year  # the PCT opened in 1978
    if len(year) != 4 or not serial.isdigit() or len(serial) > 6:
        raise NumberError("WO 公开号格式错误", "malformed WO publication number", text)
    return year + serial.zfill(6)


def _us_serial(prefix: str, digits: str, slashed: bool, text: str) -> str:
    if slashed:  # pre-grant publication 2005/0286606
        year, serial = digits.split("/", 1)
        if len(year) != 4 or not serial.isdigit() or len(serial) > 7:
            raise NumberError("美国公开号格式错误", "malformed US publication number", text)
        return year + serial.zfill(7)
    if not prefix and len(digits) == 11 and digits[:2] in ("19", "20"):
        return digits  # pre-grant publication: year + 7 digits
    return prefix + (digits.lstrip("0") or "0")  # grants: leading zeros are padding (US06336130)


def parse_publication(text: str) -> PubNumber:
    """Parse a publication number of any office, with or without kind code, in the usual spellings.

    Accepts CN 218751475 U, CN218751475U, US 2005/0286606 A1, US20050286606, WO2016071291-A1,
    AT 399980 B, US06336130, USD435854S1 …; raises NumberError on anything else.
    """
    folded = _fold(text)
    dated = _TRAILING_DATE.fullmatch(folded)
    if dated:
        folded = dated[1]
    compact = re.sub(r"[\s\-]+", "", folded)
    match = _PUB.fullmatch(compact)
    if not match:
        raise NumberError("不是有效的公开号（应为 国别代码+号码+类型代码，如 CN218751475U）",
                          "not a publication number (office code, number, kind code, e.g. CN218751475U)", str(text))
    office, body, kind = match["office"], match["serial"], match["kind"] or ""
    if office not in _OFFICES:
        raise NumberError(f"未知的国别代码 {office}", f"unknown office code {office}", str(text))
    numeric = _NUMERIC.fullmatch(body)
    if office in ("CN", "US", "WO", "JP", "EP"):
        prefix = numeric["prefix"] if numeric else ""
        if not numeric or (prefix and prefix not in _SERIAL_PREFIXES.get(office, ())):
            raise NumberError(f"{office} 公开号只能由数字组成（或带规定的前缀字母）",
                              f"{office} publication numbers are digits (with the office's own letter prefixes)",
                              str(text))
        digits = numeric["digits"].replace(",", "")
    else:  # other offices put letters in their numbers (TW M415289, IN 1442CH2015, BR PI0314094)
        prefix, digits = "", body.replace(",", "")
    slashed = "/" in digits
    if office in ("WO", "US") and (digits.count("/") > 1 or digits.endswith("/")):
        raise NumberError("公开号中的斜杠位置错误", "misplaced slash in the publication number", str(text))
    if office == "WO":
        serial = _wo_serial(digits, slashed, str(text))
    elif office == "US":
        serial = _us_serial(prefix, digits, slashed, str(text))
    elif office in ("CN", "JP", "EP") and slashed:
        raise NumberError("公开号中不应有斜杠", "unexpected slash in the publication number", str(text))
    else:
        serial = prefix + digits.replace("/", "")  # AU 2002/010074, ZA 2005/02132: the slash is only layout
    patent_type = patent_type_from_kind(office, kind) if kind else None
    if office == "CN":
        patent_type = _cn_type(serial, kind, str(text))
    elif office == "US" and kind[:1] == "S" and prefix != "D":
        raise NumberError("美国外观设计专利号应以 D 开头", "US design patent numbers start with D", str(text))
    elif office == "US" and prefix == "D":
        patent_type = DESIGN
    elif office == "US" and not prefix:
        patent_type = INVENTION  # US utility patents and their applications
    return PubNumber(office=office, serial=serial, kind=kind, patent_type=patent_type)


def _cn_type(serial: str, kind: str, text: str) -> str:
    """The patent type of a CN publication from its number, checked against its kind code (§12.2)."""
    if len(serial) in (7, 9):  # type digit + 6 digits (until Aug 2007) or + 8 digits
        digit = serial[0]
        if digit not in "123":
            raise NumberError(f"中国公开号的首位 {digit} 无效（应为 1、2 或 3）",
                              f"invalid first digit {digit} of a CN publication number (1, 2 or 3)", text)
    elif len(serial) == 8 and 85 <= int(serial[:2]) <= 92:  # 1985–1992: the application number, type third
        digit = serial[2]
        if digit not in _CN_TYPE_BY_DIGIT:
            raise NumberError(f"中国公开号的类型位 {digit} 无效", f"invalid type digit {digit}", text)
    else:
        raise NumberError("中国公开号应为 7 位或 9 位数字（1985–1992 年为 8 位）",
                          "a CN publication number has 7 or 9 digits (8 in 1985–1992)", text)
    patent_type = _CN_TYPE_BY_DIGIT[digit]
    if kind:
        if _cn_kind_meaning(kind, before_1993=len(serial) == 8) is None:
            raise NumberError(f"未知的中国文献类型代码 {kind}", f"unknown CN kind code {kind}", text)
        if _CN_TYPE_BY_LETTER[kind[0]] != patent_type:
            raise NumberError(f"类型代码 {kind} 与号码首位 {digit} 不符", f"kind code {kind} does not match "
                              f"the type digit {digit}", text)
    return patent_type
