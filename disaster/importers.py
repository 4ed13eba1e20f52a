"""Reading the 国土地理院's 指定緊急避難場所・指定避難所 data as published: GeoJSON or CSV, either kind, any encoding.

A GeoJSON file is a FeatureCollection of points whose properties are the data's columns; a CSV file has the
same columns with 緯度 and 経度, one kind per file (told by its columns: the hazard flags mean 指定緊急避難場所)
or both with a ``kind`` column (指定緊急避難場所 / 指定避難所). Optional columns some cities add are kept:
capacity (想定収容人数…) and phone (電話番号…). Reading is all or nothing: every bad row is reported
(``ImportFailed``) by its row (the CSV's spreadsheet row, the GeoJSON's feature number: 「3件目」), with a
``Problem`` of ``importing.messages`` (``shelters.*`` and the shared ones); rows with nothing in them and exact
repeats of an earlier row are skipped and reported.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from disaster.hazards import HAZARDS
from importing import messages
from importing.csvfile import blank
from importing.csvfile import read_csv
from importing.errors import RECORD
from importing.errors import ROW
from importing.errors import FileRowError
from importing.errors import ImportFailed
from importing.errors import RowError
from importing.errors import in_file
from importing.messages import Problem
from importing.text import decode_text
from importing.text import text_problem

EMERGENCY = "emergency"  # 指定緊急避難場所
EVACUATION = "evacuation"  # 指定避難所
KIND_NAMES = {"指定緊急避難場所": EMERGENCY, "指定避難所": EVACUATION, EMERGENCY: EMERGENCY, EVACUATION: EVACUATION}
KIND_LABELS = {EMERGENCY: "指定緊急避難場所", EVACUATION: "指定避難所"}

NAME = ("施設・場所名", "施設名", "名称")
ADDRESS = ("住所", "所在地")
LATITUDE = ("緯度",)
LONGITUDE = ("経度",)
COMMON_ID = ("共通ID",)
CITY = ("都道府県名及び市町村名",)
SAME_AS_EVACUATION = "指定避難所との住所同一"
SAME_AS_EMERGENCY = "指定緊急避難場所との住所同一"
ACCEPTS = ("受入対象者",)
CAPACITY = ("想定収容人数", "収容人数", "収容可能人数", "収容人員")
PHONE = ("電話番号", "電話")
NOTES = ("備考", "その他市町村長が必要と認める事項")
YES = {"1", "○", "◯", "〇", "●", "true", "TRUE", "有", "あり"}
NO = {"", "0", "-", "－", "×", "false", "FALSE", "無", "なし"}
# 日本の緯度経度 (沖ノ鳥島 to 択捉島, 与那国島 to 南鳥島), with a margin: anything else is a swapped or broken pair.
LATITUDES = (20.0, 46.0)
LONGITUDES = (122.0, 154.5)


@dataclass(frozen=True)
class ShelterRecord:
    """One shelter as read from a file (plain data for ``disaster.store``)."""

    key: str
    kind: str
    name: str
    address: str
    latitude: float
    longitude: float
    hazards: int = 0
    shares_address: bool = False
    accepts: str = ""
    capacity: int | None = None
    phone: str = ""
    notes: str = ""


@dataclass
class ShelterData:
    """The shelters read from one or more files, and the rows skipped (by file and row)."""

    records: list[ShelterRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        """The kinds the files hold (an import replaces the stored shelters of these kinds only)."""
        return {record.kind for record in self.records}


def read_shelter_files(paths: list[Path]) -> ShelterData:
    """Read every file (GeoJSON by its ``.geojson``/``.json`` name, else CSV) into one set; raises ImportFailed
    naming every bad row of every file, or a shelter that two files describe differently."""
    data, errors, seen = ShelterData(), [], {}
    for path in paths:
        geojson = path.suffix.lower() in (".geojson", ".json")
        unit = RECORD if geojson else ROW
        try:
            rows = _geojson_rows(path) if geojson else _csv_rows(path)
        except ImportFailed as failed:
            errors += [_named(error, path.name) for error in failed.errors]
            continue
        for row, fields, kind in rows:
            if kind is None and not any(value.strip() for value in fields.values()):
                data.skipped.append(f"{path.name} row {row}: empty")
                continue
            record, problems = _record(fields, kind)
            if problems:
                errors += [FileRowError(row, problem, path.name, unit=unit) for problem in problems]
                continue
            where = f"{path.name} row {row}"
            if record.key in seen:
                earlier_where, earlier, earlier_place = seen[record.key]
                if earlier == record:
                    data.skipped.append(f"{where}: the same as {earlier_where}")
                else:
                    problem = Problem("shelters.conflict", key=record.key, first=earlier_place)
                    errors.append(FileRowError(row, problem, path.name, unit=unit))
                continue
            seen[record.key] = (where, record, messages.place_in_file(path.name, row, unit))
            data.records.append(record)
    if not errors and not data.records:
        errors.append(RowError(0, Problem("shelters.none")))
    if errors:
        raise ImportFailed(errors)
    return data


def _named(error: RowError, file: str) -> RowError:
    return error if isinstance(error, FileRowError) and error.file else in_file(error, file)


Row = tuple[int, dict[str, str], str | None]  # (row number, fields by column, kind when the file says it)


def _geojson_rows(path: Path) -> list[Row]:
    """The features of a GeoJSON FeatureCollection as rows: properties plus 緯度 and 経度 (feature n = row n)."""
    try:
        document = json.loads(decode_text(path.read_bytes(), path.name))
    except ValueError as error:  # json.JSONDecodeError
        raise ImportFailed([RowError(0, Problem("json.invalid", detail=str(error)))]) from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise ImportFailed([RowError(0, Problem("shelters.not_geojson"))])
    rows, errors = [], []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(properties, dict):
            errors.append(RowError(number, Problem("shelters.no_properties"), unit=RECORD))
            continue
        if not (isinstance(geometry, dict) and geometry.get("type") == "Point" and isinstance(coordinates, list)
                and len(coordinates) >= 2):
            errors.append(RowError(number, Problem("shelters.not_point"), unit=RECORD))
            continue
        fields = {str(name): _cell(value) for name, value in properties.items()}
        fields["経度"], fields["緯度"] = _cell(coordinates[0]), _cell(coordinates[1])
        rows.append((number, fields, None))
    if errors:
        raise ImportFailed(errors)
    return rows


def _cell(value: object) -> str:
    """A property's value as a cell's text (null → "")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def _csv_rows(path: Path) -> list[Row]:
    """The records of a CSV file as rows by column name (the header's names, spaces trimmed)."""
    csv_file = read_csv(path)
    if csv_file.errors:
        raise ImportFailed(csv_file.errors)
    header = csv_file.header()
    if header is None:
        raise ImportFailed([RowError(0, Problem("file.blank"))])
    names = [unicodedata.normalize("NFKC", name).strip() for name in header[1]]
    if not any(name in names for name in NAME):
        problem = Problem("shelters.no_name_column", column=NAME[0], header=",".join(names)[:200])
        raise ImportFailed([RowError(header[0], problem)])
    rows = []
    for number, cells in csv_file.after_header():
        if blank(cells):
            rows.append((number, {}, None))
            continue
        rows.append((number, {name: cells[i] if i < len(cells) else "" for i, name in enumerate(names) if name},
                     None))
    return rows


