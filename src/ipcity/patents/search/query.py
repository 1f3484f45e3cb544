"""The professional patent query language and its parser (hand-written recursive descent).

The language follows the command-line style of the CNIPA patent search system: field codes such as TI, AB,
PA, IPC, AD in front of a value, Boolean operators and parentheses. The plain search box uses the same
language: words without a field search the default field (title, abstract and claims). The user guide with
examples is docs/search-syntax.md; this is the precise definition.

Fields
    ``FIELD=value``, ``FIELD:value`` (also full-width ＝ ：), ``FIELD=(a OR b)``. FIELD is any code, Chinese name
    or canonical name in fields.py, case-insensitive (TI, ti, 发明名称, 申请（专利权）人, title). Spaces around
    the operator are allowed for a known field (``TI = 电池``). ``=`` after a word that is not a field is an
    error (``E=mc2``: quote it); a colon after a word that is not a field is ordinary text (pasted sentences
    such as "技术方案：…" stay searchable). Inside ``FIELD=( … )`` every bare value belongs to FIELD; a field
    written inside the group overrides it.
Values
    A bare value runs to the next space, parenthesis, opening quote, ``&&`` or ``||``; a backslash takes the
    next character literally (``TI=a\\ b``). A value written directly after ``=`` is always a value, even
    ``TI=AND``. Text fields (TI AB CL DE TX FT): a bare value is one Term whose text the backend cuts with
    analysis.query_tokens (all tokens must match), kept as typed in the tree; ``"…"`` or ``“…”`` is a Phrase.
    Keyword fields (PA IN IPC AN PN …): the value is kept as typed (the backend normalises); quotes give an
    exact value with spaces (``PA="ABBOTT LAB"``); a trailing ``*`` makes a Prefix (``IPC=H01M*``,
    ``PA="ABBOTT LAB"*``). ``*`` anywhere else, on a text field or on a date field is an error (text is already
    matched by analysed word, so a character prefix of a word would mean little). A blank value is an error.
    ``[`` at the start of an operand opens a date range; escape it (``\\[0001]``) to search for the text.
Dates (AD PD GD)
    ``2020``, ``2020-05``, ``2020-05-01``, ``20200501``, ``2020/5/1``, ``2020.05.01``, ``2020年5月1日``; a year or
    month means the whole period. Comparisons ``AD>=2020-01-01``, ``AD>2019``, ``AD<2021``, ``AD<=2020-05``
    (also ＞ ＜ ≥ ≤); ranges ``AD=[2020-01-01 TO 2022-12-31]``, ``AD=2020~2022``, ``AD=2020..2022``,
    ``AD=[2020 TO *]``. Every result is a DateRange with inclusive bounds: ``AD<2021`` ends 2020-12-31,
    ``AD>2019`` starts 2020-01-01, ``AD=2020-02`` is 2020-02-01 … 2020-02-29.
Operators
    ``AND`` ``OR`` ``NOT``, ``&&`` ``||``, and ``!`` or ``-`` written directly before an operand; adjacent operands
    are joined by AND. Precedence NOT > AND > OR; ``a NOT b`` means ``a AND NOT b``. Upper-case AND/OR/NOT are
    always operators. Other spellings (and, Or) are operators only in a query that has a field expression: in a
    plain-text query "salt and pepper" they are words. The Chinese 与/和 (AND), 或 (OR), 非 (NOT) are operators
    only as a word of their own (spaces or parentheses around them); inside text (锂和钠) they are text.
    ``NOT NOT x`` is ``x``; nested And/Or of one kind are flattened. An empty query is MatchAll. A lone ``-`` or
    ``!``, and an operator without its operand (``AND``, ``TI=电池 AND``, ``NOT``), is an error.
Positions
    Every leaf's ``pos`` is the offset of its value (the word, the opening quote or bracket), not of its field.
Errors
    QuerySyntaxError (a ValueError) with ``pos`` (0-based offset into the query), ``kind``, ``message_zh``,
    ``message_en``; ``pointer(query, error)`` draws the caret under the offending character.

API: parse, QuerySyntaxError, pointer, to_text (canonical text that parses back to the same tree, positions
aside), simplify, strip_positions, terms_for_highlight, describe.
"""

from __future__ import annotations

import calendar
import difflib
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ipcity.patents.search import analysis, fields
from ipcity.patents.search.ast import And, BestMatch, DateRange, MatchAll, Node, Not, Or, Phrase, Prefix, Term

__all__ = [
    "MAX_DEPTH",
    "MAX_PATTERN_CHARS",
    "MAX_QUERY_CHARS",
    "QuerySyntaxError",
    "describe",
    "expression_marks",
    "parse",
    "plain_words",
    "pointer",
    "simplify",
    "strip_positions",
    "terms_for_highlight",
    "to_text",
]


