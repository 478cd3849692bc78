"""surveyor: questionnaires, scoring and PDF feedback reports for action learning sets."""

from __future__ import annotations

__version__ = "0.1.0"

from surveyor.errors import InstrumentError, ResponsesError, SurveyorError, ValidationError  # noqa: E402
from surveyor.instrument.model import Instrument, Item, Scale, Subscale, load_instrument  # noqa: E402
from surveyor.pipeline import ScoreResult, Settings, score  # noqa: E402

__all__ = [
    "Instrument",
    "InstrumentError",
    "Item",
    "ResponsesError",
    "Scale",
    "Subscale",
    "SurveyorError",
    "ValidationError",
    "__version__",
    "ScoreResult",
    "Settings",
    "load_instrument",
    "score",
]
