"""How a source is cited in print, the same in the PDF and the HTML edition: its publisher in
the handout's language, the year it was published, or for an undated web page the month it
was read ("accessed November 2026", never a bare year that reads as a publication year), and
its address."""

from __future__ import annotations

from dataclasses import dataclass

from handouts.document.dates import month_year
from handouts.inputs.topics import Source


@dataclass(frozen=True)
class Citation:
    text: str  # "ASTRO, Pract Radiat Oncol (2024)" or "MedlinePlus (NLM), accessed ..."
    address: str  # the address as printed: no scheme, no "www.", no trailing slash
    url: str | None  # the address to link to (the HTML edition)

    def line(self) -> str:
        return f"{self.text}, {self.address}" if self.address else self.text


def citations(sources: tuple[Source, ...], lang: str,
              labels: dict[str, str]) -> tuple[tuple[Citation, ...], str]:
    """The sources block: each source, and a closing note. Web pages with no year, all read in
    the same month, print no date each; the note says once when they were read ("Web pages
    with no year: accessed November 2026."). Read in different months, each prints its own."""
    undated = [s.accessed for s in sources if not s.year and s.accessed]
    shared = len({(day.year, day.month) for day in undated}) == 1
    cited = tuple(citation(s, lang, labels, own_date=not shared) for s in sources)
    if not shared:
        return cited, ""
    note = labels.get("accessed_note", "Web pages with no year: accessed {date}.")
    return cited, note.replace("{date}", month_year(undated[0], lang))


def sources_text(sources: tuple[Source, ...], lang: str, labels: dict[str, str]) -> str:
    cited, note = citations(sources, lang, labels)
    text = "; ".join(c.line() for c in cited)
    return f"{text}. {note}" if note else text


def citation(source: Source, lang: str, labels: dict[str, str],
             own_date: bool = True) -> Citation:
    publisher = source.publisher_in(lang)
    if source.year:
        text = f"{publisher} ({source.year})"
    elif source.accessed and own_date:
        accessed = labels.get("accessed", "accessed {date}")
        text = f"{publisher}, {accessed.replace('{date}', month_year(source.accessed, lang))}"
    else:
        text = publisher
    address = ""
    if source.url:
        address = source.url
        for prefix in ("https://", "http://"):
            if address.lower().startswith(prefix):
                address = address[len(prefix):]
        address = address.rstrip("/").removeprefix("www.")
    return Citation(text, address, source.url)


def cited_in(sources: tuple[Source, ...], lang: str) -> tuple[Source, ...]:
    """The sources a handout in this language cites: every source in no one language, and
    the pages in its own language."""
    return tuple(source for source in sources if source.lang in (None, lang))
