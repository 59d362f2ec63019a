"""Keeping content current: review due dates, translations against the English they were
made from, clinic sections against the shipped text they replaced."""

from __future__ import annotations

import datetime as _dt
import difflib
from dataclasses import dataclass, field

from handouts.document.assemble import Options, placeholder_context, render_sections
from handouts.document.model import Block, BulletList, Callout, Section
from handouts.errors import HandoutsError, Warnings
from handouts.finishing.atomic_write import write_atomically
from handouts.inputs.clinic_content import (
    ClinicOverride,
    base_file_text,
    load_override,
    overridden_versions,
    override_path,
)
from handouts.inputs.clinics import clinic_names, load_clinic
from handouts.inputs.paths import Roots
from handouts.inputs.section_digests import (
    OPENING,
    part_name,
    section_digest,
    section_digests,
    split_sections,
)
from handouts.inputs.topics import Topic, load_topic, read_markdown
from handouts.inputs.translations import (
    SOURCE_LANGUAGE,
    TranslationRecord,
    load_translations,
    translation_file_text,
    translation_path,
)

REVIEW_WARNING_DAYS = 60
TODO = "TODO"  # what `handouts new-topic` leaves for an author to replace
SAFETY_BOXES = {"emergency": "911", "call": "call your care team"}
_NEUTRAL_DAY = _dt.date(2000, 1, 1)
Version = tuple[tuple[Block, ...], tuple[Section, ...]]  # opening blocks, sections


@dataclass
class Findings:
    """What the lifecycle checks found for one version: failures fail `handouts check`;
    warnings fail it only with --strict; notes are information."""

    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def extend(self, other: Findings) -> None:
        self.failures += other.failures
        self.warnings += other.warnings
        self.notes += other.notes


# ---- review dates ----------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewStatus:
    topic: str
    reviewed: _dt.date
    reviewed_by: str
    due: _dt.date
    days_left: int
    state: str  # current | due-soon | overdue | future

    def message(self) -> str:
        reviewed = f"reviewed {self.reviewed.isoformat()} by {self.reviewed_by}"
        if self.state == "overdue":
            return (f"review overdue: {self.topic} was due for clinical review on "
                    f"{self.due.isoformat()} ({reviewed}); review it, then set 'reviewed' "
                    "and 'reviewed_by' in topic.toml")
        if self.state == "due-soon":
            return (f"review due in {self.days_left} days: {self.topic} is due for clinical "
                    f"review on {self.due.isoformat()} ({reviewed})")
        if self.state == "future":
            return (f"'reviewed' is {self.reviewed.isoformat()}, a date still to come; "
                    "give the date the review was done")
        return f"review due {self.due.isoformat()} ({reviewed})"


def review_status(topic: Topic, today: _dt.date) -> ReviewStatus:
    due = topic.review_due
    days_left = (due - today).days
    state = ("future" if topic.reviewed > today else "overdue" if days_left < 0 else
             "due-soon" if days_left <= REVIEW_WARNING_DAYS else "current")
    return ReviewStatus(topic.slug, topic.reviewed, topic.reviewed_by, due, days_left, state)


def review_findings(topic: Topic, today: _dt.date) -> Findings:
    status = review_status(topic, today)
    findings = Findings()
    target = {"overdue": findings.failures, "future": findings.failures,
              "due-soon": findings.warnings}.get(status.state)
    if target is not None:
        target.append(status.message())
    return findings


def version_findings(roots: Roots, topic: Topic, lang: str, level: str,
                     override: ClinicOverride | None, review: Findings) -> Findings:
    """The lifecycle checks of one version: for the shipped text its review and its
    translation; for a clinic's merged text, its own sections."""
    findings = Findings()
    if override is None:
        findings.extend(review)
        findings.failures += placeholder_failures(topic, lang, level)
        findings.extend(translation_findings(roots, topic, lang, level))
    else:
        findings.extend(override_findings(roots, topic, override))
    return findings


