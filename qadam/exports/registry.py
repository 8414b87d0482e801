"""The kinds of export Qadam can prepare in the background, so that another kind is one entry more.

A kind says who may ask for it, how its parameters are checked, and how its files are written into a
folder; the job framework (services.py) runs it, zips the folder and offers the zip for download.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from qadam.accounts.models import User
    from qadam.exports.models import ExportJob

# progress(percent, message): the writer reports how far it got; the framework saves it in a short transaction.
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class ExportKind:
    """One kind of export: its name for people, who may request it, and the code that writes its files."""

    label: Promise | str
    # Whether this user may request it at all.
    allowed: Callable[[User], bool]
    # Checked parameters (JSON-safe) from what was asked; raises ValidationError on bad input.
    clean_params: Callable[[dict[str, Any]], dict[str, Any]]
    # Writes the files into the folder; returns a short summary kept in the job's message.
    writer: Callable[[ExportJob, Path, Progress], str]
    # Whether `qadam export` may run it: only kinds that need no requesting user.
    command_line: bool = False


EXPORT_KINDS: dict[str, ExportKind] = {}


def register_kind(name: str, kind: ExportKind) -> None:
    """Add a kind of export (from an app's ready()); a name is registered once."""
    if name in EXPORT_KINDS and EXPORT_KINDS[name] is not kind:
        raise ValueError(f"Export kind {name!r} is registered already.")
    EXPORT_KINDS[name] = kind


def kinds_for(user: User) -> dict[str, ExportKind]:
    """The kinds of export this user may request."""
    return {name: kind for name, kind in EXPORT_KINDS.items() if kind.allowed(user)}
