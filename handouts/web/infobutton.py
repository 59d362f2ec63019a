"""The HL7 Infobutton endpoint: an EHR asks with a code, gets links to the clinic's handouts.

It answers the HL7 Context-Aware Knowledge Retrieval (Infobutton) URL-based request the way
MedlinePlus Connect does, so an EHR set up for MedlinePlus Connect can point here instead:

    GET /infobutton?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90
        &mainSearchCriteria.v.c=C79.51&mainSearchCriteria.v.dn=...
        &informationRecipient.languageCode.c=es&knowledgeResponseType=application/json

`knowledgeResponseType` is text/html (the default at /infobutton, like MedlinePlus Connect's
web application), text/xml (an Atom feed; the default at /infobutton/service, like its web
service) or application/json (the same feed as MedlinePlus Connect's JSON). `clinic`, `level`
and `layout` choose the handout; without `clinic` the server's default clinic is used. The
links download generic branded handouts (no patient data), so no sign-in is needed. Unknown
code systems and codes get an empty, well-formed answer; a malformed request gets 400 and the
reason.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from flask import Blueprint, abort, current_app, make_response, render_template, request, url_for

from handouts.errors import HandoutsError
from handouts.inputs.clinics import Clinic, clinic_names, load_clinic
from handouts.inputs.codes import BY_OID, CodeMatch, MalformedCode, UnknownCode
from handouts.inputs.codes import description as code_description
from handouts.inputs.codes import normalise as normalise_code
from handouts.inputs.paths import Roots, checked_name
from handouts.inputs.topics import Topic
from handouts.topic_search import find_by_code

blueprint = Blueprint("infobutton", __name__)
NAVIGATION: list[tuple[str, str, bool]] = []  # for EHRs, not a page in the staff menu

RESPONSE_TYPES = ("text/html", "text/xml", "application/json")
RECIPIENTS = ("PAT", "PROV", "PAYOR")
ATOM = "http://www.w3.org/2005/Atom"
_OID = re.compile(r"[0-2](\.(0|[1-9][0-9]*)){2,40}")
_LANGUAGE = re.compile(r"([A-Za-z]{2,3})([-_][A-Za-z0-9]{2,8})*")
_MAX_VALUE = 500

WORDS = {
    "en": {"heading": "Handouts for", "none": "No handout from {clinic} matches this code.",
           "download": "Download", "level": {"easy": "easy to read", "standard": "standard"},
           "why": "Why it matched", "reviewed": "Reviewed"},
    "es": {"heading": "Hojas informativas para",
           "none": "Ninguna hoja de {clinic} corresponde a este código.",
           "download": "Descargar", "level": {"easy": "fácil de leer", "standard": "estándar"},
           "why": "Por qué corresponde", "reviewed": "Revisada"},
}


class BadRequest(Exception):
    """A request an EHR must fix; the text says what."""


@dataclass(frozen=True)
class KnowledgeRequest:
    """An Infobutton request, checked."""

    oid: str
    code: str
    display_name: str
    lang: str  # the language asked for (en, es, ...)
    recipient: str  # PAT | PROV | PAYOR
    response_type: str
    clinic: str
    level: str | None
    layout: str


@dataclass(frozen=True)
class Link:
    href: str
    title: str
    level: str
    level_name: str  # in the handout's language: "fácil de leer"


@dataclass(frozen=True)
class Entry:
    topic: Topic
    lang: str  # the language of the handout (English when the one asked for is missing)
    title: str
    summary: str
    links: tuple[Link, ...]
    match: CodeMatch


@dataclass(frozen=True)
class Answer:
    request: KnowledgeRequest
    clinic: Clinic
    system_name: str | None  # None: a code system this server does not know
    code: str  # as written canonically when known
    code_title: str | None
    entries: tuple[Entry, ...] = field(default_factory=tuple)
    updated: _dt.datetime = field(default_factory=lambda: _dt.datetime.now(_dt.UTC))


def _one(args, name: str, *, required: bool = False, default: str = "") -> str:
    values = args.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"{name} is given {len(values)} times; give it once")
    value = values[0].strip() if values else ""
    if len(value) > _MAX_VALUE:
        raise BadRequest(f"{name} is longer than {_MAX_VALUE} characters")
    if required and not value:
        raise BadRequest(f"{name} is required")
    return value or default


def parse_request(args, default_response: str, default_clinic: str | None,
                  roots: Roots) -> KnowledgeRequest:
    """The request's parameters, checked; BadRequest names the first problem."""
    oid = _one(args, "mainSearchCriteria.v.cs", required=True)
    if not _OID.fullmatch(oid):
        raise BadRequest(f"mainSearchCriteria.v.cs must be a code system OID like "
                         f"2.16.840.1.113883.6.90 (ICD-10-CM), not '{oid[:60]}'")
    code = _one(args, "mainSearchCriteria.v.c", required=True)
    if any(ord(c) < 32 for c in code) or len(code) > 60:
        raise BadRequest("mainSearchCriteria.v.c is not a code")
    language = _one(args, "informationRecipient.languageCode.c", default="en")
    matched = _LANGUAGE.fullmatch(language)
    if not matched:
        raise BadRequest(f"informationRecipient.languageCode.c must be a language code like "
                         f"en or es, not '{language[:20]}'")
    lang = matched[1].lower()
    recipient = _one(args, "informationRecipient", default="PAT").upper()
    if recipient not in RECIPIENTS:
        raise BadRequest(f"informationRecipient must be one of {', '.join(RECIPIENTS)}")
    response_type = _one(args, "knowledgeResponseType", default=default_response).lower()
    if response_type not in RESPONSE_TYPES:
        raise BadRequest(f"knowledgeResponseType must be one of {', '.join(RESPONSE_TYPES)}")
    clinic = _one(args, "clinic") or default_clinic or _only_clinic(roots)
    level = _one(args, "level") or None
    layout = _one(args, "layout", default="letter")
    try:
        checked_name(clinic, "clinic")
        checked_name(layout, "layout")
        if level:
            checked_name(level, "level")
    except HandoutsError as error:
        raise BadRequest(str(error)) from None
    return KnowledgeRequest(oid, code, _one(args, "mainSearchCriteria.v.dn"), lang, recipient,
                            response_type, clinic, level, layout)