class QuerySyntaxError(ValueError):
    """A query the parser cannot read. `pos` is the 0-based offset of the offending character."""

    def __init__(self, pos: int, kind: str, message_zh: str, message_en: str, suggestions: tuple[str, ...] = ()):
        self.pos = pos
        self.kind = kind  # a stable identifier for the UI and tests, e.g. "unbalanced_parenthesis"
        self.message_zh = message_zh
        self.message_en = message_en
        self.suggestions = suggestions  # field codes close to an unknown one
        super().__init__(str(self))

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang.lower().startswith("zh") else self.message_en

    def __str__(self) -> str:  # Chinese first; the character number is 1-based for people
        return f"{self.message_zh}（第 {self.pos + 1} 个字符）/ {self.message_en} (character {self.pos + 1})"


def pointer(query: str, error: QuerySyntaxError | int) -> str:
    """The query on one line and a caret under the offending character on the next.

    Wide (CJK) characters take two columns in a monospaced font, so the caret is indented by display width.
    """
    pos = error.pos if isinstance(error, QuerySyntaxError) else int(error)
    line = "".join(" " if ch in "\t\r\n\v\f" else ch for ch in query)
    indent = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line[:max(pos, 0)])
    return f"{line}\n{' ' * indent}^"


# ---------------------------------------------------------------------------------------------- tokens

_OPEN = "(（"
_CLOSE = ")）"
_OPEN_QUOTES = '"“＂'
_CLOSE_QUOTES = '"”＂'
_NOT_PREFIX = "!！-"
_EQUALS = "=＝"
_OPERATOR = re.compile(r"\s*(>=|<=|＞＝|＜＝|≥|≤|>|<|＞|＜|=|＝|:|：)")
_OP_CANONICAL = {"＞＝": ">=", "≥": ">=", "＜＝": "<=", "≤": "<=", "＞": ">", "＜": "<", "＝": "=", ":": "=", "：": "="}
_IDENTIFIER = re.compile(r"[^\W\d_]\w*")
# Aliases with parentheses in them (申请（专利权）人) cannot be read as an identifier: matched whole, longest first.
_PAREN_ALIASES = sorted((a for f in fields.FIELDS for a in f.aliases if any(c in a for c in "()（）")),
                        key=len, reverse=True)
_ENGLISH_OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT"}
_CHINESE_OPERATORS = {"与": "AND", "和": "AND", "或": "OR", "非": "NOT"}
_COMMON_CODES = "TI、AB、CL、TX、PA、IN、IPC、AN、PN、AD、PD"


@dataclass
class _Token:
    kind: str  # ( ) AND OR NOT FIELD WORD QUOTED RANGE EOF
    pos: int
    text: str = ""  # WORD/QUOTED/RANGE content (escapes resolved); operator as typed; field name as typed
    field: fields.Field | None = None
    op: str = ""  # FIELD: "=", ">=", ">", "<=", "<"
    value_pos: int = 0  # FIELD: where its value should begin; QUOTED: where a following "*" is
    literal: bool = False  # WORD: attached to "=" or escaped, so never an operator
    colon: bool = False  # FIELD: written with a colon (TI:电池), which pasted prose also has ("in: …")
    star: bool = False  # QUOTED: followed by "*"
    chars: tuple[tuple[str, int, bool], ...] = ()  # WORD: (character, offset, escaped)


