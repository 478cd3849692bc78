"""Stage 1, the instrument: its file format and checks, and everything printed from it.

``model`` (dataclasses and loading), ``check`` (the format's rules), ``questionnaire``
(the printable form's HTML), ``copies`` (pre-filled packs laid out once), ``xlsform``,
``qsf`` and ``limesurvey`` (online forms for Kobo/ODK, Qualtrics and LimeSurvey to import)
and ``build`` (``surveyor instrument build``, the only writer here).
"""

from surveyor.instrument.model import (
    Band,
    Instrument,
    Item,
    Question,
    Scale,
    Subscale,
    load_instrument,
    resolve_instrument,
    shipped_instruments,
)

__all__ = [
    "Band",
    "Instrument",
    "Item",
    "Question",
    "Scale",
    "Subscale",
    "load_instrument",
    "resolve_instrument",
    "shipped_instruments",
]
