"""Intake forms built with Wagtail's FormBuilder, plus a phone field."""

from wagtail.contrib.forms.forms import FormBuilder

from ..phone import PhoneNumberField


class IntakeFormBuilder(FormBuilder):
    def create_phone_field(self, field, options):
        return PhoneNumberField(**options)

    def create_dropdown_field(self, field, options):
        # An optional question needs an empty choice, or skipping it silently records the first answer.
        form_field = super().create_dropdown_field(field, options)
        if not field.required:
            form_field.choices = [("", "---------"), *form_field.choices]
        return form_field


def serialise_answers(intake_form, cleaned_data) -> list[dict]:
    """Answers as stored on a booking: one entry per question, keeping the label the client saw."""
    answers = []
    for field in intake_form.fields.all():
        value = cleaned_data.get(field.clean_name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif value is not None and not isinstance(value, (str, bool, list, int)):
            value = str(value)
        answers.append({"field": field.clean_name, "label": field.label, "value": value})
    return answers
