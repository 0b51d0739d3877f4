"""Files the bot sends: the maturity model as a picture and the action plan as a PDF.

Public API: :func:`render` (kind, session, engine) -> :class:`Artifact`, and :class:`EngineLike`,
the small part of the dialog engine the renderers read. Front ends only send or save the bytes.
"""

from bot.artifacts.artifact import Artifact, EngineLike
from bot.artifacts.render import Kind, render

__all__ = ["Artifact", "EngineLike", "Kind", "render"]
