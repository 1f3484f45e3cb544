"""What the one search box was given: a patent number, plain words, a pasted text or an expression.

Google Patents, Lens and Espacenet's smart search never leave a reasonable multi-word query empty and never
refuse a pasted abstract; examiners still want the strict field-code language. So the box reads its input:

- **number**: every part is a patent number in a common spelling (ZL/CN application numbers with or without
  check character or dot, publication numbers with or without kind code, foreign ones) → that patent;
- **expression**: field codes with ``=``, AND/OR/NOT in capitals, ``&&``/``||``, date ranges (or, in a short
  query, quotes, parentheses, ``-word``) → the expression language (query.py), strict as typed;
- **words**: a short query of plain words → best match (every word first, then most words, BM25);
- **text**: a long text (a pasted abstract, a description of an invention) → best match over its distinctive
  words, fused with the semantic ranking by the service; never a syntax error.

``strict=True`` (the "run it as an expression" link) parses the input as an expression whatever it looks like.

Words and texts are also searched in the other language (`with_translation`, crosslingual.py): the best match
becomes "the words as typed OR their translation", so a Chinese query finds English patents and the reverse.
Numbers and expressions are searched as typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from ipcity.core.numbers import NumberError, parse_cn_application, parse_publication
from ipcity.patents.ipc import IpcError, normalise_ipc
from ipcity.patents.search import fields
from ipcity.patents.search.analysis import query_tokens
from ipcity.patents.search.ast import BestMatch, MatchAll, Node, Or, Term
from ipcity.patents.search.crosslingual import Translation
from ipcity.patents.search.query import MAX_QUERY_CHARS, QuerySyntaxError, expression_marks, parse

ALL, NUMBER, EXPRESSION, WORDS, TEXT = "all", "number", "expression", "words", "text"
# Longer than this (in query words, or characters) is a text to search by, not a few words to match.
LONG_TEXT_WORDS = 12
LONG_TEXT_CHARS = 120
MAX_NUMBERS = 50  # numbers one query may list

# An application number as the public writes it: ZL/CN, 12 digits (8 before 2003), dot, check character.
_APP_SPELLING = re.compile(r"(?:ZL|CN)?(?:\d{12}|\d{8})(?:\.?[\dX])?")
# A publication number: office letters, at least five digits (a slash or comma inside), optional kind code.
_PUB_SPELLING = re.compile(r"[A-Z]{2}[A-Z]{0,2}\d[\d/,]{4,}[A-Z]?\d?")
_BARE_CN_PUB = re.compile(r"[1-9]\d{8}(?:[A-Z]\d?)?")  # 109990002B: a CN publication without its office
_SEPARATORS = re.compile(r"[\s,;，；、]+")
# A bare IPC symbol (H01M, H01M10/0525, G06F 16/33): a classification search, as IPC=… would be.
_IPC_SPELLING = re.compile(r"[A-H]\d\d[A-Z](?:\s*\d{1,4}\s*/\s*\d{1,6})?", re.IGNORECASE)


@dataclass(frozen=True)
class Understood:
    kind: str  # ALL, NUMBER, EXPRESSION, WORDS or TEXT
    node: Node
    numbers: tuple[str, ...] = ()  # NUMBER: the numbers in their written form (CN…; app numbers with check)
    # TEXT or WORDS read although the input did not parse as an expression: why it did not (shown beside a
    # link that runs it as an expression); NUMBER: a number with a wrong check character
    note: QuerySyntaxError | NumberError | None = None
    # WORDS or TEXT also searched in the other language (with_translation): the terms added, per source word
    translation: Translation | None = None

    @property
    def typed(self) -> Node:
        """The node of the query as typed, without the translation or-ed to it."""
        if self.translation is not None and isinstance(self.node, Or) and len(self.node.children) == 2:
            return self.node.children[0]
        return self.node


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).upper().replace(" ", "")


def _one_number(text: str) -> tuple[str, str] | NumberError | None:
    """(field, written form) of one number; a NumberError for a number spelt right but wrong (its check
    character); None for anything that is no number."""
    folded = _fold(text)
    if _APP_SPELLING.fullmatch(folded) and (len(folded) > 10 or "." in folded or folded[:2] in ("ZL", "CN")):
        try:
            return "app_number", parse_cn_application(folded, require_check=False).formatted
        except NumberError as exc:
            if "." in folded or folded.startswith("ZL"):
                return exc  # unmistakably meant as an application number
    if _BARE_CN_PUB.fullmatch(folded):
        folded = "CN" + folded
    if _PUB_SPELLING.fullmatch(folded.replace("-", "")):
        try:
            return "pub_number", parse_publication(folded).formatted
        except NumberError:
            return None
    return None


def _numbers(text: str) -> tuple[list[tuple[str, str]], NumberError | None] | None:
    whole = _one_number(text)
    parts = [whole] if whole is not None else [_one_number(p) for p in _SEPARATORS.split(text) if p]
    if not parts or len(parts) > MAX_NUMBERS or any(p is None for p in parts):
        return None
    found = [p for p in parts if isinstance(p, tuple)]
    wrong = next((p for p in parts if isinstance(p, NumberError)), None)
    return found, wrong


def is_long(text: str) -> bool:
    return len(text) > LONG_TEXT_CHARS or len(query_tokens(text)) > LONG_TEXT_WORDS


def _best_match(text: str, long: bool, note: QuerySyntaxError | None = None) -> Understood:
    return Understood(TEXT if long else WORDS, BestMatch(fields.DEFAULT_FIELD, text, coordinate=not long), note=note)


def understand(q: str, max_chars: int = MAX_QUERY_CHARS, strict: bool = False) -> Understood:
    """How the search box reads `q`. Raises QuerySyntaxError only for input meant as an expression (or
    `strict`) that does not parse, and for input longer than `max_chars` (it sizes the work)."""
    if len(q) > max_chars or strict:
        return Understood(EXPRESSION, parse(q, max_chars=max_chars))
    text = q.strip()
    if not text:
        return Understood(ALL, MatchAll())
    numbers = _numbers(text)
    if numbers is not None:
        found, wrong = numbers
        terms = tuple(Term(name, value) for name, value in dict.fromkeys(found))
        node = terms[0] if len(terms) == 1 else Or(terms) if terms else BestMatch(fields.DEFAULT_FIELD, "")
        return Understood(NUMBER, node, tuple(v for _, v in dict.fromkeys(found)), note=wrong)
    if _IPC_SPELLING.fullmatch(text):
        try:
            return Understood(EXPRESSION, Term("ipc", normalise_ipc(text)))
        except IpcError:
            pass
    long = is_long(text)
    try:
        coded, strong, weak = expression_marks(text)
    except QuerySyntaxError as exc:
        # NAME=… names a field (a typo gets "did you mean"); a lone "-" in a few words is just a dash
        if long or not (exc.kind in ("unknown_field", "missing_field") or _meant_as_expression(text)):
            return _best_match(text, long, exc)
        raise
    if strong or (weak and not long):
        try:
            return Understood(EXPRESSION, parse(q, max_chars=max_chars))
        except QuerySyntaxError as exc:
            if coded or (strong and not long):
                raise
            return _best_match(text, long, exc)
    return _best_match(text, long)


def with_translation(understood: Understood, translation: Translation | None) -> Understood:
    """Plain words searched in both languages: the best match OR the same best match over the
    translated terms (each ranked as its own language ranks: coordination for words, rarest terms for a text).
    Anything else (numbers, expressions, an empty translation) is returned as it was."""
    node = understood.node
    if not translation or understood.kind not in (WORDS, TEXT) or not isinstance(node, BestMatch):
        return understood
    if understood.kind == TEXT:
        # A pasted text's own words stay its lexical half: OR-ing ~100 translated terms let a patent in the other
        # language outscore an exact match in the text's own (their BM25 scores do not compare); the
        # translation reaches the other language through the semantic half (service._meaning).
        return replace(understood, translation=translation)
    other = BestMatch(node.field, translation.text, coordinate=node.coordinate)
    return replace(understood, node=Or((node, other)), translation=translation)


_CODES = sorted({a for f in fields.FIELDS for a in f.aliases}, key=len, reverse=True)
_MEANT = re.compile(r"(?:\b(?:AND|OR|NOT)\b|&&|\|\||(?<![\w])(?:" + "|".join(map(re.escape, _CODES))
                    + r")\s*(?:=|＝|>|<|＞|＜|≥|≤))", re.IGNORECASE)


def _meant_as_expression(text: str) -> bool:
    """Whether a short input that cannot be cut into tokens was nevertheless meant as an expression."""
    return any(m.group().strip().upper() not in ("AND", "OR", "NOT") or m.group().strip() in ("AND", "OR", "NOT")
               for m in _MEANT.finditer(text))
