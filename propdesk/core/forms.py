"""Form base for console pages: Bootstrap classes, and invalid fields marked for the eye."""

from django import forms
from django.core.exceptions import ValidationError


def date_in_range(value) -> None:
    """Every date field keeps to the years core.cleaning accepts (year 1 would let a "day
    before" leave the calendar and answer a 500)."""
    from propdesk.core.cleaning import clean_date
    from propdesk.core.errors import AppError

    try:
        clean_date("date", value)
    except AppError as exc:
        raise ValidationError(str(exc.message), code=exc.code) from exc


def iso_inputs(field) -> None:
    """Date inputs hold ISO values (value="2026-12-06"): a browser drops a localised
    2026/12/06 and the default is lost. Date-time inputs the same (2026-12-06T09:30)."""
    widget = field.widget
    if isinstance(field, forms.DateField) and isinstance(widget, forms.DateInput):
        widget.input_type = "date"
        widget.format = "%Y-%m-%d"
    elif isinstance(widget, forms.DateTimeInput) and "datetime-local" in (
        widget.input_type,
        widget.attrs.get("type"),
    ):
        widget.format = "%Y-%m-%dT%H:%M"


class ConsoleForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            iso_inputs(field)
            if isinstance(field, forms.DateField) and date_in_range not in field.validators:
                field.validators.append(date_in_range)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid"
                widget.attrs["aria-invalid"] = "true"

    def add_error(self, field, error):
        super().add_error(field, error)
        if field in self.fields:
            widget = self.fields[field].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid"