def placeholder_failures(topic: Topic, lang: str, level: str) -> list[str]:
    """A skeleton from `handouts new-topic` is not a handout until every TODO is replaced."""
    places = [key for key, text in split_sections(read_markdown(
        topic.markdown_path(lang, level), Warnings()))[1].items() if TODO in text]
    language = topic.language(lang)
    fields = {"reviewed_by": topic.reviewed_by, f"languages.{lang}.title": language.title,
              f"languages.{lang}.summary": language.summary(level)}
    fields.update({f"sources[{i}]": f"{s.title} {s.publisher} {s.url or ''}"
                   for i, s in enumerate(topic.sources)})
    failures = []
    if places:
        failures.append(f"{lang}/{level}: unfinished ({TODO}) in "
                        + ", ".join(f"'{key}'" for key in places))
    keys = [key for key, value in fields.items() if TODO in value]
    if keys:
        failures.append(f"topic.toml: unfinished ({TODO}) in {', '.join(keys)}")
    return failures


@dataclass(frozen=True)
class OverrideProblem:
    """A clinic file that cannot be used: unknown topic or version, or a broken file."""

    clinic: str
    topic: str
    lang: str
    level: str
    message: str


def overrides_by_version(roots: Roots, clinics: list[str] | None = None,
                         ) -> tuple[dict[tuple[str, str, str], list[ClinicOverride]],
                                    list[OverrideProblem]]:
    """Every clinic's own sections (or the named clinics'), by (topic, lang, level)."""
    known = clinic_names(roots)
    for name in clinics or ():
        if name not in known:
            raise HandoutsError(f"unknown clinic '{name}' (clinics: {', '.join(known)})")
    found: dict[tuple[str, str, str], list[ClinicOverride]] = {}
    problems = []
    topics: dict[str, Topic | None] = {}
    for clinic in clinics or known:
        for topic_slug, lang, level in overridden_versions(roots.clinics / clinic):
            if topic_slug not in topics:
                try:
                    topics[topic_slug] = load_topic(roots, topic_slug)
                except HandoutsError:
                    topics[topic_slug] = None
            topic = topics[topic_slug]
            try:
                if topic is None:
                    raise HandoutsError(f"clinic '{clinic}' has its own sections for "
                                        f"'{topic_slug}', which is not a topic")
                topic.markdown_path(lang, level)
                override = load_override(roots.clinics / clinic, clinic, topic, lang, level)
            except HandoutsError as error:
                problems.append(OverrideProblem(clinic, topic_slug, lang, level, str(error)))
                continue
            if override is not None:
                found.setdefault((topic_slug, lang, level), []).append(override)
    return found, problems


# ---- the safety boxes every version keeps -------------------------------------------

def safety_boxes(version: Version) -> dict[str, set[str]]:
    """Section key (OPENING for the text before the first) -> the kinds of 911 and
    call-your-team boxes in it."""
    intro, sections = version
    parts = [(OPENING, intro)] + [(section.key, section.blocks) for section in sections]
    return {key: {kind for kind in _callout_kinds(blocks) if kind in SAFETY_BOXES}
            for key, blocks in parts}


def _callout_kinds(blocks: tuple[Block, ...]):
    for block in blocks:
        if isinstance(block, Callout):
            yield block.kind
            yield from _callout_kinds(block.blocks)
        elif isinstance(block, BulletList):
            for item in block.items:
                yield from _callout_kinds(item.blocks)


def box_failures(name: str, version: Version, reference: str,
                 reference_version: Version) -> list[str]:
    """Every 911 and call box of the reference (the English, or the shipped text) must be
    in the same section of this version."""
    have = safety_boxes(version)
    failures = []
    for key, kinds in safety_boxes(reference_version).items():
        for kind in sorted(kinds - have.get(key, set())):
            where = ("the opening (before the first section)" if key == OPENING else
                     f"section '{key}'" if key in have else f"the missing section '{key}'")
            failures.append(f"{name}: {where} has no {kind} box ({SAFETY_BOXES[kind]}); "
                            f"{reference} has one")
    return failures


