"""Making handouts for the web app: the library's build, cached by a digest of its inputs.

A handout already made (same topic, clinic, language, level, layout, date, name and note,
and unchanged files) comes from memory; fonts, topics and compiled templates stay loaded
across requests because the process lives on. The cache holds finished bytes only, in
memory, never on disk, and keys are digests: a patient's name is never a key or a file name.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import io
import json
import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from handouts.batch import BatchItem, input_hash
from handouts.build import (
    Handout,
    build_handout,
    default_output_name,
    generation_date,
    print_ready,
)
from handouts.document.assemble import Options
from handouts.errors import HandoutsError
from handouts.inputs.paths import Roots, checked_name
from handouts.web.file_stamps import FreshInputs

MAX_NAME = 80
log = logging.getLogger("handouts.web")
MAX_NOTE = 400


@dataclass(frozen=True)
class Choice:
    """What staff chose on the form."""

    topic: str
    clinic: str
    lang: str = "en"
    level: str = "standard"
    layout: str = "letter"
    patient_name: str | None = None
    note: str | None = None

    def checked(self) -> Choice:
        for value, kind in ((self.topic, "topic"), (self.clinic, "clinic"),
                            (self.lang, "language"), (self.level, "level"),
                            (self.layout, "layout")):
            checked_name(value, kind)
        name = " ".join((self.patient_name or "").split()) or None
        note = (self.note or "").strip() or None
        if name and len(name) > MAX_NAME:
            raise HandoutsError(f"the patient's name can have at most {MAX_NAME} characters")
        if note and len(note) > MAX_NOTE:
            raise HandoutsError(f"the note can have at most {MAX_NOTE} characters")
        return Choice(self.topic, self.clinic, self.lang, self.level, self.layout, name, note)

    @property
    def item(self) -> BatchItem:
        return BatchItem(self.topic, self.clinic, self.lang, self.level, self.layout)


@dataclass(frozen=True)
class Made:
    """A finished handout: print-ready bytes and what the page shows about it."""

    choice: Choice
    pdf: bytes  # print-ready: a booklet's pages imposed on sheets
    reader_pdf: bytes  # page by page, for the preview and for email
    pages: int
    print_pages: int
    title: str
    booklet: bool
    content_version: str  # the form identifier: which text exactly ("BM-ES-EASY · ...")
    warnings: tuple[str, ...]
    clinic_name: str = ""
    patient_references: bool = False  # the clinic lets records carry a chart number
    handout: Handout | None = field(default=None, compare=False, repr=False)
    built_in: int = 0  # the process id that built it

    @property
    def file_name(self) -> str:
        """Topic-based and never personal."""
        c = self.choice
        return default_output_name(c.topic, c.clinic, Options(lang=c.lang, level=c.level),
                                   c.layout)


class HandoutMaker:
    """Builds handouts through the library and keeps the latest ones in memory."""

    def __init__(self, roots: Roots, entries: int = 64, workers: int = 0):
        self.roots = roots
        # workers > 0: builds run in that many worker processes (the server uses every
        # core); 0: in this process, one at a time (tests, small machines).
        self.workers = workers
        self._pool = None
        self._broken = 0
        self._inputs = FreshInputs(roots)  # profiles, listings, digests: checked by stat
        self.entries = max(1, entries)
        self._made: OrderedDict[str, Made] = OrderedDict()
        self._previews: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        # One build at a time in this process: the layout stage keeps caches (font widths,
        # kerning, hyphenation, decoded logos, ReportLab's font registry) that are not safe to
        # fill from two threads at once. Every build in the server's process (here and in
        # html_edition) takes this lock; a worker process runs one build at a time anyway.
        self.exclusive = threading.Lock()

    def key(self, choice: Choice, date: _dt.date) -> tuple[str, str]:
        """(content version, cache key): the inputs' digest, then with name and note."""
        version = input_hash(self.roots, choice.item, date, True, self._inputs)
        personal = json.dumps([choice.patient_name, choice.note]).encode()
        return version, hashlib.sha256(version.encode() + personal).hexdigest()

    def make(self, choice: Choice) -> Made:
        choice = choice.checked()
        date = generation_date(None)
        version, key = self.key(choice, date)
        with self._lock:
            made = self._made.get(key)
            if made is not None:
                self._made.move_to_end(key)
                return made
            building = self._building.setdefault(key, threading.Lock())
        with building:  # two requests for the same new handout build it once
            with self._lock:
                made = self._made.get(key)
            if made is None:
                made = self._build(choice, date, version)
                with self._lock:
                    self._made[key] = made
                    while len(self._made) > self.entries:
                        self._made.popitem(last=False)
        with self._lock:
            self._building.pop(key, None)
        return made

    def _build(self, choice: Choice, date: _dt.date, version: str) -> Made:
        options = Options(lang=choice.lang, level=choice.level, date=date,
                          patient_name=choice.patient_name, note=choice.note)
        pool = self._worker_pool()
        if pool is not None:
            from concurrent.futures.process import BrokenProcessPool

            try:
                handout, pdf, builder = pool.submit(_build_in_worker, self.roots, choice,
                                                    options).result()
            except (BrokenProcessPool, RuntimeError):  # RuntimeError: the pool was just closed
                # a worker died: build here this time; start afresh next time, and after a
                # second failure keep building in this process
                log.warning("a handout build process stopped; building in the server")
                self.close()
                self._broken += 1
                if self._broken >= 2:
                    self.workers = 0
                pool = None
        if pool is None:
            with self.exclusive:
                handout, pdf, builder = _build_in_worker(self.roots, choice, options)
        return Made(choice, pdf, handout.pdf, handout.pages, handout.print_pages(),
                    handout.document.title, handout.layout.booklet is not None,
                    handout.document.form_id or version[:16], tuple(handout.warnings),
                    handout.clinic.name, handout.clinic.patient_references, handout, builder)

    def html_edition(self, made: Made) -> bytes:
        """The accessible HTML edition of a made handout (built again if it came from
        elsewhere without its document), under the one-build-at-a-time lock."""
        from handouts.build import html_edition

        choice = made.choice
        with self.exclusive:
            handout = made.handout or build_handout(
                self.roots, choice.topic, choice.clinic, choice.layout,
                Options(lang=choice.lang, level=choice.level,
                        patient_name=choice.patient_name, note=choice.note))
            return html_edition(handout)

    def _worker_pool(self):
        if self.workers <= 0:
            return None
        with self._lock:
            if self._pool is None:
                import concurrent.futures
                import multiprocessing

                self._pool = concurrent.futures.ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_warm_up_worker, initargs=(self.roots, os.getpid()))
            return self._pool

    def start(self) -> None:
        """Start every worker process now (each warms up as it starts), so the first
        requests after the server starts do not pay for starting them."""
        pool = self._worker_pool()
        if pool is not None:
            for _ in range(self.workers):  # a task per worker makes the pool start them all
                pool.submit(os.getpid)

    def close(self) -> None:
        """Stop the worker processes (the next build starts new ones)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def preview(self, made: Made, width: int = 440) -> tuple[str, ...]:
        """The reader's pages as PNG data URLs (kept with the handout in memory)."""
        key = hashlib.sha256(made.reader_pdf).hexdigest() + str(width)
        with self._lock:
            images = self._previews.get(key)
        if images is None:
            images = tuple(page_images(made.reader_pdf, width))
            with self._lock:
                self._previews[key] = images
                while len(self._previews) > self.entries:
                    self._previews.popitem(last=False)
        return images


