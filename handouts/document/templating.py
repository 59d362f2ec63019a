"""Rendering every template the tool uses, sandboxed, bounded and in a worker that can be killed.

Content, blocks and email bodies all go through render_template. Two layers stop a hostile
or unlucky template:

1. The sandbox checks sizes before computing: powers, repetition, %-formatting, format widths,
   concatenation and the string filters and methods that can blow up (center, indent,
   wordwrap, replace, join, ljust...). Jinja no longer folds these operators at compile time,
   so nothing runs in C before a check.
2. The render itself runs in a long-lived worker process (one per process that renders, forked
   on first use) under a CPU limit (a profiling timer for Python loops, RLIMIT_CPU for anything
   stuck in C), an address-space limit (RLIMIT_AS), and a kill from the caller if it does not
   answer in time. A worker that dies is replaced on the next render. A batch's worker
   processes are disposable already: they render themselves under the same limits, and the
   batch reports a worker that a limit stopped.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import math
import os
import pickle
import re
import signal
import socket
import string
import threading
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    pass_environment,
    pass_eval_context,
)
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.filters import (
    do_batch,
    do_center,
    do_indent,
    do_join,
    do_replace,
    do_slice,
    do_wordwrap,
)
from jinja2.nodes import Concat
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

from handouts.errors import HandoutsError
from handouts.inputs.paths import inside
from handouts.inputs.safe_files import MAX_MARKDOWN_BYTES, read_text, without_invisible

TIME_LIMIT_SECONDS = 2.0  # CPU seconds of Python work: an endless loop ends with a message
HARD_CPU_SECONDS = 4  # RLIMIT_CPU above what the worker has used: work stuck in C is killed
WALL_LIMIT_SECONDS = 30.0  # the caller's last resort: kill a worker that does not answer
MEMORY_HEADROOM_BYTES = 300 * 2**20  # address space a render may add to the worker's
MAX_OUTPUT_CHARS = 2_000_000
MAX_RANGE = 10_000
MAX_WIDTH = 10_000  # format widths and precisions, center/ljust/indent widths
MAX_INTEGER_BITS = 10_000  # about 3,000 digits: far beyond any real handout's arithmetic
MAX_LOREM_WORDS = 10_000


# ----- layer 1: a sandbox that bounds sizes before computing --------------------------------

class _Undefined(StrictUndefined):
    """A missing name fails wherever it ends up, even inside a list that is printed
    (StrictUndefined alone prints as "Undefined" there)."""

    def __repr__(self) -> str:
        self._fail_with_undefined_error()
        return ""  # pragma: no cover - the line above always raises


def _refuse(what: str) -> SecurityError:
    return SecurityError(what)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_size(size: int, what: str) -> None:
    if size > MAX_OUTPUT_CHARS:
        raise _refuse(f"{what} would make {size:,} characters; the limit is "
                      f"{MAX_OUTPUT_CHARS:,}")


def _check_width(width: Any, what: str) -> None:
    if _is_int(width) and abs(width) > MAX_WIDTH:
        raise _refuse(f"{what} of {width:,}; the limit is {MAX_WIDTH:,}")


_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)")


def _check_percent_format(template: str) -> None:
    """Widths in "%10s"-style formats, checked before the string is built."""
    for width, precision, _conversion in _PERCENT_FIELD.findall(template):
        for number in (width, precision):
            if number == "*":
                raise _refuse("'*' widths in % formats are not allowed")
            if number and int(number) > MAX_WIDTH:
                raise _refuse(f"a format width of {int(number):,}; the limit is {MAX_WIDTH:,}")


_SPEC_NUMBERS = re.compile(r"\d+")


def _check_brace_format(template: str) -> None:
    """Widths in "{:>10}"-style formats; nested fields ("{:{w}}") are refused."""
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as error:
        raise _refuse(f"bad format string: {error}") from None
    for _literal, _name, spec, _conversion in fields:
        if not spec:
            continue
        if "{" in spec:
            raise _refuse("nested fields in format specifications are not allowed")
        for number in _SPEC_NUMBERS.findall(spec):
            if int(number) > MAX_WIDTH:
                raise _refuse(f"a format width of {int(number):,}; the limit is {MAX_WIDTH:,}")


def _sequence_length(value: Any) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "**":
        if _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1:
            bits = right * abs(left).bit_length()
            if bits > MAX_INTEGER_BITS:
                raise _refuse(f"the power {left}**{right} is too large to compute")
    elif operator == "*":
        for sequence, times in ((left, right), (right, left)):
            length = _sequence_length(sequence)
            if length is not None and _is_int(times):
                _check_size(length * max(times, 0), "repeating text or a list")
        if _is_int(left) and _is_int(right):
            if left.bit_length() + right.bit_length() > MAX_INTEGER_BITS:
                raise _refuse("the product is too large to compute")
    elif operator == "+":
        lengths = (_sequence_length(left), _sequence_length(right))
        if None not in lengths:
            _check_size(lengths[0] + lengths[1], "joining text")
    elif operator == "%" and isinstance(left, str):
        _check_percent_format(left)


def _text_size(values: Any) -> int:
    return sum(len(value) if isinstance(value, str) else len(str(value)) for value in values)


def _bounded_join(items: tuple[Any, ...], markup: bool) -> str:
    """The ~ operator: measured before the result is allocated."""
    _check_size(_text_size(items), "joining text with ~")
    return markup_join(items) if markup else str_join(items)


def _center(value: Any, width: int = 80) -> str:
    _check_width(width, "center() width")
    return do_center(value, width)


def _indent(value: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    size = len(width) if isinstance(width, str) else width
    _check_width(size, "indent() width")
    text = str(value)
    if _is_int(size):
        _check_size(len(text) + (text.count("\n") + 1) * max(size, 0), "indent()")
    return do_indent(value, width, first, blank)


@pass_environment
def _wordwrap(environment: Any, value: str, width: int = 79, break_long_words: bool = True,
              wrapstring: str | None = None, break_on_hyphens: bool = True) -> str:
    _check_width(width, "wordwrap() width")
    if _is_int(width) and width < 1:
        raise _refuse("wordwrap() width must be at least 1")
    wrap = len(wrapstring) if wrapstring is not None else 1
    _check_size(len(str(value)) * (1 + wrap), "wordwrap()")
    return do_wordwrap(environment, value, width, break_long_words, wrapstring,
                       break_on_hyphens)


@pass_eval_context
def _replace(eval_ctx: Any, value: str, old: str, new: str, count: int | None = None) -> str:
    text = str(value)
    found = text.count(str(old)) if str(old) else len(text) + 1
    if count is not None and _is_int(count) and count >= 0:
        found = min(found, count)
    _check_size(len(text) + found * max(len(str(new)) - len(str(old)), 0), "replace()")
    return do_replace(eval_ctx, value, old, new, count)


@pass_eval_context
def _join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
    items = list(value) if attribute is None else value
    if attribute is None:
        _check_size(_text_size(items) + len(str(d)) * len(items), "join()")
        value = items
    return do_join(eval_ctx, value, d, attribute)


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    if args and kwargs:
        raise _refuse("format() takes positional or keyword arguments, not both")
    text = str(value)
    _check_percent_format(text)
    return text % (kwargs or args)


def _batch(value: Any, linecount: int, fill_with: Any = None):
    if not _is_int(linecount) or not 0 < linecount <= MAX_RANGE:
        raise _refuse(f"batch() of {linecount}; use 1 to {MAX_RANGE}")
    return do_batch(value, linecount, fill_with)


def _slice(value: Any, slices: int, fill_with: Any = None):
    if not _is_int(slices) or not 0 < slices <= MAX_RANGE:
        raise _refuse(f"slice() of {slices}; use 1 to {MAX_RANGE}")
    return do_slice(value, slices, fill_with)


def _limited_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SecurityError(f"range() of {len(result)} items; the limit is {MAX_RANGE}")
    return result


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
    if not all(_is_int(v) for v in (n, min, max)) or n * max > MAX_LOREM_WORDS:
        raise _refuse(f"lipsum() of more than {MAX_LOREM_WORDS:,} words")
    return generate_lorem_ipsum(n, html, min, max)


_WIDTH_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}


def _check_call(target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    owner = getattr(target, "__self__", None)
    name = getattr(target, "__name__", "")
    if not isinstance(owner, str):
        return
    if name in _WIDTH_METHODS:
        for value in (*args, *kwargs.values()):
            _check_width(value, f"{name}() width")
        if name == "expandtabs":
            width = next(iter((*args, *kwargs.values())), 8)
            if _is_int(width):
                _check_size(len(owner) + owner.count("\t") * width, "expandtabs()")
    elif name == "join" and args:
        items = list(args[0]) if not isinstance(args[0], list | tuple) else args[0]
        _check_size(_text_size(items) + len(owner) * len(items), "join()")
    elif name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        found = owner.count(old) if old else len(owner) + 1
        _check_size(len(owner) + found * max(len(new) - len(old), 0), "replace()")


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles ~ into a call that measures its parts before joining them."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        markup = "context.eval_ctx.autoescape"
        self.write("environment.bounded_join((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write(f"), {markup})")


class _BoundedEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(["**", "*", "%", "+"])
    code_generator_class = _BoundedCodeGenerator

    def __init__(self, loader: BaseLoader, autoescape: bool):
        super().__init__(
            loader=loader, undefined=_Undefined, autoescape=autoescape,
            keep_trailing_newline=True, auto_reload=False,
            # '{#' opens section keys ("## Tests {#tests}"), so template comments are
            # HTML-style comments instead: an author's note that never reaches the page.
            comment_start_string="<!--", comment_end_string="-->",
        )
        self.globals["range"] = _limited_range
        self.globals["lipsum"] = _lipsum
        self.filters.update({
            "center": _center, "indent": _indent, "wordwrap": _wordwrap, "replace": _replace,
            "join": _join, "format": _format, "batch": _batch, "slice": _slice,
        })

    @staticmethod
    def bounded_join(items: tuple[Any, ...], markup: bool) -> str:
        return _bounded_join(items, markup)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_brace_format(value.__self__)
        return wrapped

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise SecurityError(f"access to attribute {attribute!r} of "
                            f"{type(obj).__name__!r} object is unsafe")


class _ContainedLoader(BaseLoader):
    """{% include %} reads files under the root only: no '..', no absolute names, and no
    symbolic link that leads outside it (Jinja's FileSystemLoader follows those)."""

    def __init__(self, root: Path):
        self.root = root

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable]:
        parts = template.replace("\\", "/").split("/")
        if template.startswith("/") or any(part in ("", ".", "..") for part in parts):
            raise TemplateNotFound(template)
        path = self.root.joinpath(*parts)
        if not path.is_file():
            raise TemplateNotFound(template)
        inside(path, self.root, "the included file")
        text = read_text(path, limit=MAX_MARKDOWN_BYTES)
        return text, str(path), lambda: True


