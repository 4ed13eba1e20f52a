"""避難所 in the conversation: a location sent, a hazard chosen, and the nearest shelters for it."""

from __future__ import annotations

import logging
import math
from datetime import timedelta

import runtime
from bot import conversation
from bot.context import Context
from bot.context import Reply
from bot.conversation import Step
from bot.replies import shelters as replies
from disaster import status
from disaster import store
from disaster.atlas import STAY
from disaster.hazards import BY_KEY
from intents.shelters import AskLocation
from intents.shelters import ChooseHazard
from intents.shelters import ShelterStatusQuestion
from messaging import build
from messaging import texts

log = logging.getLogger(__name__)

NEAREST = 3  # shelters shown (each a map pin, with the text: 4 of LINE's 5 messages)
CANDIDATES = 8  # shelters looked at, so that repeats and closed or full ones can give way to the next
FAR_METRES = 20_000  # a place this far from the nearest shelter is likely outside the city: the reply says so
OUTSIDE_METRES = 100_000  # this far, the resident is elsewhere: no list, only where to look instead


def on_location(ctx: Context, user_id: str, latitude: float, longitude: float) -> Reply:
    """A location sent: ask which hazard to flee from (or say the city has no shelter data)."""
    atlas = ctx.shelters
    if atlas is None or not len(atlas):
        return Reply(_no_data(ctx), "intent", intent="shelter")
    if (outside := _outside(ctx, latitude, longitude)) is not None:  # far from the city: no question, no list
        return Reply(outside, "intent", intent="shelter")
    waiting = conversation.current(ctx.session, user_id, ctx.now)
    if waiting is not None and waiting.step is Step.ASK_LOCATION:  # 「地震の避難所」 asked for this location
        conversation.end(ctx.session, user_id)
        hazard = waiting.data.get("hazard")
        if hazard in BY_KEY and atlas.has(hazard):
            reply = _found(ctx, hazard, latitude, longitude)
            reply.messages[-1].quick_reply = replies.hazard_buttons(atlas, latitude, longitude, leave_out=hazard)
            return reply
    now = ctx.disaster_mode()
    if now.active and now.hazard and atlas.has(now.hazard):  # disaster mode: the notice's hazard, no question
        reply = _found(ctx, now.hazard, latitude, longitude)
        reply.messages = build.combine(build.text(texts.SHELTER_MODE_NOTE.format(
            hazard=BY_KEY[now.hazard].label)), reply.messages)
        reply.messages[-1].quick_reply = replies.hazard_buttons(atlas, latitude, longitude, leave_out=now.hazard)
        return reply
    return Reply(replies.ask_hazard(atlas, latitude, longitude), "intent", intent="shelter")


def ask_location(ctx: Context, user_id: str | None, result: AskLocation) -> list:
    """「避難所」: ask for the location (or say there is no shelter data); a hazard named (「地震の避難所」) is
    remembered until the location comes (a step), so that it is not asked again."""
    atlas = ctx.shelters
    if atlas is None or not len(atlas):
        return _no_data(ctx)
    first = texts.SHELTER_DANGER.get(result.danger)
    if result.hazard is None:
        return replies.ask_location(result.unknown_place, first=first)
    if not atlas.has(result.hazard):  # 「津波の避難所」 in a city with no site for it: say so, then ask as usual
        return build.combine(replies.none_for(result.hazard), replies.ask_location(result.unknown_place, first=first))
    if user_id is not None:
        conversation.start(ctx.session, user_id, Step.ASK_LOCATION, ctx.now, hazard=result.hazard)
    return replies.ask_location(result.unknown_place, hazard=BY_KEY[result.hazard].label, first=first)