class _Tokenizer:
    def __init__(self, text: str):
        self.text = text
        self.n = len(text)
        self.i = 0
        self.tokens: list[_Token] = []

    def run(self) -> list[_Token]:
        while self._skip_space() < self.n:
            self._token()
        self.tokens.append(_Token("EOF", self.n))
        field_mode = any(t.kind == "FIELD" for t in self.tokens)
        for token in self.tokens:
            if token.kind == "WORD" and not token.literal:
                kind = _operator_word(token.text, field_mode)
                if kind:
                    token.kind = kind
        return self.tokens

    def _skip_space(self) -> int:
        while self.i < self.n and self.text[self.i].isspace():
            self.i += 1
        return self.i

    def _token(self) -> None:
        text, i = self.text, self.i
        ch = text[i]
        if ch in _OPEN:
            self._emit("(", i, ch, i + 1)
        elif ch in _CLOSE:
            self._emit(")", i, ch, i + 1)
        elif text.startswith("&&", i):
            self._emit("AND", i, "&&", i + 2)
        elif text.startswith("||", i):
            self._emit("OR", i, "||", i + 2)
        elif ch in _OPEN_QUOTES:
            self._quoted()
        elif ch == "[":
            self._range()
        elif ch in _NOT_PREFIX:
            nxt = text[i + 1] if i + 1 < self.n else ""
            if not nxt or nxt.isspace() or nxt in _CLOSE:
                raise QuerySyntaxError(i, "missing_operand", f"“{ch}”必须紧贴在要排除的检索项前面，例如 -电池",
                                       f"'{ch}' must be written directly before the term to exclude, e.g. -battery")
            self.tokens.append(_Token("NOT", i, ch))
            self.i = i + 1
        elif not self._field():
            if ch in _EQUALS:
                raise QuerySyntaxError(i, "missing_field", "“=”前面缺少字段代码，例如 TI=电池",
                                       "'=' must follow a field code, e.g. TI=battery")
            self._word(literal=False)

    def _emit(self, kind: str, pos: int, text: str, end: int) -> None:
        self.tokens.append(_Token(kind, pos, text))
        self.i = end

    def _field(self) -> bool:
        """Read `FIELD op` at the cursor, and the value when it is attached; False when there is none."""
        text, start = self.text, self.i
        name, known = "", None
        for alias in _PAREN_ALIASES:
            if text.startswith(alias, start):
                name, known = alias, fields.lookup(alias)
                break
        if not name:
            m = _IDENTIFIER.match(text, start)
            if not m:
                return False
            name = m.group()
            known = fields.lookup(unicodedata.normalize("NFKC", name))
        after = start + len(name)
        op_match = _OPERATOR.match(text, after)
        if not op_match:
            return False
        attached_op = op_match.start(1) == after
        op = _OP_CANONICAL.get(op_match.group(1), op_match.group(1))
        if known is None:
            if not attached_op or op != "=" or op_match.group(1) in ":：":
                return False  # "温度>100", "方案：…" are text; only NAME= (attached) must name a field
            raise _unknown_field(start, name)
        self.tokens.append(_Token("FIELD", start, name, field=known, op=op, value_pos=op_match.end(),
                                  colon=op_match.group(1) in ":："))
        self.i = op_match.end()
        self._skip_space()
        if self.i == op_match.end() and self.i < self.n:
            ch = text[self.i]
            if ch not in _OPEN + _CLOSE + _OPEN_QUOTES + "[" and not text.startswith(("&&", "||"), self.i):
                self._word(literal=True)  # TI=AND, TI=-5: a value attached to "=" is always a value
        return True

    def _word(self, literal: bool) -> None:
        text, n, i = self.text, self.n, self.i
        chars: list[tuple[str, int, bool]] = []
        while i < n:
            ch = text[i]
            if ch == "\\" and i + 1 < n:
                chars.append((text[i + 1], i + 1, True))
                literal = True
                i += 2
                continue
            if ch.isspace() or ch in _OPEN + _CLOSE + _OPEN_QUOTES or text.startswith(("&&", "||"), i):
                break
            chars.append((ch, i, False))
            i += 1
        self.tokens.append(_Token("WORD", self.i, "".join(c for c, _, _ in chars), literal=literal,
                                  chars=tuple(chars)))
        self.i = i

    def _quoted(self) -> None:
        text, n, start = self.text, self.n, self.i
        i, out = start + 1, []
        while i < n:
            ch = text[i]
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch in _CLOSE_QUOTES:
                break
            out.append(ch)
            i += 1
        else:
            raise QuerySyntaxError(start, "unterminated_quote", "引号没有闭合：请补上右引号",
                                   "Unterminated quote: add the closing quote")
        i += 1
        star = i < n and text[i] == "*"
        self.tokens.append(_Token("QUOTED", start, "".join(out), star=star, value_pos=i))
        self.i = i + 1 if star else i

    def _range(self) -> None:
        start = self.i
        end = self.text.find("]", start)
        if end < 0:
            raise QuerySyntaxError(start, "unterminated_range", "日期范围缺少“]”，应写作 [2020-01-01 TO 2022-12-31]",
                                   "Unterminated range: missing ']', write [2020-01-01 TO 2022-12-31]")
        self.tokens.append(_Token("RANGE", start, self.text[start + 1:end]))
        self.i = end + 1


def _operator_word(word: str, field_mode: bool) -> str:
    if word in _ENGLISH_OPERATORS:
        return _ENGLISH_OPERATORS[word]
    if field_mode and word.upper() in _ENGLISH_OPERATORS:
        return _ENGLISH_OPERATORS[word.upper()]
    return _CHINESE_OPERATORS.get(word, "")


def _unknown_field(pos: int, name: str) -> QuerySyntaxError:
    spellings = {a.upper(): a for f in fields.FIELDS for a in f.aliases}
    close = difflib.get_close_matches(unicodedata.normalize("NFKC", name).upper(), list(spellings), n=3, cutoff=0.5)
    suggestions = tuple(spellings[c] for c in close)
    zh = f"未知字段“{name}”。" + (f"您是否要找：{'、'.join(suggestions)}？" if suggestions
                                  else f"常用字段：{_COMMON_CODES}。")
    en = f"Unknown field '{name}'. " + (f"Did you mean: {', '.join(suggestions)}?" if suggestions
                                         else f"Common fields: {_COMMON_CODES.replace('、', ', ')}.")
    zh += "如要检索含“=”的文字，请加引号。"
    en += " To search for text containing '=', put it in quotes."
    return QuerySyntaxError(pos, "unknown_field", zh, en, suggestions)


# ---------------------------------------------------------------------------------------------- parser

