"""Forms: validation only; decisions live in ``policy`` and writes in services."""

from __future__ import annotations

from django import forms

FLAGS = (
    ("persistent_absence", "Persistent absence"),
    ("sen", "Special educational needs"),
    ("exploitation_risk", "Exploitation risk"),
    ("youth_justice", "Youth justice"),
    ("eligible_family", "Eligible family"),
)
SORTS = {
    "name": ("surname", "forename"),
    "-name": ("-surname", "-forename"),
    "dob": ("dob", "surname"),
    "-dob": ("-dob", "surname"),
    "school": ("school_name", "surname"),
    "year": ("year_group", "surname"),
}


class TokenForm(forms.Form):
    token = forms.RegexField(regex=r"^\d{6}$", max_length=6, label="Code from your app")


class SearchForm(forms.Form):
    """Personal terms (name, date of birth, UPN) arrive by POST and stay in the session."""

    name = forms.CharField(required=False, max_length=100)
    dob = forms.DateField(required=False, label="Date of birth (YYYY-MM-DD)")
    upn = forms.CharField(required=False, max_length=13, label="UPN")


class FilterForm(forms.Form):
    """Filters with no personal data, carried in GET parameters."""

    school = forms.CharField(required=False, max_length=10)
    year = forms.CharField(required=False, max_length=4)
    flag = forms.MultipleChoiceField(required=False, choices=FLAGS)
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS])
    page = forms.IntegerField(required=False, min_value=1)
    s = forms.RegexField(required=False, regex=r"^[a-f0-9]{16}$")


class PurposeForm(forms.Form):
    purpose = forms.CharField(min_length=10, max_length=500, widget=forms.Textarea)


class BreakGlassForm(forms.Form):
    reason = forms.CharField(min_length=20, max_length=2000, widget=forms.Textarea)


class ReportLinkForm(forms.Form):
    comment = forms.CharField(min_length=10, max_length=2000, widget=forms.Textarea)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=(("different", "Not the same person"),
                                          ("same", "The link is right")))  # fmt: skip
    reason = forms.CharField(min_length=5, max_length=2000, widget=forms.Textarea)


class ChronologyForm(forms.Form):
    feed = forms.CharField(required=False, max_length=40)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
    page = forms.IntegerField(required=False, min_value=1)


class ExportForm(forms.Form):
    """Why the data is leaving the portal: recorded in the watermark and the audit log."""

    purpose = forms.CharField(min_length=10, max_length=500, widget=forms.Textarea)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class ChallengeForm(forms.Form):
    """Why a fact, link or score is wrong; recorded with the challenge and sent onward."""

    reason = forms.CharField(min_length=10, max_length=2000, widget=forms.Textarea)
    field = forms.CharField(required=False, max_length=60)


class ScoreReviewForm(forms.Form):
    """A reviewer's decision on an advisory score, with a note saying why."""

    decision = forms.ChoiceField(choices=(("agree", "I agree with the score"),
                                          ("disagree", "I disagree with the score")))  # fmt: skip
    note = forms.CharField(min_length=5, max_length=2000, widget=forms.Textarea)
