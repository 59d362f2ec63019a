"""Print packs: a shipped plan or one built on the page, run off the request thread with live
progress, then the pack and its manifest to download."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from handouts.batch import BatchItem, BatchJob, expand_job, job_from_plan, run_job
from handouts.errors import HandoutsError
from handouts.inputs.paths import checked_name, names_in
from handouts.web.auth import current_user, login_required

blueprint = Blueprint("packs", __name__)
PACK_NAME, MANIFEST_NAME = "pack.pdf", "manifest.csv"
MAX_ITEMS = 200
_ID = re.compile(r"[A-Za-z0-9_-]{16,40}")


STATE_NAME = "run.json"  # in a pack's folder: its title, owner and progress (no patient data)
_KEPT = ("id", "title", "owner", "total", "done", "failed", "finished", "error", "pages",
         "seconds", "started")


@dataclass
class PackRun:
    """One pack being built (or built): what the progress page shows."""

    id: str
    title: str
    owner: str
    folder: Path
    total: int = 0
    done: int = 0
    failed: list[str] = field(default_factory=list)
    finished: bool = False
    error: str | None = None
    pages: int | None = None
    seconds: float = 0.0
    started: float = field(default_factory=time.time)

    @property
    def message(self) -> str:
        if self.error:
            return f"Stopped: {self.error}"
        if self.finished:
            failed = f", {len(self.failed)} failed" if self.failed else ""
            return (f"Done: {self.done} of {self.total} handouts{failed}, "
                    f"{self.pages or 0} pages in {self.seconds:.0f} s")
        return f"Building {self.done} of {self.total} handouts…"

    def state(self) -> dict:
        return {"id": self.id, "total": self.total, "done": self.done,
                "failed": len(self.failed), "finished": self.finished, "error": self.error,
                "message": self.message}

    def save(self) -> None:
        """Keep the run's state in its folder, so a restarted server still shows it."""
        from handouts.finishing.atomic_write import write_atomically

        kept = {name: getattr(self, name) for name in _KEPT}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.folder / STATE_NAME, json.dumps(kept).encode(),
                             durable=self.finished)
        except (OSError, HandoutsError):
            pass  # the page still shows it until the server stops

    @classmethod
    def load(cls, folder: Path) -> PackRun | None:
        """A run kept by an earlier server; one it did not finish is marked interrupted."""
        try:
            kept = json.loads((folder / STATE_NAME).read_text("utf-8"))
            run = cls(id=folder.name, folder=folder,
                      **{name: kept[name] for name in _KEPT if name != "id"})
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not isinstance(run.failed, list) or not _ID.fullmatch(run.id):
            return None
        if not run.finished:
            run.finished = True
            run.error = ("interrupted: the server stopped while this pack was being built "
                         f"({run.done} of {run.total} done). Start the pack again.")
            run.pages = None  # a pack PDF, if any, is from an earlier step: not offered
            run.save()
        return run


def _pack_process(roots, job: BatchJob, workers: int, queue) -> None:
    """In a separate process: build the pack, reporting each item and the end on `queue`.
    (Its own process: the server's threads keep answering, and nothing is shared.)"""
    def done(result) -> None:
        queue.put(("item", result.status, f"{result.item.label}: {result.reason}"))

    try:
        summary = run_job(roots, job, jobs=workers, on_result=done)
        queue.put(("done", summary.pack_pages, summary.seconds))
    except HandoutsError as error:
        queue.put(("error", str(error)))
    except Exception as error:  # reported on the page, never a traceback
        queue.put(("error", f"unexpected problem ({type(error).__name__})"))


class PackRunner:
    """Runs each pack in its own process, one at a time per server (they share the CPU); a
    thread here follows its progress for the page."""

    def __init__(self, roots, folder: Path, workers: int = 1):
        self.roots = roots
        self.folder = folder
        self.workers = workers
        self.runs: dict[str, PackRun] = {}
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Lock()
        for kept in sorted(folder.iterdir()) if folder.is_dir() else []:
            run = PackRun.load(kept) if kept.is_dir() else None
            if run is not None:
                self.runs[run.id] = run

    def start(self, job: BatchJob, title: str, owner: str) -> PackRun:
        run_id = secrets.token_urlsafe(12)
        folder = self.folder / run_id
        job = expand_job(self.roots, job)  # the plan's mistakes show before anything runs
        if not job.items:
            raise HandoutsError("the plan has nothing to build")
        if len(job.items) > MAX_ITEMS:
            raise HandoutsError(f"the pack would hold {len(job.items)} handouts; at most "
                                f"{MAX_ITEMS} can be built from the web page at once")
        job = BatchJob(job.items, folder, folder / PACK_NAME, folder / MANIFEST_NAME,
                       job.separator, job.date)
        run = PackRun(run_id, title, owner, folder, total=len(job.items))
        run.save()
        with self._lock:
            self.runs[run_id] = run
        threading.Thread(target=self._run, args=(run, job), daemon=True,
                         name=f"pack-{run_id}").start()
        return run

    def _run(self, run: PackRun, job: BatchJob) -> None:
        import multiprocessing
        import queue as queues

        try:
            with self._one_at_a_time:
                context = multiprocessing.get_context("spawn")
                messages = context.Queue()
                process = context.Process(target=_pack_process, daemon=True,
                                          args=(self.roots, job, self.workers, messages))
                process.start()
                while True:
                    try:
                        message = messages.get(timeout=1)
                    except queues.Empty:
                        if not process.is_alive():
                            run.error = "the pack stopped unexpectedly"
                            break
                        continue
                    if message[0] == "item":
                        run.done += 1
                        if message[1] == "failed":
                            run.failed.append(message[2])
                        run.save()
                    elif message[0] == "done":
                        run.pages, run.seconds = message[1], message[2]
                        break
                    else:
                        run.error = message[1]
                        break
                process.join(timeout=10)
        except Exception as error:  # the server keeps serving; the page says what happened
            run.error = f"unexpected problem ({type(error).__name__})"
        finally:
            run.finished = True
            run.save()

    def get(self, run_id: str) -> PackRun | None:
        if not _ID.fullmatch(run_id or ""):
            return None
        with self._lock:
            return self.runs.get(run_id)