@functools.lru_cache(maxsize=16)
def _environment(include_root: Path, autoescape: bool) -> _BoundedEnvironment:
    return _BoundedEnvironment(_ContainedLoader(include_root), autoescape)


@functools.lru_cache(maxsize=256)
def _compiled(include_root: Path, autoescape: bool, text: str):
    """Compiling is most of a render's cost; a batch renders the same files many times."""
    return _environment(include_root, autoescape).from_string(text)


class _Timeout(Exception):
    pass


def _render_here(text: str, path: Path, context: Mapping[str, Any], include_root: Path,
                 autoescape: bool) -> str:
    """Render in this process; every failure is a HandoutsError naming path."""
    try:
        with _cpu_alarm(TIME_LIMIT_SECONDS):
            template = _compiled(include_root, autoescape, text)
            pieces: list[str] = []
            size = 0
            for piece in template.generate(**context):
                pieces.append(piece)
                size += len(piece)
                if size > MAX_OUTPUT_CHARS:
                    raise HandoutsError(
                        f"template output is over {MAX_OUTPUT_CHARS:,} characters", path)
            # what templates compute ("{{ '\x1b' }}", a bidi override) is cleaned like files
            return without_invisible("".join(pieces))
    except _Timeout:
        raise _too_long(path) from None
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
    except TemplateNotFound as error:
        raise HandoutsError(f"{_template_line(error)}template error: included file not "
                            f"found: {error}", path) from None
    except TemplateError as error:
        raise HandoutsError(f"{_template_line(error)}template error: {error}", path) from None
    except HandoutsError:
        raise
    except RecursionError:
        raise HandoutsError("template recursion is too deep", path) from None
    except MemoryError:
        raise _too_big(path) from None
    except Exception as error:  # a filter given the wrong type, a division by zero...
        raise HandoutsError(f"{_template_line(error)}template error: "
                            f"{type(error).__name__}: {error}", path) from None


