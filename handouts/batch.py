"""Building many handouts at once: plans, parallel builds, skipping what is up to date."""

from __future__ import annotations

import concurrent.futures
import datetime as _dt
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from handouts import __version__
from handouts.errors import HandoutsError
from handouts.finishing.atomic_write import write_atomically
from handouts.inputs.paths import Roots, checked_name
from handouts.inputs.safe_files import read_toml
from handouts.inputs.toml_tables import TableReader
from handouts.inputs.topics import BLOCKS_FOLDER, load_topic, topic_names

STATE_FILE = ".handouts-build.json"


@dataclass(frozen=True)
class BatchItem:
    topic: str
    clinic: str
    lang: str
    level: str
    layout: str
    copies: int = 1

    @property
    def output_name(self) -> str:
        return f"{self.topic}-{self.clinic}-{self.lang}-{self.level}-{self.layout}.pdf"

    @property
    def label(self) -> str:
        return f"{self.topic} ({self.clinic}, {self.lang}, {self.level}, {self.layout})"


@dataclass(frozen=True)
class Plan:
    items: tuple[BatchItem, ...]
    output_dir: Path
    pack: str | None = None  # file names inside the output folder, wherever it ends up
    manifest: str | None = None
    separator: bool = False
    date: _dt.date | None = None


@dataclass
class ItemResult:
    item: BatchItem
    status: str  # built | skipped | failed
    path: Path | None = None
    pages: int = 0
    reason: str = ""
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    form_id: str = ""  # which text was printed: "BM-EN-EASY \u00b7 2026-11 \u00b7 7f3a9c"


def load_plan(path: Path) -> Plan:
    """A plan file: where to write, and [[print]] entries expanded into items."""
    table = TableReader(read_toml(path), path)
    base = path.parent
    output = base / table.text("output", "output")
    pack = table.text("pack", required=False)
    manifest = table.text("manifest", required=False)
    separator = table.boolean("separator", False)
    date = table.date("date") if table.has("date") else None
    items: list[BatchItem] = []
    entries = table.tables("print")
    if not entries:
        raise HandoutsError("the plan lists nothing to print: add [[print]] entries", path)
    for entry in entries:
        lists = {key: entry.text_list(key) for key in ("clinics", "topics")}
        for key, default in (("languages", ["en"]), ("levels", ["standard"]),
                             ("layouts", ["letter"])):
            lists[key] = entry.text_list(key, required=False) or default
        copies = int(entry.number("copies", 1, minimum=1, maximum=500))
        entry.finish()
        for clinic in lists["clinics"]:
            for topic in lists["topics"]:
                for lang in lists["languages"]:
                    for level in lists["levels"]:
                        for layout in lists["layouts"]:
                            items.append(BatchItem(topic, clinic, lang, level, layout, copies))
    table.finish()
    for key, name in (("pack", pack), ("manifest", manifest)):
        if name and ("/" in name or "\\" in name or name.startswith(".")):
            raise HandoutsError(f"key '{key}': give a file name, without folders; it is "
                                "written in the output folder", path)
    return Plan(tuple(items), output, pack, manifest, separator, date)


def expand_all_topics(roots: Roots, items: Iterable[BatchItem]) -> list[BatchItem]:
    """'*' as a topic means every topic, in every language and level it has."""
    expanded: list[BatchItem] = []
    for item in items:
        if item.topic != "*":
            expanded.append(item)
            continue
        for name in topic_names(roots):
            for lang, level in load_topic(roots, name).versions():
                expanded.append(BatchItem(name, item.clinic, lang, level, item.layout,
                                          item.copies))
    return expanded


def every_version(roots: Roots, clinic: str, layouts: Iterable[str]) -> list[BatchItem]:
    """Every shipped topic in every language and level, for one clinic."""
    return expand_all_topics(roots, [BatchItem("*", clinic, "", "", layout)
                                     for layout in layouts])


