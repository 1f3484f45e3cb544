"""Claims text (权利要求书) read as claims: split into numbered claims, independent and dependent ones told apart,
the first claim's length measured — in Chinese and English texts alike.

Pure: a string in, plain values out. Valuation reads its indicators (claim count, independent claims, the
length of claim 1) from here; anything else that needs to read a claims text should too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Claims:
    count: int
    independent: int
    first_length: float  # characters (English words × ENGLISH_WORD_CHARS)
    lang: str  # zh / en


ENGLISH_WORD_CHARS = 1.5  # an English word of a claim counts as this many Chinese characters (a rough ratio)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A claim starts at the beginning or after a line break or sentence end: "1." "1．" "1、" "1)" "1 ." …
_START = re.compile(r"(?:^|(?<=[\n\r。；;:：]))[ \t\u3000]*(?:权利要求\s*)?(\d{1,3})[ \t]*[.．、):：](?!\d)")
_REF_ZH = re.compile(r"权利要求\s*\d")
_REF_EN = re.compile(r"\bclaims?\s+\d", re.IGNORECASE)
_HEAD_EN = re.compile(r"^\s*(?:what\s+is\s+claimed\s+is|we\s+claim|i\s+claim|claims)\s*[:：]?\s*", re.IGNORECASE)
_OPENERS_INDEPENDENT = ("一种", "一个", "一类", "a ", "an ", "one ")


def split_claims(text: str) -> list[str]:
    """The claims of a claims text, in order: a numbered start counts only if it is the next number
    (so "20%~60%", "1.5 mm" or "权利要求1" inside a claim never start one). Unnumbered text is one claim."""
    text = _HEAD_EN.sub("", (text or "").strip())
    if not text:
        return []
    starts: list[tuple[int, int]] = []  # (start of the number, start of the body)
    expected = 1
    for m in _START.finditer(text):
        if int(m.group(1)) == expected:
            starts.append((m.start(), m.end()))
            expected += 1
    if not starts:
        return [text]
    out = []
    for i, (_, body) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        claim = text[body:end].strip()
        if claim:
            out.append(claim)
    return out


def is_dependent(claim: str) -> bool:
    """A dependent claim refers to an earlier one ("根据权利要求1所述的…", "The method of claim 1, …"); a claim of
    another category that refers to one but opens as an independent one does ("一种权利要求1所述…的制备方法")
    counts as independent, as Chinese examination practice treats it."""
    head = claim.strip()
    low = head.lower()
    if low.startswith(_OPENERS_INDEPENDENT):
        return False
    return bool(_REF_ZH.search(head[:40]) or _REF_EN.search(head[:200]))


def claim_length(claim: str) -> tuple[float, str]:
    """A claim's length in characters and its language: Chinese characters (whitespace left out), or English
    words × ENGLISH_WORD_CHARS."""
    cjk = len(_CJK.findall(claim))
    if cjk >= 0.3 * max(len(claim.replace(" ", "")), 1):
        return float(len("".join(claim.split()))), "zh"
    return len(re.findall(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*", claim)) * ENGLISH_WORD_CHARS, "en"


def parse_claims(text: str) -> Claims | None:
    """Count, independent claims and the first claim's length; None when the record has no claims text."""
    claims = split_claims(text)
    if not claims:
        return None
    length, lang = claim_length(claims[0])
    independent = sum(1 for c in claims if not is_dependent(c))
    return Claims(len(claims), max(independent, 1), length, lang)
