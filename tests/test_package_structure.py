"""The package's folders are the pipeline, and data flows one way through them."""

import ast
from pathlib import Path

import handouts

PACKAGE = Path(handouts.__file__).parent

# Each stage may import its own modules and those of earlier stages, never a later one.
# The orchestration modules at the top (build, batch, send, check, cli, topic_search) may
# import any stage.
STAGES = ["errors", "inputs", "document", "measuring", "layout", "finishing", "delivery"]
ORCHESTRATION = {"build", "batch", "send", "check", "cli", "__main__", "__init__", "web", "records",
                 "lifecycle", "scaffold", "topic_search"}


def _stage(module: str) -> str:
    """'handouts.inputs.topics' -> 'inputs'; 'handouts.build' -> 'build'."""
    return module.split(".")[1] if module.count(".") >= 1 else ""


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("handouts.")}


def test_no_stage_imports_a_later_stage():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        own = parts[0]
        if own in ORCHESTRATION:
            continue
        for module in _imports(path):
            other = _stage(module)
            if other in ORCHESTRATION:
                wrong.append(f"{path.name} imports {module} (orchestration)")
            elif STAGES.index(other) > STAGES.index(own):
                wrong.append(f"{'/'.join(parts)} imports {module} (a later stage)")
    assert wrong == []


def test_the_package_uses_absolute_imports_only():
    relative = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                if any(isinstance(node, ast.ImportFrom) and node.level
                       for node in ast.walk(ast.parse(path.read_text())))]
    assert relative == []


def test_each_stage_folder_is_a_package_with_a_docstring():
    for stage in STAGES[1:]:
        init = PACKAGE / stage / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text())), stage


def test_every_module_says_its_job_in_a_docstring():
    missing = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
               if not ast.get_docstring(ast.parse(path.read_text()))]
    assert missing == []


def test_module_names_do_not_compete():
    stems = [path.stem for path in PACKAGE.rglob("*.py") if path.stem != "__init__"]
    assert sorted(stems) == sorted(set(stems))
    for pair in [("mail", "emailing"), ("layout_files", "layout"), ("files", "writing"),
                 ("model", "document"), ("tables", "table")]:
        assert not set(pair) <= set(stems), pair


def test_python_dash_m_handouts_runs_the_command(tmp_path):
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "handouts", "--version"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "handouts" in result.stdout