def _too_long(path: Path) -> HandoutsError:
    return HandoutsError(f"template took longer than {TIME_LIMIT_SECONDS:g} s to render "
                         "(an endless or very long loop?)", path)


def _too_big(path: Path) -> HandoutsError:
    return HandoutsError(f"template needs more than {MEMORY_HEADROOM_BYTES // 2**20} MB of "
                         "memory to render (text repeated or joined too many times?)", path)


def _template_line(error: BaseException) -> str:
    """The template line where error happened, from the traceback Jinja rewrote."""
    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"line {line}: " if line else ""


class _cpu_alarm:
    """A limit on CPU seconds for loops that run Python code, where signals are available.
    CPU time, not wall time: a busy machine does not fail a template that is merely slow."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.active = (threading.current_thread() is threading.main_thread()
                       and hasattr(signal, "setitimer"))

    def __enter__(self) -> None:
        if self.active:
            self.previous = signal.signal(signal.SIGPROF, self._fire)
            signal.setitimer(signal.ITIMER_PROF, self.seconds)

    @staticmethod
    def _fire(signum: int, frame: object) -> None:
        raise _Timeout

    def __exit__(self, *exc: object) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, self.previous)


# ----- layer 2: a worker process with hard limits ------------------------------------------

def _serve(connection: Connection) -> None:
    """The worker's loop: one request in, one answer out, until the caller goes away."""
    import resource

    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the worker with its parent
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = _address_space() + MEMORY_HEADROOM_BYTES
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    while True:
        try:
            request = connection.recv_bytes()
        except (EOFError, OSError):
            return
        text, path, context, include_root, autoescape = pickle.loads(request)
        with contextlib.suppress(ValueError, OSError):
            _, hard = resource.getrlimit(resource.RLIMIT_CPU)
            soft = _cpu_spent() + HARD_CPU_SECONDS
            if hard == resource.RLIM_INFINITY or soft <= hard:
                resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        try:
            answer: tuple[str, str] = ("ok", _render_here(text, path, context, include_root,
                                                          autoescape))
        except HandoutsError as error:
            answer = ("error", str(error))
        except MemoryError:
            answer = ("error", str(_too_big(path)))
        try:
            connection.send_bytes(pickle.dumps(answer))
        except MemoryError:
            connection.send_bytes(pickle.dumps(("error", str(_too_big(path)))))


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def fork_frozen() -> int:
    """os.fork() with this process's objects frozen for the child. The child shares this
    process's memory page by page until either writes to a page; frozen objects are left
    alone by the child's garbage collector, which would otherwise touch (and so copy)
    every page of the objects it inherits. The parent's collector is left as it was."""
    parent = os.getpid()
    frozen_already = gc.get_freeze_count()
    gc.freeze()
    try:
        return os.fork()
    finally:
        if not frozen_already and os.getpid() == parent:
            gc.unfreeze()  # in this process, as it was


