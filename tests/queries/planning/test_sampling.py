"""The one table of typical Type II sample sizes, and its cap by the window."""

from __future__ import annotations

import doctest

import pytest

from attestgraph.queries.planning import sampling
from attestgraph.queries.planning.sampling import TYPE2_SAMPLES, type2_sample


def test_the_table_states_common_practice():
    sizes = {cadence: sample.size for cadence, sample in TYPE2_SAMPLES.items()}
    assert sizes == {"annual": "1", "semi-annual": "1", "quarterly": "2", "monthly": "2", "weekly": "5", "daily": "25",
                     "continuous": "25-40", "per event": "25", "one-time": "1"}
    # The module docstring is the documented table: every row of it is in the code.
    for cadence, sample in TYPE2_SAMPLES.items():
        assert f"{cadence} " in sampling.__doc__ and sample.size in sampling.__doc__


def test_every_catalog_cadence_has_a_sample(shipped_store):
    labels = shipped_store.query("SELECT ?label WHERE { ?c a ag:Cadence ; rdfs:label ?label }").column("label")
    assert labels and set(labels) <= set(TYPE2_SAMPLES)


@pytest.mark.parametrize("cadence, months, size", [
    ("quarterly", 3, "1"), ("quarterly", 6, "2"), ("quarterly", 12, "2"),
    ("monthly", 3, "2"), ("weekly", 3, "5"), ("annual", 3, "1"), ("daily", 3, "25"), ("per event", 3, "25"),
])
def test_a_periodic_sample_never_exceeds_the_occurrences_in_the_window(cadence, months, size):
    assert type2_sample(cadence, months).size == size


def test_unknown_cadence_has_no_sample_and_the_doctests_hold():
    assert type2_sample("fortnightly") is None
    assert doctest.testmod(sampling).failed == 0
