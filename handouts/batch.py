"""Building many handouts at once: plans, parallel builds, skipping what is up to date."""

from __future__ import annotations

import collections
import contextlib
import datetime as _dt
import hashlib
import json
import os
import pickle
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from handouts import __version__
from handouts.errors import HandoutsError
from handouts.finishing.atomic_write import write_atomically
from handouts.inputs.paths import Roots, checked_name
from handouts.inputs.safe_files import read_toml
from handouts.inputs.toml_tables import TableReader
from handouts.inputs.topics import BLOCKS_FOLDER, load_topic, topic_names

STATE_FILE = ".handouts-build.json"
LOCK_FILE = ".handouts-build.lock"
T = TypeVar("T")
R = TypeVar("R")


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
    digest: str = ""  # SHA-256 of the file written, recorded in the state file
    size: int = 0


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
        copies = entry.integer("copies", 1, minimum=1, maximum=500)
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


class _Inputs:
    """What a batch reads, read once: each profile, layout and topic, each folder's file list
    and each file's digest (many items share them)."""

    def __init__(self, roots: Roots):
        self.roots = roots
        self.loaded: dict[tuple[str, str], object] = {}
        self.listings: dict[Path, list[Path]] = {}
        self.digests: dict[Path, bytes] = {}

    def _load(self, kind: str, name: str, loader: Callable[[Roots, str], object]) -> object:
        key = (kind, name)
        if key not in self.loaded:
            try:
                self.loaded[key] = loader(self.roots, name)
            except HandoutsError as error:
                self.loaded[key] = error
        value = self.loaded[key]
        if isinstance(value, HandoutsError):
            raise value
        return value

    def clinic(self, name: str):
        from handouts.inputs.clinics import load_clinic

        return self._load("clinic", name, load_clinic)

    def layout(self, name: str):
        from handouts.inputs.layouts import load_layout

        return self._load("layout", name, load_layout)

    def topic(self, name: str):
        return self._load("topic", name, load_topic)

    def files_in(self, folder: Path) -> list[Path]:
        if folder not in self.listings:
            self.listings[folder] = (sorted(p for p in folder.rglob("*") if p.is_file())
                                     if folder.is_dir() else [])
        return self.listings[folder]

    def digest(self, path: Path) -> bytes:
        if path not in self.digests:
            self.digests[path] = _file_digest(path)
        return self.digests[path]


def _file_digest(path: Path) -> bytes:
    """A regular file's SHA-256, read in pieces; anything else (a device, a missing file)
    digests to a marker: the build reports it."""
    try:
        if not path.is_file() or path.stat().st_size > 64 * 2**20:
            return b"<not a regular file>"
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.digest()
    except OSError:
        return b"<missing>"


def input_hash(roots: Roots, item: BatchItem, date: _dt.date, impose: bool,
               inputs: _Inputs | None = None, marks: bool | str = False) -> str:
    """A digest of everything that goes into one output; unchanged means skip."""
    inputs = inputs or _Inputs(roots)
    digest = hashlib.sha256()
    made_of = {key: value for key, value in asdict(item).items() if key != "copies"}
    digest.update(json.dumps([__version__, made_of, date.isoformat(), impose,
                              marks or False]).encode())
    files = [roots.clinics / f"{item.clinic}.toml", roots.layouts / f"{item.layout}.toml"]
    folders = [roots.content / item.topic, roots.content / BLOCKS_FOLDER / item.lang,
               roots.clinics / item.clinic, roots.content / "_glossary"]
    try:
        files.append(inputs.clinic(item.clinic).logo_path)
    except HandoutsError:
        pass  # the build itself reports the broken profile
    for folder in folders:
        files.extend(inputs.files_in(folder))
    for path in files:
        digest.update(str(path).encode())
        digest.update(inputs.digest(path))
    return digest.hexdigest()


