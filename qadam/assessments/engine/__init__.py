"""The instrument engine: definitions as data, pure scoring, named interpreters. No models, no database.

Importing the package registers every interpreter's explanation sentences with `explain`.
"""

from .definition import DefinitionError, Instrument, Item, Problem, Scale, load_instrument, read_instrument_file
from .faa import Interpretation, Point, interpret
from .scoring import DECLINED, NA, InvalidAnswers, Result, ScaleResult, check_answers, explain, score

__all__ = [
    "DECLINED",
    "NA",
    "DefinitionError",
    "Instrument",
    "Interpretation",
    "InvalidAnswers",
    "Item",
    "Point",
    "Problem",
    "Result",
    "Scale",
    "ScaleResult",
    "check_answers",
    "explain",
    "interpret",
    "load_instrument",
    "read_instrument_file",
    "score",
]
