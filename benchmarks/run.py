"""Benchmark: one handout end to end, a batch of 200, memory, size, and WeasyPrint.

Run from the repository root: python benchmarks/run.py [--batch 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pypdf import PdfReader  # noqa: E402

from handouts.batch import BatchItem, run_batch  # noqa: E402
from handouts.build import build_handout  # noqa: E402
from handouts.document.assemble import Options  # noqa: E402
from handouts.errors import Warnings  # noqa: E402
from handouts.inputs.paths import Roots  # noqa: E402
from handouts.inputs.topics import load_topic  # noqa: E402
from handouts.layout.render import render_pdf  # noqa: E402

DATE = dt.date(2026, 11, 26)
TOPIC = "bone-metastasis"


def four_page_topic(root: Path) -> str:
    """A copy of the bone-metastasis topic, trimmed section by section to four pages."""
    source = REPO / "content" / TOPIC
    name = "bench-four-pages"
    target = root / "content" / name
    shutil.copytree(source, target)
    topic_toml = (target / "topic.toml").read_text()
    texts = {md: md.read_text() for md in target.glob("*/*.md")}
    sections = load_topic(Roots.under(REPO), TOPIC).section_keys
    droppable = ["questions", "planning-care", "treatments", "risks", "tests"]
    keep = list(sections)
    while True:
        start = topic_toml.index("sections = [")
        end = topic_toml.index("]", start) + 1
        (target / "topic.toml").write_text(
            topic_toml[:start] + "sections = [" + ", ".join(f'"{k}"' for k in keep) + "]"
            + topic_toml[end:])
        for markdown, text in texts.items():
            parts = text.split("\n## ")
            kept = [parts[0]] + [p for p in parts[1:] if any(f"{{#{k}}}" in p for k in keep)]
            markdown.write_text("\n## ".join(kept))
        pdf = build_handout(Roots.under(root), name, "riverside", "letter",
                            Options(date=DATE)).pdf
        if len(PdfReader(io.BytesIO(pdf)).pages) <= 4 or not droppable:
            return name
        keep.remove(droppable.pop(0))


def make_root(clinic_copies: int) -> tuple[Roots, str]:
    root = Path(tempfile.mkdtemp(prefix="handouts-bench-"))
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "clinics", root / "clinics")
    profile = (REPO / "clinics" / "riverside.toml").read_text()
    for number in range(clinic_copies):
        (root / "clinics" / f"bench-{number:03d}.toml").write_text(profile)
    return Roots.under(root), four_page_topic(root)


def one_generate_end_to_end(repeat: int) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run([sys.executable, "generate.py", "generate", TOPIC, "--clinic",
                            "riverside", "--date", DATE.isoformat(), "-o", f"{out}/one.pdf"],
                           cwd=REPO, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
    return times


def weasyprint_comparison(roots: Roots, repeat: int) -> dict | None:
    """Our renderer and WeasyPrint on the same sections, each warm, medians of many runs.

    Rendering is compared stage for stage: our document model -> PDF (render_pdf) against
    the same model written as HTML + CSS -> PDF (to_html, then WeasyPrint). Both pipelines
    share everything before that (reading the topic, templating, Markdown), so the whole
    pipeline with WeasyPrint is ours with its renderer swapped in."""
    try:
        import weasyprint
    except ImportError:
        return None
    from html_model import to_html

    handout = build_handout(roots, TOPIC, "riverside", "letter", Options(date=DATE))
    document, clinic, layout = handout.document, handout.clinic, handout.layout

    def ours() -> bytes:
        return render_pdf(document, clinic, layout, Warnings())[0]

    def theirs() -> bytes:
        return weasyprint.HTML(string=to_html(document, clinic, layout)).render().write_pdf()

    def whole() -> bytes:
        return build_handout(roots, TOPIC, "riverside", "letter", Options(date=DATE)).pdf

    their_pdf = theirs()  # warm both: fonts loaded, templates compiled, caches filled
    ours(), whole()
    timings: dict[str, list[float]] = {"ours": [], "theirs": [], "whole": []}
    for _ in range(repeat):
        for name, run, times in (("theirs", theirs, 1), ("ours", ours, 5), ("whole", whole, 5)):
            for _ in range(times):
                started = time.perf_counter()
                run()
                timings[name].append(time.perf_counter() - started)
    median = {name: statistics.median(values) for name, values in timings.items()}
    return {**median, "front": median["whole"] - median["ours"],
            "our_pages": handout.pages, "our_size": len(handout.pdf),
            "their_pages": len(PdfReader(io.BytesIO(their_pdf)).pages),
            "their_size": len(their_pdf)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    print(f"handouts benchmark, {dt.date.today()}, {platform.platform()}, "
          f"Python {platform.python_version()}, {os.cpu_count()} cores")

    times = one_generate_end_to_end(args.repeat)
    print(f"one `generate` end to end (interpreter start included): median "
          f"{statistics.median(times):.3f} s, best {min(times):.3f} s over {len(times)} runs "
          f"(target < 0.5 s)")

    roots, topic = make_root(args.batch)
    sample = build_handout(roots, topic, "riverside", "letter", Options(date=DATE))
    pages = len(PdfReader(io.BytesIO(sample.pdf)).pages)
    full = build_handout(roots, TOPIC, "riverside", "letter", Options(date=DATE))
    print(f"file size: {len(sample.pdf) / 1024:.0f} KB for the {pages}-page handout, "
          f"{len(full.pdf) / 1024:.0f} KB for the full "
          f"{len(PdfReader(io.BytesIO(full.pdf)).pages)}-page one, logo included "
          "(target < 100 KB)")

    items = [BatchItem(topic, f"bench-{n:03d}", "en", "standard", "letter")
             for n in range(args.batch)]
    out = Path(tempfile.mkdtemp(prefix="handouts-bench-out-"))
    started = time.perf_counter()
    results = run_batch(roots, items, out, date=DATE, force=True, jobs=args.jobs)
    elapsed = time.perf_counter() - started
    failed = [r for r in results if r.status != "built"]
    if failed:
        print(f"batch: {len(failed)} items failed, first: {failed[0].reason}")
    print(f"batch of {args.batch} {pages}-page handouts on {args.jobs} workers: "
          f"{elapsed:.2f} s, {args.batch / elapsed:.0f} handouts/s (target < 6 s)")

    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: {self_peak:.0f} MB in the main process, {child_peak:.0f} MB in the "
          "largest worker or child")

    compared = weasyprint_comparison(Roots.under(REPO), args.repeat)
    if compared is None:
        print("WeasyPrint: not installed (pip install -e '.[bench]') - comparison skipped")
    else:
        c = compared
        print(f"rendering the same sections: handouts {c['ours'] * 1000:.1f} ms "
              f"({c['our_pages']} pages, {c['our_size'] / 1024:.0f} KB), WeasyPrint "
              f"{c['theirs'] * 1000:.0f} ms ({c['their_pages']} pages, "
              f"{c['their_size'] / 1024:.0f} KB): {c['theirs'] / c['ours']:.1f}x faster "
              "(target >= 20x)")
        print(f"whole pipeline from Markdown (shared front end {c['front'] * 1000:.1f} ms): "
              f"handouts {c['whole'] * 1000:.1f} ms, with WeasyPrint rendering "
              f"{(c['front'] + c['theirs']) * 1000:.0f} ms: "
              f"{(c['front'] + c['theirs']) / c['whole']:.1f}x faster")
    shutil.rmtree(roots.content.parent, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
