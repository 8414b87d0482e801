"""Typing for views behind the login: their request always carries a real user."""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from qadam.accounts.models import User


class AuthedRequest(HttpRequest):
    user: "User"  # type: ignore[assignment]
