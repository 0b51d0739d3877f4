"""Issue 20, parts 3 and 4: first steps for this one employee, this week, in this kind of work;
help that fits; all four conditions asked; what the report offers, shown where it helps.

The expectations are written out here (which kind a typed business is, what a kind of work lacks,
which phrases a first step for one employee must not hold), not read back from the code.
"""

from __future__ import annotations

import re

import pytest
from dialog_helpers import (
    PHASES,
    ROLE_PATH,
    SKIP_WORK,
    STAFF,
    choose,
    drive,
    engine,
)

from dialogs import Event
from dialogs.advice import advice_plan, help_referrals, quick_checks
from dialogs.knowledge_check import unreached_referrals
from dialogs.render import SCREEN
from knowledge.schema import WORK_KINDS, Scope

# Typed businesses and the kind of work they are (issue 20's list, and a few more).
BUSINESSES = {
    "bakkerij": "maken",
    "garage": "maken",
    "kapsalon": "maken",
    "webshop": "maken",
    "installatiebedrijf": "bouw",
    "bouw": "bouw",
    "accountantskantoor": "kantoor",
    "zorgpraktijk": "zorg",
}
# Things a kind of work does not have, written out independently of work_kinds.yaml: a first
# step that names one of them does not fit that work.
LACKS = {
    "maken": ["oplevering", "opleveren", "bouwplaats", "meegaat naar een klant"],
    "bouw": ["patiënt", "leerling"],
    "kantoor": ["oplevering", "bouwplaats", "machine", "werkplaats"],
    "zorg": ["oplevering", "bouwplaats", "machine", "klant", "klus"],
}
# A first step for the one employee the user thinks of: never several, never "choose a step".
NOT_ONE_ACTION = ["twee medewerkers", "een medewerker met", "kies samen één eerste stap"]
JARGON = [
    "interventie",
    "randvoorwaarde",
    "rijpheidsmodel",
    "draagvlak",
    "erkend leerbedrijf",
    "sbb",
    "witte vlek",
]


def test_readers_with_staff_are_asked_their_kind_of_work_and_no_one_else() -> None:
    for role, path in ROLE_PATH.items():
        session = drive(*path[: -1 if role in STAFF else None])
        assert (session.state == "soort") == (role in STAFF), role


@pytest.mark.parametrize(("typed", "kind"), sorted(BUSINESSES.items()))
def test_a_typed_business_is_kept_as_its_kind_only(typed: str, kind: str) -> None:
    session = drive("mkb")
    engine().handle(session, Event.text(typed))
    assert session.state == "s_toepassen" and session.work == kind
    if typed != kind:  # "bouw" is a kind itself
        assert typed not in session.model_dump_json().casefold()


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("we zijn een bakkerij", "maken"),
        ("ik heb een garage", "maken"),
        ("wij hebben een webshop", "maken"),
        ("een accountantskantoor", "kantoor"),
        ("we zitten in de bouw", "bouw"),
        ("een zorgpraktijk met vier mensen", "zorg"),
        ("we zijn een fysiotherapiepraktijk", "zorg"),
    ],
)
def test_a_typed_sentence_about_the_business_is_understood(typed: str, kind: str) -> None:
    """Through the understanding layer: the lexicon's words for each kind, in a sentence."""
    session = drive("mkb")
    engine().handle(session, Event.text(typed))
    assert (session.state, session.work) == ("s_toepassen", kind)


def test_skipping_keeps_no_kind_and_back_forgets_it() -> None:
    assert drive("lijn", SKIP_WORK).work is None
    session = drive("lijn", "zorg")
    assert session.work == "zorg"
    engine().handle(session, Event.option("_terug"))
    assert session.state == "soort" and session.work is None


def test_the_kinds_of_work_lack_what_the_test_says() -> None:
    kb = engine().knowledge
    assert {kind.id for kind in kb.work_kinds} == set(WORK_KINDS) == set(LACKS)
    for kind, things in LACKS.items():
        for thing in things:
            assert kb.lacked(f"een {thing}", kind), (kind, thing)


