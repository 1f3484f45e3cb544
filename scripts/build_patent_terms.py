"""Build the jieba user dictionary of patent terms, src/ipcity/patents/data/patent_terms.txt.gz.

    python scripts/build_patent_terms.py [--out PATH]

Without a domain dictionary jieba breaks technical words (石墨 / 烯, 拉 / 曼光谱, 磷酸 / 铁 / 锂).
The terms come from the Chinese titles of the shipped IPC 2026.01 scheme:

1. titles are cut at punctuation and anything not Chinese (brackets, IPC references, Latin, digits),
   then at connecting words — those that are never part of a word by plain string (的, 或, 及, 与, 用于,
   例如, 特别是 …), the ambiguous single characters (和, 以, 等, 入, 如, 其 …) only where jieba cuts them
   off as a word of their own, so 饱和, 以太网, 等离子体, 插入 stay whole;
2. measure words, particles, prepositions and locatives are trimmed from the edges of each fragment
   (个电极 → 电极, 托架上 → 托架); fragments that still start with a verb or end in a verb or adverb
   are dropped (not names of things);
3. a fragment of 2–8 characters is kept if it occurs in at least 2 titles, or is a whole subclass
   title, and is not a generic word (方法, 装置, 系统 …);
4. of those, only the words jieba breaks into a single character are written (石墨烯, 磷酸铁锂 …):
   phrases jieba already cuts into whole words (非水电解质 / 蓄电池) are left to it;
5. a short list of common patent terms that the IPC titles lack is added (SEED_TERMS).

The output is sorted, one term per line, gzipped without a time stamp, so a rebuild with the same
rjieba version gives the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import rjieba

from ipcity.patents.ipc import SUBCLASS, scheme

OUT = Path(__file__).resolve().parents[1] / "src" / "ipcity" / "patents" / "data" / "patent_terms.txt.gz"


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a literal, as a set."""
    return frozenset(text.split())


# Connecting words that are never the inside of a technical word: cut by plain string, longest first.
STRING_CONNECTORS = ("专门适用于", "适用于", "特别是", "例如", "或者", "以及", "并且", "用于", "不包括", "除外",
                     "之间", "其他", "或", "的", "及", "与")
# Connecting words that may be part of a word (饱和, 以太网, 等离子体, 插入, 其他): cut only as jieba tokens.
TOKEN_CONNECTORS = _words(
    "和 以 等 即 入 如 其 并 用 由 对 在 为 把 将 被 从 使 所 于 着 了 是 不 带 或类似 类似 利用 通过 采用 使用 "
    "借助 借助于 应用 涉及 基于 包含 含有 包括 具有 作为 仅 只 各种 某些 一种 两种 特殊 特定 相应 相关 本 小类 "
    "大类 见 也 而 但 则 这些 此类 该 此 它们 为此 一般 优先 分入")
# jieba part-of-speech tags trimmed from the start / the end of a fragment.
LEADING_TAGS = _words("q m mq u ul uj uz ug ud p c d r f y")
TRAILING_TAGS = _words("f u ul uj uz ug ud d c p y r")
LEADING_CHARS = frozenset("且含带用由对在将把被从使向经按供作至到具可能要应需个之其该此各每另")
TRAILING_CHARS = frozenset("可用的上中内外间时后前下都之入第")
# A fragment starting or ending with these tags is a description, not the name of a thing.
BAD_FIRST_TAGS = _words("v vd vg p d c a ad")
BAD_LAST_TAGS = _words("v vd vg d a ad ag")
# …and one with a locative, preposition, conjunction, particle or adverb inside is a clause (母液中分离晶体).
BAD_INNER_TAGS = _words("f p c d u ul uj uz ug ud")
GENERIC = _words(
    "方法 装置 设备 系统 用途 结构 部件 零件 附件 组合 制造 工艺 材料 产品 器件 元件 机构 组件 工具 仪器 "
    "机器 器具 配件 单元 模块 过程 处理 控制 应用 技术 方式 手段 机械 构件")