def _build_one(roots: Roots, item: BatchItem, output: Path, date: _dt.date, impose: bool,
               marks: bool | str, inputs: _Inputs | None = None) -> ItemResult:
    """Build, write, report (never raises); in this process or a worker."""
    from handouts.build import build_handout, print_ready
    from handouts.document.assemble import Options

    inputs = inputs or _Inputs(roots)
    started = time.perf_counter()
    try:
        handout = build_handout(roots, item.topic, item.clinic, item.layout,
                                Options(lang=item.lang, level=item.level, date=date),
                                clinic=inputs.clinic(item.clinic), topic=inputs.topic(item.topic),
                                layout=inputs.layout(item.layout))
        # marks belong to imposed booklets; flat items in the same batch are built without
        item_marks = marks if handout.layout.booklet is not None and impose else False
        data = print_ready(handout, impose, item_marks)
        # no fsync per file: the state file records each output's digest, and a rerun
        # rebuilds any output that does not match it
        write_atomically(output, data, durable=False)
        return ItemResult(item, "built", output, handout.print_pages(impose),
                          seconds=time.perf_counter() - started,
                          warnings=list(handout.warnings), form_id=handout.document.form_id,
                          digest=hashlib.sha256(data).hexdigest(), size=len(data))
    except HandoutsError as error:
        return ItemResult(item, "failed", reason=str(error),
                          seconds=time.perf_counter() - started)
    except MemoryError:
        return ItemResult(item, "failed", reason="ran out of memory while building it",
                          seconds=time.perf_counter() - started)
    except Exception as error:  # one broken item never stops the batch
        return ItemResult(item, "failed", reason=f"unexpected {type(error).__name__}: {error}",
                          seconds=time.perf_counter() - started)


# Below this many items a batch builds in its own process. Measured on the 2-core machine
# (2026-11-27): starting two workers costs about 0.25 s of CPU (forks, fonts, each worker's
# first template compiles and caches), the work of about four letter handouts, and on a busy
# machine the second core is often not free; from six items on the workers pay off.
IN_PROCESS_BELOW = 6


def run_batch(roots: Roots, items: Iterable[BatchItem], output_dir: Path, *,
              date: _dt.date | None = None, force: bool = False, impose: bool = True,
              marks: bool | str = False, jobs: int | None = None,
              on_result: Callable[[ItemResult], None] | None = None) -> list[ItemResult]:
    """Build every item (in parallel), skipping outputs that are verified up to date.

    The state file records, per output, the digest of its inputs and of the file written;
    an output is skipped only when both still match. An entry is dropped before its output
    is rebuilt and the state is saved after every item, so a batch killed half-way never
    leaves an entry that vouches for a file it did not write. A lock keeps a second batch
    out of the same folder."""
    from handouts.build import generation_date

    items = expand_all_topics(roots, items)
    date = generation_date(date)
    with _folder_lock(output_dir):
        return _run_locked(roots, items, output_dir, date, force, impose, marks, jobs,
                           on_result)


