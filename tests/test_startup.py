"""Start-up: making a handout loads only what it uses (ReportLab's Paragraph module, whose
regular expressions take about 40 ms to compile, is not among it); speed is measured in
benchmarks/run.py, never here."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

MAKE_ONE = """
import sys
from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.inputs.paths import Roots
import datetime
build_handout(Roots.under(sys.argv[1]), "bone-metastasis", "riverside", "booklet-letter",
              Options(date=datetime.date(2026, 11, 26)))
loaded = sorted(name for name in sys.modules if name.startswith("reportlab.platypus."))
print(" ".join(loaded))
from reportlab.platypus import Paragraph, SimpleDocTemplate  # others may still use them
from reportlab.platypus.paragraph import Paragraph as Same
assert Paragraph is Same and SimpleDocTemplate.__module__ == "reportlab.platypus.doctemplate"
"""


def test_making_a_handout_does_not_load_reportlabs_paragraph_module():
    result = subprocess.run([sys.executable, "-c", MAKE_ONE, str(REPO)], capture_output=True,
                            text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.split()
    assert "reportlab.platypus.doctemplate" in loaded  # the page layout we do use
    assert "reportlab.platypus.paragraph" not in loaded
    assert "reportlab.platypus.paraparser" not in loaded


RUN_AS_PROGRAM = """
import atexit, gc, sys
from handouts.cli import run
# registered before run()'s own handler, so this runs after it, as the process ends
atexit.register(lambda: print("collecting:", gc.isenabled(), "frozen:", gc.get_freeze_count() > 0))
sys.argv = ["handouts"] + sys.argv[1:]
run()
"""


def test_the_program_collects_garbage_as_usual_once_its_modules_are_loaded(tmp_path):
    """run() keeps Python's garbage collector off only while a command's modules load (and
    freezes what is alive at exit): every command, long-running ones included, then
    collects as usual."""
    for command in (["list"], ["generate", "bone-metastasis", "--clinic", "riverside",
                               "--date", "2026-11-26", "-o", str(tmp_path / "one.pdf")]):
        result = subprocess.run([sys.executable, "-c", RUN_AS_PROGRAM, *command],
                                capture_output=True, text=True, cwd=REPO)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "collecting: True frozen: True"
    assert (tmp_path / "one.pdf").read_bytes().startswith(b"%PDF-")
    missing = subprocess.run([sys.executable, "-c", RUN_AS_PROGRAM, "generate", "no-such-topic",
                              "--clinic", "riverside"], capture_output=True, text=True, cwd=REPO)
    assert missing.returncode == 1 and missing.stderr.startswith("error:")