@pytest.mark.parametrize("work", WORK_KINDS)
@pytest.mark.parametrize("role", STAFF)
def test_no_first_step_names_what_the_work_lacks(role: str, work: str) -> None:
    """The table over kinds of work × phases: every first step the advice can show."""
    kb, flow = engine().knowledge, engine().flow
    for phase in PHASES:
        plan = advice_plan(kb, flow, role, phase, work=work)
        items = [*plan.first, *(item for batch in plan.batches for item in batch)]
        for item in [*items, *plan.next_phase]:
            step = plan.step(item).casefold()
            found = [thing for thing in LACKS[work] if thing in step]
            assert not found, (role, work, phase, item.id, found)


def test_a_webshop_owner_in_phase_5_is_not_sent_to_a_delivery() -> None:
    """The issue's example: the generic step fits a builder, and a shop gets its own."""
    kb, flow = engine().knowledge, engine().flow
    webshop = advice_plan(kb, flow, "mkb", "continu", work="maken")
    builder = advice_plan(kb, flow, "mkb", "continu", work="bouw")
    assert webshop.begin.id == builder.begin.id == "leidinggevende-klantbezoeken"
    assert "oplevering" in builder.step(builder.begin)
    assert "oplevering" not in webshop.step(webshop.begin)


@pytest.mark.parametrize("work", [None, *WORK_KINDS])
@pytest.mark.parametrize("role", STAFF)
def test_the_first_step_is_one_action_for_this_one_employee_this_week(
    role: str, work: str | None
) -> None:
    """Every reader with staff (HR and the director too) thinks of one employee: "Begin hier"
    names one action with that employee, this week, in every phase."""
    kb, flow = engine().knowledge, engine().flow
    for phase in PHASES:
        plan = advice_plan(kb, flow, role, phase, work=work)
        step = plan.step(plan.begin)
        where = (role, work, phase, plan.begin.id, step)
        assert "deze week" in step.casefold(), where
        assert not [bad for bad in NOT_ONE_ACTION if bad in step.casefold()], where
        assert re.search(r"\bje medewerker\b|\bhem of haar\b", step), where


def test_no_first_step_for_staff_asks_several_employees_or_to_choose_a_step() -> None:
    kb = engine().knowledge
    for item in kb.interventions:
        for reader in ("eigenaar", "leidinggevende", "hr", "directie"):
            for work in [None, *WORK_KINDS]:
                step = item.first_step_for_reader(reader, work).casefold()
                assert not [bad for bad in NOT_ONE_ACTION if bad in step], (item.id, reader)


# -- help that fits ------------------------------------------------------------------------------
def _help(role: str, phase: str, work: str | None) -> list[str]:
    flow = engine().flow
    return [
        item.id
        for item in help_referrals(
            engine().knowledge, flow.roles[role], phase, flow.advice.help, work
        )
    ]


def test_a_sector_network_goes_only_to_that_sector() -> None:
    for role in STAFF:
        for phase in PHASES:
            for work in [None, *WORK_KINDS]:
                assert ("gas-erop" in _help(role, phase, work)) == (work == "bouw"), (role, work)


def test_the_general_help_reaches_everyone_who_fits() -> None:
    for phase in PHASES:
        for work in [None, *WORK_KINDS]:
            owner = _help("mkb", phase, work)
            assert {"leerwerkloketten", "oo-fondsen", "mkb-idee"} <= set(owner), (phase, work)
            assert "oo-fondsen" in _help("hr", phase, work)  # the fund reaches HR too
        for role in engine().flow.roles:
            assert "leerwerkloketten" in _help(role, phase, None), role


def test_every_referral_reaches_a_reader_and_the_check_says_when_one_does_not() -> None:
    kb, flow = engine().knowledge, engine().flow
    assert unreached_referrals(flow, kb) == []
    reached = {
        referral
        for role in flow.roles
        for phase in PHASES
        for work in [None, *WORK_KINDS]
        for referral in _help(role, phase, work)
    }
    report_names = [
        "katapult",
        "sprong-human-capital",
        "programmaraad",
        "stichting-van-de-arbeid",
        "ser-commissie-amv",
        "sectorale-master-hci",  # seed 815
    ]
    assert set(report_names) <= reached
    # A referral whose scope no reader matches is named by the check.
    nobody = kb.referrals[0].model_copy(update={"scope": Scope(layers=["nergens"])})
    lonely = kb.__class__(
        **{**{name: getattr(kb, name) for name in kb.__dataclass_fields__ if name[0] != "_"}},
    )
    object.__setattr__(lonely, "referrals", (nobody, *kb.referrals[1:]))
    assert [p for p in unreached_referrals(flow, lonely) if nobody.id in p]


