"""How many occurrences of a control an auditor typically tests across a SOC 2 Type II
observation window, by how often the control runs.

This is the one table the report reads. It states common practice, not a rule: it
follows the sample sizes widely used for tests of controls in service-organisation
audits (the practice that grew from the AICPA Audit Guide *Audit Sampling* for tests
of controls with a low tolerable deviation rate and no expected deviations). Each audit
firm sets its own table and the auditor decides; a window shorter than twelve months
has fewer occurrences, and an auditor never samples more occurrences than there were.

======================  =========================================
cadence                 typical sample across a Type II window
======================  =========================================
annual                  1
semi-annual             1 (2 when the window holds both)
quarterly               2
monthly                 2
weekly                  5
daily                   25
continuous              25-40 (many times a day; an automated control
                        may instead be tested once, with effective
                        IT general controls over it)
per event               25 (every occurrence when fewer than 25)
one-time                1 (the set-up, then any change in the window)
======================  =========================================
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    cadence: str
    low: int
    high: int
    note: str = ""

    @property
    def size(self) -> str:
        """The number alone: ``2``, ``25-40``."""
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"

    @property
    def text(self) -> str:
        """The number with its condition: ``25 (every occurrence when fewer than 25)``."""
        return f"{self.size} ({self.note})" if self.note else self.size


TYPE2_SAMPLES: dict[str, Sample] = {
    sample.cadence: sample
    for sample in (
        Sample("annual", 1, 1),
        Sample("semi-annual", 1, 1, "2 when the window holds both"),
        Sample("quarterly", 2, 2),
        Sample("monthly", 2, 2),
        Sample("weekly", 5, 5),
        Sample("daily", 25, 25),
        Sample("continuous", 25, 40, "or a test of one for an automated control with effective IT general controls"),
        Sample("per event", 25, 25, "every occurrence when fewer than 25"),
        Sample("one-time", 1, 1, "the set-up, then any change in the window"),
    )
}

PERIOD_DAYS = {"annual": 365, "semi-annual": 182, "quarterly": 91, "monthly": 30, "weekly": 7}


def type2_sample(cadence: str, window_months: int | None = None) -> Sample | None:
    """The typical Type II sample for a control or evidence ``cadence`` (its catalog label).

    With ``window_months`` a periodic sample is capped at the occurrences the window
    holds (a quarterly control in a three-month window runs once).

    >>> type2_sample("quarterly").text
    '2'
    >>> type2_sample("quarterly", window_months=3).text
    '1'
    >>> type2_sample("fortnightly") is None
    True
    """
    sample = TYPE2_SAMPLES.get(cadence)
    if sample is None or not window_months or cadence not in PERIOD_DAYS:
        return sample
    occurrences = max(1, int(window_months * 30.4 // PERIOD_DAYS[cadence]))
    if occurrences >= sample.high:
        return sample
    return Sample(cadence, min(sample.low, occurrences), occurrences, sample.note if occurrences > 1 else "")