def status_of(ctx: Context, user_id: str | None, result: ShelterStatusQuestion) -> list:
    """「富丘中学校は開いてる？」: that shelter's status now (one entry per facility, the latest said of any of the
    data's entries for it), with where it is."""
    said = store.statuses(ctx.session, [shelter.id for shelter in result.shelters])
    facilities: dict[tuple[str, str], object] = {}
    for shelter in result.shelters:  # the data may list a facility twice (指定緊急避難場所 and 指定避難所)
        key = (shelter.name, shelter.address)
        kept = facilities.get(key)
        if kept is None or _said_at(said.get(shelter.id)) > _said_at(said.get(kept.id)):
            facilities[key] = shelter
    rt = runtime.current()
    shown = list(facilities.values())[:NEAREST]
    return replies.status_of(shown, said, attribution=ctx.shelters.attribution, now=ctx.now,
                             max_age=timedelta(hours=rt.settings.shelter_status_max_age_hours), timezone=rt.timezone)


def _said_at(status) -> float:
    return status.at.timestamp() if status is not None and status.at is not None else 0.0


def location_answer(ctx: Context, user_id: str, query, data: dict) -> Reply | None:
    """A text while the send-location button waits: it is not the location (the step lets go of it)."""
    return None


def choose_hazard(ctx: Context, user_id: str | None, result: ChooseHazard) -> list:
    """「あずさの避難所」: ask for the hazard, near the place named; 「あずさの地震の避難所」: the shelters at once."""
    atlas = ctx.shelters
    if result.hazard is not None and atlas.has(result.hazard):
        return _found(ctx, result.hazard, result.latitude, result.longitude).messages
    asked = replies.ask_hazard(atlas, result.latitude, result.longitude, result.place)
    return build.combine(replies.none_for(result.hazard), asked) if result.hazard is not None else asked


def shelter_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """A hazard chosen for a place: the nearest shelters designated for it, with their status now."""
    atlas, purpose = ctx.shelters, values.get("h", "")
    try:
        latitude, longitude = float(values.get("la", "")), float(values.get("lo", ""))
    except ValueError:
        return Reply(build.text(texts.SHELTER_STALE_PLACE))
    if not (math.isfinite(latitude) and math.isfinite(longitude) and -90 <= latitude <= 90
            and -180 <= longitude <= 180) or (purpose not in BY_KEY and purpose != STAY):
        return Reply(build.text(texts.SHELTER_STALE_PLACE))
    if atlas is None or not len(atlas):
        return Reply(_no_data(ctx), "intent", intent="shelter")
    return _found(ctx, purpose, latitude, longitude)


def _found(ctx: Context, purpose: str, latitude: float, longitude: float) -> Reply:
    """The nearest shelters serving ``purpose``, with their status now."""
    atlas = ctx.shelters
    found = atlas.nearest(latitude, longitude, purpose, CANDIDATES)
    if not found:
        return Reply(replies.none_for(purpose), "intent", intent="shelter")
    rt = runtime.current()
    max_age = timedelta(hours=rt.settings.shelter_status_max_age_hours)
    if found[0].distance_m > OUTSIDE_METRES:
        return Reply(_outside_text(ctx, found[0].distance_m), "intent", intent="shelter")
    said = store.statuses(ctx.session, [item.shelter.id for item in found])
    shown, passed_over = _first_to_go_to(found, said, ctx.now, max_age)
    notes = []
    if found[0].distance_m > FAR_METRES:  # the nearest is this far: the resident may be in another city
        notes.append(texts.SHELTER_FAR.format(city=ctx.city.name, distance=replies.distance(found[0].distance_m)))
    for item in passed_over:  # a nearer shelter left out because it is closed or full: say so, not nothing
        notes.append(texts.SHELTER_PASSED_OVER.format(
            name=item.shelter.name, distance=replies.distance(item.distance_m),
            status=texts.SHELTER_STATUSES.get(said[item.shelter.id].status, said[item.shelter.id].status)))
    return Reply(replies.found(purpose, shown, said, attribution=atlas.attribution, now=ctx.now, max_age=max_age,
                               timezone=rt.timezone, note="\n".join(notes) or None), "intent", intent="shelter")