def rendered(roots: Roots, topic: Topic, lang: str, level: str,
             override: ClinicOverride | None = None) -> Version:
    """A version's opening blocks and sections, with neutral clinic values."""
    options = Options(lang=lang, level=level)
    return render_sections(roots, topic, options,
                           placeholder_context(topic, options, _NEUTRAL_DAY), Warnings(),
                           override)


# ---- translations ----------------------------------------------------------------------

def translation_findings(roots: Roots, topic: Topic, lang: str, level: str) -> Findings:
    """A translation against the English it was made from: sections changed since, missing
    safety boxes."""
    findings = Findings()
    source = SOURCE_LANGUAGE
    if lang == source:
        return findings
    version, source_version = f"{lang}/{level}", f"{source}/{level}"
    if source not in topic.languages or level not in topic.languages[source].levels:
        findings.notes.append(f"{version}: no {source_version} to compare with")
        return findings
    try:
        findings.failures += box_failures(version, rendered(roots, topic, lang, level),
                                          source_version, rendered(roots, topic, source, level))
    except HandoutsError:
        pass  # the version's own check reports the broken file
    record = load_translations(topic, lang).get(level)
    current = source_digests(topic, source, level)
    command = mark_current_command(topic.slug, lang, level)
    if record is None:
        findings.warnings.append(
            f"{version}: no record of the {source_version} text it was translated from; "
            f"once it matches, run: {command}")
        return findings
    findings.notes.append(f"{version}: translated by {record.translated_by}, reviewed by "
                          f"{record.reviewed_by}, marked current {record.marked.isoformat()}")
    behind = [key for key, digest in current.items() if record.sections.get(key) != digest]
    for key in behind:
        change = "is new in" if key not in record.sections else "is behind"
        findings.warnings.append(
            f"{version}: {part_name(key)} {change} {source_version} (the English changed "
            f"after this translation was marked current on {record.marked.isoformat()})")
    if behind:
        findings.warnings.append(f"{version}: after updating the translation, run: {command}")
    return findings


def source_digests(topic: Topic, lang: str, level: str) -> dict[str, str]:
    return section_digests(read_markdown(topic.markdown_path(lang, level), Warnings()))


def mark_current_command(topic: str, lang: str, level: str) -> str:
    return f"handouts translation mark-current {topic} --lang {lang} --level {level}"


def mark_translation_current(roots: Roots, topic_slug: str, lang: str,
                             levels: tuple[str, ...] = (), translated_by: str | None = None,
                             reviewed_by: str | None = None, today: _dt.date | None = None,
                             ) -> list[TranslationRecord]:
    """Record that a translation now says what the current English says: the English
    section digests, who translated and reviewed it, and today's date."""
    topic = load_topic(roots, topic_slug)
    if lang == SOURCE_LANGUAGE:
        raise HandoutsError(f"'{lang}' is the language others are translated from; give the "
                            "translated language, like --lang es")
    language = topic.language(lang)
    for level in levels:
        topic.markdown_path(lang, level)
    records = load_translations(topic, lang)
    marked = []
    for level in levels or language.levels:
        if level not in topic.language(SOURCE_LANGUAGE).levels:
            raise HandoutsError(f"{topic.slug} has no {SOURCE_LANGUAGE}/{level} to translate "
                                "from")
        sections = rendered(roots, topic, lang, level)  # refuses a version missing sections
        failures = box_failures(f"{lang}/{level}", sections, f"{SOURCE_LANGUAGE}/{level}",
                                rendered(roots, topic, SOURCE_LANGUAGE, level))
        if failures:
            raise HandoutsError(f"not marked: {failures[0]}")
        previous = records.get(level)
        by = _clean(translated_by) or (previous.translated_by if previous else None)
        checked_by = _clean(reviewed_by) or (previous.reviewed_by if previous else None)
        if not by or not checked_by:
            raise HandoutsError(f"say who translated and who reviewed {lang}/{level}: "
                                "--translated-by NAME --reviewed-by NAME")
        records[level] = TranslationRecord(
            lang, level, SOURCE_LANGUAGE, by, checked_by, today or _dt.date.today(),
            source_digests(topic, SOURCE_LANGUAGE, level))
        marked.append(records[level])
    write_atomically(translation_path(topic, lang),
                     translation_file_text(SOURCE_LANGUAGE, records).encode())
    return marked


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    if len(text) > 120:
        raise HandoutsError("a name or role may be up to 120 characters")
    return text or None


