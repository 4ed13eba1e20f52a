"""Health replies: the 119 message first for red flags, then consultation lines, facilities and the desk.

Texts come from ``messaging.texts`` filled with the city's health data; none names a disease or says that
anything is probably fine. Call buttons open the phone with the number ready (LINE's ``tel:`` URI action).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence

from linebot.v3.messaging import Message

from bot.replies import faq as faq_replies
from city.info import CityInfo
from faq.answers import Entry
from healthdesk.data import Facility
from healthdesk.data import HealthDesk
from healthdesk.data import Line
from healthdesk.triage import Kind
from healthdesk.triage import Triage
from messaging import texts
from messaging.build import Call
from messaging.build import messages
from messaging.build import quick_reply

MAX_CALL_BUTTONS = 4
DV_FAMILIES = frozenset({"暴力"})  # police flags whose reply lists the DV lines too
RESCUE_FAMILIES = frozenset({"火事・煙", "閉じ込め・救助"})  # red flags that are no illness: no word of diagnosis


def health_reply(result: Triage, city: CityInfo, related: Entry | None = None) -> list[Message]:
    """The messages for a triaged health message (the 119 message first when it is an emergency), then the
    FAQ entry that answers the question directly, if any (``related``; after the desk, never instead)."""
    parts, calls = BUILDERS[result.kind](result, city)
    if related is not None:
        parts.append(texts.HEALTH_FAQ_RELATED + "\n" + faq_replies.answer_text(related, city))
    return messages(parts, quick_reply(calls[:MAX_CALL_BUTTONS]) if calls else None)


Built = tuple[list[str], list[Call]]


def _emergency(result: Triage, city: CityInfo) -> Built:
    desk = result.desk
    wording = texts.RESCUE_EMERGENCY if result.family in RESCUE_FAMILIES else texts.HEALTH_EMERGENCY
    parts = [wording.format(number=desk.emergency_number, place=desk.place or city.name)]
    calls = [_call_119(desk)]
    if result.police:
        parts.append(texts.POLICE_TOO.format(number=desk.police_number))
        calls.append(_call_110(desk))
    if result.self_harm:
        lines = desk.lines_of("mental")
        parts.append(_listing(texts.HEALTH_SELF_HARM, lines))
        calls += [_call(line) for line in lines]
    return parts, calls


def _police(result: Triage, city: CityInfo) -> Built:
    """110 first; then the police consultation line, and for violence the DV lines; despair adds the mental lines."""
    desk = result.desk
    parts = [texts.POLICE_EMERGENCY.format(number=desk.police_number, place=desk.place or city.name)]
    lines = desk.lines_of("police") + (desk.lines_of("dv") if result.family in DV_FAMILIES else ())
    if lines:
        parts.append(_listing(texts.POLICE_CONSULT, lines))
    calls = [_call_110(desk), *(_call(line) for line in lines)]
    if result.self_harm:
        mental = desk.lines_of("mental")
        parts.append(_listing(texts.HEALTH_SELF_HARM, mental))
        calls += [_call(line) for line in mental]
    return parts, calls


def _self_harm(result: Triage, city: CityInfo) -> Built:
    desk = result.desk
    lines = desk.lines_of("mental")
    parts = [_listing(texts.HEALTH_SELF_HARM, lines),
             texts.HEALTH_SELF_HARM_NOW.format(number=desk.emergency_number)]
    return parts, [*(_call(line) for line in lines), _call_119(desk)]


def _doubt(result: Triage, city: CityInfo) -> Built:
    """119 first; for a child, the child line (its hours when it is closed now); then the line for such doubts
    (#7119) where the city has one, else where to ask which hospital sees patients now."""
    desk = result.desk
    parts = [texts.HEALTH_DOUBT_FIRST.format(number=desk.emergency_number)]
    calls = [_call_119(desk)]
    child_lines = desk.lines_of("child") if result.child else ()
    if child_lines and result.child_line_open:
        parts.append("\n".join(texts.HEALTH_CHILD_OPEN.format(line=_named(line)) + _extra(line)
                               for line in child_lines))
        calls += [_call(line) for line in child_lines]
    elif child_lines:
        parts.append("\n".join(texts.HEALTH_CHILD_CLOSED.format(name=line.name, number=line.number, hours=line.hours)
                               for line in child_lines))
    if lines := desk.lines_of("doubt"):
        parts.append("\n".join(texts.HEALTH_DOUBT_LINE.format(line=_named(line)) + _extra(line) for line in lines))
        return parts, calls + [_call(line) for line in lines]
    # A line the city lacks is named for an adult's doubt; for a child's, the child line answered it.
    missing = [texts.HEALTH_DOUBT_NO_LINE.format(city=city.name, name=line.name, number=line.number)
               for line in desk.unavailable("doubt") if not child_lines]
    others = desk.lines_of("medical_info")
    if others or desk.facilities:
        missing += [texts.HEALTH_DOUBT_OTHERS, *map(_line, others), *map(_facility, desk.facilities)]
    if missing:
        parts.append("\n".join(missing))
    return parts, calls + [_call(line) for line in others]


def _child(result: Triage, city: CityInfo) -> Built:
    """The child line when it answers (and, asked where to be seen now, the places that see patients now), else
    its hours, the desk and those places; the signs that need 119 after."""
    desk = result.desk
    lines = desk.lines_of("child")
    red_flags = texts.HEALTH_CHILD_RED_FLAGS.format(number=desk.emergency_number)
    if result.child_line_open and lines:
        parts = ["\n".join(texts.HEALTH_CHILD_OPEN.format(line=_named(line)) + _extra(line) for line in lines)]
        calls = [_call(line) for line in lines]
        if result.where and desk.facilities:
            parts.append("\n".join([texts.HEALTH_WHERE, *map(_facility, desk.facilities)]))
            calls += _facility_calls(desk.facilities)
        return [*parts, red_flags], calls + [_call_119(desk)]
    closed = [texts.HEALTH_CHILD_CLOSED.format(name=line.name, number=line.number, hours=line.hours)
              for line in lines]
    desk_item = texts.HEALTH_DESK_ITEM.format(desk=_desk(desk, city))
    facilities = list(map(_facility, desk.facilities))
    if result.desk_open is False:  # the desk is closed too: the places that see patients now come first
        places = [*facilities, desk_item + texts.HEALTH_DESK_CLOSED_NOW]
        calls = _facility_calls(desk.facilities) + _desk_calls(desk, city)
    else:
        places = [desk_item, *facilities]
        calls = _desk_calls(desk, city) + _facility_calls(desk.facilities)
    return ["\n".join([*closed, *places]), red_flags], calls[:MAX_CALL_BUTTONS - 1] + [_call_119(desk)]


def _where(result: Triage, city: CityInfo) -> Built:
    desk = result.desk
    others = desk.lines_of("medical_info")
    if desk.facilities:
        lines = [texts.HEALTH_WHERE, *map(_facility, desk.facilities), *map(_line, others)]
    else:
        lines = [texts.HEALTH_WHERE_NONE, *map(_line, others)] if others else [_desk(desk, city)]
    if desk.web:
        lines.append(texts.HEALTH_WEB.format(url=desk.web))
    later = texts.HEALTH_WORRY_LATER.format(number=desk.emergency_number)
    return ["\n".join(lines), later], _facility_calls(desk.facilities) + [_call(line) for line in others]


def _seen(facility: Facility) -> str:
    """What a facility sees and its phone (「内科・小児科、0123-45-6750」): a toothache is not sent to a 内科 unsaid."""
    return "、".join(part for part in (facility.departments, facility.phone) if part)


def _facility_calls(facilities: Sequence[Facility]) -> list[Call]:
    """A call button for each facility with a phone number."""
    return [Call(texts.HEALTH_LINE_CALL_LABEL.format(number=f.phone), f.phone) for f in facilities if f.phone]


def _worry(result: Triage, city: CityInfo) -> Built:
    if result.mood and result.desk.lines_of("mental"):
        return _mood(result, city)
    desk = result.desk
    later = texts.HEALTH_WORRY_LATER.format(number=desk.emergency_number)
    if result.desk_open is False:
        parts, calls = _worry_after_hours(result, city, later)
    else:
        lines = [texts.HEALTH_WORRY.format(desk=_desk(desk, city))]
        lines += [texts.HEALTH_WORRY_HOLIDAY.format(facility=f.name, seen=_seen(f))
                  for f in desk.facilities[:1] if f.phone]
        parts, calls = ["\n".join(lines), later], _desk_calls(desk, city) + [_call_119(desk)]
    if result.feeling and (mental := desk.lines_of("mental")):
        # A feeling alone may be the mood's: the lines that listen, after what the body may need.
        parts = [*parts[:-1], _listing(texts.HEALTH_FEELING, mental), parts[-1]]
    return parts, calls


def _mood(result: Triage, city: CityInfo) -> Built:
    """A worry about one's mood (落ち込む, 眠れない 不安): the lines that listen first, the health desk after (said
    to be closed when it is), then 119 when in danger now; never the 急病センター."""
    desk = result.desk
    lines = desk.lines_of("mental")
    closed = texts.HEALTH_DESK_CLOSED_NOW if result.desk_open is False else ""
    parts = [_listing(texts.HEALTH_MOOD, lines),
             texts.HEALTH_MOOD_DESK.format(desk=_desk(desk, city)) + closed,
             texts.HEALTH_SELF_HARM_NOW.format(number=desk.emergency_number)]
    return parts, [*(_call(line) for line in lines), *_desk_calls(desk, city), _call_119(desk)]


def _worry_after_hours(result: Triage, city: CityInfo, later: str) -> Built:
    """A worry while the desk is closed: what answers now first (the 急病センター, the information line), the
    desk after, said to be closed now."""
    desk = result.desk
    facilities = [f for f in desk.facilities[:1] if f.phone]
    others = desk.lines_of("medical_info")
    lines = [texts.HEALTH_WORRY_AFTER_HOURS.format(desk=desk.desk.name or city.department or city.name)]
    lines += [texts.HEALTH_WORRY_AFTER_HOURS_FACILITY.format(facility=f.name, seen=_seen(f), hours=f.hours or "-")
              for f in facilities]
    if others:
        lines += [texts.HEALTH_DOUBT_OTHERS, *map(_line, others)]
    lines.append(texts.HEALTH_WORRY_DESK_LATER.format(desk=_desk(desk, city)))
    calls = _facility_calls(facilities) + [_call(line) for line in others]
    return ["\n".join(lines), later], [_call_119(desk), *calls][:MAX_CALL_BUTTONS - 1] + _desk_calls(desk, city)


def _listing(intro: str, lines: Sequence[Line]) -> str:
    """A sentence, then the lines it introduces as list items."""
    return "\n".join([intro, *map(_line, lines)])


def _line(line: Line) -> str:
    """One line as a list item: name, number, hours, and what else to know."""
    template = texts.HEALTH_LINE if line.hours else texts.HEALTH_LINE_NO_HOURS
    return template.format(name=line.name, number=line.number, hours=line.hours) + _extra(line)


def _named(line: Line) -> str:
    return f"{line.name} {line.number}（{line.hours}）" if line.hours else f"{line.name} {line.number}"


def _extra(line: Line) -> str:
    extra = ""
    if line.other_number and line.other_number not in line.note:
        extra += "\n" + texts.HEALTH_LINE_OTHER.format(other=line.other_number)
    if line.note:
        extra += "\n" + texts.HEALTH_LINE_NOTE.format(note=line.note)
    return extra


def _facility(facility: Facility) -> str:
    text = texts.HEALTH_FACILITY.format(name=facility.name, departments=facility.departments or "-",
                                        address=facility.address, phone=facility.phone, hours=facility.hours)
    return text + ("\n" + texts.HEALTH_FACILITY_NOTE.format(note=facility.note) if facility.note else "")


def _desk(desk: HealthDesk, city: CityInfo) -> str:
    """The health desk, or the city's contact desk when the city named none."""
    if desk.desk.name and desk.desk.phone:
        return texts.HEALTH_DESK.format(name=desk.desk.name, phone=desk.desk.phone, hours=desk.desk.hours)
    return texts.HEALTH_DESK_CITY.format(department=city.department or city.name, phone=city.phone,
                                         office_hours=city.office_hours)


def _desk_calls(desk: HealthDesk, city: CityInfo) -> list[Call]:
    phone = desk.desk.phone if desk.desk.name and desk.desk.phone else city.phone
    return [Call(texts.HEALTH_LINE_CALL_LABEL.format(number=phone), phone)] if phone else []


def _call(line: Line) -> Call:
    return Call(texts.HEALTH_LINE_CALL_LABEL.format(number=line.number), line.number)


def _call_119(desk: HealthDesk) -> Call:
    return Call(texts.HEALTH_CALL_LABEL.format(number=desk.emergency_number), desk.emergency_number)


def _call_110(desk: HealthDesk) -> Call:
    return Call(texts.HEALTH_CALL_LABEL.format(number=desk.police_number), desk.police_number)


BUILDERS: dict[Kind, Callable[[Triage, CityInfo], Built]] = {
    Kind.EMERGENCY: _emergency,
    Kind.POLICE: _police,
    Kind.SELF_HARM: _self_harm,
    Kind.DOUBT: _doubt,
    Kind.CHILD: _child,
    Kind.WHERE: _where,
    Kind.WORRY: _worry,
}