def _outside(ctx: Context, latitude: float, longitude: float) -> list | None:
    """The reply to a place far from every shelter of the city (the resident is elsewhere), else None."""
    atlas = ctx.shelters
    nearest = min((found[0].distance_m for purpose in (*BY_KEY, STAY)
                   if (found := atlas.nearest(latitude, longitude, purpose, 1))), default=None)
    return _outside_text(ctx, nearest) if nearest is not None and nearest > OUTSIDE_METRES else None


def _outside_text(ctx: Context, metres: float) -> list:
    return build.text(texts.SHELTER_OUTSIDE.format(city=ctx.city.name, distance=replies.distance(metres)))


def _first_to_go_to(found: list, said: dict, now, max_age: timedelta) -> tuple[list, list]:
    """The ``NEAREST`` shelters to show, one per facility (the data lists some twice, by name and address),
    nearest first, except that those staff said lately are closed or full come after the others; and those
    closed or full among the nearest that were left out for that."""
    seen, kept = set(), []
    for item in found:
        facility = (item.shelter.name, item.shelter.address)
        if facility not in seen:
            seen.add(facility)
            kept.append(item)

    def turned_away(item) -> bool:
        latest = said.get(item.shelter.id)
        return latest is not None and latest.status in (status.CLOSED, status.FULL) and latest.confirmed(now, max_age)

    shown = sorted(kept, key=turned_away)[:NEAREST]  # stable: the distance order holds within each group
    return shown, [item for item in kept[:NEAREST] if item not in shown]


def staff_message(ctx: Context, user_id: str | None, text: str) -> Reply | None:
    """A shelter staff member's message: 「避難所スタッフ CODE」 links the account; 「開設」「混雑」「満員」
    「閉鎖」… from a linked account set its shelter's status. None for anything else, and for everybody
    else's status words (a resident's 「混雑」 is answered as usual). Nothing of it goes to the query log."""
    if user_id is None:
        return None
    code = status.code_in(text)
    if code is not None:
        name = status.link(ctx.session, user_id, code, ctx.now, secret=ctx.secret)
        log.info("shelter.staff_link", extra={"linked": name is not None})
        if name is None:
            return Reply(build.text(texts.SHELTER_STAFF_BAD_CODE), "intent", intent="shelter_staff")
        return Reply(build.text(texts.SHELTER_STAFF_LINKED.format(name=name)), "intent", intent="shelter_staff")
    change = status.staff_word(text)
    hinted = change is None and len(text) <= status.MAX_STAFF_WORDS and status.STAFF_HINT.search(text)
    names = status.staffed(ctx.session, user_id) if change is not None or hinted else []
    if not names:
        return None
    if change is None:  # a staff member's status that could not be read: say which words are
        return Reply(build.text(texts.SHELTER_STAFF_UNREAD.format(name="・".join(names))), "intent",
                     intent="shelter_staff")
    rt = runtime.current()
    lines = []
    for name in names:
        shelter = status.set_status(ctx.session, name, change, ctx.now)[0]
        said = texts.SHELTER_STATUSES.get(shelter.status, shelter.status)
        crowding = texts.SHELTER_CROWDING.get(shelter.crowding, "")
        crowding = crowding if shelter.status == status.OPEN else ""
        lines.append(texts.SHELTER_STAFF_SET.format(name=name, status=f"{said}・{crowding}" if crowding else said,
                                                    when=replies.when_said(ctx.now, rt.timezone)))
    log.info("shelter.status_set", extra={"status": change.status, "crowding": change.crowding, "shelters": len(names)})
    return Reply(build.messages(["\n".join(lines)]), "intent", intent="shelter_staff")


def _no_data(ctx: Context) -> list:
    return build.text(texts.SHELTER_NONE.format(department=ctx.city.department, phone=ctx.city.phone))
