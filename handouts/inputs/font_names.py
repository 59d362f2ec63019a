"""The font families a clinic profile may name (layout/fonts.py holds their files)."""

FONT_FAMILIES = ("Atkinson Hyperlegible", "Noto Sans")
