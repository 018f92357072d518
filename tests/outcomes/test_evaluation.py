"""The small synthetic city assessed end to end and measured against its truth."""

from __future__ import annotations

from kinlink.outcomes.evaluation import outcomes_evaluate
from tests.outcomes.conftest import AssessedCity


def test_rules_alone_reproduce_the_truth_exactly(assessed_city: AssessedCity) -> None:
    report = outcomes_evaluate(assessed_city.warehouse, assessed_city.city / "truth", links="truth")
    assert report.as_of == report.truth_as_of
    assert report.eligibility.true > 0
    for score in (report.eligibility, report.family_needs, report.person_needs):
        assert (score.precision, score.recall) == (1.0, 1.0), report.disagreements
    assert report.disagreements == []


def test_pipeline_is_close_to_the_truth_and_explains_every_disagreement(
    assessed_city: AssessedCity,
) -> None:
    report = outcomes_evaluate(assessed_city.warehouse, assessed_city.city, links="kinlink")
    assert report.eligibility.true > 0
    assert report.eligibility.precision >= 0.9
    assert report.eligibility.recall >= 0.9
    assert report.person_needs.recall >= 0.97
    assert report.family_needs.recall >= 0.95
    disagreeing = (
        report.eligibility.true
        - report.eligibility.correct_true
        + (report.eligibility.predicted - report.eligibility.correct_predicted)
    )
    assert len(report.disagreements) == disagreeing
    assert all(d.cause for d in report.disagreements)
