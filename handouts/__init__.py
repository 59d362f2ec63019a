"""handouts: clinic-branded, print-ready PDF patient handouts from Markdown content."""

__version__ = "0.1.0"