def _run_locked(roots: Roots, items: list[BatchItem], output_dir: Path, date: _dt.date,
                force: bool, impose: bool, marks: bool | str, jobs: int | None,
                on_result: Callable[[ItemResult], None] | None) -> list[ItemResult]:
    state = _State(output_dir / STATE_FILE)
    inputs = _Inputs(roots)
    results: dict[int, ItemResult] = {}
    todo: list[tuple[int, BatchItem, Path, str]] = []
    first_for_name: dict[str, BatchItem] = {}

    def report(index: int, result: ItemResult) -> None:
        results[index] = result
        if on_result:
            on_result(result)

    for index, item in enumerate(items):
        try:
            _check_names(item)  # before any path is made from them
        except HandoutsError as error:
            report(index, ItemResult(item, "failed", reason=str(error)))
            continue
        name = item.output_name
        earlier = first_for_name.setdefault(name, item)
        if earlier != item:
            report(index, ItemResult(item, "failed", reason=(
                f"its file name {name} is the same as that of {earlier.label}; rename a "
                "topic or clinic so that the names differ")))
            continue
        if earlier is not item and any(i == item for _, i, _, _ in todo):
            continue  # listed twice: built once, reported below
        output = output_dir / name
        digest = input_hash(roots, item, date, impose, inputs, marks)
        entry = state.entries.get(name)
        if not force and entry is not None and entry.get("inputs") == digest \
                and _output_matches(output, entry):
            report(index, ItemResult(item, "skipped", output, int(entry.get("pages", 0)),
                                     reason="up to date", form_id=str(entry.get("form_id", "")),
                                     digest=str(entry["output"]), size=int(entry["size"])))
        else:
            todo.append((index, item, output, digest))
    if todo:
        output_dir.mkdir(parents=True, exist_ok=True)
        for _, item, _, _ in todo:
            state.entries.pop(item.output_name, None)
        state.save()
    digests = {item.output_name: digest for _, item, _, digest in todo}

    def finished(index: int, result: ItemResult) -> None:
        name = result.item.output_name
        if result.status == "built":
            state.entries[name] = {"inputs": digests[name], "output": result.digest,
                                   "size": result.size, "pages": result.pages,
                                   "form_id": result.form_id}
            state.save()
        report(index, result)

    jobs = max(1, jobs or os.cpu_count() or 1)
    if jobs == 1 or len(todo) < IN_PROCESS_BELOW:
        for index, item, output, _ in todo:
            finished(index, _build_one(roots, item, output, date, impose, marks, inputs))
    else:
        _warm_up(inputs, todo)

        def build(task: tuple[int, BatchItem, Path, str]) -> ItemResult:
            _, item, output, _ = task
            return _build_one(roots, item, output, date, impose, marks, inputs)

        def died(task: tuple[int, BatchItem, Path, str], reason: str) -> ItemResult:
            return ItemResult(task[1], "failed", reason=reason)

        run_in_workers(todo, build, died, jobs,
                       lambda task, result: finished(task[0], result))
    if todo:
        state.save(durable=True)
    for index, item in enumerate(items):  # an item listed twice shares its first's result
        if index not in results:
            first = next(r for r in results.values() if r.item == item)
            report(index, replace(first, status="skipped" if first.status == "built"
                                  else first.status, reason=first.reason or "listed twice"))
    return [results[i] for i in range(len(items))]


def _output_matches(output: Path, entry: dict) -> bool:
    """The file on disk is the one the state recorded: same size, same digest."""
    try:
        if output.stat().st_size != int(entry.get("size", -1)):
            return False
        return _file_digest(output).hex() == entry.get("output")
    except (OSError, ValueError, TypeError):
        return False


class _State:
    """The batch state file: output name -> inputs digest, output digest, size, pages."""

    VERSION = 2

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, dict] = {}
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return  # missing or damaged: everything is rebuilt
        if isinstance(data, dict) and data.get("version") == self.VERSION \
                and isinstance(data.get("outputs"), dict):
            self.entries = {str(k): v for k, v in data["outputs"].items()
                            if isinstance(v, dict)}

    def save(self, durable: bool = False) -> None:
        data = {"version": self.VERSION, "outputs": self.entries}
        # saved after every item: compact, which json writes in C (indented, it writes in
        # Python: about 2 ms per item in a batch of 200, as long as writing the PDF)
        write_atomically(self.path, json.dumps(data, sort_keys=True,
                                               separators=(",", ":")).encode(),
                         durable=durable)


