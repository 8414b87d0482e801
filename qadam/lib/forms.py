"""Form helpers shared by every app."""

import uuid

from django import forms


class SubmitOnceMixin(forms.Form):
    """A hidden token that lets the view recognise a second submit of the same form."""

    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels in ISO form whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
