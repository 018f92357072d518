"""Returns and exports: versioned specs, built from an assessment run, validated, written."""

from kinlink.returns.build import (
    BuiltReturn,
    NoAssessment,
    Problem,
    ReturnInvalid,
    return_build,
    run_resolve,
)
from kinlink.returns.loader import SpecError, UnknownReturn, spec_find, spec_parse, specs_load
from kinlink.returns.models import ReturnField, ReturnSpec
from kinlink.returns.services import return_run
from kinlink.returns.writers import WrittenReturn, return_write

__all__ = [
    "BuiltReturn",
    "NoAssessment",
    "Problem",
    "ReturnField",
    "ReturnInvalid",
    "ReturnSpec",
    "SpecError",
    "UnknownReturn",
    "WrittenReturn",
    "return_build",
    "return_run",
    "return_write",
    "run_resolve",
    "spec_find",
    "spec_parse",
    "specs_load",
]
