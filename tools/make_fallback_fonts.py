"""Cut static Noto Sans instances (regular, bold, italic, bold italic) from the variable font.

ReportLab draws only the default instance of a variable font, so bold fallback glyphs need
static files. Run once with fonttools and fontpkg-noto-sans installed; the output is
committed under handouts/fonts/noto-sans/ (SIL OFL 1.1, no reserved font names).
"""

import subprocess
import sys
from pathlib import Path

import fontpkg_noto_sans

SOURCE = Path(fontpkg_noto_sans.__file__).parent / "files"
TARGET = Path(__file__).resolve().parent.parent / "handouts" / "fonts" / "noto-sans"
INSTANCES = {
    "NotoSans-Regular.ttf": ("NotoSans[wdth,wght].ttf", 400),
    "NotoSans-Bold.ttf": ("NotoSans[wdth,wght].ttf", 700),
    "NotoSans-Italic.ttf": ("NotoSans-Italic[wdth,wght].ttf", 400),
    "NotoSans-BoldItalic.ttf": ("NotoSans-Italic[wdth,wght].ttf", 700),
}

for name, (source, weight) in INSTANCES.items():
    subprocess.run([sys.executable, "-m", "fontTools.varLib.instancer", str(SOURCE / source),
                    f"wght={weight}", "wdth=100", "--static", "--update-name-table",
                    "-o", str(TARGET / name)], check=True)
