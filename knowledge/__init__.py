"""The report's maturity model as validated data, served from a TinyDB store.

Public API: :func:`load_knowledge` (the model for a running program) and :class:`KnowledgeBase`
(its queries). Never imports `telegram` or `bot`.
"""

from knowledge.base import KnowledgeBase
from knowledge.loader import KnowledgeError, load_from_yaml
from knowledge.store import build, load_knowledge

__all__ = ["KnowledgeBase", "KnowledgeError", "build", "load_from_yaml", "load_knowledge"]
