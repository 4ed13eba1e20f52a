"""The catalogue of import problems: every code the importers use has Japanese text, and every text is used."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from importing import messages
from importing.errors import RECORD
from importing.errors import FileRowError
from importing.errors import ImportFailed
from importing.errors import RowError
from importing.errors import in_file
from importing.messages import CATALOGUE
from importing.messages import Problem

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "tests", "node_modules", "instance"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Four or more English words in a row: a sentence staff would have to translate. Column names written as
# a header (``id,category,question``), formats (``CSV UTF-8``) and options are not sentences.
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]+(?: [A-Za-z]+){3,}")


def source_files() -> list[Path]:
    """The project's own Python files (not the virtualenv, not the tests)."""
    return [path for path in ROOT.rglob("*.py")
            if not SKIPPED & set(path.relative_to(ROOT).parts) and not path.relative_to(ROOT).parts[0].startswith(".")]


def problem_calls() -> list[tuple[str, int, ast.expr | None]]:
    """Every ``Problem(...)`` in the source: file, line and its first argument (the code)."""
    found = []
    for path in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name == "Problem":
                found.append((str(path.relative_to(ROOT)), node.lineno, node.args[0] if node.args else None))
    return found


def used_codes() -> dict[str, list[str]]:
    """Code → where it is used."""
    used: dict[str, list[str]] = {}
    for file, line, code in problem_calls():
        if isinstance(code, ast.Constant) and isinstance(code.value, str):
            used.setdefault(code.value, []).append(f"{file}:{line}")
    return used


def test_the_importers_use_problems():
    """The scan finds the importers' problems (a scan that finds nothing would prove nothing)."""
    files = {file for file, _line, _code in problem_calls()}
    assert {"importing/text.py", "importing/csvfile.py", "faq/importers.py", "faq/golden.py", "garbage/importers.py",
            "garbage/schedule.py", "disaster/importers.py", "residents/importer.py", "residents/areas.py"} <= files


def test_every_code_is_written_out_where_it_is_used():
    """A code is a literal string at each ``Problem(...)``, so this test (and a reader) can find every use."""
    dynamic = [f"{file}:{line}" for file, line, code in problem_calls()
               if not (isinstance(code, ast.Constant) and isinstance(code.value, str))]
    assert dynamic == []


def test_every_code_used_has_a_text():
    """No importer names a problem the catalogue cannot say."""
    assert {code: where for code, where in used_codes().items() if code not in CATALOGUE} == {}


def test_every_text_in_the_catalogue_is_used():
    """The catalogue holds no text that no importer can show."""
    assert sorted(set(CATALOGUE) - set(used_codes())) == []


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_text_is_a_japanese_sentence(code):
    """Each template is polite Japanese ending with 「。」, with no English sentence, and fills without error."""
    params = {name: "X" for name in messages.template_fields(code)}
    text = Problem(code, **params).text
    assert JAPANESE.search(text), code
    assert not ENGLISH_SENTENCE.search(text), (code, text)
    assert text.endswith("。"), code
    assert not re.search(r"\{\w*\}", text), text  # no placeholder left unfilled


def test_a_problem_must_have_a_known_code_and_exactly_its_parameters():
    """A wrong code or parameter fails where the problem is made, not when staff would read it."""
    with pytest.raises(KeyError):
        Problem("row.no_such_code")
    with pytest.raises(TypeError):
        Problem("row.width", found=5)
    with pytest.raises(TypeError):
        Problem("row.width", found=5, expected=7, extra=1)


def test_a_problem_is_a_value():
    """Two problems with one code and equal parameters are equal (tests compare them); lists are kept as tuples."""
    assert Problem("faq.header_missing", columns=["answer"]) == Problem("faq.header_missing", columns=("answer",))
    assert Problem("row.width", found=5, expected=7) != Problem("row.width", found=5, expected=6)
    assert len({Problem("field.empty", column="id"), Problem("field.empty", column="id")}) == 1
    assert Problem("row.width", found=5, expected=7).params == {"found": 5, "expected": 7}
    assert repr(Problem("row.width", found=5, expected=7)) == "Problem('row.width', expected=7, found=5)"


def test_lists_are_shown_joined():
    """A list parameter is shown joined with 「、」."""
    assert Problem("faq.header_missing", columns=["question", "answer"]).text == (
        "必須の列 question、answer が見出しにありません。")


@pytest.mark.parametrize(("error", "shown"), [
    (RowError(3, Problem("row.width", found=5, expected=7)), "3行目：5列ありますが、見出しは7列です。"),
    (RowError(0, Problem("file.blank")), "ファイル全体：ファイルが空です。"),
    (RowError(2, Problem("faq.json_empty"), unit=RECORD), "2件目：JSONの配列にFAQがありません。"),
    (FileRowError(4, Problem("garbage.remark_no_id"), "remarks.csv"), "remarks.csv の4行目：注意事項のIDがありません。"),
    (FileRowError(0, Problem("garbage.missing_file"), "target.csv"),
     "target.csv（ファイル全体）：フォルダにこのファイルがありません。"),
    (in_file(RowError(5, Problem("golden.shape")), "golden.jsonl"),
     'golden.jsonl の5行目：{"question": "…", "faq_id": "…"} の形にしてください。'),
])
def test_where_a_problem_is_is_said_in_japanese(error, shown):
    """「3行目」, 「ファイル全体」, 「2件目」 (a JSON record), with the file's name when the error has one."""
    assert str(error) == shown


def test_in_file_keeps_the_problem_and_its_unit():
    """Naming an error by its file changes nothing else."""
    error = in_file(RowError(2, Problem("faq.json_empty"), unit=RECORD), "faq.json")
    assert (error.row, error.problem, error.unit, error.where) == (2, Problem("faq.json_empty"), RECORD,
                                                                   "faq.json の2件目")


def test_the_summary_counts_the_problems_and_says_nothing_was_imported():
    """The first line says how many problems and that nothing was imported; at most fifty lines follow."""
    failed = ImportFailed([RowError(n, Problem("field.empty", column="question")) for n in range(2, 62)])
    lines = str(failed).split("\n")
    assert lines[0] == "60件の問題があり、何も取り込んでいません。"
    assert lines[1] == "  2行目：question が空です。"
    assert lines[-1] == "  ほか10件"
    assert len(lines) == 52
    assert failed.describe("faq.csv").split("\n")[0] == "faq.csv は取り込めません。60件の問題があり、何も取り込んでいません。"
    assert len(failed.describe(limit=None).split("\n")) == 61
