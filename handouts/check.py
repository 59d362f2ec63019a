"""`handouts check`: readability scores (whole handout and each section, the text read as
measuring/plain_language.py describes), plain-language findings and sources per topic,
language and level, against each level's target."""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field

from handouts import lifecycle
from handouts.document.assemble import Options, placeholder_context, render_sections
from handouts.document.model import GlossaryEntry
from handouts.errors import HandoutsError, Warnings
from handouts.inputs.clinic_content import ClinicOverride
from handouts.inputs.glossary import load_glossary
from handouts.inputs.paths import Roots
from handouts.inputs.safe_files import read_toml
from handouts.inputs.toml_tables import TableReader
from handouts.inputs.topics import load_topic, topic_names
from handouts.measuring import pemat
from handouts.measuring.glossary_use import known_forms, spoken_forms, terms_used, unexplained
from handouts.measuring.plain_language import Finding, body_units, lint, reader_sentences
from handouts.measuring.readability import Counts, count_sentences, inflesz_band, scores

ADVISORY = {"passive-voice"}  # reported, but a heuristic: it does not fail the check


WORDS_TO_KNOW_LEVELS = ("easy",)  # the levels that print a "Words to know" box (build.py)


@dataclass(frozen=True)
class LevelTarget:
    name: str
    max_grade: float
    min_inflesz: float
    section_grade_margin: float = 1.0  # every section within max_grade plus this
    section_inflesz_margin: float = 10.0  # every section at least min_inflesz minus this


def load_targets(roots: Roots) -> dict[str, LevelTarget]:
    path = roots.content / "_levels.toml"
    if not path.is_file():
        raise HandoutsError("reading-level targets are missing", path)
    table = TableReader(read_toml(path), path)
    targets = {}
    for name in list(table.data):
        level = table.table(name)
        level.text("label", max_length=80)
        targets[name] = LevelTarget(
            name, level.number("max_grade", minimum=1, maximum=20),
            level.number("min_inflesz", minimum=0, maximum=100),
            level.number("section_grade_margin", 1, minimum=0, maximum=5),
            level.number("section_inflesz_margin", 10, minimum=0, maximum=40))
        level.finish()
    table.finish()
    return targets


@dataclass
class VersionReport:
    topic: str
    lang: str
    level: str
    counts: Counts
    scores: dict[str, float]
    sections: list[tuple[str, Counts, dict[str, float]]]
    target: str
    failures: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    clinic: str | None = None  # checked with this clinic's own sections merged in
    warnings: list[str] = field(default_factory=list)  # fail only with --strict
    notes: list[str] = field(default_factory=list)
    pemat: list[pemat.Item] = field(default_factory=list)  # the automatically checked items

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def worst_section(self) -> tuple[str, dict[str, float]] | None:
        """The hardest section to read: highest grade (English), lowest INFLESZ (Spanish)."""
        measured = [(key, v) for key, c, v in self.sections if v]
        if not measured:
            return None
        if self.lang == "es":
            return min(measured, key=lambda kv: kv[1].get("szigriszt_pazos", 0))
        return max(measured, key=lambda kv: max(kv[1].get("smog", 0),
                                                kv[1].get("flesch_kincaid", 0)))

    def as_dict(self) -> dict[str, object]:
        return {
            "topic": self.topic, "lang": self.lang, "level": self.level,
            "passed": self.passed, "target": self.target, "failures": self.failures,
            "counts": asdict(self.counts),
            "scores": {k: round(v, 2) for k, v in self.scores.items()},
            "smog_approximate": self.counts.sentences < 30,
            "sections": [{"section": key, "sentences": c.sentences, "words": c.words,
                          "scores": {k: round(v, 2) for k, v in s.items()}}
                         for key, c, s in self.sections],
            "worst_section": ({"section": self.worst_section[0],
                               "scores": {k: round(v, 2)
                                          for k, v in self.worst_section[1].items()}}
                              if self.worst_section else None),
            "findings": [f.as_dict() for f in self.findings],
            "pemat": {"scores": {k: round(v) for k, v in pemat.scores(self.pemat).items()},
                      "items": [item.as_dict() for item in self.pemat]},
            "clinic": self.clinic, "warnings": self.warnings, "notes": self.notes,
        }


