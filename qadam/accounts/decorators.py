from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from qadam.lib.http import AuthedRequest


def records_writer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages that create named records: not for roles that read only or work with aggregates."""

    @wraps(view)
    def wrapper(request: AuthedRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.writes_records:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
