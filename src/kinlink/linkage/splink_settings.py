"""The person model's comparisons and blocking rules, tuned for English council data.

Each comparison is a ladder of levels from strongest agreement to disagreement; Splink
learns how much each level says (m and u probabilities). Choices that matter:

* Forenames: exact, then preferred or middle name, then nickname (Bobby/Robert, from the
  nickname table), then a one-letter slip, then similar, then an initial, then swapped
  with the surname. Plain disagreement carries a strong negative weight: twins share
  everything else.
* Surnames: exact, preferred, shared word (Smith-Jones/Jones), slip, similar, swapped.
  Disagreement is only mildly negative: surnames change.
* Date of birth: exact, day and month swapped, year-only agreement, one wrong digit, wrong
  year with the same day and month, else (strongly negative).
* Location is one comparison (UPRN; postcode with address words; postcode; address
  words; sector; district), so a household's shared address is counted once rather than
  three times.
* Identifiers are one comparison: a valid identifier agreeing is near-decisive, an
  agreeing identifier that fails its check still counts (weaker), one edit apart with a
  failed check counts as a keying error, and two different valid identifiers count hard
  against.

Term-frequency adjustments apply to exact forename, surname and postcode agreement, so
"Jack Smith" counts for less than "Ezekiel Featherstonehaugh".

The comparisons are written once and rendered for a Splink SQL dialect (DuckDB, or Spark
for linking at scale): string similarity takes each dialect's function name from Splink's
own dialect classes, and the few list functions spelled differently (DuckDB's
``list_contains`` is Spark's ``array_contains``) come from ``SqlFunctions``. A saved model
keeps the DuckDB rendering; ``settings_in_dialect`` re-renders its levels for another
dialect, matching them by label, so one trained model scores on either backend.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from splink import SettingsCreator
from splink.blocking_rule_library import CustomRule
from splink.internals.dialects import SplinkDialect

if TYPE_CHECKING:
    from splink.internals.blocking_rule_creator import BlockingRuleCreator
    from splink.internals.comparison_creator import ComparisonCreator

_NOT_SAME_ENTITY = "l.entity_id <> r.entity_id"

#: Splink SQL dialects the person model can be rendered for; a saved model keeps the first.
DIALECTS: tuple[str, ...] = ("duckdb", "spark")
MODEL_DIALECT = DIALECTS[0]


@dataclass(frozen=True)
class SqlFunctions:
    """The functions Kinlink's comparisons use whose names differ between dialects.

    String similarity comes from Splink's dialect (DuckDB's ``jaro_winkler_similarity`` is
    ``jaro_winkler`` in Splink's Spark functions); list functions are Kinlink's own
    mapping, since Splink has none for them.
    """

    dialect: str = MODEL_DIALECT

    def __post_init__(self) -> None:
        if self.dialect not in DIALECTS:
            raise ValueError(f"unknown SQL dialect {self.dialect!r}; one of {DIALECTS}")

    @property
    def _spark(self) -> bool:
        return self.dialect == "spark"

    def jaro_winkler(self, a: str, b: str) -> str:
        """Jaro-Winkler similarity of two strings."""
        name = SplinkDialect.from_string(self.dialect).jaro_winkler_function_name
        return f"{name}({a}, {b})"

    def edits(self, a: str, b: str) -> str:
        """Damerau-Levenshtein distance (adjacent swaps count as one edit)."""
        name = SplinkDialect.from_string(self.dialect).damerau_levenshtein_function_name
        return f"{name}({a}, {b})"

    def contains(self, values: str, value: str) -> str:
        """A list holds a value."""
        return f"{'array_contains' if self._spark else 'list_contains'}({values}, {value})"

    def overlaps(self, a: str, b: str) -> str:
        """Two lists share an element."""
        return f"{'arrays_overlap' if self._spark else 'list_has_any'}({a}, {b})"

    def common_count(self, a: str, b: str) -> str:
        """How many distinct elements two lists share."""
        if self._spark:
            return f"size(array_intersect({a}, {b}))"
        return f"len(list_intersect({a}, {b}))"

    def words(self, text: str) -> str:
        """The space-separated words of a text (none when it is NULL)."""
        split = "split" if self._spark else "string_split"
        return f"{split}(coalesce({text}, ''), ' ')"

    def ends_with_digit(self, text: str) -> str:
        """The text ends in a digit."""
        if self._spark:
            return f"{text} RLIKE '[0-9]$'"
        return f"regexp_matches({text}, '[0-9]$')"

    def as_text(self, value: str) -> str:
        """A value (here a date) as ISO text."""
        return f"CAST({value} AS {'STRING' if self._spark else 'VARCHAR'})"


#: m probabilities set from knowledge of the data rather than learned. Names are trained
#: on pairs that share an identifier (the only pairs free of twins and siblings), but
#: those are mostly one system's own records of a pupil, which rarely show the nicknames,
#: preferred names and changed surnames that appear between systems. Fixed here: about
#: 3% of matching pairs meet a nickname, 1% a preferred or middle name, 1% one word of a
#: double surname, and 2% a different surname altogether (marriage, separation, a
#: step-parent's name, a system that never picked up the change).
PRIOR_M: dict[str, float] = {
    "forename_nickname": 0.03,
    "forename_preferred": 0.01,
    "surname_word": 0.01,
    "surname_changed": 0.02,
    # the same mistyped identifier twice: rare among matches, rarer still among random
    # pairs, so it weakens but does not void the agreement
    "identifier_invalid_agrees": 0.002,
}


def _level(
    sql: str,
    label: str,
    *,
    null: bool = False,
    tf: str | None = None,
    fixed_m: float | None = None,
) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": " ".join(sql.split()), "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if fixed_m is not None:
        level["m_probability"] = fixed_m
        level["fix_m_probability"] = True
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


def _else(fixed_m: float | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": "ELSE", "label_for_charts": "All other comparisons"}
    if fixed_m is not None:
        level["m_probability"] = fixed_m
        level["fix_m_probability"] = True
    return level


def _swapped_sql(sql: SqlFunctions) -> str:
    """Forename and surname swapped, each allowing one slip: a clerk who swaps the name
    fields while typing them seldom types both perfectly."""
    first = sql.edits("forename_key_l", "surname_key_r")
    last = sql.edits("surname_key_l", "forename_key_r")
    return f"""(forename_key_l = surname_key_r OR {first} <= 1)
        AND (surname_key_l = forename_key_r OR {last} <= 1)"""


def forename_comparison(sql: SqlFunctions | None = None) -> dict[str, Any]:
    """Forename ladder, with preferred names, nicknames and initials."""
    sql = sql or SqlFunctions()
    return {
        "output_column_name": "forename",
        "comparison_description": "Forename (with preferred names and nicknames)",
        "comparison_levels": [
            _level("forename_key_l IS NULL OR forename_key_r IS NULL", "Null", null=True),
            _level("forename_key_l = forename_key_r", "Exact", tf="forename_key"),
            _level(
                f"""preferred_forename_key_l = forename_key_r
                OR forename_key_l = preferred_forename_key_r
                OR preferred_forename_key_l = preferred_forename_key_r
                OR forename_first_l = forename_first_r
                OR {sql.contains(sql.words("middle_names_key_l"), "forename_first_r")}
                OR {sql.contains(sql.words("middle_names_key_r"), "forename_first_l")}""",
                "Preferred, first or middle name agrees",
                fixed_m=PRIOR_M["forename_preferred"],
            ),
            _level(
                f"""forename_canonical_l = forename_canonical_r
                OR {sql.contains("forename_variants_l", "forename_first_r")}
                OR {sql.contains("forename_variants_r", "forename_first_l")}""",
                "Nickname or formal name",
                fixed_m=PRIOR_M["forename_nickname"],
            ),
            _level(
                f"{sql.edits('forename_key_l', 'forename_key_r')} <= 1",
                "One letter differs",
            ),
            _level(
                f"{sql.jaro_winkler('forename_key_l', 'forename_key_r')} >= 0.88",
                "Similar (Jaro-Winkler >= 0.88)",
            ),
            _level(
                """(length(forename_key_l) = 1 OR length(forename_key_r) = 1)
                AND left(forename_key_l, 1) = left(forename_key_r, 1)""",
                "Initial agrees",
            ),
            _level(_swapped_sql(sql), "Swapped with surname (a slip allowed)"),
            _else(),
        ],
    }


def surname_comparison(sql: SqlFunctions | None = None) -> dict[str, Any]:
    """Surname ladder, with preferred surnames and hyphenated or double surnames."""
    sql = sql or SqlFunctions()
    return {
        "output_column_name": "surname",
        "comparison_description": "Surname (with preferred and double-barrelled surnames)",
        "comparison_levels": [
            _level("surname_key_l IS NULL OR surname_key_r IS NULL", "Null", null=True),
            _level("surname_key_l = surname_key_r", "Exact", tf="surname_key"),
            _level(
                """preferred_surname_key_l = surname_key_r
                OR surname_key_l = preferred_surname_key_r
                OR preferred_surname_key_l = preferred_surname_key_r""",
                "Preferred surname agrees",
            ),
            _level(
                sql.overlaps("surname_tokens_l", "surname_tokens_r"),
                "A word of a double or hyphenated surname agrees",
                fixed_m=PRIOR_M["surname_word"],
            ),
            _level(
                f"{sql.edits('surname_key_l', 'surname_key_r')} <= 1",
                "One letter differs",
            ),
            _level(
                f"{sql.jaro_winkler('surname_key_l', 'surname_key_r')} >= 0.88",
                "Similar (Jaro-Winkler >= 0.88)",
            ),
            _level(_swapped_sql(sql), "Swapped with forename (a slip allowed)"),
            _else(fixed_m=PRIOR_M["surname_changed"]),
        ],
    }


def dob_comparison(sql: SqlFunctions | None = None) -> dict[str, Any]:
    """Date of birth ladder: swaps, year-only dates, slips and wrong years."""
    sql = sql or SqlFunctions()
    return {
        "output_column_name": "dob",
        "comparison_description": "Date of birth",
        "comparison_levels": [
            _level(
                "(dob_l IS NULL AND dob_year_l IS NULL) OR (dob_r IS NULL AND dob_year_r IS NULL)",
                "Null",
                null=True,
            ),
            _level("dob_l = dob_r", "Exact"),
            _level(
                "dob_l = dob_swapped_r OR dob_swapped_l = dob_r",
                "Day and month swapped",
            ),
            _level(
                "(dob_l IS NULL OR dob_r IS NULL) AND dob_year_l = dob_year_r",
                "Year agrees (one side year only)",
            ),
            _level(
                f"{sql.edits(sql.as_text('dob_l'), sql.as_text('dob_r'))} <= 1",
                "One digit differs",
            ),
            _level(
                """month(dob_l) = month(dob_r) AND day(dob_l) = day(dob_r)
                AND abs(year(dob_l) - year(dob_r)) <= 10""",
                "Day and month agree, year differs",
            ),
            _else(),
        ],
    }


def sex_comparison() -> dict[str, Any]:
    """Sex: weak evidence, but it helps to tell boy-girl twins apart."""
    return {
        "output_column_name": "sex",
        "comparison_description": "Sex",
        "comparison_levels": [
            _level("sex_l IS NULL OR sex_r IS NULL", "Null", null=True),
            _level("sex_l = sex_r", "Exact"),
            _else(),
        ],
    }


def location_comparison(sql: SqlFunctions | None = None) -> dict[str, Any]:
    """Where the person lives, as one comparison: UPRN, postcode, address words, area."""
    sql = sql or SqlFunctions()
    return {
        "output_column_name": "location",
        "comparison_description": "Address (UPRN, postcode, address words)",
        "comparison_levels": [
            _level(
                """(uprn_l IS NULL OR uprn_r IS NULL)
                AND (postcode_l IS NULL OR postcode_r IS NULL)
                AND (address_tokens_l IS NULL OR address_tokens_r IS NULL)""",
                "Null",
                null=True,
            ),
            _level("uprn_l = uprn_r", "UPRN agrees"),
            _level(
                f"""postcode_l = postcode_r
                AND {sql.common_count("address_tokens_l", "address_tokens_r")} >= 3""",
                "Postcode and three or more address words agree",
            ),
            _level("postcode_l = postcode_r", "Postcode agrees", tf="postcode"),
            _level(
                f"{sql.common_count('address_tokens_l', 'address_tokens_r')} >= 3",
                "Three or more address words agree",
            ),
            _level(
                f"{sql.common_count('address_tokens_l', 'address_tokens_r')} = 2",
                "Two address words agree",
            ),
            _level("postcode_sector_l = postcode_sector_r", "Postcode sector agrees"),
            _level("postcode_district_l = postcode_district_r", "Postcode district agrees"),
            _else(),
        ],
    }


def identifier_comparison(sql: SqlFunctions | None = None) -> dict[str, Any]:
    """NHS number, UPN (and former UPN), ULN and LA child id, as one comparison."""
    sql = sql or SqlFunctions()
    both = """((upn_l IS NOT NULL OR former_upn_l IS NOT NULL)
                AND (upn_r IS NOT NULL OR former_upn_r IS NOT NULL))
            OR (nhs_number_l IS NOT NULL AND nhs_number_r IS NOT NULL)
            OR (uln_l IS NOT NULL AND uln_r IS NOT NULL)
            OR (la_child_id_l IS NOT NULL AND la_child_id_r IS NOT NULL)"""
    return {
        "output_column_name": "identifiers",
        "comparison_description": "NHS number, UPN, ULN, LA child id",
        "comparison_levels": [
            _level(f"NOT ({both})", "No identifier on both", null=True),
            _level(
                """(nhs_number_l = nhs_number_r AND nhs_number_valid_l)
                OR (upn_l = upn_r AND upn_valid_l)
                OR (upn_l = former_upn_r AND upn_valid_l)
                OR (former_upn_l = upn_r AND upn_valid_r)
                OR (uln_l = uln_r AND uln_valid_l)
                OR la_child_id_l = la_child_id_r""",
                "A valid identifier agrees",
            ),
            _level(
                "nhs_number_l = nhs_number_r OR upn_l = upn_r OR uln_l = uln_r",
                "An identifier agrees but fails its check",
                fixed_m=PRIOR_M["identifier_invalid_agrees"],
            ),
            _level(
                f"""({sql.edits("nhs_number_l", "nhs_number_r")} = 1
                    AND NOT (nhs_number_valid_l AND nhs_number_valid_r))
                OR ({sql.edits("upn_l", "upn_r")} = 1
                    AND NOT (upn_valid_l AND upn_valid_r))
                OR ({sql.edits("uln_l", "uln_r")} = 1
                    AND NOT (uln_valid_l AND uln_valid_r))""",
                "One edit apart, one fails its check (a keying error)",
            ),
            _level(
                f"""(nhs_number_valid_l AND nhs_number_valid_r AND nhs_number_l <> nhs_number_r)
                OR (upn_valid_l AND upn_valid_r AND upn_l <> upn_r
                    AND {sql.ends_with_digit("upn_l")} AND {sql.ends_with_digit("upn_r")})
                OR (uln_valid_l AND uln_valid_r AND uln_l <> uln_r)""",
                "Two different valid identifiers",
            ),
            _else(),
        ],
    }


#: A link needs more than names: positive evidence from at least one of these
#: comparisons. Names alone, however rare, are shared within families.
EVIDENCE_COMPARISONS: tuple[str, ...] = ("dob", "location", "identifiers")


def level_gammas(settings: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Comparison -> level label -> the gamma value Splink gives it (null -1, else 0)."""
    out: dict[str, dict[str, int]] = {}
    for comparison in settings["comparisons"]:
        levels = comparison["comparison_levels"]
        counter = sum(1 for lv in levels if not lv.get("is_null_level")) - 1
        gammas: dict[str, int] = {}
        for lv in levels:
            if lv.get("is_null_level"):
                gammas[lv["label_for_charts"]] = -1
            else:
                gammas[lv["label_for_charts"]] = counter
                counter -= 1
        out[comparison["output_column_name"]] = gammas
    return out