class _Worker:
    def __init__(self) -> None:
        parent_end, child_end = socket.socketpair()
        pid = fork_frozen()
        if pid == 0:  # the worker
            try:
                parent_end.close()
                keep = child_end.fileno()
                os.closerange(3, keep)  # no inherited pipe or file is held open by us
                os.closerange(keep + 1, 1 << 16)
                _serve(Connection(child_end.detach()))
            finally:
                os._exit(0)
        child_end.close()
        self.pid = pid
        self.connection = Connection(parent_end.detach())

    def render(self, request: bytes, path: Path) -> str:
        try:
            self.connection.send_bytes(request)
            if not self.connection.poll(WALL_LIMIT_SECONDS):
                self.stop()
                raise _too_long(path)
            status, value = pickle.loads(self.connection.recv_bytes())
        except (EOFError, OSError):
            reason = self.stop()
            if reason == signal.SIGXCPU:
                raise _too_long(path) from None
            raise HandoutsError("the template stopped the renderer (it ran out of memory or "
                                f"time, signal {reason})", path) from None
        if status == "error":
            raise HandoutsError(value)
        return value

    def stop(self) -> int | None:
        """End the worker; returns the signal that ended it, if any."""
        with contextlib.suppress(OSError):
            self.connection.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return None
        if os.WIFSIGNALED(status):
            signal_number = os.WTERMSIG(status)
            return signal.SIGXCPU if signal_number == signal.SIGXCPU else signal_number
        return None


