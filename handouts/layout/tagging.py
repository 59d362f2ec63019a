"""The structure tree of a tagged PDF (PDF/UA-1): elements built from the document model,
content marked (with MCIDs) as it is drawn, and the tree written into ReportLab's PDF.

The layout creates the elements in reading order while it turns the document model into
flowables (a section, a list item, a table cell, ...); each flowable that draws text carries
the element it belongs to. Drawing then marks every piece of content: real content with
`/Role <</MCID n>> BDC ... EMC`, recorded here against its element and page; decoration
(tints, rules, lines to write on, running headers and footers) as `/Artifact`. When the
document is saved, the elements become StructElem objects under one `Document`, with the
ParentTree that maps each page's MCIDs (and each link annotation) back to its element.

Shapes follow ISO 32000-1 section 14.7 and ISO 14289-1 (PDF/UA-1)."""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Iterator

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObject,
    PDFObjectReference,
    PDFStream,
    PDFString,
    format,
)

# Marked-content openers for decoration: PDF/UA asks that running headers, footers and
# page numbers be pagination artifacts, and everything else that is not content artifacts.
ARTIFACT = "/Artifact BMC"
HEADER_ARTIFACT = "/Artifact <</Type /Pagination /Subtype /Header>> BDC"
FOOTER_ARTIFACT = "/Artifact <</Type /Pagination /Subtype /Footer>> BDC"
END = "EMC"

# Elements that stay in the tree even with no content: a table's shape must stay regular.
_KEPT_EMPTY = frozenset({"TD", "TH", "TR"})