# ---- clinic overrides ------------------------------------------------------------------

def override_findings(roots: Roots, topic: Topic, override: ClinicOverride) -> Findings:
    """What a clinic changed, whether the shipped text changed under it since, and whether
    its version still has every safety box."""
    findings = Findings()
    version = f"{override.clinic} {override.version}"
    parts = [f"adapts '{key}'" for key in override.replaced]
    parts += [f"adds '{key}' ({where} '{anchor}')" for key, where, anchor in override.added]
    findings.notes.append(f"{version}: {', '.join(parts)} ({_shown(roots, override)})")
    shipped = split_sections(read_markdown(
        topic.markdown_path(override.lang, override.level), Warnings()))[1]
    command = override_command("diff", override)
    for key in override.replaced:
        base = override.base_sections.get(key)
        if base is None:
            findings.warnings.append(
                f"{version}: there is no record of the shipped '{key}' text the clinic's "
                f"version was made from; compare them, then run: "
                f"{override_command('mark-current', override)} --section {key}")
        elif section_digest(base) != section_digest(shipped.get(key, "")):
            since = (f" since {override.base_date.isoformat()}" if override.base_date
                     else "")
            findings.warnings.append(
                f"{version}: the shipped '{key}' section changed{since}, after the clinic's "
                f"version was written; review your version (see the change: {command} "
                f"--section {key}; then: {override_command('mark-current', override)} "
                f"--section {key})")
    try:
        merged = rendered(roots, topic, override.lang, override.level, override)
        findings.failures += box_failures(version, merged, f"the shipped {override.version}",
                                          rendered(roots, topic, override.lang,
                                                   override.level))
    except HandoutsError as error:
        findings.failures.append(f"{version}: {error}")
    return findings


def _shown(roots: Roots, override: ClinicOverride) -> str:
    try:
        return str(override.path.relative_to(roots.clinics.parent))
    except ValueError:
        return str(override.path)


def override_command(action: str, override: ClinicOverride) -> str:
    return (f"handouts override {action} {override.topic} --clinic {override.clinic} "
            f"--lang {override.lang} --level {override.level}")


def clinic_override(roots: Roots, clinic: str, topic: Topic, lang: str, level: str,
                    ) -> ClinicOverride | None:
    profile = load_clinic(roots, clinic)
    topic.markdown_path(lang, level)
    return load_override(profile.blocks_dir, clinic, topic, lang, level)


def start_override(roots: Roots, clinic: str, topic_slug: str, lang: str, level: str,
                   sections: tuple[str, ...], today: _dt.date | None = None):
    """Copy shipped sections into the clinic's own file, to edit there, and record the
    shipped text they came from. Sections already adapted are left as they are."""
    topic = load_topic(roots, topic_slug)
    profile = load_clinic(roots, clinic)
    shipped = split_sections(read_markdown(topic.markdown_path(lang, level), Warnings()))[1]
    unknown = [key for key in sections if key not in shipped]
    if unknown or not sections:
        raise HandoutsError(f"name sections of {topic.slug} to adapt with --section (one of: "
                            f"{', '.join(topic.section_keys)})")
    path = override_path(profile.blocks_dir, topic.slug, lang, level)
    existing = load_override(profile.blocks_dir, clinic, topic, lang, level)
    have = existing.keys if existing else ()
    new = [key for key in sections if key not in have]
    text = path.read_text(encoding="utf-8") if existing else (
        f"<!-- {profile.name}'s own sections of {topic.slug} ({lang}, {level}). Each replaces "
        "the shipped\n     section with the same key; add a section of your own with "
        "'## Title {#key after=get-help}'. -->\n")
    for key in new:
        text = text.rstrip("\n") + "\n\n" + shipped[key]
    write_atomically(path, text.encode())
    _write_base(profile.blocks_dir, clinic, topic, lang, level, shipped, today)
    return path, new


