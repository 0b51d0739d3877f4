"""The one way knowledge/ parses YAML: safe, and with libyaml's C parser when it is there.

Why: start-up of the bot and every `python -m knowledge check` parse all knowledge files, and the
C parser does that several times faster than the pure-Python one. Both are *safe* loaders (plain
data, never Python objects), so the choice changes speed, not meaning; an install without libyaml
falls back to the pure-Python parser silently.
"""

from __future__ import annotations

from typing import Any

import yaml


def safe_loader() -> type[Any]:
    """The fastest safe loader class available: `CSafeLoader` with libyaml, else `SafeLoader`."""
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """Parse one YAML document safely; raises `yaml.YAMLError` (with `problem_mark`) when broken."""
    return yaml.load(text, Loader=safe_loader())