def input_hash(roots: Roots, item: BatchItem, date: _dt.date, impose: bool,
               file_digests: dict[Path, bytes] | None = None) -> str:
    """A digest of everything that goes into one output; unchanged means skip.
    file_digests keeps each file's digest for the rest of a run (many items share files)."""
    file_digests = {} if file_digests is None else file_digests
    digest = hashlib.sha256()
    made_of = {key: value for key, value in asdict(item).items() if key != "copies"}
    digest.update(json.dumps([__version__, made_of, date.isoformat(), impose]).encode())
    files = [roots.clinics / f"{item.clinic}.toml", roots.layouts / f"{item.layout}.toml"]
    folders = [roots.content / item.topic, roots.content / BLOCKS_FOLDER / item.lang,
               roots.clinics / item.clinic, roots.content / "_glossary"]
    clinic_profile = roots.clinics / f"{item.clinic}.toml"
    try:
        logo = read_toml(clinic_profile).get("logo")
        if isinstance(logo, str):
            files.append(roots.clinics / logo)
    except HandoutsError:
        pass  # the build itself reports the broken profile
    for folder in folders:
        if folder.is_dir():
            files.extend(sorted(p for p in folder.rglob("*") if p.is_file()))
    for path in files:
        if path not in file_digests:
            try:
                file_digests[path] = hashlib.sha256(path.read_bytes()).digest()
            except OSError:
                file_digests[path] = b"<missing>"
        digest.update(str(path).encode())
        digest.update(file_digests[path])
    return digest.hexdigest()


def _build_one(roots: Roots, item: BatchItem, output: Path, date: _dt.date, impose: bool,
               marks: bool) -> ItemResult:
    """Runs in a worker process: build, write, report (never raises)."""
    from handouts.build import build_handout, print_ready
    from handouts.document.assemble import Options

    started = time.perf_counter()
    try:
        handout = build_handout(roots, item.topic, item.clinic, item.layout,
                                Options(lang=item.lang, level=item.level, date=date))
        data = print_ready(handout, impose, marks)
        write_atomically(output, data)
        import io

        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(data)).pages)
        return ItemResult(item, "built", output, pages,
                          seconds=time.perf_counter() - started,
                          warnings=list(handout.warnings), form_id=handout.document.form_id)
    except HandoutsError as error:
        return ItemResult(item, "failed", reason=str(error),
                          seconds=time.perf_counter() - started)
    except Exception as error:  # one broken item never stops the batch
        return ItemResult(item, "failed", reason=f"unexpected {type(error).__name__}: {error}",
                          seconds=time.perf_counter() - started)


def run_batch(roots: Roots, items: Iterable[BatchItem], output_dir: Path, *,
              date: _dt.date | None = None, force: bool = False, impose: bool = True,
              marks: bool = False, jobs: int | None = None,
              on_result: Callable[[ItemResult], None] | None = None) -> list[ItemResult]:
    """Build every item (in parallel), skipping outputs whose inputs have not changed."""
    from handouts.build import generation_date

    items = expand_all_topics(roots, items)
    date = generation_date(date)
    state_path = output_dir / STATE_FILE
    state = _read_state(state_path)
    results: dict[int, ItemResult] = {}
    todo: list[tuple[int, BatchItem, Path, str]] = []
    file_digests: dict[Path, bytes] = {}
    for index, item in enumerate(items):
        try:
            _check_names(item)  # before any path is made from them
        except HandoutsError as error:
            results[index] = ItemResult(item, "failed", reason=str(error))
            if on_result:
                on_result(results[index])
            continue
        output = output_dir / item.output_name
        digest = input_hash(roots, item, date, impose, file_digests)
        if not force and state.get(item.output_name) == digest and output.is_file():
            pages, form_id = _pdf_facts(output)
            result = ItemResult(item, "skipped", output, pages, reason="up to date",
                                form_id=form_id)
            results[index] = result
            if on_result:
                on_result(result)
        else:
            todo.append((index, item, output, digest))
    jobs = max(1, jobs or os.cpu_count() or 1)
    digests = {}
    if todo:
        if jobs == 1 or len(todo) == 1:
            finished = ((i, _build_one(roots, item, out, date, impose, marks))
                        for i, item, out, _ in todo)
            for index, result in finished:
                results[index] = result
                if on_result:
                    on_result(result)
        else:
            _warm_up()
            context = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
                futures = {pool.submit(_build_one, roots, item, out, date, impose, marks): i
                           for i, item, out, _ in todo}
                for future in concurrent.futures.as_completed(futures):
                    result = future.result()
                    results[futures[future]] = result
                    if on_result:
                        on_result(result)
        digests = {item.output_name: digest for _, item, _, digest in todo}
    for result in results.values():
        name = result.item.output_name
        if result.status == "built":
            state[name] = digests[name]
        elif result.status == "failed":
            state.pop(name, None)
    if todo:
        output_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(state_path, json.dumps(state, indent=1, sort_keys=True).encode())
    return [results[i] for i in range(len(items))]


def _check_names(item: BatchItem) -> None:
    for name, kind in ((item.topic, "topic"), (item.clinic, "clinic"), (item.layout, "layout"),
                       (item.lang, "language"), (item.level, "level")):
        checked_name(name, kind)


