"""Importing ReportLab's page layout (platypus) without its Paragraph module, which we never use.

`import reportlab.platypus` runs the package's __init__, which imports every part of
platypus; its Paragraph module alone compiles regular expressions for about 40 ms, a
seventh of one `generate`. We set our own text (layout/typeset.py), so install() puts a
stand-in for the package in sys.modules: names are then looked up in the modules we use
(flowables, frames, doctemplate, tables) as they are asked for, and any other name (a
caller that does want Paragraph) runs ReportLab's real __init__ first. Nothing changes
for code that imports reportlab.platypus.paragraph itself.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types

_PACKAGE = "reportlab.platypus"
_LEAN = ("flowables", "frames", "doctemplate", "tables")


def install() -> None:
    """Put the lean stand-in in place, unless platypus has been imported already."""
    if _PACKAGE in sys.modules:
        return
    import reportlab

    spec = importlib.machinery.PathFinder.find_spec(_PACKAGE, reportlab.__path__)
    if spec is None or spec.origin is None or not spec.submodule_search_locations:
        return
    module = types.ModuleType(_PACKAGE, "ReportLab's platypus, loaded module by module")
    module.__spec__ = spec
    module.__file__ = spec.origin
    module.__path__ = list(spec.submodule_search_locations)
    module.__package__ = _PACKAGE
    state = {"complete": False}

    def complete() -> None:
        if not state["complete"]:
            state["complete"] = True
            with open(spec.origin, "rb") as source:  # noqa: PTH123 - ReportLab's own file
                code = compile(source.read(), spec.origin, "exec")
            exec(code, module.__dict__)  # noqa: S102 - the package's real __init__

    def lookup(name: str):
        if not name.startswith("__"):
            for part in _LEAN:
                lean = _lean(part)
                if name in lean.__all__:  # what the real __init__ would take from it
                    return getattr(lean, name)
        complete()
        if name in module.__dict__:
            return module.__dict__[name]
        raise AttributeError(f"module {_PACKAGE!r} has no attribute {name!r}")

    module.__getattr__ = lookup  # type: ignore[method-assign]
    sys.modules[_PACKAGE] = module
    sys.modules["reportlab"].platypus = module  # type: ignore[attr-defined]



def _lean(part: str) -> types.ModuleType:
    name = f"{_PACKAGE}.{part}"
    if name in sys.modules:
        return sys.modules[name]
    if part != "doctemplate":
        return importlib.import_module(name)
    # doctemplate imports Paragraph for a demonstration function only: it gets a stand-in
    # that imports the real class if that function is ever called, and the stand-in
    # module is removed again so that anyone importing the paragraph module gets it.
    stand_in = types.ModuleType(f"{_PACKAGE}.paragraph")

    def paragraph(*args, **kwargs):
        from reportlab.platypus.paragraph import Paragraph

        return Paragraph(*args, **kwargs)

    stand_in.Paragraph = paragraph  # type: ignore[attr-defined]
    real = sys.modules.get(stand_in.__name__)
    sys.modules[stand_in.__name__] = real or stand_in
    try:
        return importlib.import_module(name)
    finally:
        if real is None:
            del sys.modules[stand_in.__name__]
