"""Published advisory risk scores reach the portal for cleared roles only."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from kinlink.portal.models import Event, Person
from kinlink.portal.publish import publish_run
from kinlink.risk.tables import tables_create
from kinlink.warehouse import warehouse_connect
from tests.outcomes.conftest import AssessedCity
from tests.portal.conftest import sign_in


def _score(warehouse: Path, person_key: str, *, published: bool) -> None:
    con = warehouse_connect(warehouse)
    try:
        tables_create(con)
        now = datetime(2026, 8, 2, tzinfo=UTC)
        if published:
            con.execute(
                "INSERT INTO risk_publications VALUES ('dv-profile', 1, 'E1', 'analyst', ?, "
                "FALSE, TRUE, 'analyst', 'pilot', NULL)",
                [now],
            )
        con.execute(
            "INSERT INTO risk_score_runs VALUES ('SR1', 'dv-profile', 1, ?, 1, 1, ?)",
            [date(2026, 8, 1), now],
        )
        con.execute(
            "INSERT INTO risk_scores VALUES ('S1', 'SR1', 'dv-profile', 1, ?, ?, 0.71, TRUE, "
            "['non_dv_arrest'], '{}', TRUE)",
            [person_key, date(2026, 8, 1)],
        )
    finally:
        con.close()


def test_scores_are_advisory_and_shown_only_to_cleared_roles(
    db: object, assessed_city: AssessedCity, tmp_path: Path
) -> None:
    person = Person.objects.order_by("pk").first()
    assert person is not None
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(assessed_city.warehouse, warehouse)
    _score(warehouse, person.pk, published=True)
    publish_run(warehouse=warehouse, force=True)
    event = Event.objects.get(feed="risk_scores")
    assert event.person_key == person.pk
    assert "advisory score 0.71 from dv-profile v1" in event.summary
    assert "Not a decision" in event.summary
    assert event.detail["score_id"] == "S1"

    mash = sign_in("mash-risk", "mash")
    mash.post(f"/child/{person.pk}/", {"purpose": "Reviewing an advisory risk score"})
    assert b"advisory score 0.71" in mash.get(f"/child/{person.pk}/exploitation/").content
    # A practitioner's purpose shows the feeds the model predicts, but they are not cleared
    # for scores: they see that one exists and whom to ask.
    prac = sign_in("prac-risk", "practitioner", practitioner_name="Nobody Here")
    reason = "Police called about the child tonight; lead needs context"
    assert prac.post(f"/child/{person.pk}/break-glass/", {"reason": reason}).status_code == 302
    page = prac.get(f"/child/{person.pk}/exploitation/")
    assert page.status_code == 200
    assert b"advisory score" not in page.content
    assert b"not cleared to read it" in page.content
    # A purpose that does not show every feed the model predicts hides the score entirely,
    # even from a cleared user: not even "a record exists".
    hidden = sign_in("mash-risk-2", "mash", purpose="safe_exploitation_review")
    hidden.post(f"/child/{person.pk}/", {"purpose": "Reviewing an exploitation referral"})
    for tab in ("exploitation", "chronology"):
        page = hidden.get(f"/child/{person.pk}/{tab}/")
        assert page.status_code == 200
        assert b'data-feed="risk_scores"' not in page.content
        assert b"advisory score" not in page.content


def test_scores_of_an_unpublished_model_are_not_published(
    db: object, assessed_city: AssessedCity, tmp_path: Path
) -> None:
    person = Person.objects.order_by("pk").first()
    assert person is not None
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(assessed_city.warehouse, warehouse)
    _score(warehouse, person.pk, published=False)
    publish_run(warehouse=warehouse, force=True)
    assert not Event.objects.filter(feed="risk_scores").exists()
