"""Parsing brand colours and measuring their contrast (WCAG 2)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")

MIN_TEXT_CONTRAST = 4.5  # WCAG 2 AA for body text


@dataclass(frozen=True)
class Colour:
    red: int
    green: int
    blue: int

    @classmethod
    def parse(cls, text: str) -> Colour:
        """'#1F5A96' or '#15a' -> Colour; raises ValueError with what was expected."""
        match = _HEX.fullmatch(text.strip()) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"'{text}' is not a colour; use a hex colour like \"#1F5A96\"")
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return cls(int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))

    @property
    def hex(self) -> str:
        return f"#{self.red:02X}{self.green:02X}{self.blue:02X}"

    def luminance(self) -> float:
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        return (0.2126 * channel(self.red) + 0.7152 * channel(self.green)
                + 0.0722 * channel(self.blue))

    def contrast_with(self, other: Colour) -> float:
        high, low = sorted((self.luminance(), other.luminance()), reverse=True)
        return (high + 0.05) / (low + 0.05)

    def tint(self, amount: float) -> Colour:
        """Mix with white: amount 0 is this colour, 1 is white (for box backgrounds)."""
        def mix(value: int) -> int:
            return round(value + (255 - value) * amount)

        return Colour(mix(self.red), mix(self.green), mix(self.blue))

    def rgb(self) -> tuple[float, float, float]:
        return (self.red / 255, self.green / 255, self.blue / 255)


WHITE = Colour(255, 255, 255)
BLACK = Colour(0, 0, 0)
