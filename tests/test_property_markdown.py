"""Property: any text a person could type gives a readable PDF or one clean error line."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from conftest import TINY_TOPIC, make_tiny_roots, page_texts, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handouts.inputs.paths import Roots

EXAMPLES = int(os.environ.get("HANDOUTS_HYPOTHESIS_EXAMPLES", "150"))

MARKDOWN_PIECES = st.sampled_from([
    "\n", "\n\n", "# ", "## ", "### ", "- ", "* ", "1. ", "  ", "    ", "> ", "> [!CALL] ",
    "> [!EMERGENCY] ", "> [!NOTES] ", "> [!BOGUS] ", "**", "*", "_", "`", "[", "](", ")",
    "https://example.org", "javascript:alert(1)", "<b>", "</b>", "<img src=x>", "&", "&amp;",
    "<", ">", "|", "|---|", "{{", "}}", "{%", "%}", "{#", "#}", "<!--", "-->", "\\", "\t",
    "\u200b", "\ufeff", "😀", "Tiếng Việt", "ñ", "¿", "\x00", "\x1b", "word ", "W" * 300,
])


def typed_text():
    return st.lists(st.one_of(MARKDOWN_PIECES, st.text(max_size=40)), max_size=40).map("".join)


def make_roots(folder: Path) -> Roots:
    return make_tiny_roots(
        folder, TINY_TOPIC.replace('sections = ["about", "help"]', 'sections = ["a"]'))


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(body=typed_text())
def test_any_typed_text_gives_a_pdf_or_a_clean_error(body):
    with tempfile.TemporaryDirectory() as folder:
        roots = make_roots(Path(folder))
        markdown = roots.content / "tiny-topic" / "en" / "standard.md"
        markdown.write_bytes(("## A {#a}\n\n" + body).encode("utf-8", "surrogatepass"))
        out = Path(folder) / "out" / "h.pdf"
        result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "--date", "2026-11-26",
                         "-o", str(out), roots=roots)
        assert result.exit_code in (0, 1), result.output
        if result.exit_code == 0:
            texts = page_texts(out)
            assert texts and "Tiny Topic" in texts[0]
            assert f"Page {len(texts)} of {len(texts)}" in texts[-1]
        else:
            lines = result.stderr.strip().splitlines()
            errors = [line for line in lines if line.startswith("error: ")]
            assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
            assert not out.exists()