def test_help_is_one_step_from_the_advice_with_what_to_ask() -> None:
    session = drive("mkb", "bouw", "kies", "f4")
    while session.state == "check":
        choose(session, "ja")
    assert "hulp" in {option.id for option in engine().current_options(session)}
    shown = engine().handle(session, Event.text("hulp"))[-1].text  # typed, or its button
    assert session.state == "hulp"
    assert "Gas Erop" in shown and "Tip:" in shown
    for item in engine().advice_plan(session).help:
        assert item.name in shown and item.ask in shown
    choose(session, "terug")
    assert session.state == "advies"


# -- the four conditions, the phase's signals and focus, the honest flex note -------------------
def test_all_four_conditions_are_asked_in_every_phase() -> None:
    kb, spec = engine().knowledge, engine().flow.quick_check
    asked_somewhere: set[str] = set()
    for phase in PHASES:
        checks = quick_checks(kb, spec, phase)
        asked_somewhere.update(checks)
        numbers = {
            precondition.number
            for precondition in kb.preconditions
            for check in precondition.checks
            if check.id in checks
        }
        assert numbers == {1, 2, 3, 4}, phase
    assert "gereed-houding" in asked_somewhere


def test_the_conditions_say_what_the_report_adds_on_risk_and_on_stress() -> None:
    safety = engine().knowledge.precondition("veiligheid-en-werkdruk")
    asked = " ".join(check.question for check in safety.checks)
    assert "stress" in asked and "collega" in asked  # seed 513-514
    assert "iets nieuws probeert" in asked  # seed 505: rewarding risk-taking
    assert "belonen" in safety.explanation


def test_what_a_phase_looks_like_is_one_tap_under_a_staging_question() -> None:
    session = drive("lijn", SKIP_WORK)
    before = session.model_dump(exclude={"turn", "updated_at"})
    replies = engine().handle(session, Event.option("herken"))
    phase = engine().knowledge.phase("toepassen")
    shown = "\n".join(reply.text for reply in replies)
    assert all(signal in shown for signal in phase.signals)
    assert session.model_dump(exclude={"turn", "updated_at"}) == before  # nothing answered


def test_the_result_shows_the_phase_focus_to_readers_with_staff() -> None:
    focus = engine().knowledge.phase("continu").manager_focus
    owner = choose(drive("mkb", SKIP_WORK, "ja"), "ja")[-1].text
    assert focus in owner
    zzp = choose(drive(*ROLE_PATH["zzp"], "ja"), "ja")[-1].text
    assert focus not in zzp and "fase 5" in zzp.casefold()


def test_the_flex_note_reaches_hr_since_no_role_has_flexible_workers_as_an_audience() -> None:
    kb = engine().knowledge
    assert all("flex" not in role.audiences for role in engine().flow.roles.values())
    spot = next(spot for spot in kb.blind_spots if spot.id == "flexkrachten")
    assert spot in kb.blind_spots_for(4, ["hr"], [])
    assert spot.advice.startswith("Werk je met uitzendkrachten")


# -- jargon ----------------------------------------------------------------------------------------
def _user_texts() -> list[tuple[str, str]]:
    """What a user reads: the bundle's prose and the knowledge's texts (not the glossary's own
    terms, which explain the words, nor the report's names, which are its words)."""
    from locales.model import prose

    found = [
        (f"{file}: {path}", text)
        for file, texts in engine().bundle.files()
        for path, text in prose(texts)
    ]
    kb = engine().knowledge
    for item in kb.interventions:
        found += [(item.id, item.explanation), (item.id, item.first_step)]
        found += [(item.id, text) for text in item.first_step_for.values()]
        found += [(item.id, text) for text in item.first_step_for_work.values()]
    for condition in kb.preconditions:
        found += [(condition.id, condition.explanation), (condition.id, condition.when_gap)]
        found += [(condition.id, check.question) for check in condition.checks]
    for spot in kb.blind_spots:
        found += [(spot.id, spot.title), (spot.id, spot.explanation), (spot.id, spot.advice)]
    for referral in kb.referrals:
        found += [(referral.id, referral.what), (referral.id, referral.ask)]
    return found


