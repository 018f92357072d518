"""The clustering guards: when the date guard yields to a link's own score, and what the
name guard accepts as one person's names."""

from __future__ import annotations

import copy

from kinlink.linkage.clustering import DATES, ConstrainedUnion, guards_yielding
from kinlink.linkage.similarity import names_compatible, names_compatible_at_dob
from kinlink.linkage.training import model_load
from tests.linkage.conftest import TrainedCity


def _with_dob_disagreement(settings: dict, m: float, u: float) -> dict:
    out = copy.deepcopy(settings)
    dob = next(c for c in out["comparisons"] if c["output_column_name"] == "dob")
    dob["comparison_levels"][-1].update(m_probability=m, u_probability=u)
    return out


def test_the_date_guard_holds_where_the_data_keep_dates_and_yields_where_they_do_not(
    trained_city: TrainedCity,
):
    settings = model_load(trained_city.model)["splink"]
    assert guards_yielding(settings) == frozenset(), "the city keeps its dates of birth"
    # as trained on FEBRL3: 7% of true pairs have another date of birth (-3.8 bits)
    replaced = _with_dob_disagreement(settings, m=0.07, u=0.998)
    assert guards_yielding(replaced) == {DATES}


def test_only_a_link_that_weighed_the_dates_itself_passes_the_date_guard():
    profiles = {
        1: {"dobs": {"1950-01-01"}},
        2: {"dobs": {"1980-06-07"}},
        3: {"dobs": {"1950-01-01"}},
    }
    union = ConstrainedUnion(copy.deepcopy(profiles))
    assert union.union(1, 2) == "conflict"
    assert union.union(1, 2, weighed=frozenset({DATES})) == "merged"
    # a record never compared with the other date is still kept out by other guards
    other = ConstrainedUnion({**copy.deepcopy(profiles), 4: {"row": {"f:1"}}, 5: {"row": {"f:1"}}})
    assert other.union(4, 5, weighed=frozenset({DATES})) == "conflict"


def test_names_of_one_person_include_cut_short_and_swapped_with_a_slip():
    assert names_compatible("geo", "george")
    assert names_compatible("cha", "charles")
    assert not names_compatible("jack", "jake")
    assert not names_compatible("lily", "lola")
    # fields swapped, one of them mistyped
    assert names_compatible_at_dob({"f:joshua", "s:kenneialy"}, {"f:kennealy", "s:joshua"})
    # twins: the same surname and birthday, two first names
    assert not names_compatible_at_dob({"f:jack", "s:smith"}, {"f:jake", "s:smith"})