_worker: _Worker | None = None
_worker_lock = threading.Lock()


def _forget_worker() -> None:
    """After a fork, the child starts its own worker; the parent's stays the parent's."""
    global _worker, _worker_lock
    if _worker is not None:
        with contextlib.suppress(OSError):
            _worker.connection.close()
    _worker = None
    _worker_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_worker)


def _stop_at_exit() -> None:
    if _worker is not None and _worker.pid is not None:
        stop_worker()  # no orphan; its CPU time is counted with ours


atexit.register(_stop_at_exit)


def stop_worker() -> None:
    """End this process's render worker (the next render starts a new one)."""
    global _worker
    with _worker_lock:
        if _worker is not None:
            _worker.stop()
            _worker = None


_contained = False


def contain_in_this_process() -> None:
    """For a disposable process whose death its parent reports (a batch worker): render
    here, with the CPU and memory limits applied to this process around each render, and
    save the round trip to a render worker."""
    global _contained
    _contained = True


@contextlib.contextmanager
def _limits_here() -> Any:
    import resource

    saved = []
    with contextlib.suppress(ValueError, OSError):
        for kind, limit in ((resource.RLIMIT_AS, _address_space() + MEMORY_HEADROOM_BYTES),
                            (resource.RLIMIT_CPU, _cpu_spent() + HARD_CPU_SECONDS)):
            soft, hard = resource.getrlimit(kind)
            if hard == resource.RLIM_INFINITY or limit < hard:
                resource.setrlimit(kind, (limit, hard))
                saved.append((kind, soft, hard))
    try:
        yield
    finally:
        for kind, soft, hard in saved:
            resource.setrlimit(kind, (soft, hard))


def _cpu_spent() -> int:
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    return math.ceil(used.ru_utime + used.ru_stime)


def render_template(text: str, path: Path, context: Mapping[str, Any], include_root: Path,
                    *, autoescape: bool = False) -> str:
    """Render text (read from path) with context; every failure is one line naming path,
    within the time and memory limits above. {% include %} reads under include_root."""
    if not hasattr(os, "fork") or not Path("/proc/self/statm").exists():
        return _render_here(text, path, context, include_root, autoescape)
    if _contained:
        with _limits_here():
            return _render_here(text, path, context, include_root, autoescape)
    global _worker
    request = pickle.dumps((text, path, dict(context), include_root, autoescape))
    with _worker_lock:
        if _worker is None:
            _worker = _Worker()
        worker = _worker
        try:
            return worker.render(request, path)
        finally:
            if worker.connection.closed:
                _worker = None