@contextlib.contextmanager
def _folder_lock(output_dir: Path) -> Iterator[None]:
    """One batch at a time per output folder; a second one stops with a clear error."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks here
        yield
        return
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        handle = open(output_dir / LOCK_FILE, "a+b")  # noqa: SIM115 - held for the whole run
    except OSError as error:
        raise HandoutsError(f"cannot use the output folder ({error.strerror})",
                            output_dir) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise HandoutsError("another batch is writing into this folder; wait for it to "
                                "finish or choose another output folder", output_dir) from None
        yield
    finally:
        handle.close()


def run_in_workers(tasks: Sequence[T], work: Callable[[T], R], died: Callable[[T, str], R],
                   jobs: int, done: Callable[[T, R], None]) -> None:
    """Run work(task) for every task in up to jobs forked worker processes; done(task, result)
    runs here as each finishes. A worker that dies (out of memory, a signal) fails only its
    task, with died(task, reason); a new worker takes its place."""
    from multiprocessing.connection import wait

    pending = list(enumerate(tasks))
    pending.reverse()
    workers: list[_BuildWorker] = []
    try:
        while pending or any(w.queue for w in workers):
            while pending and len(workers) < jobs:
                workers.append(_BuildWorker(work, tasks, workers))
            for worker in workers:  # one task ahead: a worker never waits for this process
                while pending and len(worker.queue) < 2:
                    worker.give(pending.pop())
            busy = {w.connection: w for w in workers if w.queue}
            for connection in wait(list(busy)):
                worker = busy[connection]
                _, task = worker.queue.popleft()
                try:
                    result = pickle.loads(connection.recv_bytes())
                except (EOFError, OSError):
                    result = died(task, worker.end())
                    workers.remove(worker)
                    pending.extend(reversed(worker.queue))  # the next one was not started
                done(task, result)
    finally:
        for worker in workers:
            worker.end(gently=True)


class _BuildWorker:
    """One forked worker process: task numbers in, results out, in order."""

    def __init__(self, work: Callable, tasks: Sequence, others: Sequence[_BuildWorker]):
        import socket
        from multiprocessing.connection import Connection

        from handouts.document.templating import fork_frozen

        parent_end, child_end = socket.socketpair()
        pid = fork_frozen()
        if pid == 0:
            code = 0
            try:
                parent_end.close()
                for other in others:  # else a sibling never sees its input end
                    other.connection.close()
                _serve_tasks(Connection(child_end.detach()), work, tasks)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        child_end.close()
        self.pid = pid
        self.connection = Connection(parent_end.detach())
        self.queue: collections.deque[tuple[int, object]] = collections.deque()

    def give(self, task: tuple[int, object]) -> None:
        self.queue.append(task)
        self.connection.send_bytes(pickle.dumps(task[0]))

    def end(self, gently: bool = False) -> str:
        """Stop the worker (politely: close its input and wait); the reason it ended."""
        with contextlib.suppress(OSError):
            self.connection.close()
        if not gently:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return "the process building it ended unexpectedly"
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            name = signal.Signals(number).name if number in signal.Signals._value2member_map_ \
                else str(number)
            if number == signal.SIGXCPU:
                return ("it took longer than the CPU limit to build (a template that never "
                        "ends?); the process building it was stopped")
            hint = " (out of memory?)" if number == signal.SIGKILL else ""
            return f"the process building it was stopped by signal {name}{hint}"
        return f"the process building it ended unexpectedly (exit code {os.WEXITSTATUS(status)})"


def _serve_tasks(connection, work: Callable, tasks: Sequence) -> None:
    """The worker's loop: task numbers in (the tasks came with the fork), results out."""
    from handouts.document.templating import contain_in_this_process, stop_worker

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    contain_in_this_process()  # templates render here, under limits; the parent reports us
    try:
        while True:
            try:
                number = pickle.loads(connection.recv_bytes())
            except (EOFError, OSError):
                return
            result = work(tasks[number])
            connection.send_bytes(pickle.dumps(result))
    finally:
        stop_worker()  # its render worker ends now, and its CPU time is counted


def _check_names(item: BatchItem) -> None:
    for name, kind in ((item.topic, "topic"), (item.clinic, "clinic"), (item.layout, "layout"),
                       (item.lang, "language"), (item.level, "level")):
        checked_name(name, kind)


def _warm_up(inputs: _Inputs, todo: Sequence[tuple[int, BatchItem, Path, str]]) -> None:
    """Register fonts, load their kerning and the items' hyphenation patterns, and read
    every profile, layout and topic once before forking, so every worker starts with them."""
    from handouts.layout.fonts import FALLBACK_FAMILY, coverage, family, kerning, known_families
    from handouts.layout.typeset import hyphenator

    for name in known_families():
        coverage(family(name))
    coverage(family(FALLBACK_FAMILY))
    fonts: set[str] = set()
    for _, item, _, _ in todo:
        for load, name in ((inputs.clinic, item.clinic), (inputs.layout, item.layout),
                           (inputs.topic, item.topic)):
            with contextlib.suppress(HandoutsError):
                load(name)
        with contextlib.suppress(HandoutsError):
            fonts.add(inputs.clinic(item.clinic).font)
    for name in sorted(fonts):
        for style in ("regular", "bold", "italic", "bolditalic"):
            kerning(family(name).face(style))
    for language in sorted({item.lang for _, item, _, _ in todo}):
        hyphenator(language)


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