def evidence_sql() -> str:
    """SQL over a prediction row (with match weight columns): the pair agrees on more
    than names, i.e. a date of birth, address or identifier comparison counts for it."""
    return "(" + " OR ".join(f"mw_{name} > 0" for name in EVIDENCE_COMPARISONS) + ")"


def _rule(sql: str) -> str:
    return f"{' '.join(sql.split())} AND {_NOT_SAME_ENTITY}"


def prediction_blocking_rules() -> list[str]:
    """Candidate pairs (SQL): each rule keeps recall on one kind of hard case."""
    return [
        # moved house, changed surname, nickname: the date of birth still agrees
        _rule("l.dob = r.dob"),
        # a wrong or swapped date of birth
        _rule("l.forename_canonical = r.forename_canonical AND l.surname_key = r.surname_key"),
        _rule("l.dob = r.dob_swapped"),
        # a forename slip (rarely in the first letter) and a wrong date, in the same area
        _rule(
            """l.surname_key = r.surname_key AND l.postcode_district = r.postcode_district
            AND left(l.forename_key, 1) = left(r.forename_key, 1)"""
        ),
        _rule(
            """l.dob_year = r.dob_year AND l.postcode_district = r.postcode_district
            AND left(l.forename_key, 1) = left(r.forename_key, 1)"""
        ),
        # names swapped
        _rule("l.forename_key = r.surname_key AND l.surname_key = r.forename_key"),
        # a wrong date of birth and a slip in the other name, at the same postcode
        _rule("l.forename_first = r.forename_first AND l.postcode = r.postcode"),
        _rule("l.surname_key = r.surname_key AND l.postcode = r.postcode"),
        # a slip late in one name and a wrong date of birth, anywhere
        _rule(
            """l.forename_first = r.forename_first
            AND left(l.surname_key, 3) = left(r.surname_key, 3)"""
        ),
        _rule(
            """l.surname_key = r.surname_key
            AND left(l.forename_key, 3) = left(r.forename_key, 3)"""
        ),
        # identifiers, including ones that fail their check
        _rule("l.nhs_number = r.nhs_number"),
        _rule("l.upn = r.upn"),
        _rule("l.upn = r.former_upn"),
        _rule("l.former_upn = r.upn"),
        _rule("l.uln = r.uln"),
        _rule("l.la_child_id = r.la_child_id"),
        _rule("l.uprn = r.uprn AND l.forename_first = r.forename_first"),
    ]


