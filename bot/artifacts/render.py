"""The one entry point front ends call when a reply carries an attachment."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from bot.artifacts.action_plan import build_action_plan
from bot.artifacts.artifact import Artifact, EngineLike
from bot.artifacts.model_picture import render_model_picture
from bot.artifacts.plan_layout import layout_action_plan
from bot.artifacts.team_picture import OwnView, render_slot_picture, render_team_picture
from dialogs.civil import AMSTERDAM
from dialogs.session import Session
from locales import Bundle, load_bundle

Kind = Literal["model_picture", "action_plan", "team_picture", "slot_picture"]
# The dialog's option that sends the plan (flow.yaml, state `advies`).
PLAN_OPTION = "plan"


def render(
    kind: Kind,
    session: Session,
    engine: EngineLike,
    today: date | None = None,
    bundle: Bundle | None = None,
) -> Artifact:
    """Render the attachment `kind` for this session, in the session's language.

    `model_picture` works at any point (the plain model before a diagnosis); `action_plan` needs a
    diagnosed phase and shown advice and raises ValueError otherwise. `today` fixes the plan's
    date for tests (its file name then has no time); it defaults to the local date and time.
    `bundle` replaces the session's language bundle (e.g. one loaded from another root).
    """
    words = bundle or load_bundle(session.language)
    if kind == "model_picture":
        return _model_picture(session, engine, words)
    if kind == "action_plan":
        # The Amsterdam day, as the reminder counts it (dialogs.civil.review_day).
        now = datetime.now(AMSTERDAM) if today is None else datetime.combine(today, time())
        return _action_plan(session, engine, now, words)
    if kind == "team_picture":
        return _team_picture(session, engine, words)
    if kind == "slot_picture":
        return _slot_picture(session, engine, words)
    raise ValueError(f"unknown artifact kind: {kind!r}")


def _model_picture(session: Session, engine: EngineLike, words: Bundle) -> Artifact:
    kb = engine.knowledge
    texts = words.artifacts.model_picture
    variant = words.artifacts.model_picture_for.get(engine.reader(session) or "")
    if variant is not None:  # a zzp'er's own phase, not an employee's
        texts = texts.model_copy(update=variant.model_dump())
    data = render_model_picture(kb, session.layers, session.phase, texts)
    if session.phase is not None and session.layers:
        phase = kb.phase(session.phase)
        caption = texts.caption_diagnosed.format(
            layers=words.join_list(
                [item.label for item in kb.layers if item.key in session.layers]
            ),
            number=phase.number,
            phase=phase.label,
        )
    else:
        caption = texts.caption_plain
    return Artifact(texts.filename, data, caption, "image/png")


def plan_stamp(session: Session, now: datetime, words: Bundle | None = None) -> str:
    """What tells two plans apart: the employee's letter where the chat has one, date and time,
    and a count from the second plan of the conversation.

    The count is how many plans the conversation asked for (the `plan` answers in its history),
    so a second plan in the same minute still gets a name of its own.
    """
    stamp = now.strftime("%Y-%m-%d-%H%M")
    made = sum(1 for answer in session.history if answer.option == PLAN_OPTION)
    stamp = f"{stamp}-{made}" if made > 1 else stamp
    if words is not None and session.current is not None:
        return words.artifacts.action_plan.employee_stamp.format(
            letter=session.current, stamp=stamp
        )
    return stamp


def _action_plan(session: Session, engine: EngineLike, now: datetime, words: Bundle) -> Artifact:
    advice = engine.advice_plan(session)  # ValueError before role and phase are known
    plan = build_action_plan(
        session,
        engine.knowledge,
        advice,
        engine.role_label(advice.role),
        now.date(),
    )
    texts = words.artifacts.action_plan
    return Artifact(
        filename=texts.filename.format(stamp=plan_stamp(session, now, words)),
        data=layout_action_plan(plan, words),
        caption=texts.caption.format(check_in=words.long_date(plan.check_in)),
        mime="application/pdf",
    )


def _team_picture(session: Session, engine: EngineLike, words: Bundle) -> Artifact:
    """The employees per phase (those assessed at least once), and beside that where the
    employees who shared their self-check place themselves (issue 21: both views)."""
    texts = words.artifacts.team_picture
    phases = [slot.phase for slot in session.slots if slot.phase is not None]
    own = [slot.shared.view.phase for slot in session.slots if slot.shared is not None]
    marks = OwnView(texts.self_label, texts.own_label, texts.legend_team)
    data = render_team_picture(engine.knowledge, phases, texts.team_title, own, marks)
    return Artifact(texts.filename, data, texts.caption_team.format(count=len(phases)), "image/png")


def _slot_picture(session: Session, engine: EngineLike, words: Bundle) -> Artifact:
    """The path through the phases of the employee being looked at."""
    texts = words.artifacts.team_picture
    slot = session.current_slot()
    if slot is None or not slot.assessments:
        raise ValueError("no employee with an assessment is open")
    path = [look.phase for look in slot.assessments]
    title = texts.slot_title.format(letter=slot.letter)
    own = slot.shared.view.phase if slot.shared is not None else None
    marks = OwnView(texts.self_label, texts.own_label, texts.legend_slot.format(letter=slot.letter))
    data = render_slot_picture(engine.knowledge, path, title, own, marks)
    caption = texts.caption_slot.format(letter=slot.letter)
    return Artifact(texts.filename, data, caption, "image/png")