_OPERAND_START = frozenset({"(", "FIELD", "WORD", "QUOTED", "RANGE", "NOT"})
# Parentheses and NOTs deeper than this are refused: far beyond any real query, well within Python's recursion.
MAX_DEPTH = 64
# The longest query `parse` reads unless told otherwise: a ceiling for every caller (stored navigation topics);
# the search service passes its own, lower Settings.search_max_query_chars.
MAX_QUERY_CHARS = 10_000
# The longest value matched as a pattern (a prefix such as PA=华为*, or a class such as IPC=H01M): the search
# backend compiles it into an automaton whose size grows with the value (tantivy refuses beyond 1,000 states).
MAX_PATTERN_CHARS = 64
PATTERN_FIELDS = ("ipc", "ipc_main", "cpc")  # keyword fields whose value without "/" means a whole class


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.k = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.k]

    def take(self) -> _Token:
        token = self.tokens[self.k]
        self.k += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr(fields.BY_NAME[fields.DEFAULT_FIELD])
        token = self.peek()
        if token.kind == ")":
            raise _unmatched_close(token.pos)
        if token.kind != "EOF":  # an operand always ends at an operator, a parenthesis or the end
            raise _missing_here(token.pos)
        return node

    def or_expr(self, field: fields.Field) -> Node:
        children = [self.and_expr(field)]
        while self.peek().kind == "OR":
            op = self.take()
            self._need_right_operand(op)
            children.append(self.and_expr(field))
        return _combine(Or, children)

    def and_expr(self, field: fields.Field) -> Node:
        children = [self.unary(field)]
        while True:
            token = self.peek()
            if token.kind == "AND":
                self.take()
                self._need_right_operand(token)
            elif token.kind not in _OPERAND_START:
                break
            children.append(self.unary(field))  # "a b" and "a NOT b" are implicit AND
        return _combine(And, children)

    def unary(self, field: fields.Field) -> Node:
        token = self.peek()
        if token.kind == "NOT":
            self.take()
            if self.peek().kind not in _OPERAND_START:
                raise QuerySyntaxError(token.pos, "missing_operand", f"“{token.text}”后面缺少要排除的检索项",
                                       f"'{token.text}' needs a search term to exclude after it")
            with self._nested(token.pos):
                return _negate(self.unary(field))
        return self.primary(field)

    def primary(self, field: fields.Field) -> Node:
        token = self.take()
        if token.kind == "(":
            return self._group(token, field)
        if token.kind == "FIELD":
            return self._field_expr(token)
        if token.kind in ("WORD", "QUOTED", "RANGE"):
            return _value(token, field)
        if token.kind in ("AND", "OR"):
            raise QuerySyntaxError(token.pos, "missing_operand", f"“{token.text}”前面缺少检索项",
                                   f"'{token.text}' needs a search term before it")
        if token.kind == ")":
            raise _unmatched_close(token.pos)
        raise _missing_here(token.pos)

    def _group(self, open_token: _Token, field: fields.Field) -> Node:
        if self.peek().kind == ")":
            raise QuerySyntaxError(open_token.pos, "empty_parentheses", "括号内没有检索项", "Empty parentheses")
        with self._nested(open_token.pos):
            node = self.or_expr(field)
        if self.peek().kind != ")":
            if self.peek().kind == "EOF":
                raise QuerySyntaxError(open_token.pos, "unbalanced_parenthesis", "括号不配对：这个“(”没有对应的“)”",
                                       "Unbalanced parentheses: this '(' is never closed")
            raise _missing_here(self.peek().pos)
        self.take()
        return node

    @contextmanager
    def _nested(self, pos: int) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(pos, "too_deep", f"括号或 NOT 嵌套过深（最多 {MAX_DEPTH} 层）",
                                   f"Parentheses or NOTs are nested too deeply (at most {MAX_DEPTH} levels)")
        try:
            yield
        finally:
            self.depth -= 1

    def _need_right_operand(self, op: _Token) -> None:
        if self.peek().kind not in _OPERAND_START:
            raise QuerySyntaxError(op.pos, "missing_operand", f"“{op.text}”后面缺少检索项",
                                   f"'{op.text}' needs a search term after it")

    def _field_expr(self, token: _Token) -> Node:
        field = token.field
        assert field is not None
        value = self.peek()
        if token.op != "=":
            if field.kind != fields.DATE:
                raise _not_a_date_field(token.pos, field)
            if value.kind in ("(", "RANGE"):
                raise _single_date(value.pos, token.op)
            if value.kind not in ("WORD", "QUOTED"):
                raise _empty_value(token, value)
            self.take()
            return _comparison(token, value)
        if value.kind == "(":
            self.take()
            return self._group(value, field)
        if value.kind in ("WORD", "QUOTED", "RANGE"):
            self.take()
            node = _value(value, field)
            after = self.peek()
            if field.kind == fields.DATE and after.kind == "WORD" and after.text.upper() == "TO":
                raise QuerySyntaxError(after.pos, "bad_range", "日期范围请写在方括号内，例如 AD=[2020 TO 2022]",
                                       "Write a date range in brackets, e.g. AD=[2020 TO 2022]")
            return node
        raise _empty_value(token, value)


def _missing_here(pos: int) -> QuerySyntaxError:
    return QuerySyntaxError(pos, "missing_operand", "此处缺少检索项", "A search term is missing here")


def _unmatched_close(pos: int) -> QuerySyntaxError:
    return QuerySyntaxError(pos, "unbalanced_parenthesis", "括号不配对：这个“)”前面没有对应的“(”",
                            "Unbalanced parentheses: this ')' has no matching '('")


def _empty_value(field_token: _Token, next_token: _Token) -> QuerySyntaxError:
    name = field_token.text
    zh, en = f"字段“{name}”缺少检索值", f"Field '{name}' has no value"
    if next_token.kind in ("AND", "OR", "NOT"):
        zh += f"（如要检索“{next_token.text}”本身，请加引号）"
        en += f" (to search for '{next_token.text}' itself, put it in quotes)"
    return QuerySyntaxError(field_token.value_pos, "empty_value", zh, en)