def _warm_up() -> None:
    """Register fonts once before forking, so every worker starts with them."""
    from handouts.layout.fonts import FALLBACK_FAMILY, coverage, family, known_families

    for name in known_families():
        coverage(family(name))
    coverage(family(FALLBACK_FAMILY))


def _read_state(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _pdf_facts(path: Path) -> tuple[int, str]:
    """Page count and form identifier (from the keywords) of an output already on disk."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        keywords = str((reader.metadata or {}).get("/Keywords", ""))
        form_id = next((word.strip()[5:] for word in keywords.split(",")
                        if word.strip().startswith("form:")), "")
        return len(reader.pages), form_id
    except Exception:  # an unreadable old output is rebuilt next time with --force
        return 0, ""


def manifest_rows(results: Sequence[ItemResult]) -> list[dict]:
    rows = []
    for result in results:
        item = result.item
        sheets = (result.pages + 1) // 2
        rows.append({
            "file": result.path.name if result.path else item.output_name,
            "topic": item.topic, "clinic": item.clinic, "lang": item.lang,
            "level": item.level, "layout": item.layout, "status": result.status,
            "copies": item.copies, "pages": result.pages, "sheets_per_copy": sheets,
            "sheets_total": sheets * item.copies, "reason": result.reason,
            "form_id": result.form_id,
        })
    return rows


def write_pack_and_manifest(results: Sequence[ItemResult], pack: Path | None,
                            manifest: Path | None, separator: bool = False) -> int | None:
    """The single print job and the manifest, from the items that exist on disk."""
    from handouts.finishing.pack import PackEntry, write_manifest, write_pack

    pages = None
    if pack is not None:
        entries = [PackEntry(r.path, r.item.label, r.item.copies, r.pages) for r in results
                   if r.status in ("built", "skipped") and r.path is not None]
        pages = write_pack(entries, pack, separator)
    if manifest is not None:
        write_manifest(manifest_rows(results), manifest)
    return pages


@dataclass(frozen=True)
class BatchJob:
    """What one batch run builds and where: from a plan file, or every topic for clinics."""
    items: tuple[BatchItem, ...]
    output_dir: Path
    pack: Path | None = None
    manifest: Path | None = None
    separator: bool = False
    date: _dt.date | None = None


@dataclass
class BatchSummary:
    results: list[ItemResult]
    pack_pages: int | None
    seconds: float

    def count(self, status: str) -> int:
        return sum(result.status == status for result in self.results)


def job_from_plan(path: Path, output_dir: Path | None = None, pack: Path | None = None,
                  manifest: Path | None = None, separator: bool = False,
                  date: _dt.date | None = None) -> BatchJob:
    """A plan file's job; options given here win over the plan's own."""
    plan = load_plan(path)
    output_dir = output_dir or plan.output_dir
    return BatchJob(plan.items, output_dir,
                    pack or (output_dir / plan.pack if plan.pack else None),
                    manifest or (output_dir / plan.manifest if plan.manifest else None),
                    separator or plan.separator, date or plan.date)


def job_for_clinics(clinics: Sequence[str], layouts: Sequence[str], copies: int = 1,
                    output_dir: Path | None = None, pack: Path | None = None,
                    manifest: Path | None = None, separator: bool = False,
                    date: _dt.date | None = None) -> BatchJob:
    """Every topic, language and level for each clinic and layout."""
    items = tuple(BatchItem("*", clinic, "", "", layout, copies)
                  for clinic in clinics for layout in (layouts or ("letter",)))
    return BatchJob(items, output_dir or Path("output"), pack, manifest, separator, date)


def expand_job(roots: Roots, job: BatchJob) -> BatchJob:
    """The job with '*' topics expanded into every topic, language and level."""
    return replace(job, items=tuple(expand_all_topics(roots, job.items)))


def run_job(roots: Roots, job: BatchJob, *, force: bool = False, impose: bool = True,
            marks: bool = False, jobs: int | None = None,
            on_result: Callable[[ItemResult], None] | None = None) -> BatchSummary:
    """Build a job's items, then its pack and manifest from the results in name order."""
    started = time.perf_counter()
    items = expand_all_topics(roots, job.items)
    results: list[ItemResult] = []

    def done(result: ItemResult) -> None:
        results.append(result)
        if on_result is not None:
            on_result(result)

    run_batch(roots, items, job.output_dir, date=job.date, force=force, impose=impose,
              marks=marks, jobs=jobs, on_result=done)
    ordered = sorted(results, key=lambda r: r.item.output_name)
    pages = write_pack_and_manifest(ordered, job.pack, job.manifest, job.separator)
    return BatchSummary(ordered, pages, time.perf_counter() - started)