def _first(fields: dict[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if fields.get(name, "").strip():
            return fields[name].strip()
    return ""


def _kind_of(fields: dict[str, str]) -> str | None:
    """The kind a row is: its ``kind`` column, else told by the columns the file has."""
    if "kind" in fields or "種別" in fields:
        return KIND_NAMES.get((fields.get("kind") or fields.get("種別") or "").strip())
    if any(hazard.column in fields for hazard in HAZARDS):
        return EMERGENCY
    return EVACUATION


def _record(fields: dict[str, str], kind: str | None) -> tuple[ShelterRecord | None, list[Problem]]:
    """The shelter a row describes, or the problems that keep it out."""
    problems: list[Problem] = []
    kind = kind or _kind_of(fields)
    if kind is None:
        problems.append(Problem("shelters.kind"))
    name, address = _first(fields, NAME), _first(fields, ADDRESS)
    if not name:
        problems.append(Problem("field.empty", column=NAME[0]))
    for column, value in ((NAME[0], name), (ADDRESS[0], address)):
        if value and (problem := text_problem(value, place=column)):
            problems.append(problem)
    latitude = _coordinate(fields, LATITUDE, LATITUDES, problems)
    longitude = _coordinate(fields, LONGITUDE, LONGITUDES, problems)
    hazards = 0
    if kind == EMERGENCY:
        for hazard in HAZARDS:
            value = unicodedata.normalize("NFKC", fields.get(hazard.column, "")).strip()
            if value in YES:
                hazards |= hazard.bit
            elif value not in NO:
                problems.append(Problem("shelters.flag", column=hazard.column, value=value[:20]))
    same = SAME_AS_EVACUATION if kind == EMERGENCY else SAME_AS_EMERGENCY
    shares = unicodedata.normalize("NFKC", fields.get(same, "")).strip()
    if shares not in YES | NO:
        problems.append(Problem("shelters.flag", column=same, value=shares[:20]))
    capacity_text = unicodedata.normalize("NFKC", _first(fields, CAPACITY)).replace(",", "").removesuffix("人")
    capacity = None
    if capacity_text:
        if re.fullmatch(r"\d{1,7}", capacity_text):
            capacity = int(capacity_text)
        else:
            problems.append(Problem("shelters.capacity", column=CAPACITY[0], value=capacity_text[:20]))
    notes = "\n".join(value for value in (_first(fields, (column,)) for column in NOTES) if value)
    if problems:
        return None, problems
    common_id = _first(fields, COMMON_ID)
    key = common_id or f"{kind}:{name}:{address}"
    return ShelterRecord(
        key=key[:400], kind=kind, name=name[:200], address=address[:300], latitude=latitude, longitude=longitude,
        hazards=hazards, shares_address=shares in YES, accepts=_first(fields, ACCEPTS)[:200], capacity=capacity,
        phone=_first(fields, PHONE)[:40], notes=notes,
    ), []


def _coordinate(fields: dict[str, str], names: tuple[str, ...], bounds: tuple[float, float],
                problems: list[Problem]) -> float:
    """A latitude or longitude in decimal degrees within Japan's, else 0.0 with the problem noted."""
    text = unicodedata.normalize("NFKC", _first(fields, names))
    try:
        value = float(text)
    except ValueError:
        problems.append(Problem("shelters.coordinate", column=names[0], value=text[:20]) if text
                        else Problem("field.empty", column=names[0]))
        return 0.0
    if not math.isfinite(value) or not bounds[0] <= value <= bounds[1]:
        problems.append(Problem("shelters.outside_japan", column=names[0], value=text[:20], low=bounds[0],
                                high=bounds[1]))
        return 0.0
    return value
