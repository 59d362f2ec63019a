"""Benchmark: our figures and the peers' (WeasyPrint, Typst) from one run, as Markdown.

Run from the repository root:  python benchmarks/run.py [--quick]
(pip install -e '.[bench]' for the peers). --quick finishes in under two minutes; the
full run (default) repeats more and adds the 1000- and 3000-handout packs.

Every comparison is measured side by side in the same run, interleaved, and stated as a
ratio, so a busy machine slows both sides alike. CPU time (what a handout costs,
whatever else the machine is doing) is given beside wall time (what a person waits).
The output is Markdown, ready to paste into the README.
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
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pypdf import PdfReader  # noqa: E402

from handouts.batch import BatchItem, run_batch  # noqa: E402
from handouts.build import build_handout  # noqa: E402
from handouts.document.assemble import Options  # noqa: E402
from handouts.errors import Warnings  # noqa: E402
from handouts.finishing.impose import impose  # noqa: E402
from handouts.inputs.layouts import PAPER  # noqa: E402
from handouts.inputs.paths import Roots  # noqa: E402
from handouts.inputs.topics import load_topic  # noqa: E402
from handouts.layout.fonts import family  # noqa: E402
from handouts.layout.render import render_pdf  # noqa: E402

DATE = dt.date(2026, 11, 26)
TOPIC = "bone-metastasis"
# Subprocesses run as an installed program does: with compiled bytecode (pip writes it),
# whatever PYTHONDONTWRITEBYTECODE says in this shell.
CHILD_ENV = {key: value for key, value in os.environ.items()
             if key != "PYTHONDONTWRITEBYTECODE"}


# ---------------------------------------------------------------- measuring helpers

def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_and_children_cpu() -> float:
    """This process's CPU, its finished children's, and its template worker's (a long-lived
    child that renders templates for in-process builds: counted only once it ends, so read
    from /proc while it runs)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime + children_cpu() + template_worker_cpu()


def template_worker_cpu() -> float:
    from handouts.document import templating

    worker = templating._worker
    if worker is None or not worker.pid:
        return 0.0
    try:
        fields = Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def run_timed(command: list[str], **kwargs) -> tuple[float, float]:
    """(wall, CPU) seconds of one child process, CPU from the kernel's accounting."""
    before, started = children_cpu(), time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=CHILD_ENV, **kwargs)
    return time.perf_counter() - started, children_cpu() - before


def time_call(function: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of one call in this process (and its template worker)."""
    cpu, started = time.process_time() + template_worker_cpu(), time.perf_counter()
    function()
    return (time.perf_counter() - started,
            time.process_time() + template_worker_cpu() - cpu)


def interleaved(contenders: dict[str, tuple[Callable[[], tuple[float, float]], int]],
                rounds: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) of each contender, measured in turn round after round."""
    walls: dict[str, list[float]] = {name: [] for name in contenders}
    cpus: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, (measure, times) in contenders.items():
            for _ in range(times):
                wall, cpu = measure()
                walls[name].append(wall)
                cpus[name].append(cpu)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name]))
            for name in contenders}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def verdict(value: float, target: float) -> str:
    return "yes" if value <= target else "**no**"


# ---------------------------------------------------------------- the machine

def machine() -> list[str]:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        allowed = len(os.sched_getaffinity(0))
    except AttributeError:
        allowed = os.cpu_count()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return [f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
            f"- Machine: {os.cpu_count()} cores ({allowed} usable by this process), {model}; "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}",
            f"- Load average when the run started: {load}"]


SPIN = "x = 0\nfor i in range(6_000_000):\n    x += i"


def cores_really_available(rounds: int) -> tuple[float, float, float]:
    """Two CPU-bound processes side by side against one alone: how many cores we get.

    Returns (cores, wall alone, wall side by side)."""
    command = [sys.executable, "-c", SPIN]
    alone, together = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(command, check=True)
        alone.append(time.perf_counter() - started)
        started = time.perf_counter()
        pair = [subprocess.Popen(command) for _ in range(2)]
        for process in pair:
            process.wait()
        together.append(time.perf_counter() - started)
    single, double = statistics.median(alone), statistics.median(together)
    return min(2.0, 2 * single / double), single, double


