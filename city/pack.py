"""Loading a municipality pack: ``pack.toml`` (the city and its contact desk) and the data it names."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from city.info import CITY
from city.models import Municipality
from content.revisions import bump_revision
from disaster import notices as disaster_notices
from disaster import store as shelter_store
from disaster.importers import ShelterData
from disaster.importers import read_shelter_files
from disaster.jma import city as jma_city
from disaster.jma import reports as jma_reports
from faq import golden
from faq import importers
from faq import store
from garbage import importers as garbage_importers
from garbage import store as garbage_store
from healthdesk import store as health_store
from healthdesk.data import check_section as check_health
from importing.errors import ImportFailed
from importing.errors import in_file

T = TypeVar("T")


class PackError(Exception):
    """The pack cannot be loaded; the message says what to fix."""


@dataclass
class PackReport:
    """What a load did: the city, the FAQ and garbage counts, and the sections this version does not load yet."""

    city: str
    faq: store.SaveReport | None = None
    synonyms: int | None = None
    golden: int | None = None  # golden queries loaded (``faq.golden``)
    garbage: garbage_store.SaveSummary | None = None
    health: bool = False  # the pack's health section was loaded (else the national defaults apply)
    garbage_report: list[str] = field(default_factory=list)  # cells kept verbatim, rows skipped
    shelters: shelter_store.SaveSummary | None = None
    shelters_skipped: list[str] = field(default_factory=list)  # rows of the shelter files skipped
    jma: jma_city.JmaConfig | None = None  # how JMA's telegrams name the city ([jma])
    read_later: list[str] = field(default_factory=list)  # sections other packages read from the pack's files


# Sections a pack may carry that a package above the city reads from the pack's own files when it needs them
# (the push planner reads lifestage.toml at each plan); listed so the report can name them.
READ_LATER = {"lifestage": "life-stage push rules"}
GARBAGE_FORMATS = ("5374", "takamatsu")


def read_manifest(path: Path) -> dict:
    """The parsed ``pack.toml`` of the pack folder ``path``."""
    manifest_path = path / "pack.toml"
    if not manifest_path.is_file():
        raise PackError(f"{path} has no pack.toml")
    try:
        manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PackError(f"pack.toml cannot be read: {error}") from error
    city = manifest.get("municipality")
    if not isinstance(city, dict) or not city.get("name") or not city.get("code"):
        raise PackError("pack.toml needs a [municipality] table with name and code")
    return manifest


def load_pack(session: Session, path: str | Path, *, replace: bool = False) -> PackReport:
    """Load the pack at ``path`` in the caller's transaction; nothing is saved if any part is bad.

    A pack for another municipality than the one loaded is refused unless ``replace`` is set:
    one deployment never answers with two cities' data. With ``replace``, FAQ entries missing from
    the pack are deleted; without it they are kept.
    """
    path = Path(path)
    manifest = read_manifest(path)
    city = manifest["municipality"]
    current = session.scalar(sa.select(Municipality).order_by(Municipality.id).limit(1))
    if current is not None and current.code != str(city["code"]) and not replace:
        raise PackError(
            f"this database holds {current.name} ({current.code}); loading {city['name']} ({city['code']}) "
            "needs --replace"
        )
    synonyms_file = manifest.get("synonyms", {}).get("file")
    synonym_groups = None
    if synonyms_file:
        if not (path / synonyms_file).is_file():
            raise PackError(f"the synonyms file {synonyms_file} named in pack.toml does not exist")
        synonym_groups = _named(importers.read_synonyms_file, path / synonyms_file)
    faq_section = manifest.get("faq", {})
    records = None
    if faq_section.get("file"):
        faq_path = path / faq_section["file"]
        if not faq_path.is_file():
            raise PackError(f"the FAQ file {faq_section['file']} named in pack.toml does not exist")
        records = _named(importers.read_faq_file, faq_path)
    golden_pairs = None
    if faq_section.get("golden"):
        golden_path = path / faq_section["golden"]
        if not golden_path.is_file():
            raise PackError(f"the golden queries file {faq_section['golden']} named in pack.toml does not exist")
        if records is None:
            raise PackError("[faq] golden needs the pack's FAQ file")
        golden_pairs = _named(lambda file: golden.read_pack_file(file, {r.faq_id for r in records}), golden_path)
    garbage_section = manifest.get("garbage")
    garbage_data = read_garbage(path, garbage_section) if garbage_section is not None else None
    health_section = read_health(path, manifest["health"]) if "health" in manifest else None
    shelters_section = manifest.get("shelters")
    shelters = read_shelters(path, shelters_section) if shelters_section is not None else None
    try:
        jma = jma_city.read_config(manifest["jma"]) if "jma" in manifest else None
    except jma_city.JmaConfigError as error:
        raise PackError(str(error)) from None
    approvals = read_disaster(manifest.get("disaster"))

    if current is None:
        current = Municipality()
        session.add(current)
    current.code = str(city["code"])
    current.name = city["name"]
    current.bot_name = city.get("bot_name", "")
    current.department = city.get("department", "")
    current.phone = city.get("phone", "")
    current.office_hours = city.get("office_hours", "")
    current.url = city.get("url", "")
    current.faq_attribution = faq_section.get("attribution", "")
    current.pack_path = str(path.resolve())
    bump_revision(session, CITY)
    report = PackReport(city=current.name)
    if records is not None:
        report.faq = store.save_records(session, records, replace=replace)
    if golden_pairs is not None:
        report.golden = golden.save_pack_queries(session, golden_pairs, now=datetime.now(UTC))
    if synonym_groups is not None:
        report.synonyms = store.save_synonyms(session, synonym_groups)
    if garbage_data is not None:
        report.garbage = garbage_store.save_garbage(
            session,
            garbage_data,
            collect_on_public_holidays=garbage_section.get("collect_on_public_holidays", True),
            attribution=garbage_section.get("attribution", ""),
            put_out_by=garbage_section.get("put_out_by", ""),
        )
        report.garbage_report = garbage_data.report
    if shelters is not None:
        report.shelters = shelter_store.save_shelters(session, shelters,
                                                      attribution=shelters_section.get("attribution", ""))
        report.shelters_skipped = shelters.skipped
    health_store.save_section(session, health_section)
    if jma is not None:
        jma_reports.save_config(session, jma)
        report.jma = jma
    disaster_notices.save_rules(session, approvals=approvals)
    report.health = health_section is not None
    report.read_later = [READ_LATER[name] for name in READ_LATER if name in manifest]
    return report


def _named(read: Callable[[Path], T], file: Path) -> T:
    """``read(file)``, its import errors named by the file (a pack has several)."""
    try:
        return read(file)
    except ImportFailed as failed:
        raise ImportFailed([in_file(error, file.name) for error in failed.errors]) from None


_PUT_OUT_BY = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")


def read_garbage(path: Path, section: dict) -> garbage_importers.GarbageData:
    """Read the garbage data a pack's ``[garbage]`` table names, with its ``holidays`` file if any.

    ``format = "5374"`` reads the folder ``dir`` (default ``garbage/``); ``format = "takamatsu"`` reads the
    ``items`` and ``calendar`` sheets. ``not_collected`` lists the categories the city does not collect;
    ``other_categories`` (takamatsu only) lists the sorting list's categories that have no calendar column
    and whose name does not say why (see ``garbage.importers.read_takamatsu``), for example
    ``other_categories = ["拠点回収"]``. ``[garbage.takeaway]`` says, per category the city does not
    collect, where residents take such things (家電リサイクル法対象品 = "…"), shown with every item of it.
    ``put_out_by = "08:30"`` is the time garbage must be out by on collection days (「朝8時30分までに」):
    after it, the next collection day is counted from tomorrow (from noon when not given).
    Raises PackError for a bad table, ImportFailed for bad data.
    """
    if not isinstance(section, dict):
        raise PackError("[garbage] in pack.toml must be a table")
    kind = str(section.get("format", ""))
    if kind not in GARBAGE_FORMATS:
        raise PackError(f"[garbage] format must be one of {', '.join(GARBAGE_FORMATS)}, not {kind or '(none)'!r}")
    flag = section.get("collect_on_public_holidays", True)
    if not isinstance(flag, bool):
        raise PackError("[garbage] collect_on_public_holidays must be true or false")
    attribution = section.get("attribution", "")
    if not isinstance(attribution, str):
        raise PackError("[garbage] attribution must be text")
    put_out_by = section.get("put_out_by", "")
    if not isinstance(put_out_by, str) or put_out_by and not _PUT_OUT_BY.fullmatch(put_out_by):
        raise PackError("[garbage] put_out_by must be a time of day such as \"08:30\"")
    not_collected = section.get("not_collected")
    if not_collected is not None and not _names(not_collected):
        raise PackError("[garbage] not_collected must be a list of category names")
    other_categories = section.get("other_categories", [])
    if not _names(other_categories):
        raise PackError("[garbage] other_categories must be a list of category names")
    if other_categories and kind != "takamatsu":
        raise PackError("[garbage] other_categories is for format takamatsu; 5374 data names its categories in "
                        "description.csv")
    if kind == "5374":
        folder = path / str(section.get("dir", "garbage/"))
        if not folder.is_dir():
            raise PackError(f"the garbage folder {section.get('dir', 'garbage/')} named in pack.toml does not exist")
        data = garbage_importers.read_5374(folder, not_collected=not_collected)
    else:
        for key in ("items", "calendar"):
            if not section.get(key):
                raise PackError(f"[garbage] format takamatsu needs {key} = the path of the {key} sheet")
        for key in ("items", "calendar"):
            if not (path / section[key]).is_file():
                raise PackError(f"the garbage {key} file {section[key]} named in pack.toml does not exist")
        data = garbage_importers.read_takamatsu(path / section["items"], path / section["calendar"],
                                                not_collected=not_collected, other_categories=other_categories)
    _set_takeaways(data, section.get("takeaway", {}))
    holidays = section.get("holidays")
    if holidays:
        if not (path / holidays).is_file():
            raise PackError(f"the holidays file {holidays} named in pack.toml does not exist")
        data.exceptions = garbage_importers.read_exceptions(path / holidays)
    else:
        data.exceptions = []
    return data


def read_shelters(path: Path, section: object) -> ShelterData:
    """The shelters a pack's ``[shelters]`` table names (``files``: 国土地理院 GeoJSON or CSV, with their
    ``attribution``); raises PackError for a bad table, ImportFailed naming every bad row."""
    files = section.get("files") if isinstance(section, dict) else None
    if not files or not _names(files):
        raise PackError("[shelters] in pack.toml needs files = the paths of the shelter data (GeoJSON or CSV)")
    if not isinstance(section.get("attribution", ""), str):
        raise PackError("[shelters] attribution must be text")
    missing = [name for name in files if not (path / name).is_file()]
    if missing:
        raise PackError(f"the shelter files {', '.join(missing)} named in pack.toml do not exist")
    return read_shelter_files([path / name for name in files])


def read_disaster(section: object) -> int | None:
    """The pack's ``[disaster]`` rules: ``notice_approvals``, how many people other than its creator approve a
    避難情報 (1 for a small town; absent: the ``DISASTER_NOTICE_APPROVALS`` setting)."""
    if section is None:
        return None
    if not isinstance(section, dict) or set(section) - {"notice_approvals"}:
        raise PackError("[disaster] in pack.toml takes notice_approvals = a number from 1 to 5")
    value = section.get("notice_approvals")
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                              or not 1 <= value <= disaster_notices.MAX_APPROVALS):
        raise PackError("[disaster] notice_approvals must be a whole number from 1 to 5")
    return value


def read_health(path: Path, section: object) -> dict:
    """The health data a pack's ``[health]`` table names (``file``, with its ``attribution``), checked.

    The file holds the city's red flags, words, lines, facilities and desk (see ``healthdesk/defaults.toml``
    for the layout); raises PackError naming every problem.
    """
    if not isinstance(section, dict) or not isinstance(section.get("file"), str):
        raise PackError("[health] in pack.toml needs file = the path of the health data (health.toml)")
    file = path / section["file"]
    if not file.is_file():
        raise PackError(f"the health file {section['file']} named in pack.toml does not exist")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PackError(f"{section['file']} cannot be read: {error}") from error
    data.setdefault("attribution", str(section.get("attribution", "")))
    if problems := check_health(data):
        raise PackError(f"{section['file']}: " + "; ".join(problems))
    return data


def _set_takeaways(data: garbage_importers.GarbageData, takeaway: object) -> None:
    """Put the pack's text on where to take things, or how to ask for their collection (``[garbage.takeaway]``,
    by category: one the city does not collect, or takes on request and so on no calendar, as 粗大ごみ)."""
    if not isinstance(takeaway, dict) or not all(isinstance(text, str) for text in takeaway.values()):
        raise PackError("[garbage.takeaway] must map category names to text")
    known = {category.name: category for category in data.categories}
    unknown = [name for name in takeaway if name not in known]
    if unknown:
        raise PackError(f"[garbage.takeaway] names categories the garbage data does not have: {', '.join(unknown)}")
    on_calendar = {rule.category for rule in data.rules}
    collected = [name for name in takeaway if known[name].collected and name in on_calendar]
    if collected:
        raise PackError(f"[garbage.takeaway] is for categories the city does not collect, not {', '.join(collected)} "
                        "(or for those it takes on request, on no calendar)")
    data.categories = [dataclasses.replace(c, takeaway=takeaway[c.name].strip()) if c.name in takeaway else c
                       for c in data.categories]


def _names(value: object) -> bool:
    """True for a list of texts (category names)."""
    return isinstance(value, list) and all(isinstance(name, str) for name in value)


def is_empty(session: Session) -> bool:
    """True before any pack was loaded."""
    return session.scalar(sa.select(sa.func.count()).select_from(Municipality)) == 0
