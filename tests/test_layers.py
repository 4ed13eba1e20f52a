"""The layering rule: domain packages never import the web framework or the LINE SDK."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ["intents", "faq", "garbage", "residents", "city"]
FORBIDDEN = {"flask", "linebot", "werkzeug"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_package_imports_neither_flask_nor_linebot(package):
    """No module of the domain packages imports flask, werkzeug or linebot."""
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    offenders = {str(f.relative_to(ROOT)): imported_roots(f) & FORBIDDEN for f in files}
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_only_replies_builds_line_messages():
    """Outside bot/replies.py and the LINE client, no module imports LINE message models."""
    # push/sender.py only rebuilds stored message dicts (Message.from_dict) that bot/replies.py built.
    allowed = {"bot/replies.py", "messaging/client.py", "messaging/build.py", "bot/dispatch.py", "cli.py",
               # split out of bot/dispatch.py, with its allowance (Reply and the flows' return types)
               "bot/context.py", "bot/flows/settings.py", "bot/flows/children.py"}
    offenders = []
    for path in ROOT.rglob("*.py"):  # every module at any depth (bot/flows/…), top-level ones too
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("tests/", ".")) or rel in allowed:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "linebot.v3.messaging":
                offenders.append(rel)
    assert offenders == []