def deterministic_rules() -> list[str | BlockingRuleCreator]:
    """Near-certain matches, for estimating the prior probability that two records match."""
    return [
        "l.forename_key = r.forename_key AND l.surname_key = r.surname_key AND l.dob = r.dob",
        "l.nhs_number = r.nhs_number AND l.nhs_number_valid",
        "l.upn = r.upn AND l.upn_valid",
    ]


#: Training blocks that learn names from pairs sharing an identifier, with the comparisons
#: each estimates (those it does not use).
IDENTIFIER_EM_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("l.upn = r.upn", ("forename", "surname", "dob", "sex", "location")),
    ("l.nhs_number = r.nhs_number", ("forename", "surname", "dob", "sex", "location")),
)
#: The columns ``IDENTIFIER_EM_RULES`` block on.
TRAINING_IDENTIFIERS: tuple[str, ...] = ("upn", "nhs_number")
_NAMES_EM_RULE = (
    "l.forename_canonical = r.forename_canonical AND l.surname_key = r.surname_key",
    ("dob", "sex", "location", "identifiers"),
)
#: Without identifiers, names are learned from pairs sharing a date of birth.
_DOB_EM_RULE = ("l.dob = r.dob", ("forename", "surname", "sex", "location", "identifiers"))


def em_blocking_rules(identifiers: bool = True) -> list[tuple[str, tuple[str, ...]]]:
    """Training blocks, each with the comparisons it estimates (those it does not use).

    With enough pairs sharing an identifier (``identifiers``), names are learned from
    those, never from pairs that share a date of birth and address: those are full of
    twins and siblings, which would teach the model that a different forename is common
    among matches. Data without identifiers (a single system's extract, a research data
    set) has no such pairs; names are then learned from pairs sharing a date of birth,
    as Splink's guidance does, and the twin guard in clustering keeps twins apart.
    """
    if identifiers:
        return [*IDENTIFIER_EM_RULES, _NAMES_EM_RULE]
    return [_DOB_EM_RULE, _NAMES_EM_RULE]


