"""The command behaves like a Unix tool when its reader stops early."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_reader_that_stops_early_gets_no_error_line():
    # `handouts list | head -1`: the pipe closes after the first line.
    lister = subprocess.Popen([sys.executable, "-m", "handouts", "list"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lister.stdout.readline()
    lister.stdout.close()
    _, errors = lister.communicate(timeout=60)
    assert b"unexpected problem" not in errors
    assert b"Traceback" not in errors
    assert lister.returncode in (0, 1)
