"""The activity and growth of a patent's technical field: applications per main IPC subclass and year in the
corpus, the subclass's percentile among the others and its yearly growth.

Pure: inputs.field_activity builds the table from one aggregate query and caches it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace


def subclass_of(ipc_main: str) -> str:
    """The IPC subclass (H01M) of a main symbol (H01M10/0525); '' when the record has none."""
    text = (ipc_main or "").strip().upper()
    return text[:4] if re.match(r"^[A-H]\d\d[A-Z]", text) else ""


# A year with fewer applications than this share of the corpus's busiest year is the sparse tail of the corpus
# (a few records added by hand, a loader's last partial file), not its coverage: the window does not end there.
DENSE_SHARE = 0.1


def corpus_end(totals: dict[int, int], last_year: int, dense_share: float = DENSE_SHARE) -> int:
    """The last year of the window: `last_year`, or earlier where the corpus ends before it — its newest year
    with at least `dense_share` of the busiest year's applications. A corpus of old publications (the demo's end
    in 2016) is measured over its own last years, not over years it does not hold (which gave every subclass 0)."""
    years = {y: n for y, n in totals.items() if y <= last_year and n > 0}
    if not years:
        return last_year
    floor = dense_share * max(years.values())
    return min(last_year, max(y for y, n in years.items() if n >= floor))


@dataclass(frozen=True)
class FieldActivity:
    """Applications per main IPC subclass and application year in the corpus (inputs.field_activity builds it
    with one aggregate query). Recent window: the three years ending `last_year`; earlier window: the three
    before. `last_year` is two years before the valuation year (`requested_last`): applications publish 18
    months after filing, so the latest years are still incomplete in any corpus; where the corpus itself ends
    earlier, the window ends with it (corpus_end)."""

    last_year: int
    counts: dict[str, dict[int, int]]  # subclass → year → applications
    min_earlier: int = 10  # fewer earlier applications than this: growth is not reliable, counted missing
    _ranked: tuple[int, ...] = field(default=(), compare=False, repr=False)
    requested_last: int | None = None  # the last year asked for, when the corpus ended before it

    @classmethod
    def build(cls, rows: Iterable[tuple[str, int, int]], last_year: int, min_earlier: int = 10) -> FieldActivity:
        """From (subclass, year, applications) rows of any years up to `last_year` (earlier ones place the
        corpus's end; only the six years of the window are kept)."""
        counts: dict[str, dict[int, int]] = {}
        totals: dict[int, int] = {}
        for subclass, year, n in rows:
            if subclass and year is not None and int(year) <= last_year:
                by_year = counts.setdefault(str(subclass).upper(), {})
                by_year[int(year)] = by_year.get(int(year), 0) + int(n)
                totals[int(year)] = totals.get(int(year), 0) + int(n)
        end = corpus_end(totals, last_year)
        window = range(end - 5, end + 1)
        kept = {s: {y: n for y, n in by_year.items() if y in window} for s, by_year in counts.items()}
        made = cls(end, {s: c for s, c in kept.items() if c}, min_earlier,
                   requested_last=last_year if end < last_year else None)
        ranked = tuple(sorted(made.recent(s) for s in made.counts if made.recent(s) > 0))
        return replace(made, _ranked=ranked)

    @property
    def window(self) -> tuple[int, int] | None:
        """(first year, last year) of the applications counted; None when the corpus has none in them."""
        return (self.first_year, self.last_year) if self._ranked or self.counts else None

    @property
    def recent_years(self) -> range:
        return range(self.last_year - 2, self.last_year + 1)

    @property
    def earlier_years(self) -> range:
        return range(self.last_year - 5, self.last_year - 2)

    @property
    def first_year(self) -> int:
        return self.last_year - 5

    def recent(self, subclass: str) -> int:
        by_year = self.counts.get(subclass, {})
        return sum(by_year.get(y, 0) for y in self.recent_years)

    def earlier(self, subclass: str) -> int:
        by_year = self.counts.get(subclass, {})
        return sum(by_year.get(y, 0) for y in self.earlier_years)

    def activity(self, subclass: str) -> float | None:
        """Percentile (0–100) of the subclass's recent applications among the subclasses with any: the share of
        those subclasses with as many or fewer. None when the corpus has none in the window."""
        if not self._ranked or not subclass:
            return None
        n = self.recent(subclass)
        return 100.0 * bisect_right(self._ranked, n) / len(self._ranked)

    def growth(self, subclass: str) -> float | None:
        """Yearly growth: (recent ÷ earlier)^(1/3) − 1; None with fewer than `min_earlier` earlier applications."""
        earlier = self.earlier(subclass) if subclass else 0
        if earlier < self.min_earlier:
            return None
        return (self.recent(subclass) / earlier) ** (1 / 3) - 1