def escape(text: str) -> str:
    """Text for XML character data: &, < and > escaped (as xml.sax.saxutils.escape does;
    importing that module loads urllib.request, http.client and ssl, slower than a page)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


class Element:
    """A structure element: a role (P, H2, L, LI, Table, ...), its parent, and its kids in
    reading order: elements, marked content (page, mcid) and link annotations."""

    # most elements keep these defaults: a handout makes hundreds of elements
    alt: str | None = None
    scope: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    text = ""  # a link's visible text, for its annotation's description
    first_page = 0  # the pages its content starts and ends on (0: none yet)
    last_page = 0

    def __init__(self, role: str, parent: Element | None):
        self.role, self.parent = role, parent
        self.kids: list = []

    def on_page(self, page: int) -> None:
        if not self.first_page:
            self.first_page = page
        self.last_page = page


class Tags:
    """One document's structure tree and the marked content recorded while drawing."""

    def __init__(self, lang: str):
        self.lang = lang
        self.root = Element("Document", None)
        self._mcids: dict[int, list[Element]] = {}  # page number -> element of each MCID
        self._links: list[tuple[PDFDictionary, Element, int]] = []  # annotation, Link, page

    def add(self, parent: Element | None, role: str, alt: str | None = None,
            scope: str | None = None) -> Element:
        """A new element, last among its parent's kids (the document's when parent is None)."""
        parent = parent or self.root
        element = Element(role, parent)
        if alt is not None:
            element.alt = alt
        if scope is not None:
            element.scope = scope
        parent.kids.append(element)
        return element

    def begin(self, element: Element, page: int) -> str:
        """The operator opening the next piece of this element's content on a page."""
        mcids = self._mcids.setdefault(page, [])
        mcid = len(mcids)
        mcids.append(element)
        element.kids.append((page, mcid))
        element.on_page(page)
        return f"/{element.role} <</MCID {mcid}>> BDC"

    def opener(self, element: Element | None, page: int) -> str:
        """Open content of an element, or an artifact when there is none (or when a table's
        header row is repeated on a later page: it is read once, where it first appears)."""
        if element is None or (element.role == "TH" and element.last_page
                               and element.last_page != page):
            return ARTIFACT
        return self.begin(element, page)

    def link(self, canvas, element: Element, url: str, rect: tuple[float, float, float, float],
             description: str) -> None:
        """A link annotation over some of a Link element's text, described for a screen
        reader and tied to the element (its StructParent is numbered when saving)."""
        annotation = PDFDictionary({
            "Type": PDFName("Annot"), "Subtype": PDFName("Link"),
            "Rect": PDFArray([round(value, 3) for value in rect]),
            "Border": PDFArray([0, 0, 0]), "F": 4,
            "A": PDFDictionary({"S": PDFName("URI"), "URI": PDFString(url)}),
            "Contents": PDFString(description),
        })
        name = f"Link{len(self._links)}"
        canvas._addAnnotation(annotation, name)
        self._links.append((annotation, element, canvas._pageNumber))
        element.kids.append(("annotation", canvas._doc.refAnnotation(name)))
        element.on_page(canvas._pageNumber)

    # -- writing the tree -------------------------------------------------------------
    def write(self, canvas, pages: list, metadata: Metadata) -> None:
        """Put the structure tree, the ParentTree, the pages' StructParents and the catalog
        entries of a tagged PDF into the document ReportLab is about to save.

        Elements are written as ready-made bytes: a handout has hundreds, and ReportLab's
        general dictionaries would take longer to format than the rest of the file."""
        document = canvas._doc
        numbers = document.idToObjectNumberAndVersion
        page_numbers = [numbers[f"Page{index}"][0] for index in range(1, len(pages) + 1)]
        root = PDFDictionary({"Type": PDFName("StructTreeRoot")})
        root_ref = document.Reference(root)
        objects: dict[int, int] = {}  # id(element) -> its object number
        kept = [element for element in self._walk(self.root) if element is not None]
        by_number = {number: name for name, (number, _) in numbers.items()}
        for element in kept:  # registered as ReportLab's Reference would, without its checks
            number = document.objectcounter = document.objectcounter + 1
            name = f"R{number}"
            numbers[name] = (number, 0)
            document.numberToId[number] = by_number[number] = name
            document.idToObject[name] = _Bytes()
            objects[id(element)] = number
        root_number = numbers[root_ref.name][0]
        for element in kept:
            number = objects[id(element)]
            parent = objects.get(id(element.parent), root_number) if element.parent else \
                root_number
            document.idToObject[by_number[number]].data = self._element_bytes(
                element, parent, objects, page_numbers, document)
        if kept:
            root["K"] = PDFObjectReference(by_number[objects[id(self.root)]])
        nums: list[str] = []
        for index, page in enumerate(pages):
            elements = self._mcids.get(index + 1, [])
            nums.append(f"{index} [{' '.join(f'{objects[id(e)]} 0 R' for e in elements)}]")
            page.StructParents = index
            page.Tabs = PDFName("S")
            page.__NoDefault__ = [*page.__NoDefault__, "StructParents", "Tabs"]
        for number, (annotation, element, _) in enumerate(self._links, start=len(pages)):
            annotation["StructParent"] = number
            nums.append(f"{number} {objects[id(element)]} 0 R")
        root["ParentTree"] = document.Reference(_Bytes(f"<< /Nums [{' '.join(nums)}] >>"))
        root["ParentTreeNextKey"] = len(pages) + len(self._links)
        catalog = document.Catalog
        catalog.StructTreeRoot = root_ref
        catalog.MarkInfo = PDFDictionary({"Marked": "true"})
        canvas.setViewerPreference("DisplayDocTitle", "true")
        catalog.Metadata = PDFStream(
            PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
            metadata.xmp(self.lang).encode("utf-8"), filters=[])

    def _walk(self, element: Element) -> list[Element | None]:
        """The elements worth writing, parents before kids: those that hold content, or
        hold elements that do (and table cells, which keep a table regular). Kids that are
        dropped are removed from their parent."""
        out: list[Element | None] = [element]
        kept_kids = []
        for kid in element.kids:
            if isinstance(kid, Element):
                below = self._walk(kid)
                if below[0] is not None:
                    out.extend(below)
                    kept_kids.append(kid)
            else:
                kept_kids.append(kid)
        element.kids = kept_kids
        if not kept_kids and element.role not in _KEPT_EMPTY:
            return [None]
        return out

    @staticmethod
    def _element_bytes(element: Element, parent: int, objects: dict[int, int],
                       page_numbers: list[int], document) -> str:
        first_page = element.first_page or None
        kids: list[str] = []
        for kid in element.kids:
            if isinstance(kid, Element):
                kids.append(f"{objects[id(kid)]} 0 R")
            elif kid[0] == "annotation":
                kids.append(f"<< /Type /OBJR /Obj {format(kid[1], document).decode()} >>")
            elif kid[0] == first_page:
                kids.append(str(kid[1]))
            else:
                kids.append(f"<< /Type /MCR /Pg {page_numbers[kid[0] - 1]} 0 R "
                            f"/MCID {kid[1]} >>")
        parts = [f"<< /S /{element.role} /P {parent} 0 R"]
        if first_page is not None:
            parts.append(f"/Pg {page_numbers[first_page - 1]} 0 R")
        if kids:
            parts.append(f"/K [{' '.join(kids)}]" if len(kids) > 1 else f"/K {kids[0]}")
        if element.alt is not None:
            parts.append("/Alt " + format(PDFString(element.alt), document).decode("latin-1"))
        if element.scope is not None:
            parts.append(f"/A << /O /Table /Scope /{element.scope} >>")
        elif element.bbox is not None:
            box = " ".join(fp_str(value) for value in element.bbox)
            parts.append(f"/A << /O /Layout /BBox [{box}] >>")
        return " ".join(parts) + " >>"


