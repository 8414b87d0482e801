from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx asked for a fragment of the page rather than the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"
