"""Prints an :class:`ActionPlan` as a one-page A4 PDF: what does not fit is counted, not printed.

Laid out for paper: a checklist with real boxes to tick, a ruled line for the employee's name
written by hand, and a check-in date. fpdf2 subsets the embedded DejaVu font, so the file stays
small and every Dutch character (é, ë, ’, “ ”, –) survives, also for text extraction.
"""

from __future__ import annotations

from datetime import datetime, time

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bot.artifacts.action_plan import ActionPlan, PlanNote
from bot.artifacts.typeface import BOLD, REGULAR
from locales import Bundle

FAMILY = "DejaVu"
MARGIN = 12.0
BOX = 4.2
INDENT = 8.0
ACCENT = (0, 114, 178)
INK = (0, 0, 0)
MUTED = (70, 70, 70)


def layout_action_plan(plan: ActionPlan, words: Bundle) -> bytes:
    """The plan as PDF bytes on exactly one A4 page, in the bundle's language.

    What does not fit is left out in a fixed order (the referrals, then the blind spot, then the
    last steps, which the plan then counts as "en nog N in de bot"), so the page keeps its promise
    for any amount of advice. The same plan gives the same bytes.
    """
    candidates = _candidates(plan)
    # Every trial is drawn on a page of its own in one document, so the fonts are read once for
    # all trials: reading them takes longer than drawing a page.
    trials = _new_document(plan, words)
    if _draw(trials, plan, words, *candidates[0]):
        return bytes(trials.output())  # everything fits: that first page is the plan
    # Each candidate holds less than the one before (the last always fits), so the first that
    # fits is found by halving.
    low, high = 1, len(candidates) - 1
    while low < high:
        middle = (low + high) // 2
        if _draw(trials, plan, words, *candidates[middle]):
            high = middle
        else:
            low = middle + 1
    best = _new_document(plan, words)
    _draw(best, plan, words, *candidates[low])
    return bytes(best.output())


def _candidates(plan: ActionPlan) -> list[tuple[int, bool, bool]]:
    """(steps shown, blind spots, referrals), from everything to the least."""
    count = len(plan.steps)
    found = [(count, True, True), (count, True, False), (count, False, False)]
    found += [(shown, False, False) for shown in range(count - 1, 0, -1)]
    return found


def _draw(
    pdf: FPDF, plan: ActionPlan, words: Bundle, shown: int, blind_spots: bool, referrals: bool
) -> bool:
    """Draw the plan from the top of a new page; True when it took no further page.

    Nothing in the drawing depends on what an earlier page left behind (every call sets its font,
    colours and heights), so a page of a trial document looks as the first page of a fresh one.
    """
    texts = words.artifacts.action_plan
    pdf.set_auto_page_break(auto=True, margin=MARGIN)  # the footer of a trial turned it off
    pdf.add_page()
    first = pdf.page_no()
    _header(pdf, plan, words)
    _heading(pdf, texts.phase_heading.format(number=plan.phase_number, label=plan.phase_label))
    _paragraph(pdf, plan.phase_description)

    _heading(pdf, texts.interventions_heading)
    _paragraph(pdf, texts.interventions_intro, size=9, colour=MUTED)
    for step in plan.steps[:shown]:
        _check_item(pdf, step.title, f"{texts.first_step} {step.first_step}")
    if shown < len(plan.steps):
        _paragraph(pdf, texts.more_in_bot.format(count=len(plan.steps) - shown), size=9)

    _heading(pdf, texts.preconditions_heading)
    if plan.gaps:
        for note in plan.gaps:
            _note(pdf, note)
    else:
        _paragraph(pdf, texts.preconditions_none)
        for title in plan.all_preconditions:
            _bullet(pdf, title)

    if plan.blind_spots and blind_spots:
        _heading(pdf, texts.blind_spots_heading)
        for spot in plan.blind_spots:
            _note(pdf, spot)

    if plan.referrals and referrals:
        _heading(pdf, texts.referrals_heading)
        for referral in plan.referrals:
            _note(pdf, referral, size=8)

    _notes_lines(pdf, texts.notes)
    _footer(pdf, texts.footer)
    return pdf.page_no() == first


def _new_document(plan: ActionPlan, words: Bundle) -> FPDF:
    """An empty A4 document with the fonts and the metadata; `_draw` adds its page."""
    texts = words.artifacts.action_plan
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FAMILY, "", str(REGULAR))
    pdf.add_font(FAMILY, "B", str(BOLD))
    pdf.set_title(texts.document_title)
    pdf.set_subject(texts.subject)
    pdf.set_creator("Leercultuur-coach")
    pdf.set_lang(words.language.replace("_", "-"))  # PDF wants a BCP 47 tag, e.g. pt-BR
    pdf.set_creation_date(datetime.combine(plan.made_on, time()))
    return pdf


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
        pdf.cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 10)
    label_width = pdf.get_string_width(texts.employee_name) + 2
    pdf.cell(label_width, 7, texts.employee_name)
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


def _check_item(pdf: FPDF, title: str, detail: str | None) -> None:
    """A tick box with a bold line and, below it, an indented detail line."""
    top = pdf.get_y()
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.35)
    pdf.rect(MARGIN, top + 0.6, BOX, BOX)
    pdf.set_x(MARGIN + INDENT)
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(0, 5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
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
