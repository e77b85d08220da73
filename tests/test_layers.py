"""The house's layering (.importlinter): areas never import each other, the shared floor and
models/ never import an area, models/ never touches request objects. A new cross-area import
fails here."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([lint, "--no-cache", "--config", str(ROOT / ".importlinter")], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_a_cross_area_import_is_caught(tmp_path):
    """The contract really bites: a copy of the tree where shop imports portal breaks it."""
    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(
        ".venv", ".git", "node_modules", "instance", "bench", "tests", "static", "translations",
        "*.pyc", "__pycache__"))
    with open(tree / "shop" / "views.py", "a", encoding="utf-8") as fh:
        fh.write("\nfrom portal import helpers as _leak  # noqa: E402,F401\n")
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([lint, "--no-cache", "--config", str(tree / ".importlinter")], cwd=tree,
                            capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(tree),
                                                                             "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "shop.views -> portal.helpers" in result.stdout


def test_nothing_imports_the_factory_cli_or_demo_back():
    """wsgi → commands → demo → areas, never back up (the import loop demo → wsgi is gone)."""
    import ast

    offenders = []
    for package in ("admin", "auth", "documents", "models", "portal", "reports", "shop", "transfers",
                    "warehouse", "web"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if any(n.split(".")[0] in ("wsgi", "commands", "demo") for n in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_no_application_module_is_over_400_lines():
    """A module that grows past 400 lines holds two things: split it along its seams (the
    house's rule; tests, migrations and benchmarks aside)."""
    skip = {".venv", "tests", "migrations", "bench", "node_modules", "instance"}
    long = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in skip or any(p.startswith(".") for p in parts):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > 400:
            long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not long, long