def _not_a_date_field(pos: int, field: fields.Field) -> QuerySyntaxError:
    return QuerySyntaxError(pos, "not_a_date_field",
                            f"范围和大小比较只能用于日期字段（AD、PD、GD），不能用于“{field.label_zh}”",
                            f"Ranges and comparisons work only on date fields (AD, PD, GD), not on {field.label_en}")


def _combine(kind: type[And] | type[Or], children: list[Node]) -> Node:
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, kind) else (child,))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def _negate(node: Node) -> Node:
    return node.child if isinstance(node, Not) else Not(node)


# ---------------------------------------------------------------------------------------------- values

def _value(token: _Token, field: fields.Field) -> Node:
    """The leaf a WORD, QUOTED or RANGE token makes in `field`."""
    node = _leaf(token, field)
    pattern = isinstance(node, Prefix) or (field.kind == fields.KEYWORD and field.name in PATTERN_FIELDS)
    if pattern and len(node.value) > MAX_PATTERN_CHARS:
        raise QuerySyntaxError(token.pos, "too_long", f"截词或分类号检索值最长 {MAX_PATTERN_CHARS} 个字符",
                               f"A prefix or classification value may have at most {MAX_PATTERN_CHARS} characters")
    return node


def _leaf(token: _Token, field: fields.Field) -> Node:
    if field.kind == fields.DATE:
        return _date_value(token, field)
    if token.kind == "RANGE":
        raise _not_a_date_field(token.pos, field)
    if not token.text.strip():  # "" or an escaped space: nothing to search for
        raise QuerySyntaxError(token.pos, "empty_value", "检索值为空", "The value is empty")
    if token.kind == "QUOTED":
        if field.kind == fields.TEXT:
            if token.star:
                raise _star_on_text(token.value_pos, field)
            return Phrase(field.name, token.text, token.pos)
        # A quoted name or number is the exact value (PA="宁德时代新能源科技股份有限公司"); bare, it is contained.
        return (Prefix if token.star else Phrase)(field.name, token.text, token.pos)
    stars = [(index, pos) for index, (ch, pos, escaped) in enumerate(token.chars) if ch == "*" and not escaped]
    if not stars:
        return Term(field.name, token.text, token.pos)
    if field.kind == fields.TEXT:
        raise _star_on_text(stars[0][1], field)
    index, pos = stars[0]
    if index != len(token.chars) - 1:
        raise QuerySyntaxError(pos, "bad_wildcard", "截词符“*”只能放在检索值的末尾，例如 IPC=H01M*",
                               "The wildcard '*' may only end a value, e.g. IPC=H01M*")
    if index == 0:
        raise QuerySyntaxError(pos, "bad_wildcard", "截词符“*”前面至少要有一个字符",
                               "The wildcard '*' needs at least one character before it")
    return Prefix(field.name, token.text[:-1], token.pos)


def _star_on_text(pos: int, field: fields.Field) -> QuerySyntaxError:
    # Text is matched by analysed tokens, not by characters: a prefix of a jieba token means little.
    return QuerySyntaxError(pos, "bad_wildcard",
                            f"截词符“*”只能用于申请人、发明人、分类号、号码等字段，不能用于“{field.label_zh}”；"
                            "文本字段已按词检索，去掉“*”即可",
                            f"The wildcard '*' works only on keyword fields (applicant, inventor, classification, "
                            f"numbers), not on {field.label_en}; text is already matched by word, drop the '*'")


_DATE_PATTERNS = (
    re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
    re.compile(r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日?)?)?"),
)
_RANGE_TO = re.compile(r"\s*(\S+)\s+TO\s+(\S+)\s*", re.IGNORECASE)
_RANGE_SIGN = re.compile(r"\s*(\S*?)\s*(?:~|～|\.\.)\s*(\S*)\s*")
_FORMATS_ZH = "请写作 2020、2020-05、2020-05-01 或 20200501，范围写作 2020~2022 或 [2020-01-01 TO 2022-12-31]"
_FORMATS_EN = "write 2020, 2020-05, 2020-05-01 or 20200501, and ranges as 2020~2022 or [2020-01-01 TO 2022-12-31]"


def _period(spec: str, pos: int) -> tuple[date, date]:
    """First and last day of a year, a month or a day written in one of the accepted forms."""
    folded = unicodedata.normalize("NFKC", spec).strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(folded)
        if m:
            break
    else:
        raise QuerySyntaxError(pos, "bad_date", f"无法识别的日期“{spec}”：{_FORMATS_ZH}",
                               f"Not a date: '{spec}'; {_FORMATS_EN}")
    year, month, day = (int(g) if g else None for g in m.groups())
    if year == 0:
        raise QuerySyntaxError(pos, "bad_date", f"日期不存在：“{spec}”（年份不能为 0000）",
                               f"No such date: '{spec}' (year 0000)")
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    if not 1 <= month <= 12:
        raise QuerySyntaxError(pos, "bad_date", f"日期不存在：“{spec}”（月份应为 1–12）",
                               f"No such date: '{spec}' (the month must be 1-12)")
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return date(year, month, 1), date(year, month, last)
    if not 1 <= day <= last:
        raise QuerySyntaxError(pos, "bad_date", f"日期不存在：“{spec}”（{year} 年 {month} 月只有 {last} 天）",
                               f"No such date: '{spec}' ({year}-{month:02d} has {last} days)")
    return date(year, month, day), date(year, month, day)


