"""Hostile templates: every template the tool renders (content, blocks, email bodies) ends
within seconds and small memory with one clear line, and never reads outside its folder."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from handouts.document import templating
from handouts.document.templating import render_template
from handouts.errors import HandoutsError

MAIL = '\n[mail]\nsender = "clinic@example.org"\n'
EMAIL_TEMPLATES = {"subject.txt": "Your handout", "body.txt": "Hello.\n",
                   "body.html": "<p>Hello.</p>\n"}


def with_body(roots, body: str) -> None:
    """The tiny topic with body as its only section's text."""
    topic = roots.content / "tiny-topic" / "topic.toml"
    topic.write_text(topic.read_text().replace('sections = ["about", "help"]',
                                               'sections = ["a"]'))
    (roots.content / "tiny-topic" / "en" / "standard.md").write_text(f"## A {{#a}}\n\n{body}\n")


def with_email_body(roots, body: str) -> None:
    profile = roots.clinics / "tiny.toml"
    profile.write_text(profile.read_text() + MAIL)
    folder = roots.clinics / "tiny" / "email" / "en"
    folder.mkdir(parents=True)
    for name, text in EMAIL_TEMPLATES.items():
        (folder / name).write_text(text)
    (folder / "body.txt").write_text(body)


def run_separately(roots, *args: str, memory_bytes: int | None = None):
    """The CLI in its own process: a hang is a failure here, not a stuck test run."""
    command = [sys.executable, "-m", "handouts", "--content-dir", str(roots.content),
               "--clinics-dir", str(roots.clinics), "--layouts-dir", str(roots.layouts), *args]

    def limit_memory() -> None:
        if memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    return subprocess.run(command, capture_output=True, text=True, timeout=60,
                          cwd=roots.content.parent, preexec_fn=limit_memory)