def mark_override_current(roots: Roots, clinic: str, topic_slug: str, lang: str, level: str,
                          sections: tuple[str, ...] = (), today: _dt.date | None = None,
                          ) -> list[str]:
    """Record that the clinic has reviewed its versions against today's shipped text."""
    topic = load_topic(roots, topic_slug)
    override = clinic_override(roots, clinic, topic, lang, level)
    if override is None:
        raise HandoutsError(f"clinic '{clinic}' has no sections of its own for {topic.slug} "
                            f"{lang}/{level}")
    unknown = [key for key in sections if key not in override.replaced]
    if unknown:
        raise HandoutsError(f"'{unknown[0]}' is not one of the clinic's versions of shipped "
                            f"sections ({', '.join(override.replaced) or 'none'})")
    shipped = split_sections(read_markdown(topic.markdown_path(lang, level), Warnings()))[1]
    keys = sections or override.replaced
    profile = load_clinic(roots, clinic)
    _write_base(profile.blocks_dir, clinic, topic, lang, level, shipped, today, keys)
    return list(keys)


def _write_base(clinic_folder, clinic: str, topic: Topic, lang: str, level: str,
                shipped: dict[str, str], today: _dt.date | None,
                refresh: tuple[str, ...] | None = None) -> None:
    """<level>.base.md: for each of the clinic's sections, the shipped text it matches;
    `refresh` names those to bring up to date (the others keep what they had)."""
    override = load_override(clinic_folder, clinic, topic, lang, level)
    assert override is not None
    base = {}
    for key in override.replaced:
        keep = override.base_sections.get(key)
        base[key] = shipped[key] if keep is None or (refresh and key in refresh) else keep
    write_atomically(override.base_path,
                     base_file_text(base, today or _dt.date.today()).encode())


def override_diff(roots: Roots, clinic: str, topic_slug: str, lang: str, level: str,
                  sections: tuple[str, ...] = ()) -> str:
    """How each shipped section changed since the clinic's version was made from it (a
    unified diff), and the clinic's version beside today's shipped text."""
    topic = load_topic(roots, topic_slug)
    override = clinic_override(roots, clinic, topic, lang, level)
    if override is None:
        raise HandoutsError(f"clinic '{clinic}' has no sections of its own for {topic.slug} "
                            f"{lang}/{level}")
    shipped = split_sections(read_markdown(topic.markdown_path(lang, level), Warnings()))[1]
    own = split_sections(override.text)[1]
    out = []
    for key in sections or override.replaced:
        if key not in override.replaced:
            raise HandoutsError(f"'{key}' is not one of the clinic's versions of shipped "
                                f"sections ({', '.join(override.replaced)})")
        base = override.base_sections.get(key)
        now = shipped.get(key, "")
        if base is None:
            out.append(f"'{key}': no record of the shipped text the clinic's version was made "
                       "from; the clinic's version against today's shipped text:")
            out += _diff(own.get(key, ""), now, f"{clinic}'s {key}", f"shipped {key} (now)")
        elif section_digest(base) == section_digest(now):
            out.append(f"'{key}': the shipped text has not changed since the clinic's version "
                       "was written")
        else:
            since = override.base_date.isoformat() if override.base_date else "then"
            out.append(f"'{key}': what changed in the shipped text since {since}:")
            out += _diff(base, now, f"shipped {key} ({since})", f"shipped {key} (now)")
    return "\n".join(out)


def _diff(old: str, new: str, old_name: str, new_name: str) -> list[str]:
    return [line.rstrip("\n") for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, lineterm="")]