def check_version(roots: Roots, topic_slug: str, lang: str, level: str,
                  targets: dict[str, LevelTarget], max_grade: float | None = None,
                  override: ClinicOverride | None = None) -> VersionReport:
    topic = load_topic(roots, topic_slug)
    options = Options(lang=lang, level=level)
    today = _dt.date(2000, 1, 1)
    intro, sections = render_sections(roots, topic, options,
                                      placeholder_context(topic, options, today), Warnings(),
                                      override)
    units = body_units(intro, sections, topic.language(lang).summary(level))
    terms = load_glossary(roots, lang)
    spoken = spoken_forms(terms)
    sentences = reader_sentences(units)
    per_section = []
    for key in dict.fromkeys(sentence.section for sentence in sentences):
        c = count_sentences([x.text for x in sentences if x.section == key], lang, spoken)
        per_section.append((key, c, scores(c, lang)))
    total = count_sentences([x.text for x in sentences], lang, spoken)
    values = scores(total, lang)
    target = targets.get(level)
    failures: list[str] = []
    if lang == "es":
        target_text = f"INFLESZ >= {target.min_inflesz:g}" if target else "no target"
        if target and values.get("szigriszt_pazos", 0) < target.min_inflesz:
            failures.append(f"INFLESZ {values.get('szigriszt_pazos', 0):.1f} is below "
                            f"{target.min_inflesz:g}")
        if target:
            floor = target.min_inflesz - target.section_inflesz_margin
            failures += [f"section '{key}': INFLESZ {v['szigriszt_pazos']:.1f} is below "
                         f"{floor:g} (the target less {target.section_inflesz_margin:g})"
                         for key, _, v in per_section if v.get("szigriszt_pazos", 99) < floor]
        if max_grade is not None and values.get("sol", 99) > max_grade:
            failures.append(f"SOL grade {values['sol']:.1f} is above {max_grade:g}")
    else:
        limit = min(x for x in (target.max_grade if target else None, max_grade)
                    if x is not None) if (target or max_grade is not None) else None
        target_text = f"grade <= {limit:g}" if limit is not None else "no target"
        if limit is not None:
            margin = target.section_grade_margin if target else 1.0
            for key, name in (("flesch_kincaid", "Flesch-Kincaid"), ("smog", "SMOG")):
                if values.get(key, 99) > limit:
                    failures.append(f"{name} grade {values.get(key, 99):.1f} is above "
                                    f"{limit:g}")
                failures += [f"section '{section}': {name} grade {v[key]:.1f} is above "
                             f"{limit + margin:g} (the target plus {margin:g})"
                             for section, _, v in per_section if v.get(key, 0) > limit + margin]
    failures += source_problems(topic)
    printed = tuple(GlossaryEntry(term.term, term.definition)
                    for term in terms_used(units, terms)) if level in WORDS_TO_KNOW_LEVELS else ()
    findings = lint(units, lang, known_forms(terms), spoken) + unexplained(units, terms,
                                                                          printed)
    failures += [f"{f.kind} in '{f.section}': {f.detail}" for f in findings
                 if f.kind not in ADVISORY]
    items = pemat.assess(intro, sections, units, findings, lang, total.sentences)
    for domain, share in pemat.scores(items).items():
        if share < 100 * pemat.PASSING_SHARE:
            failures.append(f"PEMAT {domain} {share:.0f}% is below "
                            f"{100 * pemat.PASSING_SHARE:.0f}% (items not met: "
                            + "; ".join(i.name for i in items
                                        if i.domain == domain and not i.met) + ")")
    return VersionReport(topic_slug, lang, level, total, values, per_section, target_text,
                         failures, findings, override.clinic if override else None,
                         pemat=items)


def source_problems(topic) -> list[str]:
    """A source a reviewer cannot open and date is not a source."""
    problems = []
    for source in topic.sources:
        if not source.url:
            problems.append(f"source '{source.title}' has no url; give the address a reviewer "
                            "can open")
        if not source.dated:
            problems.append(f"source '{source.title}' has no date; give year = (published) "
                            "or accessed = (the day it was read)")
    return problems