def _only_clinic(roots: Roots) -> str:
    names = clinic_names(roots)
    if len(names) == 1:
        return names[0]
    raise BadRequest(f"name the clinic with clinic= (one of: {', '.join(names) or 'none'})")


def answer(roots: Roots, knowledge: KnowledgeRequest,
           link_for=None) -> Answer:
    """The topics answering the request, best first, with links to their handouts.

    `link_for(topic, clinic, lang, level, layout)` makes a handout's address (the view gives
    one that builds an absolute URL)."""
    try:
        clinic = load_clinic(roots, knowledge.clinic)
    except HandoutsError:
        raise BadRequest(f"unknown clinic '{knowledge.clinic}'") from None
    system = BY_OID.get(knowledge.oid)
    if system is None:  # a code system we hold no codes in (ICD-9-CM, NDC, CPT...)
        return Answer(knowledge, clinic, None, knowledge.code, None)
    try:
        code = normalise_code(system.key, knowledge.code)
    except MalformedCode as error:
        raise BadRequest(f"mainSearchCriteria.v.c: {error}") from None
    except UnknownCode:
        return Answer(knowledge, clinic, system.name, knowledge.code.strip(), None)
    entries = []
    for found in find_by_code(roots, code, system.key):
        topic = found.topic
        lang = knowledge.lang if knowledge.lang in topic.languages else (
            "en" if "en" in topic.languages else sorted(topic.languages)[0])
        language = topic.languages[lang]
        levels = list(language.levels)
        chosen = knowledge.level if knowledge.level in levels else (
            "standard" if "standard" in levels else levels[0])
        levels.sort(key=lambda level: level != chosen)  # the chosen level first
        links = tuple(Link(link_for(topic.slug, clinic.slug, lang, level, knowledge.layout),
                           f"{language.title} ({_level_name(lang, level)})", level,
                           _level_name(lang, level))
                      for level in levels)
        entries.append(Entry(topic, lang, language.title, language.summary(chosen), links,
                             found.code_match))
    title = code_description(system.key, code) if entries else None
    return Answer(knowledge, clinic, system.name, code, title, tuple(entries))


def _level_name(lang: str, level: str) -> str:
    return WORDS.get(lang, WORDS["en"])["level"].get(level, level)


# -- the three response formats -----------------------------------------------------------

def _subtitle(result: Answer) -> str:
    system = result.system_name or f"code system {result.request.oid}"
    return f"{result.clinic.name} handouts for {system} {result.code}"


def _categories(result: Answer) -> list[tuple[str, str]]:
    knowledge = result.request
    return [("mainSearchCriteria.v.c", result.code), ("mainSearchCriteria.v.cs", knowledge.oid),
            ("mainSearchCriteria.v.dn", knowledge.display_name),
            ("informationRecipient", knowledge.recipient)]


def _stamp(moment: _dt.datetime) -> str:
    return moment.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry_id(host: str, entry: Entry) -> str:
    reviewed = entry.topic.reviewed.isoformat()
    return f"tag:{host},{reviewed}:/handouts/{entry.topic.slug}/{entry.lang}"


def as_json(result: Answer, base: str, host: str) -> dict:
    """The feed in MedlinePlus Connect's JSON shape ({"feed": {... "entry": [...]}})."""
    return {"feed": {
        "xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "base": base,
        "lang": result.request.lang,
        "title": {"_value": f"{result.clinic.name} handouts", "type": "text"},
        "subtitle": {"_value": _subtitle(result), "type": "text"},
        "author": {"name": {"_value": result.clinic.name},
                   "uri": {"_value": result.clinic.website or base}},
        "updated": {"_value": _stamp(result.updated)},
        "category": [{"scheme": scheme, "term": term} for scheme, term in _categories(result)],
        "id": {"_value": f"tag:{host},{result.updated.date().isoformat()}:/infobutton/"
                         f"{result.request.oid}/{result.code}"},
        "entry": [{
            "lang": entry.lang,
            "title": {"_value": entry.title, "type": "text"},
            "link": [{"title": link.title, "rel": "alternate", "type": "application/pdf",
                      "href": link.href} for link in entry.links],
            "id": {"_value": _entry_id(host, entry)},
            "updated": {"_value": f"{entry.topic.reviewed.isoformat()}T00:00:00Z"},
            "summary": {"_value": entry.summary, "type": "text"},
            "category": [{"scheme": "match", "term": entry.match.kind,
                          "label": entry.match.reason(entry.lang)}],
        } for entry in result.entries],
    }}