class _Bytes(PDFObject):
    """A PDF object written out already: the text of a dictionary."""

    def __init__(self, data: str = ""):
        self.data = data

    def format(self, document) -> bytes:
        return self.data.encode("latin-1")


class Metadata:
    """What the XMP packet says, matching the info dictionary ReportLab writes."""

    def __init__(self, title: str, subject: str, author: str, keywords: list[str],
                 creator: str, producer: str, date: _dt.date):
        self.title, self.subject, self.author = title, subject, author
        self.keywords, self.creator, self.producer, self.date = keywords, creator, producer, date

    def xmp(self, lang: str) -> str:
        """An XMP packet declaring PDF/UA-1 (pdfuaid:part 1), with Dublin Core title,
        description, creator and language."""
        when = f"{self.date.isoformat()}T00:00:00+00:00"
        lang = escape(lang)
        return (
            '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '<rdf:Description rdf:about=""'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
            ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
            ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
            ' xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\n'
            f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(self.title)}</rdf:li>'
            '</rdf:Alt></dc:title>\n'
            f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(self.subject)}'
            '</rdf:li></rdf:Alt></dc:description>\n'
            f'<dc:creator><rdf:Seq><rdf:li>{escape(self.author)}</rdf:li></rdf:Seq>'
            '</dc:creator>\n'
            f'<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>\n'
            f'<pdf:Keywords>{escape(", ".join(self.keywords))}</pdf:Keywords>\n'
            f'<pdf:Producer>{escape(self.producer)}</pdf:Producer>\n'
            f'<xmp:CreatorTool>{escape(self.creator)}</xmp:CreatorTool>\n'
            f'<xmp:CreateDate>{when}</xmp:CreateDate>\n'
            f'<xmp:ModifyDate>{when}</xmp:ModifyDate>\n'
            f'<xmp:MetadataDate>{when}</xmp:MetadataDate>\n'
            '<pdfuaid:part>1</pdfuaid:part>\n'
            '</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="r"?>'
        )


def canvas_tags(canvas) -> Tags | None:
    """The tags a canvas records into, if it is a tagged document's canvas."""
    return getattr(canvas, "tags", None)


@contextlib.contextmanager
def artifact(canvas, opener: str = ARTIFACT) -> Iterator[None]:
    """Mark what is drawn inside as decoration (nothing a reader needs to hear)."""
    tagged = canvas_tags(canvas) is not None
    if tagged:
        canvas.addLiteral(opener)
    yield
    if tagged:
        canvas.addLiteral(END)


@contextlib.contextmanager
def marked(canvas, element: Element | None) -> Iterator[None]:
    """Mark what is drawn inside as the content of an element (or as an artifact)."""
    tags = canvas_tags(canvas)
    if tags is not None:
        canvas.addLiteral(tags.opener(element, canvas._pageNumber))
    yield
    if tags is not None:
        canvas.addLiteral(END)
