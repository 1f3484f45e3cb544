"""Certificate numbers (证书编号) and registration numbers (登记号) in the unified national format.

规发〔2024〕79号 (rules.md §1.1) fixes their parts, not all their widths:
- certificate number, 17 characters: year + month + registration-body code + business serial number. The
  widths 4 + 2 + 4 + 7 are inferred (Guangdong's body code is 4400) and unverified;
- registration number, 16 letters and digits with one check character: application year + data-source code +
  registrant-type code + serial number + check character. The code tables, widths and check algorithm were not
  retrieved; we use 4 + 2 + 1 + 8 + 1 and ISO 7064 MOD 37,36 (the hybrid alphanumeric check of ISO 7064, the
  usual choice for such codes), all configurable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stdnum.iso7064 import mod_37_36

from ipcity.core.config import Settings

DEFAULT_SOURCE_CODES = {"self_collected": "01", "licensed": "02", "purchased": "03", "public_data": "04",
                        "other": "09"}
DEFAULT_HOLDER_CODES = {"legal_person": "1", "unincorporated": "2", "natural_person": "3"}


@dataclass(frozen=True)
class NumberFormat:
    body_code: str = "3100"  # the registration body: Shanghai, by analogy with Guangdong's 4400 (unverified)
    certificate_serial_width: int = 7
    registration_serial_width: int = 8
    source_codes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SOURCE_CODES))
    holder_codes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HOLDER_CODES))

    def __post_init__(self) -> None:
        if 4 + 2 + len(self.body_code) + self.certificate_serial_width != 17:
            raise ValueError("a certificate number has 17 characters: 4 + 2 + body code + serial")
        widths = {len(c) for c in self.source_codes.values()} | {len(c) for c in self.holder_codes.values()}
        if 4 + self._source_width + self._holder_width + self.registration_serial_width + 1 != 16 or \
                len(widths) > 2:
            raise ValueError("a registration number has 16 characters: 4 + source + type + serial + check")

    @property
    def _source_width(self) -> int:
        return len(next(iter(self.source_codes.values())))

    @property
    def _holder_width(self) -> int:
        return len(next(iter(self.holder_codes.values())))

    @classmethod
    def from_settings(cls, settings: Settings) -> NumberFormat:
        """The format with the registration body's code of the settings (IPCITY_DATAIP_BODY_CODE); the serial
        takes the rest of the 17 characters."""
        body = settings.dataip_body_code
        return cls(body_code=body, certificate_serial_width=17 - 6 - len(body))

    def certificate_number(self, year: int, month: int, serial: int) -> str:
        text = f"{year:04d}{month:02d}{self.body_code}{serial:0{self.certificate_serial_width}d}"
        if len(text) != 17:
            raise ValueError(f"certificate serial {serial} does not fit in {self.certificate_serial_width} digits")
        return text

    def certificate_prefix(self, year: int) -> str:
        return f"{year:04d}"

    def registration_number(self, year: int, source_kind: str, holder_type: str, serial: int) -> str:
        body = (f"{year:04d}{self.source_codes[source_kind]}{self.holder_codes[holder_type]}"
                f"{serial:0{self.registration_serial_width}d}")
        if len(body) != 15:
            raise ValueError(f"registration serial {serial} does not fit in {self.registration_serial_width} digits")
        return body + mod_37_36.calc_check_digit(body)

    def registration_serial(self, number: str) -> int:
        return int(number[-1 - self.registration_serial_width:-1])


def is_valid_registration_number(number: str) -> bool:
    """16 letters and digits whose last character is the ISO 7064 MOD 37,36 check of the first 15."""
    number = (number or "").strip().upper()
    return len(number) == 16 and number.isalnum() and mod_37_36.is_valid(number)
