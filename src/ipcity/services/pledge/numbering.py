"""Pledge registration numbers (质押登记号).

The real CNIPA format is **not in rules.md** (not retrieved): published registrations show numbers starting
with "Y" and the year, but the parts after that are not confirmed. The format is therefore configurable:
IPCITY_PLEDGE_NUMBER_FORMAT (Settings.pledge_number_format), a Python format string with {year} and {serial} (default
"Y{year}310{serial:07d}": 'Y', the year, 310 for Shanghai by analogy with region codes, a 7-digit serial that
restarts each year). The serial is kept in its own column, so any format can be read back.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipcity.core.config import Settings

DEFAULT_FORMAT = "Y{year}310{serial:07d}"


@dataclass(frozen=True)
class NumberFormat:
    template: str = DEFAULT_FORMAT

    def __post_init__(self) -> None:
        try:
            a, b = self.template.format(year=2026, serial=1), self.template.format(year=2026, serial=2)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"IPCITY_PLEDGE_NUMBER_FORMAT {self.template!r} needs {{year}} and {{serial}}") from exc
        if a == b or len(a) > 32:
            raise ValueError(f"IPCITY_PLEDGE_NUMBER_FORMAT {self.template!r} must use {{serial}} and fit 32 characters")

    @classmethod
    def from_settings(cls, settings: Settings) -> NumberFormat:
        return cls(settings.pledge_number_format)

    def number(self, year: int, serial: int) -> str:
        return self.template.format(year=year, serial=serial)