# ---------------------------------------------------------------- start-up

def startup(rounds: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory() as out:
        commands = {
            "import reportlab.platypus": [sys.executable, "-c", "import reportlab.platypus"],
            "generate": [sys.executable, "generate.py", "generate", TOPIC, "--clinic",
                         "riverside", "--date", DATE.isoformat(), "-o", f"{out}/one.pdf"],
        }
        for command in commands.values():  # bytecode written, logo cache filled
            subprocess.run(command, cwd=REPO, check=True, capture_output=True, env=CHILD_ENV)
        return interleaved({name: (lambda c=command: run_timed(c, cwd=REPO), 1)
                            for name, command in commands.items()}, rounds)


# ---------------------------------------------------------------- the same content, in-process

def weasyprint_state() -> str | None:
    try:
        import weasyprint
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    except ImportError:
        return None
    subsetting = ("HarfBuzz subsetting" if harfbuzz_subset is not None
                  and harfbuzz.hb_version_atleast(4, 1, 0) else
                  "fontTools subsetting (libharfbuzz-subset0 missing)")
    return f"WeasyPrint {weasyprint.__version__}, {subsetting}"


def typst_compiler():
    try:
        import typst
    except ImportError:
        return None, None
    folder = family("Atkinson Hyperlegible").files["regular"].parent
    compiler = typst.Compiler(font_paths=[str(folder)], ignore_system_fonts=True)
    version = getattr(typst, "__version__", None)
    if version is None:
        from importlib.metadata import version as package_version

        version = package_version("typst")
    return compiler, f"Typst (typst {version} on PyPI)"


def same_content(roots: Roots, topic: str, rounds: int) -> dict:
    """Ours, WeasyPrint and Typst turning the same document model into a PDF, warm."""
    handout = build_handout(roots, topic, "riverside", "letter", Options(date=DATE))
    document, clinic, layout = handout.document, handout.clinic, handout.layout
    found: dict = {"pages": {"handouts": handout.pages}, "sizes": {"handouts": len(handout.pdf)}}
    contenders: dict[str, tuple[Callable[[], tuple[float, float]], int]] = {
        "handouts": (lambda: time_call(
            lambda: render_pdf(document, clinic, layout, Warnings())), 3),
        "whole": (lambda: time_call(lambda: build_handout(
            roots, topic, "riverside", "letter", Options(date=DATE))), 3),
    }
    state = weasyprint_state()
    if state is not None:
        import weasyprint
        from html_model import to_html

        def weasy() -> bytes:
            return weasyprint.HTML(string=to_html(document, clinic, layout)).render().write_pdf()

        pdf = weasy()
        found["pages"]["WeasyPrint"] = len(PdfReader(io.BytesIO(pdf)).pages)
        found["sizes"]["WeasyPrint"] = len(pdf)
        contenders["WeasyPrint"] = (lambda: time_call(weasy), 1)
        found["WeasyPrint state"] = state
    compiler, typst_name = typst_compiler()
    if compiler is not None:
        from typst_model import to_typst

        name = family(clinic.font).name
        variant = [0]

        def fresh() -> bytes:
            # a source Typst has not seen: its memoised layout cannot be reused
            variant[0] += 1
            return compiler.compile(input=to_typst(document, clinic, layout, name,
                                                   variant[0]).encode(), timestamp=0)

        same = to_typst(document, clinic, layout, name, 0).encode()
        pdf = compiler.compile(input=same, timestamp=0)
        fresh()
        found["pages"]["Typst"] = len(PdfReader(io.BytesIO(pdf)).pages)
        found["sizes"]["Typst"] = len(pdf)
        contenders["Typst"] = (lambda: time_call(fresh), 3)
        contenders["Typst, same source again"] = (
            lambda: time_call(lambda: compiler.compile(input=same, timestamp=0)), 1)
        found["Typst state"] = typst_name
    for run, _ in contenders.values():  # warm: fonts loaded, templates compiled
        run()
    found["times"] = interleaved(contenders, rounds)
    return found


# ---------------------------------------------------------------- batch

def four_page_topic(root: Path) -> str:
    """A copy of the bone-metastasis topic with sections left out until it has four pages
    (a section whose removal would leave fewer than four is kept)."""
    source = REPO / "content" / TOPIC
    name = "bench-four-pages"
    target = root / "content" / name
    shutil.copytree(source, target)
    topic_toml = (target / "topic.toml").read_text()
    texts = {md: md.read_text() for md in target.glob("*/*.md")}
    keep = list(load_topic(Roots.under(REPO), TOPIC).section_keys)

    def pages_with(sections: list[str]) -> int:
        start = topic_toml.index("sections = [")
        end = topic_toml.index("]", start) + 1
        (target / "topic.toml").write_text(
            topic_toml[:start] + "sections = [" + ", ".join(f'"{k}"' for k in sections) + "]"
            + topic_toml[end:])
        for markdown, text in texts.items():
            parts = text.split("\n## ")
            kept = [parts[0]] + [p for p in parts[1:]
                                 if any(f"{{#{k}}}" in p for k in sections)]
            markdown.write_text("\n## ".join(kept))
        return build_handout(Roots.under(root), name, "riverside", "letter",
                             Options(date=DATE)).pages

    pages = pages_with(keep)
    for section in ["questions", "planning-care", "treatments", "risks", "tests", "medicines",
                    "consent", "what-it-is"]:
        if pages <= 4:
            break
        if section not in keep:
            continue
        trial = [k for k in keep if k != section]
        fewer = pages_with(trial)
        if fewer >= 4:
            keep, pages = trial, fewer
    pages_with(keep)
    return name


def make_root(clinic_copies: int) -> tuple[Roots, str]:
    root = Path(tempfile.mkdtemp(prefix="handouts-bench-"))
    for folder in ("content", "layouts", "clinics"):
        shutil.copytree(REPO / folder, root / folder)
    profile = (REPO / "clinics" / "riverside.toml").read_text()
    for number in range(clinic_copies):
        (root / "clinics" / f"bench-{number:03d}.toml").write_text(profile)
    return Roots.under(root), four_page_topic(root)


def batch(roots: Roots, topic: str, count: int, jobs: int, out: Path) -> tuple[float, float]:
    """(wall, CPU of this process and its workers) for one batch of count handouts."""
    items = [BatchItem(topic, f"bench-{n:03d}", "en", "standard", "letter")
             for n in range(count)]
    cpu, started = own_and_children_cpu(), time.perf_counter()
    results = run_batch(roots, items, out, date=DATE, force=True, jobs=jobs)
    wall, used = time.perf_counter() - started, own_and_children_cpu() - cpu
    failed = [result for result in results if result.status != "built"]
    if failed:
        raise SystemExit(f"batch: {len(failed)} items failed, first: {failed[0].reason}")
    return wall, used


# ---------------------------------------------------------------- imposition and packs

def imposition(rounds: int) -> dict[str, tuple[float, float]]:
    from baselines import impose_with_pypdf

    booklet = build_handout(Roots.under(REPO), TOPIC, "riverside", "booklet-letter",
                            Options(date=DATE)).pdf
    sheet = PAPER["letter"]
    found = interleaved({
        "pikepdf": (lambda: time_call(lambda: impose(booklet, sheet)), 3),
        "pypdf": (lambda: time_call(lambda: impose_with_pypdf(booklet, sheet)), 3),
    }, rounds)
    found["pages"] = (len(PdfReader(io.BytesIO(booklet)).pages), 0.0)
    return found


PACK_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    def peak_mb():  # this process's own high-water mark (ru_maxrss would count the parent's)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    sys.path.insert(0, sys.argv[1])
    sys.path.insert(0, sys.argv[1] + "/benchmarks")
    files = [Path(line) for line in Path(sys.argv[3]).read_text().split()]
    target = Path(sys.argv[4])
    if sys.argv[2] == "pikepdf":
        from handouts.finishing.pack import PackEntry, write_pack
        run = lambda: write_pack([PackEntry(f, f.name, 1, 4) for f in files], target)
    else:
        from baselines import pack_with_pypdf
        run = lambda: pack_with_pypdf(files, target)
    before = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    pages = run()
    print(time.perf_counter() - started, time.process_time() - cpu, pages,
          before, peak_mb(), target.stat().st_size)
""")


def pack(files: list[Path], size: int, how: str, work: Path) -> dict[str, float]:
    """One pack of size handouts in a fresh process: time, CPU, peak memory, file size."""
    listing = work / f"pack-{how}-{size}.txt"
    listing.write_text("\n".join(str(files[n % len(files)]) for n in range(size)))
    target = work / f"pack-{how}-{size}.pdf"
    out = subprocess.run([sys.executable, "-c", PACK_CHILD, str(REPO), how, str(listing),
                          str(target)], check=True, capture_output=True, text=True,
                         env=CHILD_ENV).stdout.split()
    target.unlink()
    wall, cpu, pages, start_mb, peak_mb, file_size = (float(value) for value in out)
    return {"wall": wall, "cpu": cpu, "pages": pages, "start": start_mb, "peak": peak_mb,
            "size": file_size}


# ---------------------------------------------------------------- the report

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats, a 40-handout batch, packs of 200 (< 2 minutes)")
    args = parser.parse_args()
    rounds = 5 if args.quick else 15
    batch_size = 40 if args.quick else 200
    pack_sizes = [200] if args.quick else [200, 1000, 3000]
    baseline_pack_sizes = [200] if args.quick else [200, 1000]
    began = time.perf_counter()

    lines = ["### Benchmark figures" + (" (--quick)" if args.quick else ""), ""]
    lines += machine()
    cores, alone, together = cores_really_available(3)
    lines.append(f"- Cores really available: **{cores:.2f}** (two CPU-bound processes side by "
                 f"side took {together:.2f} s, one alone {alone:.2f} s)")

    # 1. start-up
    started = startup(rounds)
    one_pages = build_handout(Roots.under(REPO), TOPIC, "riverside", "letter",
                              Options(date=DATE)).pages
    reference, generate = started["import reportlab.platypus"], started["generate"]
    lines += ["", "#### One `generate`, end to end, against importing ReportLab's platypus", "",
              "Each a fresh process (interpreter start included), interleaved "
              f"{rounds} times; medians.", "",
              "| process | wall | CPU |", "| --- | --- | --- |",
              f"| `python -c \"import reportlab.platypus\"` | {ms(reference[0])} | "
              f"{ms(reference[1])} |",
              f"| `generate {TOPIC} --clinic riverside` ({one_pages} pages) | "
              f"{ms(generate[0])} | "
              f"{ms(generate[1])} |",
              f"| ratio (target at most 1.8) | {generate[0] / reference[0]:.2f} | "
              f"**{generate[1] / reference[1]:.2f}** "
              f"({verdict(generate[1] / reference[1], 1.8)}) |"]

    # 2. the same content: ours and the peers, in-process
    roots_repo = Roots.under(REPO)
    compared = same_content(roots_repo, TOPIC, rounds)
    times = compared["times"]
    ours = times["handouts"]
    lines += ["", "#### The same handout from the same document model, in-process, warm", "",
              f"The {TOPIC} handout (letter, two columns) from its document model; "
              "interleaved, medians. Our renderer against "
              + ", ".join(compared.get(key) for key in ("WeasyPrint state", "Typst state")
                          if compared.get(key)) + ".", "",
              "| renderer | pages | size | wall | CPU | CPU / ours |",
              "| --- | --- | --- | --- | --- | --- |"]
    for name in ("handouts", "WeasyPrint", "Typst", "Typst, same source again"):
        if name not in times:
            continue
        wall, cpu = times[name]
        key = "Typst" if name.startswith("Typst") else name
        lines.append(f"| {name} | {compared['pages'][key]} | "
                     f"{compared['sizes'][key] / 1024:.0f} KB | {ms(wall)} | {ms(cpu)} | "
                     f"{cpu / ours[1]:.2f} |")
    whole = times["whole"]
    lines.append(f"| handouts, whole pipeline from the topic's files | "
                 f"{compared['pages']['handouts']} | | {ms(whole[0])} | {ms(whole[1])} | "
                 f"{whole[1] / ours[1]:.2f} |")
    if "WeasyPrint" not in times or "Typst" not in times:
        lines.append("")
        lines.append("(a peer is missing: pip install -e '.[bench]'; WeasyPrint also needs "
                     "Pango, and libharfbuzz-subset0 for HarfBuzz subsetting)")

    # 3. batch
    roots, topic = make_root(batch_size)
    four = same_content(roots, topic, max(3, rounds // 2))
    typst_four = four["times"].get("Typst")
    out = Path(tempfile.mkdtemp(prefix="handouts-bench-out-"))
    batch(roots, topic, min(8, batch_size), 1, out / "warm")  # bytecode, logo cache
    lines += ["", f"#### A batch of {batch_size} four-page handouts", "",
              "CPU is this process's and its workers', per handout. "
              "Typst's figure is its in-process compile of the same four-page handout "
              "(a source it has not seen).", "",
              "| workers | wall | handouts/s | CPU per handout | CPU / Typst's compile |",
              "| --- | --- | --- | --- | --- |"]
    for jobs in (1, 2):
        wall, cpu = batch(roots, topic, batch_size, jobs, out / f"jobs-{jobs}")
        per = cpu / batch_size
        against = (f"{per / typst_four[1]:.2f} (target at most 0.67: "
                   f"{verdict(per / typst_four[1], 0.67)})" if typst_four else "n/a")
        lines.append(f"| {jobs} | {wall:.2f} s | {batch_size / wall:.0f} | {ms(per)} "
                     f"(target at most 20 ms: {verdict(per, 0.020)}) | {against} |")
    sample = next((out / "jobs-1").glob("*.pdf"))
    pages = len(PdfReader(sample).pages)
    lines.append("")
    lines.append(f"Each handout: {pages} pages, {sample.stat().st_size / 1024:.0f} KB with the "
                 "logo (target under 100 KB).")

    # 4. imposition and packs
    imposed = imposition(rounds)
    pike, old = imposed["pikepdf"], imposed["pypdf"]
    lines += ["", "#### Imposition and print packs", "",
              "| task | pikepdf (now) | pypdf (before) | ratio |", "| --- | --- | --- | --- |",
              f"| impose a {imposed['pages'][0]:.0f}-page booklet, CPU | {ms(pike[1])} | "
              f"{ms(old[1])} | {old[1] / pike[1]:.1f}x faster |"]
    files = sorted((out / "jobs-1").glob("*.pdf"))
    work = Path(tempfile.mkdtemp(prefix="handouts-bench-pack-"))
    for size in pack_sizes:
        now = pack(files, size, "pikepdf", work)
        before = pack(files, size, "pypdf", work) if size in baseline_pack_sizes else None
        peak = (f"{now['peak']:.0f} MB ({now['peak'] - now['start']:.0f} MB above the "
                f"{now['start']:.0f} MB of a started process)")
        lines.append(f"| pack of {size} handouts ({now['pages']:.0f} pages, "
                     f"{now['size'] / 2**20:.0f} MB): wall | {now['wall']:.2f} s | "
                     + (f"{before['wall']:.2f} s | {before['wall'] / now['wall']:.1f}x |"
                        if before else "not run | |"))
        lines.append(f"| pack of {size}: peak memory (target under 250 MB) | {peak} "
                     f"({verdict(now['peak'], 250)}) | "
                     + (f"{before['peak']:.0f} MB | |" if before else "not run | |"))
    shutil.rmtree(work, ignore_errors=True)

    # 5. memory, sizes, the server
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines += ["", "#### Memory and the web app", "",
              f"- Peak memory of this benchmark's own process (everything above in-process, "
              f"WeasyPrint and Typst included): {self_peak:.0f} MB.",
              "- The web app's caching (loaded fonts, topics and compiled templates reused "
              "across requests, finished PDFs cached by input digest) is measured by "
              "`benchmarks/server.py` (the web issue), not here.",
              f"- This run took {time.perf_counter() - began:.0f} s."]
    shutil.rmtree(roots.content.parent, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