def _token_offset(token: _Token, index: int) -> int:
    """The query offset of character `index` of a token's value."""
    if token.kind == "WORD":
        return token.chars[index][1] if index < len(token.chars) else token.pos + index
    return token.pos + 1 + index  # QUOTED and RANGE: after the opening quote or bracket


def _date_value(token: _Token, field: fields.Field) -> DateRange:
    if token.kind == "QUOTED" and token.star:
        raise QuerySyntaxError(token.value_pos, "bad_wildcard", "日期字段不能使用截词符“*”",
                               "Dates take no wildcard '*'; use a range such as AD=[2020 TO *]")
    text = token.text
    m = _RANGE_TO.fullmatch(text) if token.kind == "RANGE" else None
    m = m or _RANGE_SIGN.fullmatch(text)
    if m is None:
        if token.kind == "RANGE":
            raise QuerySyntaxError(token.pos, "bad_range", "日期范围写法有误，应写作 [2020-01-01 TO 2022-12-31]",
                                   "Malformed range: write [2020-01-01 TO 2022-12-31]")
        if "*" in text:
            raise QuerySyntaxError(_token_offset(token, text.index("*")), "bad_wildcard",
                                   "日期字段不能使用截词符“*”，开放范围请写作 [2020 TO *]",
                                   "Dates take no wildcard '*'; for an open range write [2020 TO *]")
        low, high = _period(text, token.pos)
        return DateRange(field.name, low, high, token.pos)
    bounds = []
    for group, upper in ((1, False), (2, True)):
        spec, at = m.group(group), _token_offset(token, m.start(group))
        if spec == "*":
            bounds.append(None)
        elif not spec:
            raise QuerySyntaxError(at, "bad_range", "日期范围缺少一端，开放的一端请写“*”，例如 2020~*",
                                   "A range bound is missing; write '*' for an open end, e.g. 2020~*")
        else:
            bounds.append(_period(spec, at)[1 if upper else 0])
    low, high = bounds
    if low is None and high is None:
        raise QuerySyntaxError(token.pos, "bad_range", "日期范围至少要有一端", "A date range needs at least one bound")
    if low is not None and high is not None and low > high:
        raise QuerySyntaxError(token.pos, "bad_range", f"起始日期 {low} 晚于结束日期 {high}",
                               f"The start date {low} is after the end date {high}")
    return DateRange(field.name, low, high, token.pos)


def _single_date(pos: int, op: str) -> QuerySyntaxError:
    return QuerySyntaxError(pos, "bad_range", f"“{op}”后面只能是一个日期，例如 AD>=2020-01-01",
                            f"'{op}' takes a single date, e.g. AD>=2020-01-01")


def _comparison(field_token: _Token, value: _Token) -> DateRange:
    field = field_token.field
    assert field is not None
    if value.kind == "QUOTED" and value.star or any(c in value.text for c in "*~～[") or ".." in value.text:
        raise _single_date(value.pos, field_token.op)
    first, last = _period(value.text, value.pos)
    try:
        if field_token.op == ">=":
            low, high = first, None
        elif field_token.op == ">":
            low, high = last + timedelta(days=1), None
        elif field_token.op == "<=":
            low, high = None, last
        else:
            low, high = None, first - timedelta(days=1)
    except OverflowError:
        raise QuerySyntaxError(value.pos, "bad_date", "日期超出可表示的范围",
                               "The date is out of the representable range") from None
    return DateRange(field.name, low, high, value.pos)


# ---------------------------------------------------------------------------------------------- public API

def parse(text: str, max_chars: int = MAX_QUERY_CHARS) -> Node:
    """The tree of a query; MatchAll for an empty one. Raises QuerySyntaxError, also for a query longer than
    `max_chars` (its length sizes the work of every later step)."""
    if len(text) > max_chars:
        raise QuerySyntaxError(max_chars, "too_long", f"检索式太长：最多 {max_chars} 个字符",
                               f"The query is too long: at most {max_chars} characters")
    if not text or not text.strip():
        return MatchAll()
    return _Parser(_Tokenizer(text).run()).parse()


def expression_marks(text: str) -> tuple[bool, bool, bool]:
    """What in `text` says it is meant as an expression rather than plain words: (coded, strong, weak).

    Coded: a field code with ``=`` or a comparison (TI=电池, AD>=2020) — nobody pastes that by chance.
    Strong: that, or AND/OR/NOT in capitals, ``&&``, ``||``, a date range.
    Weak: what prose has too — a field code with a colon ("in: …"), quotes, parentheses, ``-word``, 或/非.
    Raises QuerySyntaxError where the text cannot even be cut into tokens (a lone "-", an unknown NAME=).
    """
    coded = strong = weak = False
    for token in _Tokenizer(text).run():
        if token.kind == "FIELD":
            coded, weak = coded or not token.colon, weak or token.colon
            strong = strong or coded
        elif token.kind == "RANGE" or token.text in ("AND", "OR", "NOT", "&&", "||") and token.kind != "WORD":
            strong = True
        elif token.kind in ("(", ")", "QUOTED", "NOT", "OR"):
            weak = True  # parentheses, quotes, -word / !word, 或 and 非 (与 and 和 are just words here)
    return coded, strong, weak