def runner() -> PackRunner:
    return current_app.extensions["handouts.packs"]


def settings():
    return current_app.extensions["handouts.settings"]


def shipped_plans() -> list[str]:
    return names_in(settings().plans, ".toml")


def _page(error: str | None = None, status: int = 200):
    catalogue = current_app.extensions["handouts.catalogue"]
    topics = sorted(catalogue.topics().values(), key=lambda t: t.title())
    runs = sorted(runner().runs.values(), key=lambda r: -r.started)[:10]
    languages = sorted({lang for t in topics for lang in t.languages},
                       key=lambda code: (code != "en", code))
    levels = list(dict.fromkeys(level for t in topics for level in t.all_levels))
    return render_template("packs.html", plans=shipped_plans(), topics=topics,
                           languages=languages, levels=levels,
                           clinics=catalogue.clinics(), layouts=catalogue.layouts(),
                           runs=runs, error=error), status


@blueprint.get("/packs")
@login_required
def packs():
    return _page()


@blueprint.post("/packs/plan")
@login_required
def run_plan():
    name = request.form.get("plan", "")
    if name not in shipped_plans():
        return _page("Choose one of the print plans listed.", 400)
    try:
        job = job_from_plan(settings().plans / f"{name}.toml")
        run = runner().start(job, f"Plan: {name}", current_user().username)
    except HandoutsError as error:
        return _page(f"The plan cannot run: {error}", 400)
    return redirect(url_for("packs.progress", run_id=run.id), 303)


@blueprint.post("/packs/build")
@login_required
def run_built():
    form = request.form
    try:
        clinic = checked_name(form.get("clinic", ""), "clinic")
        topics = [checked_name(t, "topic") for t in form.getlist("topics")]
        languages = [checked_name(v, "language") for v in form.getlist("languages")]
        levels = [checked_name(v, "level") for v in form.getlist("levels")]
        layout = checked_name(form.get("layout", "letter"), "layout")
        copies = int(form.get("copies", "1") or 1)
        if not (1 <= copies <= 500):
            raise HandoutsError("copies must be a number from 1 to 500")
        if not topics or not languages or not levels:
            raise HandoutsError("choose at least one topic, one language and one level")
        catalogue = current_app.extensions["handouts.catalogue"]
        items = []
        for topic in topics:
            entry = catalogue.topic(topic)
            for lang in languages:
                version = entry.version(lang) if entry else None
                for level in levels:
                    # only the versions a topic has: the others are listed, not built
                    if version is None or level not in version.levels:
                        continue
                    items.append(BatchItem(topic, clinic, lang, level, layout, copies))
        if not items:
            raise HandoutsError("none of the chosen topics has the chosen languages and levels")
        job = BatchJob(tuple(items), settings().packs_dir, separator=True)
        name = next((c.label for c in catalogue.clinics() if c.name == clinic), clinic)
        count = f"{len(items)} handout" + ("s" if len(items) != 1 else "")
        run = runner().start(job, f"{count} for {name}",
                             current_user().username)
    except (HandoutsError, ValueError) as error:
        message = str(error) if isinstance(error, HandoutsError) else "copies must be a number"
        return _page(f"The pack cannot run: {message}", 400)
    return redirect(url_for("packs.progress", run_id=run.id), 303)


def run_or_404(run_id: str) -> PackRun:
    run = runner().get(run_id)
    if run is None:
        abort(404, description="There is no such print pack (it may have been deleted from "
                               "the server's packs folder).")
    return run


@blueprint.get("/packs/<run_id>")
@login_required
def progress(run_id: str):
    return render_template("pack.html", run=run_or_404(run_id))


@blueprint.get("/packs/<run_id>/status")
@login_required
def status(run_id: str):
    return jsonify(run_or_404(run_id).state())


@blueprint.get("/packs/<run_id>/<name>")
@login_required
def download(run_id: str, name: str):
    run = run_or_404(run_id)
    if name not in (PACK_NAME, MANIFEST_NAME) or not run.finished:
        abort(404, description="That file is not ready.")
    path = run.folder / name
    if not path.is_file():
        abort(404, description="The pack has no such file (nothing was built).")
    return send_file(path.resolve(), as_attachment=True,
                     download_name=f"print-pack-{run.id[:8]}-{name}")
