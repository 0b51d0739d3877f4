"""Which `{placeholders}` the code fills into each text, and the one check that templates fit.

Why one table and one check: a template that lost or misspelt a placeholder breaks a message only
when a user reaches it, so every text file is checked the same strict way before any user does.
The table (`placeholders.yaml`, beside the language folders because it is the same for every
language) names per text file and dotted path what each template must offer, so a translator
finds it in one place. The locale loader checks each file with it when loading; `dialog.yaml` is
checked with it by the dialog's checks (dialogs/checks.py), beside the flow's other problems, so
that a broken dialog reports them all at once.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

import yaml
from pydantic import TypeAdapter

from locales.model import TextModel, strings

TABLE = Path(__file__).with_name("placeholders.yaml")

# One text file's table: the placeholders a template offers, by dotted path; a `*` as the last
# part stands for any key of a dict of variants. A path not named takes none.
Wanted = Mapping[str, frozenset[str]]

_TABLES = TypeAdapter(dict[str, dict[str, frozenset[str]]])


@cache
def tables() -> dict[str, dict[str, frozenset[str]]]:
    """Every text file's table, by file name (read once)."""
    with TABLE.open(encoding="utf-8") as handle:
        return _TABLES.validate_python(yaml.safe_load(handle))


def wanted_in(file: str) -> Wanted:
    """The table of the text file named `file` (`telegram.yaml`); empty for a file not named."""
    return tables().get(file, {})


def template_fields(template: str) -> set[str] | None:
    """The placeholder names in a template; None when its braces do not parse."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        return None


def wanted_at(path: str, wanted: Wanted) -> frozenset[str]:
    """What the template at dotted `path` must offer: its own entry, else its dict's `*`."""
    parent = path.rpartition(".")[0]
    return wanted.get(path, wanted.get(f"{parent}.*", frozenset()))


def placeholder_problems(texts: TextModel, wanted: Wanted) -> Iterator[tuple[str, str]]:
    """(dotted path, what is wrong) for each template of `texts` whose braces do not parse or
    that does not offer exactly the placeholders `wanted` names for its path."""
    for path, template in strings(texts):
        found = template_fields(template)
        if found is None:
            yield path, "braces do not match (write {{ and }} for a brace itself)"
            continue
        expected = wanted_at(path, wanted)
        if found != expected:
            yield path, f"placeholders {sorted(found)} but expected {sorted(expected)}"
