"""Identity: identifier checks and the normalisation of names, dates, postcodes and addresses.

Pure functions with no I/O, used by ingest to tidy and flag identity fields and by linkage
to compare them. Everything here is called once per value on millions of rows, so patterns
are compiled once and results for repeating values (names, postcodes, dates) are cached.
"""

from kinlink.identity.addresses import (
    address_clean,
    address_tokens,
    uprn_is_plausible,
    uprn_normalise,
)
from kinlink.identity.dates import DEFAULT_PIVOT, parse_date, swap_day_month
from kinlink.identity.identifiers import (
    UPN_ALPHABET,
    nhs_check_digit,
    nhs_number_is_valid,
    nhs_number_make,
    nhs_number_normalise,
    uln_check_digit,
    uln_is_valid,
    uln_make,
    uln_normalise,
    upn_check_letter,
    upn_is_valid,
    upn_make,
    upn_normalise,
)
from kinlink.identity.models import DateError, DatePrecision, ParsedDate, Postcode
from kinlink.identity.names import (
    clean_text,
    forename_canonical,
    forename_variants,
    initial,
    name_key,
    name_tokens,
)
from kinlink.identity.postcodes import postcode_find, postcode_parse
from kinlink.identity.sex import Sex, sex_normalise

__all__ = [
    "DEFAULT_PIVOT",
    "UPN_ALPHABET",
    "DateError",
    "DatePrecision",
    "ParsedDate",
    "Postcode",
    "Sex",
    "address_clean",
    "address_tokens",
    "clean_text",
    "forename_canonical",
    "forename_variants",
    "initial",
    "name_key",
    "name_tokens",
    "nhs_check_digit",
    "nhs_number_is_valid",
    "nhs_number_make",
    "nhs_number_normalise",
    "parse_date",
    "postcode_find",
    "postcode_parse",
    "sex_normalise",
    "swap_day_month",
    "uln_check_digit",
    "uln_is_valid",
    "uln_make",
    "uln_normalise",
    "upn_check_letter",
    "upn_is_valid",
    "upn_make",
    "upn_normalise",
    "uprn_is_plausible",
    "uprn_normalise",
]