def _build_in_worker(roots: Roots, choice: Choice, options: Options
                     ) -> tuple[Handout, bytes, int]:
    """The library's build (in a worker process, or in the server's under its lock), and
    the process that built it."""
    handout = build_handout(roots, choice.topic, choice.clinic, choice.layout, options)
    return handout, print_ready(handout), os.getpid()


def _warm_up_worker(roots: Roots | None = None, server: int | None = None) -> None:
    """When a worker starts, not during its first request: import the layout stage,
    register the fonts and build one handout (read its kerning and hyphenation data, compile
    its templates), so the first member of staff does not wait for that."""
    from handouts.layout.fonts import FALLBACK_FAMILY, coverage, family, known_families

    threading.Thread(target=_exit_with_server, args=(server or os.getppid(),), daemon=True,
                     name="exit-with-server").start()
    for name in (*known_families(), FALLBACK_FAMILY):
        coverage(family(name))
    if roots is not None:
        warm_up_build(roots)


def _exit_with_server(server: int) -> None:
    """In a worker: end when the server process is gone (killed outright, it could not stop
    its workers, which would otherwise wait for work forever)."""
    import time

    while os.getppid() == server:
        time.sleep(1)
    os._exit(0)


def warm_up_build(roots: Roots) -> None:
    """Build the first shipped topic for the first clinic and throw it away (never fails)."""
    from handouts.inputs.clinics import clinic_names
    from handouts.inputs.topics import topic_names

    topics, clinics = topic_names(roots), clinic_names(roots)
    for lang in ("en", "es") if topics and clinics else ():
        try:
            print_ready(build_handout(roots, topics[0], clinics[0], "letter",
                                      Options(lang=lang)))
        except Exception:  # only a warm-up: a real build reports the problem
            continue


_render_lock = threading.Lock()  # PDFium is not thread-safe: one render at a time


def page_images(pdf: bytes, width: int) -> list[str]:
    import pypdfium2

    images = []
    with _render_lock:
        document = pypdfium2.PdfDocument(pdf)
        try:
            for page in document:
                scale = width / page.get_width()
                bitmap = page.render(scale=scale)
                buffer = io.BytesIO()
                bitmap.to_pil().convert("RGB").save(buffer, format="PNG", optimize=False)
                images.append("data:image/png;base64,"
                              + base64.b64encode(buffer.getvalue()).decode())
                page.close()
        finally:
            document.close()
    return images


def make_kit(maker: HandoutMaker, kit, patient_name: str | None = None
             ) -> tuple[bytes, list[Made]]:
    """A visit kit as one PDF: a cover listing what is inside, then each handout."""
    from handouts.records.kits import KitPart, merge_kit

    made = [maker.make(Choice(topic, kit.clinic, kit.lang, kit.level, kit.layout,
                              patient_name=patient_name)) for topic in kit.topics]
    parts = [(KitPart(m.choice.topic, m.title, m.print_pages, m.content_version), m.pdf)
             for m in made]
    return merge_kit(kit, made[0].clinic_name, parts), made