def simplify(node: Node) -> Node:
    """The tree parse would give: nested And/Or of one kind flattened, single children and NOT NOT removed."""
    if isinstance(node, (And, Or)):
        return _combine(type(node), [simplify(c) for c in node.children])
    if isinstance(node, Not):
        return _negate(simplify(node.child))
    return node


def strip_positions(node: Node) -> Node:
    """The tree with every `pos` set to 0, to compare trees parsed from different spellings."""
    if isinstance(node, (And, Or)):
        return type(node)(tuple(strip_positions(c) for c in node.children))
    if isinstance(node, Not):
        return Not(strip_positions(node.child))
    if isinstance(node, MatchAll):
        return node
    return replace(node, pos=0)


def _code(field_name: str) -> str:
    return fields.BY_NAME[field_name].aliases[0]


_BARE_FORBIDDEN = set(_OPEN + _CLOSE + _OPEN_QUOTES + "”\\*=＝:：<>＜＞≥≤&|[]~～")


def _bare(value: str) -> bool:
    """Whether `value` reads back as itself when written as a bare operand (no field, no escapes)."""
    return (bool(value) and value[0] not in _NOT_PREFIX and ".." not in value
            and not any(ch.isspace() or ch in _BARE_FORBIDDEN for ch in value)
            and not _operator_word(value, True))


def _escaped(value: str) -> str:
    """`value` written directly after "=": backslashes before whatever would end or change it."""
    out = []
    for i, ch in enumerate(value):
        special = (ch.isspace() or ch in _OPEN + _CLOSE + _OPEN_QUOTES + "”\\*"
                   or (ch in "&|" and value[i + 1:i + 2] == ch) or (i == 0 and ch == "["))
        out.append("\\" + ch if special else ch)
    return "".join(out)


def _quoted(value: str) -> str:
    return '"' + "".join("\\" + ch if ch in '\\"”＂' else ch for ch in value) + '"'


def _leaf_text(node: Node, in_group: bool) -> str:
    """A leaf as text; `in_group` gives the bare form used inside FIELD=( … ) ("" when it has none)."""
    if isinstance(node, DateRange):
        return _code(node.field) + _date_text(node)
    field = fields.BY_NAME[node.field]
    if isinstance(node, Phrase) and field.kind == fields.TEXT:
        body = _quoted(node.value)
        return body if in_group or node.field == fields.DEFAULT_FIELD else f"{_code(node.field)}={body}"
    if isinstance(node, Term) and field.kind == fields.TEXT:
        if in_group:
            return node.value if _bare(node.value) else ""
        if node.field == fields.DEFAULT_FIELD and _bare(node.value):
            return node.value
        return f"{_code(node.field)}={_escaped(node.value)}"
    if isinstance(node, Phrase) and field.kind == fields.KEYWORD and node.value:
        body = _quoted(node.value)
        return body if in_group else f"{_code(node.field)}={body}"
    if isinstance(node, Term) and field.kind == fields.KEYWORD and node.value:
        if in_group:
            return node.value if _bare(node.value) else ""
        return f"{_code(node.field)}={_escaped(node.value)}"
    if isinstance(node, Prefix) and field.kind == fields.KEYWORD and node.value:
        body = (node.value if _bare(node.value) else _quoted(node.value)) + "*"
        return body if in_group else f"{_code(node.field)}={body}"
    raise ValueError(f"to_text: {node!r} is not a tree parse can produce")


def _date_text(node: DateRange) -> str:
    low, high = node.low, node.high
    if low is None and high is None:
        raise ValueError(f"to_text: {node!r} has no bound")
    if low is None:
        return f"<={high.isoformat()}"
    if high is None:
        return f">={low.isoformat()}"
    if low == high:
        return f"={low.isoformat()}"
    if low.day == 1 and high.year == low.year:
        if low.month == 1 and high == date(low.year, 12, 31):
            return f"={low.year:04d}"
        if high.month == low.month and high.day == calendar.monthrange(low.year, low.month)[1]:
            return f"={low.year:04d}-{low.month:02d}"
    return f"=[{low.isoformat()} TO {high.isoformat()}]"


def to_text(node: Node) -> str:
    """Canonical text of a tree: parse(to_text(t)) equals simplify(t) up to positions.

    Bare words search the default field; other leaves carry their field code (TI=…); leaves of one field
    joined by one operator are grouped (TI=(电池 OR 电极)). AND inside OR is parenthesised for readability.
    """
    if isinstance(node, MatchAll):
        return ""
    return _text(simplify(node))


