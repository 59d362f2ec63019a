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
