"""Prints an :class:`ActionPlan` as a one-page A4 PDF: what does not fit is counted, not printed.

Laid out for paper: a checklist with real boxes to tick, a ruled line for the employee's name
written by hand, and a check-in date. fpdf2 subsets the embedded DejaVu font, so the file stays
small and every Dutch character (é, ë, ’, “ ”, –) survives, also for text extraction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bot.artifacts.action_plan import ActionPlan, PlanNote, PlanStep
from bot.artifacts.palette import BLUE, INK
from bot.artifacts.typeface import BOLD, REGULAR
from dialogs.identity import Same
from locales import Bundle
from locales.model import as_read_by

FAMILY = "DejaVu"
MARGIN = 12.0
BOX = 4.2
INDENT = 8.0
ACCENT = BLUE
MUTED = (70, 70, 70)
# A block that reaches deeper than this past the bottom margin is taken as not fitting: sums of
# measured heights may differ from the drawn page in the last bits of a float.
SLACK = 1e-6

Draw = Callable[[FPDF], None]


def layout_action_plan(plan: ActionPlan, words: Bundle) -> bytes:
    """The plan as PDF bytes on exactly one A4 page, in the bundle's language (cached).

    Cached like the model picture: the plan's content (the answers' advice, the knowledge's
    words, the day) is the whole input, and laying one out costs ~130 ms of CPU, while many
    managers with the same answers on the same day get the same page.
    """
    return _layout(plan, Same(words))


def layout_hits() -> int:
    """How often a plan came from the cache (for tests and the benchmark)."""
    return _layout.cache_info().hits


@lru_cache(maxsize=64)
def _layout(plan: ActionPlan, bundle: Same[Bundle]) -> bytes:
    """The layout itself (see `layout_action_plan`).

    What does not fit is left out in a fixed order (the referrals, then the blind spot, then the
    last steps, which the plan then counts as "en nog N in de bot"), so the page keeps its promise
    for any amount of advice. The same plan gives the same bytes.

    The whole plan is drawn once while every block is measured. When it fits, that page is the
    plan. Otherwise the first selection that fits is computed from those heights and only that
    one is drawn: drawing is what costs (fpdf2 breaks lines a character at a time), so trying
    selection after selection would draw the same paragraphs again and again.
    """
    words = bundle.value
    candidates = _candidates(plan)
    pdf = _new_document(plan, words)
    fits, heights = _draw(pdf, _blocks(plan, words, *candidates[0]), words, measure=True)
    if fits:
        return bytes(pdf.output())  # everything fit: that page is the plan
    heights |= _measure_more(pdf, plan, words)
    first = _first_fitting(plan, words, candidates, heights, pdf.page_break_trigger)
    for candidate in candidates[first:]:
        pdf = _new_document(plan, words)
        if _draw(pdf, _blocks(plan, words, *candidate), words)[0]:
            return bytes(pdf.output())
    raise AssertionError("the last selection always fits")  # pragma: no cover


def _candidates(plan: ActionPlan) -> list[tuple[int, bool, bool]]:
    """(steps shown, blind spots, referrals), from everything to the least."""
    count = len(plan.steps)
    found = [(count, True, True), (count, True, False), (count, False, False)]
    found += [(shown, False, False) for shown in range(count - 1, 0, -1)]
    return found


@dataclass(frozen=True)
class Block:
    """A part of the page that is drawn as a whole; `key` names it for the measurements."""

    key: str
    draw: Draw


@dataclass(frozen=True)
class Height:
    """What a block measured: how far it moves the next block down, and how deep (from where it
    starts) the lowest line it draws reaches, which is what decides a page break."""

    advance: float
    reach: float


class _PlanPdf(FPDF):
    """An FPDF that remembers how deep the lowest element reached (the test fpdf2 makes before
    each line: past the bottom margin means a new page) and, while `measuring`, never breaks."""

    measuring = False
    deepest = 0.0

    def will_page_break(self, height: float) -> bool:
        self.deepest = max(self.deepest, self.y + height)
        return not self.measuring and super().will_page_break(height)

    def measure(self, block: Block) -> Height:
        """Draw the block where the page stands; what it took."""
        start = self.get_y()
        deepest_before, self.deepest = self.deepest, start
        block.draw(self)
        height = Height(advance=self.get_y() - start, reach=self.deepest - start)
        self.deepest = max(self.deepest, deepest_before)
        return height


def _blocks(
    plan: ActionPlan, words: Bundle, shown: int, blind_spots: bool, referrals: bool
) -> list[Block]:
    """The blocks of one selection, top to bottom (the ruled notes and the footer come after:
    they take only the room that is left and never break the page)."""
    texts = words.artifacts.action_plan
    blocks = [Block("top", lambda pdf: _top(pdf, plan, words))]
    for index, step in enumerate(plan.steps[:shown]):
        detail = f"{texts.first_step} {step.first_step}"
        source = _source(step, words)
        blocks.append(Block(f"step-{index}", _partial(_check_item, step.title, detail, source)))
    if shown < len(plan.steps):
        blocks.append(_more(plan, words, shown))
    blocks.append(Block("preconditions", lambda pdf: _preconditions(pdf, plan, words)))
    if plan.blind_spots and blind_spots:
        blocks.append(
            Block("blind-spots", _section(texts.blind_spots_heading, plan.blind_spots, 9.5))
        )
    if plan.referrals and referrals:
        blocks.append(Block("referrals", _section(texts.referrals_heading, plan.referrals, 8)))
    return blocks


def _source(step: PlanStep, words: Bundle) -> str:
    """What of a step comes from the report, for a small line under its title, apart from the
    coach's tip below it: the report's own name where it differs from the plain title, the
    phases where it is most relevant (with the note where the report gives none) and its mark
    for scientific literature."""
    texts = words.artifacts.action_plan
    parts = [texts.report_part]
    if step.report_title is not None:
        name = texts.report_name_reconstructed if step.reconstructed else texts.report_name
        parts.append(name.format(name=step.report_title))
    parts.append(
        texts.phases_all if step.phases is None else texts.phases.format(phases=step.phases)
    )
    if step.span_note:
        parts.append(step.span_note)
    if step.evidence:
        parts.append(texts.evidence)
    return " ".join(parts)


def _partial(draw: Callable[..., None], *args: object, **kwargs: float) -> Draw:
    return lambda pdf: draw(pdf, *args, **kwargs)


def _section(heading: str, notes: Sequence[PlanNote], size: float) -> Draw:
    def draw(pdf: FPDF) -> None:
        _heading(pdf, heading)
        for note in notes:
            _note(pdf, note, size=size)

    return draw


def _draw(
    pdf: _PlanPdf, blocks: Sequence[Block], words: Bundle, measure: bool = False
) -> tuple[bool, dict[str, Height]]:
    """Draw the blocks from the top of a new page, then the notes and the footer: whether it all
    fit on that page, and the height of every block.

    With `measure`, a plan that does not fit runs on past the bottom of the page instead of
    breaking it, so the heights are those of whole blocks. Only the blocks can break a page: the
    ruled notes take the room that is left and the footer sits in the bottom margin.
    """
    texts = words.artifacts.action_plan
    pdf.set_auto_page_break(auto=True, margin=MARGIN)  # the footer of a trial turned it off
    pdf.add_page()
    pdf.measuring, pdf.deepest = measure, 0.0
    heights = {block.key: pdf.measure(block) for block in blocks}
    pdf.measuring = False
    if pdf.deepest > pdf.page_break_trigger:
        return False, heights
    _notes_lines(pdf, texts.notes)
    _footer(pdf, texts.footer)
    return True, heights


def _measure_more(pdf: _PlanPdf, plan: ActionPlan, words: Bundle) -> dict[str, Height]:
    """The "en nog N in de bot" lines a smaller selection adds, on a further page that never
    breaks (a line wraps the same wherever it starts)."""
    pdf.add_page()
    pdf.measuring = True
    more = [_more(plan, words, shown) for shown in range(1, len(plan.steps))]
    heights = {block.key: pdf.measure(block) for block in more}
    pdf.measuring = False
    return heights


def _more(plan: ActionPlan, words: Bundle, shown: int) -> Block:
    """How many steps are left in the bot when the page shows only `shown` of them."""
    more = words.artifacts.action_plan.more_in_bot.format(count=len(plan.steps) - shown)
    return Block(f"more-{shown}", _partial(_paragraph, more, size=9))


def _first_fitting(
    plan: ActionPlan,
    words: Bundle,
    candidates: Sequence[tuple[int, bool, bool]],
    heights: dict[str, Height],
    trigger: float,
) -> int:
    """The index of the first selection whose every block ends above the bottom margin.

    The test errs towards "fits" by a hair; the drawing that follows has the last word.
    """
    for index, candidate in enumerate(candidates):
        top = MARGIN
        fits = True
        for block in _blocks(plan, words, *candidate):
            height = heights[block.key]
            fits = fits and top + height.reach <= trigger + SLACK
            top += height.advance
        if fits:
            return index
    return len(candidates) - 1


def _new_document(plan: ActionPlan, words: Bundle) -> _PlanPdf:
    """An empty A4 document with the fonts and the metadata; `_draw` adds its page.

    Always a new one, fonts read anew: fpdf2 subsets a document's fonts in place when it writes
    the file, so no font object can serve two documents.
    """
    texts = words.artifacts.action_plan
    pdf = _PlanPdf(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FAMILY, "", str(REGULAR))
    pdf.add_font(FAMILY, "B", str(BOLD))
    pdf.set_title(texts.document_title)
    pdf.set_subject(texts.subject)
    pdf.set_creator("Leercultuur-coach")
    pdf.set_lang(words.language.replace("_", "-"))  # PDF wants a BCP 47 tag, e.g. pt-BR
    pdf.set_creation_date(datetime.combine(plan.made_on, time()))
    return pdf


def _top(pdf: FPDF, plan: ActionPlan, words: Bundle) -> None:
    """The header, the phase and the start of the list of steps."""
    texts = words.artifacts.action_plan
    _header(pdf, plan, words)
    heading = as_read_by(texts.phase_heading, texts.phase_heading_for, plan.reader)
    _heading(pdf, heading.format(number=plan.phase_number, label=plan.phase_label))
    _paragraph(pdf, plan.phase_description)
    _heading(pdf, texts.interventions_heading)
    _paragraph(pdf, texts.interventions_intro, size=9, colour=MUTED)


def _preconditions(pdf: FPDF, plan: ActionPlan, words: Bundle) -> None:
    texts = words.artifacts.action_plan
    _heading(pdf, texts.preconditions_heading)
    if plan.gaps:
        for note in plan.gaps:
            _note(pdf, note)
    else:
        _paragraph(pdf, texts.preconditions_none)
        for title in plan.all_preconditions:
            _bullet(pdf, title)


def _header(pdf: FPDF, plan: ActionPlan, words: Bundle) -> None:
    texts = words.artifacts.action_plan
    pdf.set_font(FAMILY, "B", 20)
    pdf.set_text_color(*INK)
    pdf.cell(0, 10, texts.document_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    rows = [
        (texts.date, words.long_date(plan.made_on)),
        (texts.role, plan.role_label),
    ]
    if plan.layer_labels:
        label = texts.layer if len(plan.layer_labels) == 1 else texts.layers
        rows.append((label, words.join_list(plan.layer_labels)))
    when = words.long_date(plan.check_in)
    who = texts.check_in_with.get(plan.reader)
    if who:
        when = texts.check_in_line.format(date=when, who=who)
    rows.append((texts.check_in_title, when))
    for label, value in rows:
        pdf.set_font(FAMILY, "B", 10)
        pdf.cell(pdf.get_string_width(label + ": ") + 1, 6, f"{label}:")
        pdf.set_font(FAMILY, "", 10)
        # Wrapped under its own start, never past the right margin: HR's review line ran off.
        pdf.multi_cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 10)
    name_label = as_read_by(texts.employee_name, texts.employee_name_for, plan.reader)
    label_width = pdf.get_string_width(name_label) + 2
    pdf.cell(label_width, 7, name_label)
    y = pdf.get_y() + 6
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.line(pdf.get_x(), y, pdf.w - MARGIN, y)
    pdf.ln(9)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(1.5)
    pdf.set_font(FAMILY, "B", 12)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    y = pdf.get_y() + 0.5
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.4)
    pdf.line(MARGIN, y, pdf.w - MARGIN, y)
    pdf.set_text_color(*INK)
    pdf.ln(1.5)


def _paragraph(pdf: FPDF, text: str, size: float = 9.5, colour: tuple[int, int, int] = INK) -> None:
    pdf.set_font(FAMILY, "", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, size * 0.46, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.set_text_color(*INK)
    pdf.ln(1)


def _check_item(pdf: FPDF, title: str, detail: str | None, source: str | None = None) -> None:
    """A tick box with a bold title followed by its source in small muted type, and below them
    an indented detail.

    The source runs on after the title rather than on a line of its own: most fit beside a
    short title, so the report's names cost the page little room.
    """
    top = pdf.get_y()
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.35)
    pdf.rect(MARGIN, top + 0.6, BOX, BOX)
    pdf.set_left_margin(MARGIN + INDENT)  # a title or source that wraps stays indented
    pdf.set_x(MARGIN + INDENT)
    pdf.set_font(FAMILY, "B", 10)
    pdf.write(5, title)
    if source:
        pdf.set_font(FAMILY, "", 7.5)
        pdf.set_text_color(*MUTED)
        pdf.write(5, f"  {source}")
        pdf.set_text_color(*INK)
    pdf.ln(5)
    pdf.set_left_margin(MARGIN)
    if detail:
        pdf.set_x(MARGIN + INDENT)
        pdf.set_font(FAMILY, "", 9)
        pdf.multi_cell(0, 4.3, detail, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.ln(1.2)


def _note(pdf: FPDF, note: PlanNote, size: float = 9.5) -> None:
    pdf.set_x(MARGIN)
    pdf.set_font(FAMILY, "B", size)
    pdf.multi_cell(0, size * 0.48, note.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.set_font(FAMILY, "", size - 0.5)
    pdf.multi_cell(0, size * 0.46, note.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.ln(1.2)


def _bullet(pdf: FPDF, text: str) -> None:
    pdf.set_font(FAMILY, "", 10)
    pdf.set_x(MARGIN + 2)
    pdf.cell(INDENT - 2, 5, "•")
    pdf.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")


def _notes_lines(pdf: FPDF, label: str) -> None:
    """Ruled lines for handwritten notes, as many as still fit on the page (at most four)."""
    room = pdf.h - MARGIN - pdf.get_y()
    count = min(4, int(room // 9) - 1)
    if count < 1:
        return
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 10)
    pdf.cell(0, 6, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    for _ in range(count):
        pdf.ln(8)
        pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())


def _footer(pdf: FPDF, text: str) -> None:
    """Two small lines in the bottom margin of the last page, so they never cost a page."""
    pdf.set_auto_page_break(auto=False)
    pdf.set_font(FAMILY, "", 7)
    pdf.set_text_color(*MUTED)
    pdf.set_y(pdf.h - MARGIN + 3)
    pdf.multi_cell(0, 3.2, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.set_text_color(*INK)