def check_topics(roots: Roots, topics: list[str] | None = None, lang: str | None = None,
                 level: str | None = None, max_grade: float | None = None,
                 today: _dt.date | None = None, clinics: list[str] | None = None,
                 ) -> list[VersionReport]:
    """Every version of every topic (or those named); with the lifecycle checks (review
    due dates, translations, safety boxes) and each clinic's own sections merged in."""
    targets = load_targets(roots)
    reports = []
    today = today or _dt.date.today()
    overrides, problems = lifecycle.overrides_by_version(roots, clinics)
    for problem in problems:
        if not topics or problem.topic in topics:
            reports.append(VersionReport(problem.topic, problem.lang, problem.level,
                                         Counts(0, 0, 0, 0), {}, [], "not measured",
                                         [problem.message], clinic=problem.clinic))
    for name in topics or topic_names(roots):
        topic = load_topic(roots, name)
        versions = [(code, name_) for code, name_ in topic.versions()
                    if (lang is None or code == lang) and (level is None or name_ == level)]
        if not versions:
            raise HandoutsError(f"topic '{name}' has no version matching "
                                f"{lang or 'any language'} / {level or 'any level'}; it has: "
                                + ", ".join(f"{c}/{v}" for c, v in topic.versions()))
        review = lifecycle.review_findings(topic, today)
        for version_lang, version_level in versions:
            checked = [None, *overrides.get((name, version_lang, version_level), [])]
            for override in checked:
                report = _checked(roots, name, version_lang, version_level, targets, max_grade,
                                  override)
                findings = lifecycle.version_findings(roots, topic, version_lang,
                                                      version_level, override, review)
                report.failures += findings.failures
                report.warnings += findings.warnings
                report.notes += findings.notes
                reports.append(report)
    return reports


def _checked(roots: Roots, topic: str, lang: str, level: str,
             targets: dict[str, LevelTarget], max_grade: float | None,
             override: ClinicOverride | None) -> VersionReport:
    """check_version; a version whose file cannot be read or lacks a section still gets a
    report (failed), so one broken file never hides the rest."""
    try:
        return check_version(roots, topic, lang, level, targets, max_grade, override)
    except HandoutsError as error:
        return VersionReport(topic, lang, level, Counts(0, 0, 0, 0), {}, [], "not measured",
                             [str(error)], clinic=override.clinic if override else None)


def format_table(reports: list[VersionReport]) -> str:
    lines = []
    for report in reports:
        s = report.scores
        status = "PASS" if report.passed else "FAIL"
        clinic = f"  [clinic {report.clinic}]" if report.clinic else ""
        lines.append(f"{report.topic}  {report.lang}  {report.level}{clinic}: {status}  "
                     f"(target {report.target})")
        if report.lang == "es":
            header = f"    {'section':<16}{'sent.':>6}{'words':>7}{'F-Huerta':>10}" \
                     f"{'INFLESZ':>9}{'SOL':>6}"
        else:
            header = f"    {'section':<16}{'sent.':>6}{'words':>7}{'F-K':>7}{'SMOG':>7}" \
                     f"{'FRE':>7}"
        lines.append(header)
        rows = report.sections + [("whole handout", report.counts, s)]
        for key, c, v in rows:
            if report.lang == "es":
                lines.append(f"    {key:<16}{c.sentences:>6}{c.words:>7}"
                             f"{v.get('fernandez_huerta', 0):>10.1f}"
                             f"{v.get('szigriszt_pazos', 0):>9.1f}{v.get('sol', 0):>6.1f}")
            else:
                lines.append(f"    {key:<16}{c.sentences:>6}{c.words:>7}"
                             f"{v.get('flesch_kincaid', 0):>7.1f}{v.get('smog', 0):>7.1f}"
                             f"{v.get('flesch_reading_ease', 0):>7.1f}")
        if report.lang == "es" and "szigriszt_pazos" in s:
            lines.append(f"    INFLESZ: {inflesz_band(s['szigriszt_pazos'])}")
        if report.pemat:
            shares = pemat.scores(report.pemat)
            lines.append("    PEMAT (automatic items): " + ", ".join(
                f"{domain} {share:.0f}% ({sum(i.met for i in report.pemat if i.domain == domain)}"
                f"/{sum(i.domain == domain for i in report.pemat)})"
                for domain, share in shares.items()))
        worst = report.worst_section
        if worst:
            key, v = worst
            if report.lang == "es":
                lines.append(f"    worst section: {key} (INFLESZ {v['szigriszt_pazos']:.1f})")
            else:
                lines.append(f"    worst section: {key} (SMOG {v['smog']:.1f}, "
                             f"Flesch-Kincaid {v['flesch_kincaid']:.1f})")
        if report.counts.sentences < 30:
            lines.append("    (SMOG is approximate below 30 sentences)")
        for failure in report.failures:
            lines.append(f"    fail: {failure}")
        lines += [f"    warn: {warning}" for warning in report.warnings]
        lines += [f"    note: {note}" for note in report.notes]
        for finding in report.findings:
            if finding.kind in ADVISORY:
                lines.append(f"    note: {finding.kind} in '{finding.section}': "
                             f"{finding.detail} \u2014 \"{finding.text}\"")
        lines.append("")
    passed = sum(r.passed for r in reports)
    lines.append(f"{passed} of {len(reports)} passed")
    return "\n".join(lines)