def as_atom(result: Answer, base: str, host: str) -> bytes:
    """The same feed as an Atom document (MedlinePlus Connect's text/xml answer)."""
    data = as_json(result, base, host)["feed"]
    ET.register_namespace("", ATOM)

    def element(parent, name: str, text: str | None = None, **attributes) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
        if text is not None:
            node.text = text
        return node

    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    feed = ET.Element(f"{{{ATOM}}}feed", {
        "{http://www.w3.org/XML/1998/namespace}base": base, xml_lang: data["lang"]})
    element(feed, "title", data["title"]["_value"], type="text")
    element(feed, "subtitle", data["subtitle"]["_value"], type="text")
    author = element(feed, "author")
    element(author, "name", data["author"]["name"]["_value"])
    element(author, "uri", data["author"]["uri"]["_value"])
    element(feed, "updated", data["updated"]["_value"])
    for category in data["category"]:
        element(feed, "category", scheme=category["scheme"], term=category["term"])
    element(feed, "id", data["id"]["_value"])
    for item in data["entry"]:
        entry = element(feed, "entry", **{xml_lang: item["lang"]})
        element(entry, "title", item["title"]["_value"], type="text")
        for link in item["link"]:
            element(entry, "link", **link)
        element(entry, "id", item["id"]["_value"])
        element(entry, "updated", item["updated"]["_value"])
        element(entry, "summary", item["summary"]["_value"], type="text")
        for category in item["category"]:
            element(entry, "category", **category)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


# -- views ----------------------------------------------------------------------------------

def _roots() -> Roots:
    return current_app.extensions["handouts.settings"].roots


def _respond(default_response: str):
    settings = current_app.extensions["handouts.settings"]
    try:
        knowledge = parse_request(request.args, default_response, settings.default_clinic,
                                  settings.roots)
        result = answer(settings.roots, knowledge, _handout_url)
    except BadRequest as error:
        return _bad_request(str(error), default_response)
    base = request.host_url
    host = request.host.split(":")[0] or "localhost"
    if knowledge.response_type == "application/json":
        response = make_response(json.dumps(as_json(result, base, host), ensure_ascii=False))
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    elif knowledge.response_type == "text/xml":
        response = make_response(as_atom(result, base, host))
        response.headers["Content-Type"] = "text/xml; charset=utf-8"
    else:
        words = WORDS.get(knowledge.lang, WORDS["en"])
        response = make_response(render_template(
            "infobutton.html", result=result, words=words, lang=knowledge.lang,
            words_for=lambda lang: WORDS.get(lang, WORDS["en"])))
    response.headers["Access-Control-Allow-Origin"] = "*"  # EHR front ends call from anywhere
    return response


def _bad_request(reason: str, default_response: str):
    """400 with the reason, in the format the request asked for (when it could be read)."""
    asked = request.args.get("knowledgeResponseType", default_response).strip().lower()
    if asked == "application/json":
        response = make_response(json.dumps({"error": reason}), 400)
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    elif asked == "text/html":
        response = make_response(render_template(
            "error.html", title="The Infobutton request was not right",
            description=reason, code=400), 400)
    else:
        response = make_response(f"Bad Infobutton request: {reason}\n", 400)
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
    return response


def _handout_url(topic: str, clinic: str, lang: str, level: str, layout: str) -> str:
    return url_for("infobutton.handout", topic=topic, clinic=clinic, lang=lang, level=level,
                   layout=layout, _external=True)


@blueprint.get("/infobutton")
def application():
    """Like MedlinePlus Connect's web application: an HTML page unless asked otherwise."""
    return _respond("text/html")


@blueprint.get("/infobutton/service")
def service():
    """Like MedlinePlus Connect's web service: an Atom feed unless asked otherwise."""
    return _respond("text/xml")


@blueprint.get("/infobutton/handouts/<clinic>/<topic>/<lang>/<level>.pdf")
def handout(clinic: str, topic: str, lang: str, level: str):
    """A generic branded handout (no name, no note): safe to give without signing in."""
    from handouts.web.making import Choice

    maker = current_app.extensions["handouts.maker"]
    layout = request.args.get("layout", "letter")
    try:
        made = maker.make(Choice(topic=topic, clinic=clinic, lang=lang, level=level,
                                 layout=layout))
    except HandoutsError as error:
        abort(404, description=str(error))
    from handouts.web.make import pdf_bytes_response

    return pdf_bytes_response(made.pdf, "inline", made.file_name, "public, max-age=3600")
