import tomllib
from pathlib import Path

import pytest

from faq import golden
from faq.importers import read_faq_file
from healthdesk.data import check_section
from healthdesk.data import desk_from

PACK = Path(__file__).resolve().parents[1] / "packs" / "demo"
PLACEHOLDERS = ("○○", "△△", "××", "AAA", "BBB", "（電話番号）", "URL）", "記載してください", "例「")
KEYS = {
    "municipality": {"code", "name", "bot_name", "department", "phone", "office_hours", "url"},
    "faq": {"file", "attribution", "golden"},
    "garbage": {"format", "items", "calendar", "holidays", "collect_on_public_holidays", "attribution", "takeaway",
                "put_out_by"},
    "shelters": {"files", "attribution"},
    "health": {"file"},
}


@pytest.fixture(scope="module")
def records():
    return read_faq_file(PACK / "faq.csv")


@pytest.fixture(scope="module")
def pack():
    with (PACK / "pack.toml").open("rb") as f:
        return tomllib.load(f)


def test_faq_has_all_661_entries_with_unique_ids(records):
    """The demo faq.csv imports without errors and keeps every 汎用FAQ entry under a unique id."""
    assert len(records) == 661
    assert len({r.faq_id for r in records}) == 661


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_no_template_placeholder_is_left(records, placeholder):
    """No question or answer still contains a placeholder of the 汎用FAQ template."""
    left = [r.faq_id for r in records if placeholder in r.question or placeholder in r.answer]

    assert left == []


def test_every_entry_has_a_department_and_phone(records):
    """Every entry names the department to contact and its phone number."""
    assert [r.faq_id for r in records if not (r.department and r.phone)] == []


def test_links_stay_on_the_reserved_example_domain(records):
    """Every url column points at the demo city's .example site."""
    assert {r.url.split("/")[2] for r in records if r.url} == {"www.city.kamome.example"}


def test_the_golden_queries_name_entries_of_the_pack(records):
    """golden.jsonl reads without errors: thirty questions, each with an entry of the demo FAQ."""
    pairs = golden.read_pack_file(PACK / "golden.jsonl", {r.faq_id for r in records})
    assert len(pairs) == 30


def test_pack_toml_has_the_expected_keys(pack):
    """pack.toml parses and has every table and key the loader reads."""
    assert {table: set(pack[table]) for table in KEYS} == KEYS
    assert pack["municipality"]["code"] == "000000"


def test_files_named_in_pack_toml_exist(pack):
    """Every file that pack.toml names exists in the pack."""
    named = [pack["faq"]["file"], pack["garbage"]["items"], pack["garbage"]["calendar"], pack["garbage"]["holidays"],
             *pack["shelters"]["files"], pack["health"]["file"]]

    assert [name for name in named if not (PACK / name).is_file()] == []


def test_every_dataset_folder_says_where_it_comes_from():
    """The pack and each of its data folders carry a SOURCE.md."""
    for folder in (PACK, PACK / "garbage", PACK / "shelters"):
        assert (folder / "SOURCE.md").is_file()


def test_the_demo_health_data_is_usable_and_has_no_7119():
    """health.toml passes the loader's check, and the Hokkaido demo city offers no #7119."""
    section = tomllib.loads((PACK / "health.toml").read_text(encoding="utf-8"))
    assert check_section(section) == []
    assert desk_from(section).lines_of("doubt") == ()


def test_an_answer_that_names_a_health_facility_gives_its_address_and_phone(records):
    """The FAQ and the health desk tell a resident the same 急病センター: where it is and how to call it."""
    facilities = tomllib.loads((PACK / "health.toml").read_text(encoding="utf-8"))["facilities"]
    naming = [(record.answer, facility) for record in records for facility in facilities
              if facility["name"] in record.answer]
    assert naming and all(facility["address"] in answer and facility["phone"] in answer
                          for answer, facility in naming)