def assert_one_line(result, *fragments: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


HUGE_POWER = "{{ 10 ** (10 ** 8) }}"  # Jinja folded this in C at compile time: a hang


def test_a_content_template_that_computes_a_huge_power_ends_with_a_one_line_error(tiny):
    with_body(tiny, HUGE_POWER)
    result = run_separately(tiny, "generate", "tiny-topic", "--clinic", "tiny", "-o", "x.pdf")
    assert_one_line(result, "standard.md", "line 3", "too large")
    assert not (tiny.content.parent / "x.pdf").exists()


def test_a_batch_item_with_a_huge_power_fails_alone(tiny):
    with_body(tiny, HUGE_POWER)
    plan = tiny.content.parent / "plan.toml"
    plan.write_text('output = "out"\n[[print]]\nclinics = ["tiny"]\ntopics = ["tiny-topic"]\n'
                    'layouts = ["letter", "a4"]\n')
    result = run_separately(tiny, "batch", str(plan))
    assert result.returncode == 1
    assert "built 0, skipped 0, failed 2" in result.stdout
    assert result.stderr.count("too large") == 2


def test_check_with_a_huge_power_ends_with_a_one_line_error(tiny):
    with_body(tiny, HUGE_POWER)
    result = run_separately(tiny, "check", "tiny-topic")
    assert result.returncode == 1
    assert "too large" in result.stdout + result.stderr


def test_an_email_body_with_a_huge_power_ends_with_a_one_line_error(tiny):
    with_email_body(tiny, HUGE_POWER)
    result = run_separately(tiny, "email", "tiny-topic", "--clinic", "tiny", "--to",
                            "someone@example.org", "--save-eml", "x.eml")
    assert_one_line(result, "body.txt", "too large")
    assert not (tiny.content.parent / "x.eml").exists()


def test_a_template_that_repeats_text_billions_of_times_is_refused_before_allocating(tiny):
    with_body(tiny, '{{ "a" * 3 * 10 ** 9 }}')
    result = run_separately(tiny, "generate", "tiny-topic", "--clinic", "tiny", "-o", "x.pdf",
                            memory_bytes=2 * 2**30)  # the whole command, render worker included
    assert_one_line(result, "standard.md", "limit is 2,000,000")


def render(text: str, root: Path = Path(".")) -> str:
    return render_template(text, Path("hostile.md"), {"name": "x"}, root)


# Each of these would compute or allocate gigabytes, or print a value the sandbox refused.
EXPLOSIVE = {
    "power": "{{ 9 ** (9 ** 9) }}",
    "text times a number": "{{ 'ab' * 10 ** 8 }}",
    "list times a number": "{{ ([1] * 10 ** 8) | length }}",
    "product of huge numbers": "{% set n = 2 ** 9000 %}{{ n * n }}",
    "percent width": "{{ '%999999999d' % 1 }}",
    "format filter width": "{{ '%-99999999s' | format('x') }}",
    "brace format width": "{{ '{:>999999999}'.format(1) }}",
    "nested brace width": "{{ '{:{w}}'.format(1, w=999999999) }}",
    "center filter": "{{ 'a' | center(10 ** 9) }}",
    "indent filter": "{{ ('a\\n' * 10000) | indent(10000) }}",
    "ljust method": "{{ 'a'.ljust(10 ** 9) }}",
    "zfill method": "{{ '1'.zfill(10 ** 9) }}",
    "doubling by ~": ("{% macro f(s, n) %}{% if n %}{{ f(s ~ s, n - 1) }}{% endif %}"
                      "{% endmacro %}{{ f('a', 40) }}"),
    "doubling by +": ("{% macro f(s, n) %}{% if n %}{{ f(s + s, n - 1) }}{% endif %}"
                      "{% endmacro %}{{ f('a', 40) }}"),
    "replace growth": "{{ ('a' * 1000000) | replace('a', 'aaaa') }}",
    "join of repeats": "{{ (['x' * 1000000] * 100) | join }}",
    "join method": "{{ ''.join(['x' * 1000000] * 100) }}",
    "batch filler": "{{ [1] | batch(10 ** 9) | list }}",
    "lipsum": "{{ lipsum(10 ** 6) }}",
    "range": "{% for i in range(10 ** 9) %}{% endfor %}",
}


@pytest.mark.parametrize("name", sorted(EXPLOSIVE))
def test_explosive_expressions_are_refused_before_computing(name):
    with pytest.raises(HandoutsError) as caught:
        render(EXPLOSIVE[name])
    message = str(caught.value)
    assert message.startswith("hostile.md: line 1: template refused:"), message
    assert "\n" not in message


@pytest.fixture
def fresh_worker():
    templating.stop_worker()
    yield
    templating.stop_worker()


def test_ordinary_arithmetic_and_formatting_still_work():
    assert render("{{ 2 ** 10 }} {{ 'ab' * 3 }} {{ '%5s|' % 'x' }} {{ 'x' ~ name }} "
                  "{{ [1, 2] | join(',') }} {{ '{:>4}'.format(7) }} {{ 'a' | center(5) }}|"
                  "{{ 7 % 3 }}") == "1024 ababab     x| xx 1,2    7   a  |1"


def test_a_missing_name_inside_a_printed_list_is_an_error_not_undefined():
    with pytest.raises(HandoutsError, match="undefined"):
        render("{{ [nothing_here] }}")


def test_an_unsafe_attribute_through_map_is_refused_not_printed():
    with pytest.raises(HandoutsError, match="unsafe"):
        render("{{ [1, 2] | map(attribute='__class__') | list }}")


def test_an_endless_loop_stops_after_the_time_limit(monkeypatch, fresh_worker):
    monkeypatch.setattr(templating, "TIME_LIMIT_SECONDS", 0.5)
    with pytest.raises(HandoutsError, match="longer than 0.5 s"):
        render("{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000)"
               " %}{% endfor %}{% endfor %}{% endfor %}")


def test_work_the_sandbox_misses_is_stopped_by_the_cpu_limit(monkeypatch, fresh_worker):
    # with the size checks off, the power runs in C where no Python timer reaches it
    monkeypatch.setattr(templating, "MAX_INTEGER_BITS", 10**12)
    monkeypatch.setattr(templating, "HARD_CPU_SECONDS", 1)
    with pytest.raises(HandoutsError, match="longer than"):
        render(HUGE_POWER)
    templating.stop_worker()
    monkeypatch.undo()
    assert render("{{ 6 * 7 }}") == "42"  # a new worker takes over


def test_memory_the_sandbox_misses_is_stopped_by_the_address_space_limit(monkeypatch,
                                                                          fresh_worker):
    monkeypatch.setattr(templating, "MAX_OUTPUT_CHARS", 10**12)
    with pytest.raises(HandoutsError, match="more than 300 MB"):
        render('{{ "a" * 3 * 10 ** 9 }}')
    assert render("{{ 6 * 7 }}") == "42"


def test_a_render_worker_that_is_killed_is_replaced():
    assert render("{{ 1 }}") == "1"
    templating._worker.stop()  # as the kernel's out-of-memory killer would
    with pytest.raises(HandoutsError, match="stopped the renderer"):
        render("{{ 2 }}")
    assert render("{{ 3 }}") == "3"


# ----- symbolic links out of the content, clinics and layouts folders ----------------------

def outside_file(tmp_path: Path) -> Path:
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("SECRET-SYSTEM-FILE\n")
    return secret


def generate(roots, out: Path):
    return run_cli("generate", "tiny-topic", "--clinic", "tiny", "--date", "2026-11-26",
                   "-o", str(out), roots=roots)


def assert_link_refused(result, out: Path, name: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "symbolic link" in lines[0], result.stderr
    assert "SECRET" not in result.output
    assert not out.exists()


def test_an_include_that_links_outside_the_content_folder_is_refused(tiny, tmp_path):
    (tiny.content / "tiny-topic" / "en" / "part.md").symlink_to(outside_file(tmp_path))
    with_body(tiny, '{% include "tiny-topic/en/part.md" %}')
    out = tmp_path / "x.pdf"
    assert_link_refused(generate(tiny, out), out, "part.md")


def test_a_topic_file_that_links_outside_is_refused(tiny, tmp_path):
    markdown = tiny.content / "tiny-topic" / "en" / "standard.md"
    markdown.unlink()
    markdown.symlink_to(outside_file(tmp_path))
    out = tmp_path / "x.pdf"
    assert_link_refused(generate(tiny, out), out, "standard.md")


def test_a_clinic_block_that_links_outside_is_refused(tiny, tmp_path):
    own = tiny.clinics / "tiny" / "en"
    own.mkdir(parents=True)
    (own / "disclaimer.md").symlink_to(outside_file(tmp_path))
    out = tmp_path / "x.pdf"
    assert_link_refused(generate(tiny, out), out, "disclaimer.md")


def test_a_clinic_profile_that_links_outside_is_refused(tiny, tmp_path):
    real = tmp_path / "elsewhere-profile.toml"
    (tiny.clinics / "tiny.toml").rename(real)
    (tiny.clinics / "tiny.toml").symlink_to(real)
    out = tmp_path / "x.pdf"
    assert_link_refused(generate(tiny, out), out, "tiny.toml")


def test_an_email_template_that_links_outside_is_refused(tiny, tmp_path):
    with_email_body(tiny, "Hello.\n")
    body = tiny.clinics / "tiny" / "email" / "en" / "body.txt"
    body.unlink()
    body.symlink_to(outside_file(tmp_path))
    out = tmp_path / "x.eml"
    result = run_cli("email", "tiny-topic", "--clinic", "tiny", "--to", "a@example.org",
                     "--save-eml", str(out), roots=tiny)
    assert_link_refused(result, out, "body.txt")


def test_links_that_stay_inside_the_folder_are_fine(tiny, tmp_path):
    shared = tiny.content / "tiny-topic" / "en" / "shared.md"
    shared.write_text("Shared words.\n")
    os.symlink("shared.md", tiny.content / "tiny-topic" / "en" / "part.md")
    with_body(tiny, '{% include "tiny-topic/en/part.md" %}')
    out = tmp_path / "x.pdf"
    assert generate(tiny, out).exit_code == 0