# Frequent terms of Chinese patent texts that no IPC title contains (checked against the 2026.01 titles).
SEED_TERMS = ("拉曼光谱", "拉曼光谱仪", "磷酸铁锂", "锂离子电池", "钠离子电池", "钴酸锂", "锰酸锂", "钛酸锂",
              "锂硫电池", "硅碳负极", "氮化镓", "区块链", "物联网", "量子点", "增材制造", "氧化石墨烯")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# 的 is a particle everywhere in the titles except in 目的 (purpose).
_STRING_SPLIT = re.compile("|".join(re.escape(c) if c != "的" else "(?<!目)的" for c in STRING_CONNECTORS))


def _trimmed(tokens: list[tuple[str, str]]) -> str:
    while tokens and (tokens[0][1] in LEADING_TAGS or tokens[0][0] in LEADING_CHARS):
        tokens = tokens[1:]
    while tokens and (tokens[-1][1] in TRAILING_TAGS or tokens[-1][0] in TRAILING_CHARS):
        tokens = tokens[:-1]
    if not tokens or tokens[0][1] in BAD_FIRST_TAGS or tokens[-1][1] in BAD_LAST_TAGS:
        return ""
    if any(tag in BAD_INNER_TAGS for _, tag in tokens):
        return ""
    return "".join(word for word, _ in tokens)


def title_fragments(title: str, jieba: rjieba.Jieba) -> Iterator[str]:
    """Candidate terms of one title (steps 1 and 2 of the module docstring)."""
    for run in _CJK_RUN.finditer(title):
        # A run glued to Latin or digits (π形滤波器, 3个) starts mid-word: its first single character goes.
        glued = run.start() > 0 and title[run.start() - 1].isalnum()
        for index, piece in enumerate(_STRING_SPLIT.split(run.group())):
            tokens = list(jieba.tag(piece))
            if glued and index == 0 and tokens and len(tokens[0][0]) == 1:
                tokens = tokens[1:]
            current: list[tuple[str, str]] = []
            before = ""
            for word, tag in [*tokens, ("", "")]:
                if word and word not in TOKEN_CONNECTORS:
                    current.append((word, tag))
                    continue
                fragment = _trimmed(current) if not _misjoined(before, current, word, jieba) else ""
                if fragment:
                    yield fragment
                current, before = [], word


def _misjoined(before: str, tokens: list[tuple[str, str]], after: str, jieba: rjieba.Jieba) -> bool:
    """Whether jieba glued an edge character of the fragment to the connector beside it (含有 / 机 / 材料
    for 含 / 有机材料): a single-character edge token that makes a word with that connector's character."""
    if not tokens:
        return False
    first, last = tokens[0][0], tokens[-1][0]
    return bool((before and len(first) == 1 and jieba.has_word(before[-1] + first))
                or (after and len(last) == 1 and jieba.has_word(last + after[0])))


def build_terms() -> list[str]:
    jieba = rjieba.Jieba()  # jieba's own dictionary only, whatever this process loaded elsewhere
    ipc = scheme()
    titles_of: dict[str, set[str]] = defaultdict(set)
    whole_subclass_titles: set[str] = set()
    for code in ipc.codes():
        title = ipc.title(code, fallback=False)
        fragments = list(title_fragments(title, jieba))
        for fragment in fragments:
            if 2 <= len(fragment) <= 8:
                titles_of[fragment].add(code)
        if ipc.level(code) == SUBCLASS and fragments == [title] and len(title) <= 8:
            whole_subclass_titles.add(title)  # a subclass title that is one name, e.g. 乐器
    candidates = {f for f, codes in titles_of.items() if len(codes) >= 2} | whole_subclass_titles
    terms = {term for term in candidates - GENERIC if any(len(word) == 1 for word in jieba.cut(term))}
    terms.update(term for term in SEED_TERMS if jieba.cut(term) != [term])
    return sorted(terms)


def write_terms(terms: list[str], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
        packed.write("".join(f"{term}\n" for term in terms).encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    terms = build_terms()
    write_terms(terms, args.out)
    print(f"{len(terms)} terms written to {args.out}")


if __name__ == "__main__":
    main()
