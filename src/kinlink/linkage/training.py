"""Training the person model with Splink, and saving and loading it as versioned JSON.

Training runs on the entity variants (one row per distinct identity an entity shows):
the prior from near-certain deterministic rules, u probabilities from random pairs (fixed
seed, so a retrain on the same data gives the same model), then m probabilities by
expectation maximisation under three blocking rules, each comparison estimated under the
blocks that do not use it and averaged over them.

The file wraps Splink's own settings with what Kinlink needs to trust it later: the model
name and version, when it was trained and on how many records. Training runs on the
configured backend (DuckDB or Spark); the saved SQL is always the DuckDB rendering, and
``splink_settings`` renders it for whichever backend scores with it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
from splink.internals.exceptions import SplinkException

from kinlink.core.clock import utc_now
from kinlink.core.errors import KinlinkError
from kinlink.core.logging import get_logger
from kinlink.linkage.backends import Backend, linker_for
from kinlink.linkage.models import MODEL_NAME, MODEL_VERSION, LinkageConfig
from kinlink.linkage.splink_settings import (
    MODEL_DIALECT,
    TRAINING_IDENTIFIERS,
    deterministic_rules,
    em_blocking_rules,
    prediction_blocking_rules,
    settings_creator,
    settings_in_dialect,
)

FORMAT = "kinlink-person-model"
log = get_logger(__name__)


_UNTRAINABLE = (
    "cannot train the person model on this data: too few pairs of records to learn from "
    "(pairs sharing a UPN or NHS number, or else a date of birth, and pairs sharing names); "
    "link with a model trained on other data instead ('kinlink link --model FILE')"
)


class ModelError(KinlinkError):
    """The model file is missing, unreadable or for another model version."""


def _em_session(
    variants: pa.Table,
    base: dict[str, Any],
    rule: str,
    estimates: tuple[str, ...],
    config: LinkageConfig,
    backend: Backend,
) -> dict[tuple[str, str], float]:
    """One EM session on a fresh linker started from ``base``: the m of each level of the
    comparisons it ``estimates``.

    Sessions are kept apart (Splink would chain them, each starting where the last ended)
    so that a level one block never reaches cannot be driven towards zero by the next.
    """
    with backend.database() as database:
        linker = linker_for(database, variants, copy.deepcopy(base))
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=config.em_max_pairs
        )
        trained = linker.misc.save_model_to_json()
    out: dict[tuple[str, str], float] = {}
    for comparison in trained["comparisons"]:
        name = comparison["output_column_name"]
        if name not in estimates:
            continue
        for level in comparison["comparison_levels"]:
            m = _probability(level.get("m_probability"))
            if m is not None and not level.get("fix_m_probability"):
                out[(name, level["label_for_charts"])] = m
    return out


#: Below this many pairs of variants sharing a UPN or NHS number, names are learned from
#: pairs sharing a date of birth instead (EM needs a few thousand pairs to settle).
MIN_IDENTIFIER_PAIRS = 1000


def identifier_pairs(variants: pa.Table) -> int:
    """Pairs of variants that share a value of a training identifier (UPN, NHS number)."""
    pairs = 0
    for column in TRAINING_IDENTIFIERS:
        if column not in variants.column_names:
            continue
        counts = (
            variants.select([column]).drop_null().group_by(column).aggregate([([], "count_all")])
        )
        pairs += sum(n * (n - 1) // 2 for n in counts.column("count_all").to_pylist())
    return pairs


def model_train(variants: pa.Table, config: LinkageConfig, backend: Backend) -> dict[str, Any]:
    """Train the person model on the variants with ``backend``; return the model document.

    Names are learned from pairs sharing an identifier when there are enough of them
    (``MIN_IDENTIFIER_PAIRS``), else from pairs sharing a date of birth.
    """
    by_identifier = identifier_pairs(variants) >= MIN_IDENTIFIER_PAIRS
    try:
        with backend.database() as database:
            linker = linker_for(database, variants, settings_creator(backend.dialect))
            linker.training.estimate_probability_two_random_records_match(
                deterministic_rules(), recall=0.8
            )
            linker.training.estimate_u_using_random_sampling(
                max_pairs=config.u_max_pairs, seed=config.seed
            )
            base = linker.misc.save_model_to_json()
    except SplinkException as exc:
        raise ModelError(_UNTRAINABLE + f" ({exc.__class__.__name__})") from exc
    if not by_identifier:
        _free_prior_m(base)
    prior = _probability(base.get("probability_two_random_records_match"))
    if prior is None or not 0.0 < prior < 1.0:
        # no pair of variants agrees on a deterministic rule: identical records were
        # already joined in pre-collapse, so assume each variant has about one match
        base["probability_two_random_records_match"] = 1.0 / max(variants.num_rows, 2)
    found: dict[tuple[str, str], list[float]] = {}
    sessions = []
    for rule, estimates in em_blocking_rules(by_identifier):
        try:
            ms = _em_session(variants, base, rule, estimates, config, backend)
        except (ValueError, SplinkException) as exc:  # a tiny or empty block: skip it
            log.warning("EM under %s skipped (%s)", rule, exc.__class__.__name__)
            sessions.append({"rule": rule, "estimates": list(estimates), "ok": False})
            continue
        sessions.append({"rule": rule, "estimates": list(estimates), "ok": True})
        for key, m in ms.items():
            found.setdefault(key, []).append(m)
    if not any(session["ok"] for session in sessions):
        raise ModelError(_UNTRAINABLE + " (no training session could run)")
    for comparison in base["comparisons"]:
        for level in comparison["comparison_levels"]:
            values = found.get((comparison["output_column_name"], level["label_for_charts"]))
            if values and not level.get("is_null_level"):
                level["m_probability"] = sum(values) / len(values)
    return {
        "format": FORMAT,
        "model": MODEL_NAME,
        "version": MODEL_VERSION,
        "trained_at": utc_now().isoformat(),
        "training": {
            "variants": variants.num_rows,
            "names_learned_from": "identifiers" if by_identifier else "date of birth",
            "em_sessions": sessions,
            **config.as_dict(),
        },
        "splink": settings_in_dialect(regularise(base), MODEL_DIALECT),
    }


def _free_prior_m(settings: dict[str, Any]) -> None:
    """Let EM estimate the levels whose m is otherwise set from knowledge of the data.

    Those values stand in for what pairs sharing an identifier cannot show (they are
    mostly one system's own records); pairs sharing a date of birth come from across the
    data and show nicknames and changed surnames as they occur in it.
    """
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("fix_m_probability", None)


#: The smallest m probability a level keeps: no comparison alone may rule a match out
#: (that is the job of the explicit conflict rules in clustering).
M_FLOOR = 1e-3


def _probability(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def regularise(settings: dict[str, Any], floor: float = M_FLOOR) -> dict[str, Any]:
    """Give every level a usable m and u after training.

    EM leaves a level without an m when training pairs never reach it (no sex mismatch
    among pairs sharing an NHS number), and then Splink would treat it as impossible or
    use an arbitrary default. Here every m is at least ``floor`` (renormalised to sum to
    one); a level never seen in training at all gets m = u (weight 0, no evidence either
    way), and so does every level of a comparison that no random pair reached (data
    without identifiers); a level seen among matches but never among random pairs gets
    u = 1e-6.
    """
    for comparison in settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        if all(_probability(lv.get("u_probability")) is None for lv in levels):
            # never seen among random pairs (data without identifiers): whatever EM made
            # of it, there is no evidence either way
            for level in levels:
                level["m_probability"] = level["u_probability"] = floor
            continue
        for level in levels:
            m = _probability(level.get("m_probability"))
            u = _probability(level.get("u_probability"))
            if m is None and u is None:
                level["m_probability"] = level["u_probability"] = floor
                continue
            level["m_probability"] = max(m if m is not None else 0.0, floor)
            level["u_probability"] = u if u is not None else 1e-6
        total = sum(lv["m_probability"] for lv in levels)
        for level in levels:
            level["m_probability"] /= total
    return settings


def model_save(document: dict[str, Any], path: Path) -> None:
    """Write the model (atomically: a half-written model is never read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)


def model_load(path: Path) -> dict[str, Any]:
    """Read a saved model and check that it is this version of the person model."""
    if not path.exists():
        raise ModelError(f"{path}: no trained model here; run 'kinlink link' to train one")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: not a readable model file ({exc.__class__.__name__})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelError(f"{path}: not a Kinlink person model")
    if document.get("model") != MODEL_NAME or document.get("version") != MODEL_VERSION:
        raise ModelError(
            f"{path}: model {document.get('model')}-v{document.get('version')} does not fit "
            f"this Kinlink ({MODEL_NAME}-v{MODEL_VERSION}); retrain with 'kinlink link --retrain'"
        )
    return document


def splink_settings(document: dict[str, Any], dialect: str = MODEL_DIALECT) -> dict[str, Any]:
    """The Splink settings inside a model document, written for ``dialect``, with this
    version's blocking rules.

    Blocking only chooses which pairs get scored; it is not trained, so an improvement to
    it applies without retraining. The rules are written in DuckDB's SQL and Splink
    translates them for another dialect.
    """
    try:
        settings = settings_in_dialect(document["splink"], dialect)
    except ValueError as exc:
        raise ModelError(f"model {document.get('model')}: {exc}; retrain it") from exc
    settings["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule, "sql_dialect": MODEL_DIALECT}
        for rule in prediction_blocking_rules()
    ]
    return settings