def write_json(reports: list[VersionReport]) -> str:
    import json

    return json.dumps({"passed": all(r.passed for r in reports),
                       "reports": [r.as_dict() for r in reports]}, indent=2,
                      ensure_ascii=False)



# ---- accessibility: the tagged PDF (and, in the tests, the HTML edition) ----------------

ACCESSIBILITY_LAYOUTS = ("letter", "a4", "large-print", "booklet-letter", "booklet-a4")


@dataclass
class AccessibilityReport:
    topic: str
    lang: str
    level: str
    layout: str
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {"topic": self.topic, "lang": self.lang, "level": self.level,
                "layout": self.layout, "passed": self.passed, "problems": self.problems}


def _comparable(text: str) -> str:
    """Text as both sides of the reading-order comparison see it: spaces collapsed, and a
    bracketed word dropped (the printed edition adds a link's address in brackets)."""
    import re

    return " ".join(re.sub(r"\s?\([^\s()]*\)", "", " ".join(text.split())).split())


def reading_units(document) -> list[str]:
    """The handout's text in the order of its Markdown: title, summary, then every block."""
    from handouts.document.model import (
        BulletList,
        Callout,
        Heading,
        NotesArea,
        Paragraph,
        Table,
        plain_text,
    )

    units = [document.title, document.summary]

    def walk(blocks) -> None:
        for block in blocks:
            if isinstance(block, Heading | Paragraph):
                units.append(plain_text(block.content))
            elif isinstance(block, BulletList):
                for item in block.items:
                    walk(item.blocks)
            elif isinstance(block, Callout):
                units.append(plain_text(block.title))
                walk(block.blocks)
            elif isinstance(block, NotesArea):
                units.append(plain_text(block.title))
                units.extend(block.fields)
            elif isinstance(block, Table):
                for row in (block.header, *block.rows):
                    units.extend(plain_text(cell) for cell in row)

    walk(document.intro)
    for section in document.sections:
        units.append(plain_text(section.heading.content))
        walk(section.blocks)
    units.extend(link.label for link in document.learn_more)
    return [unit for unit in (_comparable(u) for u in units) if unit]