def test_no_jargon_in_what_a_user_reads() -> None:
    found = [
        (where, word)
        for where, text in _user_texts()
        for word in JARGON
        if re.search(rf"\b{word}", text, re.IGNORECASE)
    ]
    assert found == []


# -- part 4: whole conversations -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("business", "lacking"),
    [
        ("bakkerij", ["oplevering", "bouwplaats"]),
        ("garage", ["oplevering", "bouwplaats"]),
        ("webshop", ["oplevering", "meegaat naar een klant"]),
        ("accountantskantoor", ["oplevering", "machine", "werkplaats"]),
        ("zorgpraktijk", ["oplevering", "klant", "klus"]),
    ],
)
async def test_a_whole_conversation_gets_steps_and_help_that_fit_the_business(
    business: str, lacking: list[str]
) -> None:
    """Typed as a user would, through the conversation service, in every phase: the kind of
    work is understood and kept (not the business), every first step shown (the overview's and
    each detail's) fits the work, and the help names the general places, never Gas Erop."""
    from bot.conversation import Conversation
    from bot.persistence.memory import MemoryStore

    for number in range(1, 6):
        conversation = Conversation(engine(), MemoryStore(), retention_days=30)
        turn = await conversation.handle("1", 1, Event.start())
        count = 2
        for typed in ["eigenaar", business, "ik kies de fase zelf", str(number)]:
            turn = await conversation.handle("1", count, Event.text(typed))
            count += 1
        while turn.session is not None and turn.session.state == "check":
            turn = await conversation.handle("1", count, Event.text("ja"))
            count += 1
        session = turn.session
        assert session is not None and session.state == "advies", (business, number)
        assert session.work == BUSINESSES[business]
        assert business not in session.model_dump_json().casefold()
        plan = engine().advice_plan(session)
        overview = turn.replies[-1].text
        assert plan.step(plan.begin) in overview
        for item in plan.first:
            opened = await conversation.handle("1", count, Event.option(f"i.{item.id}"))
            step = plan.step(item)
            assert step in opened.replies[-1].text
            assert not [thing for thing in lacking if thing in step.casefold()], (item.id, step)
            await conversation.handle("1", count + 1, Event.option("terug"))
            count += 2
        helped = await conversation.handle("1", count, Event.text("hulp"))
        shown = helped.replies[-1].text
        assert "Tip:" in shown and "Landelijke leerwerkloketten" in shown and "O&O" in shown
        assert "Gas Erop" not in shown and "MKB Idee!" in shown


# -- the report's vision ---------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLE_PATH)
def test_the_reports_vision_says_why_the_first_step_starts_with_the_worker(role: str) -> None:
    """Seed 60-67, 86, 116: the worker's own direction; willen, weten, kunnen, durven, mogen.
    One line under the phase, marked as the report's, where the screen has room for it."""
    texts = engine().texts.advice
    reader = engine().flow.roles[role].reader
    line = texts.vision[reader]
    assert "volgens het rapport" in line and "regie" in line
    assert all(word in line for word in ("willen", "weten", "kunnen", "durven", "mogen"))
    shown = 0
    for number in range(1, 6):
        session = drive(*ROLE_PATH[role], "kies", f"f{number}")
        replies = []
        while session.state == "check":
            replies = choose(session, "ja")
        text = replies[-1].text
        if line not in text:  # only when it would not fit one phone screen
            assert len(text) + len(line) + 2 > SCREEN, (role, number)
            continue
        shown += 1
        assert text.split("\n\n")[1] == line, (role, number)  # right under the phase
    assert shown >= 4, role
