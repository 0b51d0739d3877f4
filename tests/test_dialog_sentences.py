"""Typed answers as people write them: sentences, fillers, typos and negation (issue 19, part 1).

A table of typed answers at every kind of question, run in-process through the engine (the step
Telegram and the console share). Each row says what the answer must do: be taken as a button
(checked by the label of the option chosen, or by the role reached, never by an option id), be
asked back with two buttons, start the question "Opnieuw beginnen?", or be refused with the line
that says what fits this question. Every ask-back and refusal carries its reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from dialog_helpers import at_state, choose, engine, refusal

from dialogs import Command, Event, Session
from dialogs.engine import Outcome

ASK = "?ask"  # asked back: two (or more) buttons, nothing changed
REFUSE = "?refuse"  # refused with the line of this kind of question, nothing changed
RESTART = "?restart"  # "Opnieuw beginnen?" asked, nothing wiped
ROLE = "role:"  # accepted: the session's role is the one after the colon

Row = tuple[str, str, str, str]  # where, typed text, expected outcome, why (ask-back, refusal)
TABLE: list[Row] = []


def rows(where: str, expect: str, *texts: str, why: str = "") -> None:
    TABLE.extend((where, text, expect, why) for text in texts)


# -- the role question: a role anywhere in a sentence, also those behind "Iets anders" --------
rows(
    "rol",
    ROLE + "mkb",
    "ik ben de baas van een bakkerij",
    "eigenaar bakkerij",
    "eigenaar van een garage",
    "ik heb een kapsalon met 4 man personeel",
    "ik ben eigenaar",
    "Ik ben ondernemer, heb een kleine zaak",
    "ik heb een eigen bedrijf met 6 mensen",
    "baas van een schildersbedrijf",
    "eigenaar van n garage",
    "ik heb een restaurant",
    "mkb ondernemer",
    "ik ben de eigenar",
)
rows(
    "rol",
    ROLE + "lijn",
    "ik ben teamleider",
    "teamleider",
    "Ik ben leidinggevende.",
    "ik ben manager van een afdeling",
    "ik geef leiding aan 8 monteurs",
    "teamleidr",
    "ik ben leidinggevende in een bakkerij",
    "ik werk als afdelingshoofd",
    "ik ben ploegleider in de fabriek",
)
rows(
    "rol",
    ROLE + "hr",
    "p&o-adviseur",
    "ik werk bij HR",
    "ik ben hr adviseur",
    "ik zit op personeelszaken",
    "hr-medewerker",
    "ik ben recruiter",
)
rows(
    "rol",
    ROLE + "dir",
    "ik ben directeur",
    "ik zit in de directie",
    "algemeen directeur",
    "ik ben bestuurder van een zorginstelling",
    "ceo",
)
rows(
    "rol",
    ROLE + "zzp",
    "zzp'er",
    "ik ben zzp'er",
    "ik werk als zelfstandige",
    "freelancer",
    "ik ben geen leidinggevende maar zzp'er",
    "ik ben mijn eigen baas, zonder personeel",
)
rows(
    "rol",
    ROLE + "onderwijs",
    "leraar",
    "ik ben docent op een mbo",
    "trainer",
    "ik ben juf op een basisschool",
)
rows("rol", ROLE + "collega", "collega", "ik ben een collega", "ik ben een collega van hem")
rows("rol", ROLE + "mkb", "ik heb mijn eigen bedrijf")
rows(
    "rol",
    REFUSE,
    "mijn medewerker wil niet leren",
    "mijn teamleider stuurde me",
    why="someone else's role (after 'mijn'): not the user's",
)
rows("rol", ROLE + "hrzl", "hr zonder leidinggevenden")
rows(
    "rol",
    ASK,
    "leidinggevende of collega",
    why="two roles on two levels: asked between the role and 'Iets anders'",
)
rows("rol", ASK, "managnemer", why="one word close to both manager and ondernemer")
rows(
    "rol",
    REFUSE,
    "mijn kat heet Jan",
    "ik weet het niet",
    "hallo daar hoe gaat het",
    why="no role in it: the refusal names examples of roles",
)

rows(
    "rol_anders",
    ROLE + "zzp",
    "ik ben zzp'er",
    "zelfstandig ondernemer",
    "freelance",
    "ik werk voor mezelf",
)
rows(
    "rol_anders",
    ROLE + "onderwijs",
    "ik ben leraar",
    "docente op een hogeschool",
    "ik geef les op een roc",
    "praktijkopleider",
)
rows(
    "rol_anders",
    ROLE + "collega",
    "ik ben een collega",
    "gewoon collega",
    "ik ben werknemer",
    "ik ben medewerker in een team",
)
rows(
    "rol_anders",
    ROLE + "hrzl",
    "hr zonder leidinggevende",
    "ik doe hr in een bedrijf zonder leidinggevenden",
    "hr, zonder aparte leidinggevenden",
)
rows("rol_anders", "← Terug", "terug", "ga terug", "ik wil terug")
rows(
    "rol_anders",
    REFUSE,
    "ik ben teamleider",
    why="a role of the question before: the refusal says to pick here, back is a button",
)
rows("rol_anders", REFUSE, "geen idee wat ik ben", why="no role in it")

# -- staging: yes / no / don't know, anywhere in the first clause ----------------------------
rows(
    "s_toepassen",
    "Ja",
    "ja hoor, dat doet hij",
    "ja klopt wel",
    "jep",
    "yes",
    "zeker",
    "ja, elke dag",
    "Jazeker!",
    "ja hij gebruikt het dagelijks",
    "ze past het toe in haar werk",
    "hij zet het in bij zijn werk",
    "jaa",
    "ja die gebruikt dat wel",
)
rows(
    "s_toepassen",
    "Nee",
    "nee, niet echt",
    "niet echt",
    "nee joh",
    "nee het is hier erg druk",
    "helemaal niet",
    "nope",
    "nee hoor, hij vergeet het weer",
    "neee",
    "eigenlijk niet",
    "hij doet er niks mee",
    "zeker niet",
    "nooit",
)
rows(
    "s_toepassen",
    "Weet ik niet",
    "geen idee",
    "weet ik veel",
    "ik weet het eigenlijk niet",
    "geen flauw idee",
    "dat kan ik niet zeggen",
    "weet ik niet zeker",
    "lastig te zeggen",
)
rows("s_toepassen", "Ik kies de fase zelf", "ik kies de fase liever zelf", "zelf kiezen")
rows(
    "s_toepassen",
    ASK,
    "wel een beetje",
    "soms",
    "af en toe",
    "min of meer",
    "misschien",
    "ja en nee",
    "niet helemaal",
    why="genuinely between yes and no: asked back with the two buttons",
)
rows("s_toepassen", REFUSE, "blauw", "wat is dit voor vraag", why="no answer in it")
rows("s_toepassen", RESTART, "ik wil opnieuw beginnen", why="a wish to start again: asked first")

rows(
    "s_continu",
    "Ja",
    "ja, uit zichzelf",
    "ja die zoekt steeds iets nieuws",
    "zeker, ze is heel leergierig",
    "ze kiest altijd zelf iets nieuws",
    "jawel",
)
rows(
    "s_continu",
    "Nee",
    "nee, dat moet ik vragen",
    "nee hij wacht af",
    "niet uit zichzelf",
    "nee joh",
    "hij moet echt gepusht worden",
)
rows("s_continu", "Weet ik niet", "geen idee", "weet niet")
rows("s_continu", ASK, "soms wel", why="a hedge: between yes and no")

rows(
    "s_actief",
    "Ja",
    "ze doet wel een cursus",
    "ja, hij volgt een opleiding",
    "ze zit op een training",
    "hij probeert een nieuwe werkwijze uit",
    "ja hoor",
    "ze doet een e-learning",
    "ja ze is bezig met een cursus",
    "ze volgt cursussen",
    "hij studeert nog",
    "ze doet een cursus excel",
)
rows(
    "s_actief",
    "Nee",
    "nee, hij doet op dit moment niks",
    "hij doet op dit moment niks",
    "nee hoor",
    "geen cursus of zo",
    "nee, niet echt",
    "nee dat is stil komen te liggen",
    "niet dat ik weet nee",
    "nee niks",
)
rows("s_actief", "Weet ik niet", "weet ik niet", "geen idee eigenlijk", "dat weet ik niet zeker")
rows("s_actief", ASK, "een beetje", why="a hedge: between yes and no")

rows(
    "s_belang",
    "Ja",
    "ja hij vraagt wel eens naar een cursus",
    "ja, ze wil iets anders gaan doen",
    "hij heeft interesse in een opleiding",
    "ze denkt erover na",
    "jawel, ze heeft plannen",
    "ze is benieuwd naar ander werk",
    "ja hoor",
)
rows(
    "s_belang",
    "Nee",
    "nee, niet echt",
    "nee joh, die is tevreden",
    "niet dat ik merk",
    "helemaal niet",
    "nee, daar heeft hij geen behoefte aan",
    "nope",
    "nee",
)
rows("s_belang", "Weet ik niet", "geen idee", "weet ik veel", "onbekend")
rows("s_belang", ASK, "af en toe", why="a hedge: between yes and no")

# -- the quick check: the same answer words ---------------------------------------------------
rows(
    "check",
    "Ja",
    "ja",
    "ja hoor, dat gaat prima",
    "zeker",
    "yes",
    "klopt",
    "ja daar is ruimte voor",
    "jazeker",
    "jep",
    "er is genoeg tijd",
    "ja, dat mag",
)
rows(
    "check",
    "Nee",
    "nee het is hier erg druk",
    "nee",
    "niet echt",
    "nee joh",
    "het is te druk",
    "helemaal niet",
    "er is geen tijd voor",
    "nee, daar is weinig ruimte",
    "nauwelijks",
)
rows("check", "Weet ik niet", "geen idee", "weet ik niet", "weet ik veel", "geen flauw idee")
rows("check", ASK, "soms", "een beetje", why="a hedge: between yes and no")
rows("check", REFUSE, "groen", why="no answer in it")

# -- "Klopt dit?": the same answer words as everywhere ---------------------------------------
rows(
    "uitslag",
    "Klopt",
    "ja",
    "ja klopt wel",
    "jep",
    "ja hoor",
    "yes",
    "zeker",
    "dat klopt",
    "klopt helemaal",
    "ja dat herken ik",
    "jazeker",
    "ja dat is het",
    "prima",
    "klopt ja",
    "ok",
)
rows(
    "uitslag",
    "Andere fase kiezen",
    "nee",
    "nee, niet echt",
    "klopt niet",
    "nee joh",
    "niet echt",
    "nee, ik kies een andere fase",
    "dat klopt niet",
    "helemaal niet",
)
rows(
    "uitslag",
    ASK,
    "klopt n",
    "ja en nee",
    "een beetje",
    why="yes and no at once, or a hedge: asked back with the two buttons",
)
rows("uitslag", REFUSE, "geen idee", why="not knowing is no answer here: the line says yes or no")

# -- reusing the organisation's answers -------------------------------------------------------
rows(
    "org",
    "Ja, gebruik ze",
    "ja",
    "ja gebruik ze maar",
    "jep",
    "ja hoor",
    "zeker",
    "ja graag",
    "ja dat is nog hetzelfde",
    "yes",
    "prima",
    "gebruik ze maar",
)
rows(
    "org",
    "Nee, vraag ze opnieuw",
    "nee",
    "nee, vraag ze maar opnieuw",
    "nee joh",
    "liever niet",
    "niet echt",
    "nee er is veel veranderd",
    "nope",
    "vraag opnieuw",
    "nee hoor",
    "opnieuw",
)

# -- the reminder: spans in words -------------------------------------------------------------
rows(
    "herinnering",
    "Over 2 weken",
    "over 2 weken graag",
    "over twee weken",
    "2 weken",
    "over 2 weken aub",
)
rows("herinnering", "Over 4 weken", "over vier weken", "4 weken", "doe maar 4 weken")
rows("herinnering", "Over 8 weken", "over acht weken", "8 weken maar")
rows(
    "herinnering",
    "Geen herinnering",
    "nee",
    "nee dank je",
    "liever niet",
    "nee hoor",
    "geen herinnering",
    "niet nodig",
)
rows(
    "herinnering",
    ASK,
    "over een maand",
    "over drie weken",
    "over twee maanden",
    "volgende maand",
    "over 6 weken",
    why="a span not on offer: asked back with the two nearest offers",
)
rows("herinnering", REFUSE, "morgen", why="no span in weeks: the line names 2, 4 or 8 weeks")

# -- the advice's menu: commands in words -----------------------------------------------------
rows(
    "advies",
    "Herinnering instellen",
    "herinnering",
    "ik wil een herinnering",
    "zet een herinnering",
    "herinner me",
    "kun je me herinneren",
)
rows(
    "advies",
    "Stuur mijn actieplan",
    "plan",
    "stuur mijn plan maar",
    "mag ik het actieplan",
    "stuur het plan",
    "graag de pdf",
    "actieplan graag",
)
rows("advies", "Klaar", "klaar", "ik ben klaar", "ik ben klaar hoor", "dat was het")
rows("advies", "Meer ideeën", "meer ideeën graag", "nog meer ideeën", "meer advies")
rows("advies", "De volgende fase", "wat komt hierna", "de volgende fase graag")
rows(
    "advies",
    "Waar weinig aandacht voor is",
    "wat wordt vaak vergeten",
    "waar is weinig aandacht voor",
)
rows("advies", "Mijn medewerkers", "mijn team")
rows("advies", "Andere medewerker", "een andere medewerker bespreken")
# The button's label (knowledge `label`); the whole title typed names it too.
rows("advies", "Tijd en geld om te leren", "1", "tijd en geld geven om te leren")
rows(
    "advies",
    RESTART,
    "opnieuw",
    "ik wil opnieuw beginnen",
    why="starting again is not on this menu: asked first, as /opnieuw",
)
rows(
    "advies",
    REFUSE,
    "hoe laat is het",
    "wat kost dit",
    why="no button named: the line says to type a number or a word of a button",
)

# -- a detail and the steps around it ---------------------------------------------------------
rows(
    "detail_terms",
    ASK,
    "wat betekent dat",
    "wat is dat",
    why="three difficult words under this detail: which one, all as buttons",
)
rows(
    "detail_terms",
    "Uitleg: steungroep",
    "wat is een steungroep",
    "steungroep?",
    "wat betekent steungroep",
)
rows("detail_terms", "Uitleg: community of practice", "wat is een community of practice")
rows(
    "detail_terms",
    "Terug naar het overzicht",
    "terug",
    "ga maar terug",
    "terug naar het overzicht",
    "ik wil terug",
    "overzicht",
)
rows(
    "detail_terms",
    REFUSE,
    "stuur mijn plan",
    why="the plan is not on this step's menu: the line says to go back first",
)
rows("woord", "Terug naar de uitleg", "terug", "ok terug", "terug naar de uitleg")
rows("meer", "Nog meer", "nog meer", "nog meer graag")
rows("meer", "Terug naar het overzicht", "terug", "terug naar het overzicht graag")
rows("plan", "Klaar", "klaar", "ik ben klaar", "dat was het")
rows("plan", "Andere medewerker", "andere medewerker")
rows("plan", "Terug naar het overzicht", "terug")
rows("vlekken", "Terug naar het overzicht", "terug", "ga terug")

# -- picking a phase ---------------------------------------------------------------------------
rows("fase_kiezen", "3. Aan de slag", "3", "aan de slag", "fase 3")
rows("fase_kiezen", "1. Nog niet bewust", "1", "nog niet bewust")
rows("fase_kiezen", "4. Past het geleerde toe", "past het geleerde toe", "4")
rows("fase_kiezen", "5. Blijft continu leren", "blijft continu leren", "5")
rows("fase_kiezen", "2. Overweegt opties", "overweegt opties", "2")
rows("fase_kiezen", "← Terug", "terug")
rows("fase_kiezen", REFUSE, "de beste", "7", why="no phase named: the line asks for 1 to 5")
rows("ci_kies", "3. Aan de slag", "3", "aan de slag")
rows("ci_kies", "5. Blijft continu leren", "5")

# -- the team ----------------------------------------------------------------------------------
rows("team", "1. Medewerker A", "1", "medewerker a")
rows("medewerker", "Verwijderen", "verwijderen", "verwijder maar")
rows("medewerker", "Fase opnieuw inschatten", "opnieuw inschatten", "fase opnieuw inschatten graag")
rows("medewerker", "Terug naar de lijst", "terug", "terug naar de lijst")
rows("team_leeg", "Andere medewerker", "andere medewerker", "een nieuwe medewerker")
rows("team_leeg", REFUSE, "blabla", why="no button named")

# -- the check-in: a step, and the progress ---------------------------------------------------
rows(
    "ci_stap",
    "Gedaan",
    "ja",
    "gedaan",
    "ja, is gelukt",
    "ja dat is gedaan",
    "jep",
    "af",
    "helemaal gedaan",
)
rows("ci_stap", "Bezig", "ermee bezig", "een beetje", "half", "ik ben begonnen", "soms")
rows(
    "ci_stap",
    "Nog niet",
    "nee",
    "nog niet",
    "nee, niet aan toegekomen",
    "niet gedaan",
    "nee joh",
    "helemaal niet",
    "geen tijd voor gehad",
)
rows("ci_stap", REFUSE, "het regent", why="no answer in it")
rows(
    "ci_fase",
    "Een stap verder",
    "ja",
    "ja hij is echt verder",
    "ja, een stap verder",
    "ze is vooruit gegaan",
    "jep",
    "yes",
)
rows(
    "ci_fase",
    "Zelfde fase",
    "nee",
    "nee, nog hetzelfde",
    "geen verschil",
    "nee joh",
    "niet echt",
    "helemaal niet",
)
rows("ci_fase", "Een stap verder", "hij is wel verder ja", "ze is gegroeid")
rows("ci_fase", "Zelfde fase", "nog steeds hetzelfde", "ik zie geen verschil")
rows("ci_fase", "Ik kies zelf", "ik kies zelf", "ik kies de fase zelf")
rows("ci_fase", ASK, "een beetje", why="a hedge: between yes and no")
rows("ci_fase", REFUSE, "terug", why="a check-in has no step before it")

# -- the end, and "Opnieuw beginnen?" ----------------------------------------------------------
rows("klaar", "Andere medewerker", "andere medewerker", "nog een medewerker bespreken")
rows("klaar", "Opnieuw beginnen", "opnieuw", "opnieuw beginnen", "ik wil opnieuw beginnen")
rows("klaar", REFUSE, "doei", why="no button named")
rows("restart", "Ja", "ja", "ja hoor", "ja, begin maar opnieuw", "jep", "zeker", "yes")
rows(
    "restart",
    "Nee",
    "nee",
    "nee joh",
    "nee, ga maar verder",
    "niet echt",
    "nee hoor",
    "liever niet",
)
rows("restart", REFUSE, "wat bedoel je", why="no yes or no: the line says what each one does")


# -- typos inside sentences (rapidfuzz per word; short words only exactly) ----------------------
rows("rol", ROLE + "mkb", "ik ben de baas van een bakerij", "ik ben eigenar van een garrage")
rows("rol", ROLE + "lijn", "ik ben teamleidr")
rows("rol", ROLE + "zzp", "ik ben zzp-er", "ik ben zzper")
rows("rol", ROLE + "onderwijs", "ik ben leraar op een middelbare school")
rows("rol", ROLE + "hr", "ik ben hr-adviseur")
rows("rol", ROLE + "dir", "ik ben directuer")
rows("s_actief", "Ja", "ze doet wel een cusus", "ze volgt een oplieding")
rows("s_actief", "Nee", "nee hij doet op dit momnt niks")
rows("s_toepassen", "Nee", "neej, niet echt", "nee niet ech")
rows("s_toepassen", "Ja", "ja klopt wel hoor")
rows("s_toepassen", "Weet ik niet", "weet ik nie", "geen idee eigenlijk hoor")
rows("s_belang", "Ja", "ja hij vraagt wel eens naar een cursis")
rows("uitslag", "Klopt", "jaa klopt", "klopt wel ja")
rows("check", "Nee", "nee het is hier erg drk", "nee hoor, veel te druk")
rows("advies", "Stuur mijn actieplan", "stuur mijn actieplam")
rows("advies", "Herinnering instellen", "herinering")
rows("advies", "Klaar", "ik ben klar")
rows("herinnering", "Over 2 weken", "over 2 weekn")
rows("herinnering", ASK, "over een maandje", why="a span not on offer: the two nearest")
rows("ci_stap", "Gedaan", "ja gedaann")
rows("ci_stap", "Nog niet", "nog nie")
rows("org", "Ja, gebruik ze", "ja gebruik ze maar hoor")


def _detail_with_terms() -> Session:
    session = at_state("woord")
    choose(session, "terug")
    return session


def _asking_restart() -> Session:
    session = at_state("s_actief")
    engine().handle(session, Event.command(Command.RESTART))
    assert session.confirm_restart is not None
    return session


SETUPS: dict[str, Callable[[], Session]] = {
    "detail_terms": _detail_with_terms,
    "restart": _asking_restart,
}
# The question kind of each place in the table (as locales/nl/dialog.yaml names it).
KIND = {"detail_terms": "uitleg", "restart": "restart"}
VOLATILE = {"asked", "turn", "updated_at"}


def _at(where: str) -> Session:
    return SETUPS[where]() if where in SETUPS else at_state(where)


def _refusal_line(where: str) -> str:
    if where == "restart":
        return engine().texts.understanding.refusals["restart"]
    return refusal(KIND.get(where, where))


def _outcome(session: Session, before: dict[str, object], outcome: Outcome) -> str:
    """What a typed answer did: the label chosen, a role reached, or how it was answered."""
    if outcome.chosen is not None:
        return outcome.chosen.label
    if session.model_dump(exclude=VOLATILE) != before:
        return RESTART if session.confirm_restart is not None else "changed"
    last = outcome.replies[-1]
    if last.options != engine().shown_options(session):
        return ASK
    return REFUSE


@pytest.mark.parametrize(("where", "text", "expect", "why"), TABLE, ids=repr)
def test_a_typed_sentence_does_what_it_says(where: str, text: str, expect: str, why: str) -> None:
    session = _at(where)
    before = session.model_dump(exclude=VOLATILE)
    outcome = engine().decide(session, Event.text(text))
    if expect.startswith(ROLE):
        assert session.role == expect.removeprefix(ROLE), text
        return
    assert _outcome(session, before, outcome) == expect, text
    last = outcome.replies[-1]
    if expect == ASK:
        assert len(outcome.replies) == 1 and len(last.options) >= 2
        assert session.asked == [option.id for option in last.options], "a number means one"
    if expect == REFUSE:
        line, _ = last.text.split("\n\n", 1)
        assert line == _refusal_line(where), text


def test_the_table_is_large_and_every_refusal_or_ask_back_says_why() -> None:
    assert len(TABLE) >= 300
    kinds = Counter(KIND.get(where, where) for where, _, _, _ in TABLE)
    staging = sum(kinds[state] for state in ("s_toepassen", "s_continu", "s_actief", "s_belang"))
    assert staging >= 80 and kinds["rol"] >= 40 and kinds["rol_anders"] >= 20
    for kind in ("check", "uitslag", "org", "herinnering", "advies", "ci_stap", "ci_fase"):
        assert kinds[kind] >= 20, kind
    for where, text, expect, why in TABLE:
        if expect in (ASK, REFUSE, RESTART):
            assert why, (where, text)


def test_clear_answers_are_refused_less_than_one_in_twenty() -> None:
    clear = [row for row in TABLE if row[2] not in (ASK, REFUSE, RESTART)]
    refused = 0
    for where, text, _, _ in clear:
        session = _at(where)
        before = session.model_dump(exclude=VOLATILE)
        outcome = engine().decide(session, Event.text(text))
        refused += _outcome(session, before, outcome) == REFUSE
    assert refused / len(clear) < 0.05


@pytest.mark.parametrize(("number", "meant"), [("1", "Ja"), ("2", "Nee")])
def test_a_number_after_an_ask_back_means_one_of_its_buttons(number: str, meant: str) -> None:
    session = at_state("s_toepassen")
    asked = engine().handle(session, Event.text("wel een beetje"))
    assert [option.label for option in asked[-1].options] == ["Ja", "Nee"]
    # On the page "2" would be "Nee" as well; "3" would be "Weet ik niet". Only two are asked.
    outcome = engine().decide(session, Event.text(number))
    assert outcome.chosen is not None and outcome.chosen.label == meant


def test_a_number_after_an_ask_back_is_not_a_button_of_the_page() -> None:
    session = at_state("herinnering")
    asked = engine().handle(session, Event.text("over een maand"))
    labels = [option.label for option in asked[-1].options]
    assert labels[0] == "Over 4 weken"
    outcome = engine().decide(session, Event.text("1"))  # the page's first is "Over 2 weken"
    assert outcome.chosen is not None and outcome.chosen.label == "Over 4 weken"


def test_a_number_counts_the_page_again_after_the_ask_back_was_answered() -> None:
    session = at_state("s_toepassen")
    engine().handle(session, Event.text("soms"))
    engine().handle(session, Event.text("blabla"))  # refused: the page's buttons again
    outcome = engine().decide(session, Event.text("3"))
    assert outcome.chosen is not None and outcome.chosen.label == "Weet ik niet"


def test_word_lists_that_do_not_fit_the_flow_are_reported() -> None:
    from dialogs.understanding_checks import understanding_mismatch

    texts = engine().texts
    understanding = texts.understanding
    broken = understanding.model_copy(
        update={
            "kinds": {k: v for k, v in understanding.kinds.items() if k != "uitslag"}
            | {"nergens": "yes_no", "check": "onbekend"},
            "answers_at": {"uitslag": {"ja": "klopt-niet-meer"}},
            "roles": {"koning": ["koning"]},
        }
    )
    found = understanding_mismatch(
        engine().flow, texts.model_copy(update={"understanding": broken})
    )
    assert "understanding.kinds.nergens: not a step of the dialog" in found
    assert "understanding.kinds.check: no refusal for kind 'onbekend'" in found
    assert "understanding.answers_at.uitslag.ja: no option 'klopt-niet-meer'" in found
    assert "understanding.roles.koning: not a role" in found
    assert understanding_mismatch(engine().flow, texts) == []


def test_a_span_typed_at_the_advice_goes_to_the_reminder_and_is_read_there() -> None:
    session = at_state("advies")
    replies = engine().handle(session, Event.text("over een maand"))
    assert session.state == "herinnering", "the menu offers the reminder: it is opened"
    assert [option.label for option in replies[-1].options] == ["Over 4 weken", "Over 2 weken"]
    engine().handle(session, Event.text("1"))
    slot = session.current_slot()
    assert session.state == "advies" and slot is not None and slot.review_weeks == 4

    session = at_state("advies")
    engine().handle(session, Event.text("herinner me over 2 weken"))
    slot = session.current_slot()
    assert session.state == "advies" and slot is not None and slot.review_weeks == 2


def test_the_word_caches_are_bounded() -> None:
    """Typed words are unbounded: a long-running bot must not keep every one it has seen."""
    from dialogs import words

    for cached in (words.lemma, words.same_word, words.words):
        assert cached.cache_info().maxsize is not None, cached


def test_every_question_says_what_kind_of_answer_fits() -> None:
    """No step falls back to the generic "Dat begrijp ik niet" line."""
    understanding = engine().texts.understanding
    assert set(engine().flow.states) <= set(understanding.kinds)
    lines = [understanding.refusals[kind] for kind in set(understanding.kinds.values())]
    assert engine().texts.free_text not in lines
    assert len(set(lines)) >= 15, "a line per kind of question, not one for all"