def struct_text(pdf: bytes) -> list[str]:
    """The texts poppler's `pdfinfo -struct-text` prints, in the structure tree's order."""
    import shutil
    import subprocess
    import tempfile

    if shutil.which("pdfinfo") is None:
        raise HandoutsError("the accessibility check needs poppler's pdfinfo (Debian and "
                            "Ubuntu: apt install poppler-utils)")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        result = subprocess.run(["pdfinfo", "-struct-text", file.name], capture_output=True,
                                text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise HandoutsError(f"pdfinfo could not read the PDF: {result.stderr.strip()[:200]}")
    return [line.strip()[1:-1] for line in result.stdout.splitlines()
            if line.strip().startswith('"') and line.strip().endswith('"')]


def reading_order_problems(document, pdf: bytes) -> list[str]:
    """Each unit of the Markdown must be found in the tagged text, after the one before."""
    # pdfinfo prints each piece of marked content on its own: a paragraph continued on the
    # next page, or a word hyphenated there, comes in two pieces that join without a space
    tagged = _comparable("".join(struct_text(pdf)))
    position = 0
    for unit in reading_units(document):
        found = tagged.find(unit, position)
        if found < 0:
            where = "earlier" if tagged.find(unit) >= 0 else "nowhere"
            return [f"reading order: \u201c{unit[:60]}\u201d is {where} in the tagged text"]
        position = found + len(unit)
    return []


def structure_roles(pdf: bytes) -> list[str]:
    """The roles of the structure tree's elements, in reading order."""
    import io

    import pikepdf

    roles: list[str] = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root.get("/StructTreeRoot")
        if root is None:
            return roles
        stack = [root.get("/K")]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(reversed(list(node)))
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                roles.append(str(node.S)[1:])
                if "/K" in node:
                    stack.append(node.K)
    return roles


def heading_problems(roles: list[str]) -> list[str]:
    """One H1 first; no heading more than one level below the heading before it."""
    levels = [int(role[1]) for role in roles if len(role) == 2 and role[0] == "H"
              and role[1].isdigit()]
    if not levels or levels[0] != 1 or levels.count(1) != 1:
        return [f"headings: expected one H1 first, found levels {levels[:6]}"]
    return [f"headings: H{after} follows H{before}"
            for before, after in zip(levels, levels[1:], strict=False) if after > before + 1]


def pdfua_problems(pdf: bytes) -> list[str]:
    """Errors and warnings of the machine-checkable PDF/UA-1 rules (the pdfua package)."""
    import tempfile

    from pdfua import Severity, validate

    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        report = validate(file.name)
    problems = [f"PDF/UA {finding.rule_id}: {finding.message}" for finding in report.findings
                if finding.severity in (Severity.ERROR, Severity.WARNING)]
    problems += [f"PDF/UA {outcome.rule_id} could not run: {outcome.skipped_reason}"
                 for outcome in report.outcomes if outcome.skipped_reason]
    return problems


def check_accessibility(roots: Roots, clinic: str, topics: list[str] | None = None,
                        lang: str | None = None, level: str | None = None,
                        layouts: tuple[str, ...] = ACCESSIBILITY_LAYOUTS,
                        ) -> list[AccessibilityReport]:
    """Build each version's reader's PDF (booklets unimposed) and check it: PDF/UA-1 rules,
    reading order against the Markdown, heading levels, and the document's language."""
    import io

    import pikepdf

    from handouts.build import build_handout

    reports = []
    for name in topics or topic_names(roots):
        topic = load_topic(roots, name)
        for version_lang, version_level in topic.versions():
            if (lang and version_lang != lang) or (level and version_level != level):
                continue
            for layout in layouts:
                handout = build_handout(roots, name, clinic, layout,
                                        Options(lang=version_lang, level=version_level,
                                                date=_dt.date(2000, 1, 1)))
                pdf = handout.pdf
                report = AccessibilityReport(name, version_lang, version_level, layout)
                report.problems += pdfua_problems(pdf)
                report.problems += reading_order_problems(handout.document, pdf)
                report.problems += heading_problems(structure_roles(pdf))
                with pikepdf.open(io.BytesIO(pdf)) as document:
                    declared = str(document.Root.get("/Lang", ""))
                if declared != version_lang:
                    report.problems.append(f"language: the PDF declares '{declared}', "
                                           f"not '{version_lang}'")
                reports.append(report)
    return reports


def format_accessibility(reports: list[AccessibilityReport]) -> str:
    lines = []
    for report in reports:
        status = "PASS" if report.passed else "FAIL"
        lines.append(f"{report.topic}  {report.lang}  {report.level}  {report.layout}: {status}")
        lines.extend(f"    fail: {problem}" for problem in report.problems)
    lines.append(f"{sum(r.passed for r in reports)} of {len(reports)} passed "
                 "(PDF/UA-1 rules, reading order, headings, language)")
    return "\n".join(lines)
