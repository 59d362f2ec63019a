"""Rendering content files as sandboxed Jinja2 templates, with a time and size limit."""

from __future__ import annotations

import functools
import signal
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from handouts.errors import HandoutsError

TIME_LIMIT_SECONDS = 2.0
MAX_OUTPUT_CHARS = 2_000_000
MAX_RANGE = 10_000


@functools.lru_cache(maxsize=256)
def _compiled(include_root: Path, text: str):
    """Compiling is most of a render's cost; a batch renders the same files many times."""
    return _environment(include_root).from_string(text)


class _Timeout(Exception):
    pass


def _limited_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SecurityError(f"range() of {len(result)} items; the limit is {MAX_RANGE}")
    return result


@functools.lru_cache(maxsize=16)
def _environment(include_root: Path) -> ImmutableSandboxedEnvironment:
    # FileSystemLoader refuses names with '..' or absolute paths, so {% include %} stays
    # inside the content folder.
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(include_root)), undefined=StrictUndefined,
        autoescape=False, keep_trailing_newline=True, auto_reload=False,
        # '{#' opens section keys ("## Tests {#tests}"), so template comments are
        # HTML-style comments instead: an author's note that never reaches the page.
        comment_start_string="<!--", comment_end_string="-->",
    )
    env.globals["range"] = _limited_range
    return env


def render_template(text: str, path: Path, context: Mapping[str, Any], include_root: Path) -> str:
    """Render text (read from path) with context; every failure is one line naming path."""
    deadline = time.monotonic() + TIME_LIMIT_SECONDS
    try:
        with _alarm(TIME_LIMIT_SECONDS):
            template = _compiled(include_root, text)
            pieces: list[str] = []
            size = 0
            for piece in template.generate(**context):
                pieces.append(piece)
                size += len(piece)
                if size > MAX_OUTPUT_CHARS:
                    raise HandoutsError(
                        f"template output is over {MAX_OUTPUT_CHARS:,} characters", path)
                if time.monotonic() > deadline:
                    raise _Timeout
            return "".join(pieces)
    except _Timeout:
        raise HandoutsError(f"template took longer than {TIME_LIMIT_SECONDS:g} s to render "
                            "(an endless or very long loop?)", path) from None
    except TemplateSyntaxError as error:
        raise HandoutsError(f"line {error.lineno}: template syntax error: {error.message}",
                            path) from None
    except UndefinedError as error:
        line = _template_line(error)
        message = (error.message or "").replace("'dict object' has no attribute",
                                                "no such name:")
        raise HandoutsError(f"{line}undefined name in template: {message}", path) from None
    except SecurityError as error:
        raise HandoutsError(f"{_template_line(error)}template refused: {error}",
                            path) from None
    except TemplateError as error:
        raise HandoutsError(f"{_template_line(error)}template error: {error}", path) from None
    except HandoutsError:
        raise
    except RecursionError:
        raise HandoutsError("template recursion is too deep", path) from None
    except Exception as error:  # a filter given the wrong type, a division by zero...
        raise HandoutsError(f"{_template_line(error)}template error: "
                            f"{type(error).__name__}: {error}", path) from None


def _template_line(error: BaseException) -> str:
    """The template line where error happened, from the traceback Jinja rewrote."""
    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"line {line}: " if line else ""


class _alarm:
    """A hard time limit for loops that produce no output, where signals are available."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.active = (threading.current_thread() is threading.main_thread()
                       and hasattr(signal, "setitimer"))

    def __enter__(self) -> None:
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    @staticmethod
    def _fire(signum: int, frame: object) -> None:
        raise _Timeout

    def __exit__(self, *exc: object) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
