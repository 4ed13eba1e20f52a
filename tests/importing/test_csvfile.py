"""The one CSV reader of every importer: records numbered as spreadsheet rows, syntax problems by row."""

from __future__ import annotations

import pytest

from importing import csvfile
from importing.csvfile import parse_csv
from importing.csvfile import read_csv
from importing.errors import ImportFailed


def test_records_are_numbered_as_spreadsheet_rows():
    """A quoted value spanning lines is one row; the header is row 1."""
    table = parse_csv('id,answer\n1,"二行\nの回答"\n2,回答\n', file="faq.csv")
    assert table.records == [(1, ["id", "answer"]), (2, ["1", "二行\nの回答"]), (3, ["2", "回答"])]
    assert table.errors == []


def test_a_broken_quote_is_reported_on_its_row_and_the_rows_before_it_are_kept():
    """A quote the csv module cannot read ends the file with an error on its row, named by file."""
    table = parse_csv('id,answer\n1,ok\n2,"bad"x\n3,later\n', file="faq.csv")
    assert [number for number, _fields in table.records] == [1, 2]
    [error] = table.errors
    assert (error.row, error.code) == (3, "csv.unreadable")
    assert str(error).startswith("faq.csv の3行目：この行から先をCSVとして読めません。")


def test_the_header_is_the_first_row_with_text():
    """Blank lines before the header are skipped by header(); after_header() keeps the row numbers."""
    table = parse_csv("\n,,\nid,answer\n1,x\n")
    assert table.header() == (3, ["id", "answer"])
    assert table.after_header() == [(4, ["1", "x"])]


def test_bytes_are_decoded_with_the_file_named_in_a_refusal(tmp_path):
    """read_csv decodes EUC-JP bytes, and names the file when it refuses undecodable ones."""
    path = tmp_path / "area_days.csv"
    path.write_bytes("地名,センター,燃やすごみ\n大町,,月 木\n".encode("euc_jp"))
    assert read_csv(path).records[1] == (2, ["大町", "", "月 木"])
    path.write_bytes(b"\x82\xff\x82\xff\n")
    with pytest.raises(ImportFailed) as caught:
        read_csv(path)
    [error] = caught.value.errors
    assert (error.row, error.code) == (0, "text.unknown_encoding")
    assert str(error).startswith("area_days.csv（ファイル全体）：1行目のバイト 0x82 が読めません。")


@pytest.mark.parametrize(("cell", "written"), [("=1+1", "'=1+1"), ("-区分", "'-区分"), ("@x", "'@x"), ("+81", "'+81"),
                                               ("住民票", "住民票"), ("'90年代", "'90年代")])
def test_a_formula_like_cell_is_guarded_and_read_back_as_it_was(cell, written):
    """Only a cell starting like a formula gets the apostrophe, and reading takes off only that apostrophe."""
    assert csvfile.guarded(cell) == written
    assert csvfile.unguarded(written) == cell