def _text(node: Node) -> str:
    if isinstance(node, (And, Or)):
        joiner = " AND " if isinstance(node, And) else " OR "
        grouped = _grouped(node, joiner)
        if grouped:
            return grouped
        return joiner.join(_operand(c, node) for c in node.children)
    if isinstance(node, Not):
        return "NOT " + _operand(node.child, node)
    if isinstance(node, MatchAll):
        raise ValueError("to_text: MatchAll can only be a whole query")
    return _leaf_text(node, in_group=False)


def _operand(child: Node, parent: Node) -> str:
    body = _text(child)
    # OR inside AND or NOT needs parentheses; AND inside OR gets them for readability. A FIELD=( … ) group is
    # already one operand.
    if isinstance(child, Or) or (isinstance(child, And) and not isinstance(parent, And)):
        joiner = " AND " if isinstance(child, And) else " OR "
        if not _grouped(child, joiner):
            return f"({body})"
    return body


def _grouped(node: And | Or, joiner: str) -> str:
    leaves = node.children
    if not all(isinstance(c, (Term, Phrase, Prefix)) for c in leaves):
        return ""
    names = {c.field for c in leaves}
    if len(names) != 1:
        return ""
    name = names.pop()
    if name == fields.DEFAULT_FIELD or fields.BY_NAME[name].kind == fields.DATE:
        return ""
    parts = [_leaf_text(c, in_group=True) for c in leaves]
    if not all(parts):
        return ""
    return f"{_code(name)}=({joiner.join(parts)})"


def _asked_text(node: Node) -> list[Term | Phrase | BestMatch]:
    """The text leaves a tree asks for, not those it excludes (under an odd number of NOTs)."""
    found: list[Term | Phrase | BestMatch] = []

    def walk(n: Node, positive: bool) -> None:
        if isinstance(n, (And, Or)):
            for child in n.children:
                walk(child, positive)
        elif isinstance(n, Not):
            walk(n.child, not positive)
        elif isinstance(n, (Term, Phrase, BestMatch)) and positive and fields.BY_NAME[n.field].kind == fields.TEXT:
            found.append(n)

    walk(node, True)
    return found


def terms_for_highlight(node: Node) -> set[str]:
    """Analysed tokens of the text terms and phrases the query asks for (not those it excludes); a best match's
    words are marked wherever they occur."""
    return {token for leaf in _asked_text(node)
            for token in (analysis.best_match_tokens(leaf.value) if isinstance(leaf, BestMatch)
                          else analysis.query_tokens(leaf.value))}


def plain_words(node: Node) -> set[str]:
    """The values of the text terms and phrases a tree asks for, as typed: what a strict search that found nothing
    could look for by best match instead."""
    return {leaf.value for leaf in _asked_text(node)}


_WORDS = {
    "zh": {"and": " 且 ", "or": " 或 ", "not": "非 ", "all": "全部专利", "contains": "包含", "phrase": "包含短语",
           "is": "为", "starts": "以 {v} 开头", "from_to": "{a} 至 {b}", "after": "不早于 {a}",
           "before": "不晚于 {b}", "on": "为 {a}", "open": "（", "close": "）",
           "best": "与 {v} 最相关（含全部词语的在前）", "text": "与这段文字最相关"},
    "en": {"and": " and ", "or": " or ", "not": "not ", "all": "all patents", "contains": "contains",
           "phrase": "contains the phrase", "is": "is", "starts": "starts with {v}", "from_to": "from {a} to {b}",
           "after": "on or after {a}", "before": "on or before {b}", "on": "on {a}", "open": "(", "close": ")",
           "best": "best match for {v} (all words first)", "text": "closest to this text"},
}


def describe(node: Node, lang: str = "zh") -> str:
    """A short human-readable reading of a tree in Chinese ("zh…") or English (anything else)."""
    words = _WORDS["zh" if lang.lower().startswith("zh") else "en"]
    label = "label_zh" if words is _WORDS["zh"] else "label_en"

    def leaf(n: Node) -> str:
        name = getattr(fields.BY_NAME[n.field], label)
        if isinstance(n, DateRange):
            a, b = (d.isoformat() if d else "" for d in (n.low, n.high))
            key = "on" if n.low == n.high else "after" if n.high is None else "before" if n.low is None else "from_to"
            return f"{name} " + words[key].format(a=a, b=b)
        value = f'"{n.value}"'
        if isinstance(n, BestMatch):
            return f"{name} " + (words["best"].format(v=value) if n.coordinate else words["text"])
        if isinstance(n, Prefix):
            return f"{name} " + words["starts"].format(v=value)
        if isinstance(n, Phrase):
            return f"{name} {words['phrase']} {value}"
        verb = words["contains"] if fields.BY_NAME[n.field].kind == fields.TEXT else words["is"]
        return f"{name} {verb} {value}"

    def walk(n: Node, parent: Node | None) -> str:
        if isinstance(n, MatchAll):
            return words["all"]
        if isinstance(n, Not):
            return words["not"] + walk(n.child, n)
        if isinstance(n, (And, Or)):
            body = words["and" if isinstance(n, And) else "or"].join(walk(c, n) for c in n.children)
            return body if parent is None else words["open"] + body + words["close"]
        return leaf(n)

    return walk(node, None)
