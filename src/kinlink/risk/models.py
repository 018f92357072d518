"""Risk models as configuration: features, populations, labels, algorithms and fitness tests.

A council's analyst writes YAML, and this strict schema (an unknown key is an error) says
what may be written. Features and labels are rules of the outcomes rule language
(``kinlink.outcomes.models``), so a feature means exactly what the same rule means in an
outcomes framework, and names of feeds, fields and codes are checked the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kinlink.outcomes.models import Rule

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Feature(_Strict):
    """A yes/no fact about a person as of a date, defined by a rule over the event tables.

    ``level: household`` holds when the rule holds for any member of the person's family
    (as the outcomes framework's ``applies_to: household`` does).
    """

    name: str = Field(..., pattern=NAME_PATTERN)
    title: str
    level: Literal["person", "household"] = "person"
    rule: Rule
    description: str = ""


class FeatureSet(_Strict):
    """A versioned list of features models pick from."""

    feature_set: str = Field(..., pattern=r"^[a-z][a-z0-9_-]*$")
    version: str
    features: tuple[Feature, ...] = Field(..., min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> FeatureSet:
        names = [f.name for f in self.features]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"features named more than once: {', '.join(duplicates)}")
        return self

    def feature(self, name: str) -> Feature:
        """The feature called ``name``."""
        return next(f for f in self.features if f.name == name)


class Population(_Strict):
    """Who is scored at an as-of date: an age band, less anyone the exclusion rule marks."""

    description: str
    min_age: int = Field(..., ge=0)
    max_age: int = Field(..., ge=0)
    exclude_prior_label: bool = Field(
        default=True,
        description="Leave out people the label rule already marks before the as-of date",
    )
    prior_window: str = Field(
        default="120 months",
        description="How far back 'already marked' looks",
        pattern=r"^\d+ months$",
    )

    @model_validator(mode="after")
    def _ages(self) -> Population:
        if self.min_age > self.max_age:
            raise ValueError("min_age is above max_age")
        return self


class Label(_Strict):
    """What the model predicts: the rule holds strictly after the as-of date, within N months.

    The rule's own ``window`` is replaced by the horizon, so the label never sees a row
    dated on or before the as-of date.
    """

    description: str
    rule: Rule
    horizon_months: int = Field(..., ge=1, le=60)


class Algorithm(_Strict):
    """A scikit-learn estimator and its parameters (small, explainable models only)."""

    kind: Literal["decision_tree", "logistic_regression"] = "decision_tree"
    max_depth: int = Field(default=3, ge=1, le=6)
    min_samples_leaf: int = Field(default=20, ge=1)
    c: float = Field(default=1.0, gt=0, description="Inverse regularisation (logistic)")
    threshold: float | Literal["training_prevalence"] = Field(
        default="training_prevalence",
        description="Score at or above which a person is flagged for review",
    )


class Evaluation(_Strict):
    """How the model is tested before anyone may use it."""

    train_as_of: tuple[date, ...] = Field(..., min_length=1)
    holdout_as_of: date
    cv_folds: int = Field(default=5, ge=2, le=20)
    bootstrap: int = Field(default=1000, ge=100, le=20000)
    seed: int = 42
    fitness_metric: Literal["accuracy", "balanced_accuracy", "brier_skill", "auc"] = (
        "balanced_accuracy"
    )
    must_beat: tuple[Literal["majority", "simple_rule"], ...] = ("majority", "simple_rule")
    simple_rule: str = Field(..., description="Feature name: flag everyone who has it")
    min_group_size: int = Field(
        default=10, ge=1, description="Groups smaller than this are shown but not rated"
    )

    @model_validator(mode="after")
    def _dates(self) -> Evaluation:
        if any(d >= self.holdout_as_of for d in self.train_as_of):
            raise ValueError("every train_as_of date must be before holdout_as_of")
        return self


class Transparency(_Strict):
    """What the model card and the Algorithmic Transparency Recording Standard record say."""

    owner: str
    purpose: str
    intended_users: str
    decision_supported: str
    human_oversight: str
    not_for: str = (
        "Eligibility, payment by results or any automated decision: scores are advisory only."
    )
    dpia_reference: str = "not yet recorded"
    contact: str = ""


class ModelDefinition(_Strict):
    """A risk model: population, label, features, algorithm, evaluation and transparency."""

    model: str = Field(..., pattern=r"^[a-z][a-z0-9_-]*$")
    version: str
    title: str
    description: str = ""
    feature_set: str = "seed-factors"
    population: Population
    label: Label
    features: tuple[str, ...] = Field(..., min_length=1)
    algorithm: Algorithm = Field(default_factory=Algorithm)
    evaluation: Evaluation
    transparency: Transparency

    @model_validator(mode="after")
    def _features_unique(self) -> ModelDefinition:
        if len(set(self.features)) != len(self.features):
            raise ValueError("a feature is listed more than once")
        return self