def comparisons(dialect: str = MODEL_DIALECT) -> list[dict[str, Any]]:
    """The person model's comparisons, with SQL written for ``dialect``."""
    sql = SqlFunctions(dialect)
    return [
        forename_comparison(sql),
        surname_comparison(sql),
        dob_comparison(sql),
        sex_comparison(),
        location_comparison(sql),
        identifier_comparison(sql),
    ]


def settings_in_dialect(settings: dict[str, Any], dialect: str) -> dict[str, Any]:
    """Splink settings of a (trained) person model with every level's SQL for ``dialect``.

    Levels are matched to this version's comparisons by name and label; m and u are kept.
    Raises ``ValueError`` when the settings are not of this model's shape.
    """
    out = copy.deepcopy(settings)
    rendered = {c["output_column_name"]: c["comparison_levels"] for c in comparisons(dialect)}
    saved = out.get("comparisons", [])
    if [c.get("output_column_name") for c in saved] != list(rendered):
        raise ValueError("the model's comparisons are not this person model's")
    for comparison in saved:
        fresh = rendered[comparison["output_column_name"]]
        levels = comparison["comparison_levels"]
        if [lv.get("label_for_charts") for lv in levels] != [
            lv["label_for_charts"] for lv in fresh
        ]:
            raise ValueError(
                f"the model's {comparison['output_column_name']} levels are not this person model's"
            )
        for level, new in zip(levels, fresh, strict=True):
            level["sql_condition"] = new["sql_condition"]
    if "sql_dialect" in out:
        out["sql_dialect"] = dialect
    return out


def settings_creator(dialect: str = MODEL_DIALECT) -> SettingsCreator:
    """The untrained person model, its SQL written for ``dialect``."""
    ladders: list[ComparisonCreator | dict[str, Any]] = [*comparisons(dialect)]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=ladders,
        blocking_rules_to_generate_predictions=[
            CustomRule(rule) for rule in prediction_blocking_rules()
        ],
        additional_columns_to_retain=["entity_id"],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=25,
        em_convergence=0.0001,
    )
