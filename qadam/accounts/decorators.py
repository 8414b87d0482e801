from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from qadam.lib.http import AuthedRequest


def named_records_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages that create named records are not for roles that work with aggregates only."""

    @wraps(view)
    def wrapper(request: AuthedRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.sees_named_records:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
