"""Check-digit arithmetic for the identifiers partner feeds carry (UPN, NHS number, ULN).

A value that fails its check is evidence of a typo, not of a different person, so nothing
here discards a value: normalisers only tidy, validators only answer yes or no, and ingest
decides what to flag. Error messages describe a value's shape, never its content, because
these are personal identifiers.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import mul

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
"""The 23 letters a UPN check letter (and a temporary UPN's last character) is drawn from."""

_UPN_LETTER_VALUE: dict[str, int] = {letter: i for i, letter in enumerate(UPN_ALPHABET)}
_UPN_DIGIT_WEIGHTS = range(2, 13)  # characters 2-12; character 13 has weight 13
_MOD11_WEIGHTS = range(10, 1, -1)  # NHS number and ULN: digits 1-9 times 10..2

_CheckDigit = Callable[[str], int | None]

# Hyphen-like characters that spreadsheets and word processors put into numbers.
_DASHES = dict.fromkeys(map(ord, "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"))


def _is_digits(value: str) -> bool:
    """ASCII digits only: ``str.isdigit`` alone would accept superscripts and other scripts."""
    return value.isascii() and value.isdigit()


def _weighted_sum(digits: str) -> int:
    return sum(map(mul, map(int, digits), _MOD11_WEIGHTS))


# --- UPN -------------------------------------------------------------------------------


def upn_check_letter(body: str) -> str:
    """The check letter for UPN characters 2-13 (``body``, 12 characters).

    Each character is multiplied by its position as weight (2-13) and the sum taken mod 23,
    indexing ``UPN_ALPHABET``. Characters 2-12 are digits; character 13 is a digit, or a
    letter of ``UPN_ALPHABET`` on a temporary UPN, counted as its index in that alphabet.
    Raises ``ValueError`` for any other shape.
    """
    if len(body) != 12 or not _is_digits(body[:11]):
        raise ValueError(
            "a UPN body is 12 characters: 11 digits then a digit or check-alphabet letter "
            f"(got {len(body)} characters)"
        )
    last = body[11]
    if "0" <= last <= "9":
        last_value = ord(last) - 48
    else:
        letter_value = _UPN_LETTER_VALUE.get(last)
        if letter_value is None:
            raise ValueError(
                "the last character of a UPN body must be a digit or one of " + UPN_ALPHABET
            )
        last_value = letter_value
    total = sum(map(mul, map(int, body[:11]), _UPN_DIGIT_WEIGHTS)) + 13 * last_value
    return UPN_ALPHABET[total % 23]


def upn_normalise(raw: str | None) -> str | None:
    """Strip, drop internal spaces and upper-case, so typed and exported UPNs compare equal."""
    if raw is None:
        return None
    cleaned = "".join(raw.split()).upper()
    return cleaned or None


def upn_is_valid(upn: str | None) -> bool:
    """True for a 13-character UPN whose check letter is right (temporary UPNs included).

    The value is checked as given: normalise it first.
    """
    if upn is None or len(upn) != 13 or upn[0] not in _UPN_LETTER_VALUE:
        return False
    body = upn[1:]
    if not _is_digits(body[:11]):
        return False
    last = body[11]
    if not ("0" <= last <= "9" or last in _UPN_LETTER_VALUE):
        return False
    return upn_check_letter(body) == upn[0]


def upn_make(la_code: int, estab: int, year2: int, serial: int) -> str:
    """A valid permanent UPN from its parts, for the synthetic city.

    The parts are the ones the DfE assigns: 3-digit LA code, 4-digit establishment number,
    2-digit year of allocation and 3-digit serial.
    """
    for name, value, upper in (
        ("la_code", la_code, 999),
        ("estab", estab, 9999),
        ("year2", year2, 99),
        ("serial", serial, 999),
    ):
        if not 0 <= value <= upper:
            raise ValueError(f"{name} must be between 0 and {upper}, got {value}")
    body = f"{la_code:03d}{estab:04d}{year2:02d}{serial:03d}"
    return upn_check_letter(body) + body


# --- NHS number ------------------------------------------------------------------------


def _digits_normalise(raw: str | None) -> str | None:
    if raw is None:
        return None
    cleaned = "".join(raw.translate(_DASHES).split())
    return cleaned or None


def nhs_number_normalise(raw: str | None) -> str | None:
    """Remove spaces and hyphens (``943 476 5919``, ``943-476-5919``); None for blank.

    Whatever remains is returned even when it is not 10 digits: ingest keeps and flags a
    malformed number rather than losing it.
    """
    return _digits_normalise(raw)


def nhs_check_digit(first9: str) -> int | None:
    """The NHS number check digit for its first nine digits, or None if none exists.

    Digits 1-9 times weights 10..2, summed; check = 11 - (sum mod 11), where 11 becomes 0
    and 10 means no valid NHS number has these nine digits.
    """
    if len(first9) != 9 or not _is_digits(first9):
        raise ValueError(f"need the first 9 digits of an NHS number (got {len(first9)} chars)")
    check = 11 - _weighted_sum(first9) % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_number_is_valid(nhs: str | None) -> bool:
    """True for 10 digits whose check digit is right. Normalise first."""
    if nhs is None or len(nhs) != 10 or not _is_digits(nhs):
        return False
    return nhs_check_digit(nhs[:9]) == ord(nhs[9]) - 48


_NHS_TEST_PREFIX = "999"
_NHS_SEEDS = 100_000 * 9  # five free digits, nine usable last digits each
_NHS_SCRAMBLE = 480_077  # coprime with _NHS_SEEDS, so the scramble stays one-to-one


def nhs_number_make(seed_int: int) -> str:
    """A valid NHS number in the 999 test range, determined by ``seed_int``.

    For any eight leading digits at most one ninth digit yields check value 10 (weight 2 is
    invertible mod 11), so each seed picks five free digits and one of the first nine usable
    ninth digits. Seeds 0-899,999 give distinct numbers (scrambled, so neighbouring seeds do
    not give neighbouring numbers); larger seeds wrap around.
    """
    seed = seed_int * _NHS_SCRAMBLE % _NHS_SEEDS
    first8 = f"{_NHS_TEST_PREFIX}{seed // 9:05d}"
    return _nth_completion(first8, seed % 9, nhs_check_digit)


# --- ULN -------------------------------------------------------------------------------


def uln_normalise(raw: str | None) -> str | None:
    """Remove spaces and hyphens; None for blank. Malformed values are returned, not lost."""
    return _digits_normalise(raw)


def uln_check_digit(first9: str) -> int | None:
    """The ULN check digit for its first nine digits, or None if none exists.

    Per the Learning Records Service ULN validation specification: digits 1-9 times weights
    10..2, summed; remainder = sum mod 11; check = 10 - remainder, and a remainder of 0
    means no valid ULN. (HESA states the same rule as: all ten digits times weights 10..1
    leave remainder 10 mod 11.)
    """
    if len(first9) != 9 or not _is_digits(first9):
        raise ValueError(f"need the first 9 digits of a ULN (got {len(first9)} chars)")
    remainder = _weighted_sum(first9) % 11
    return None if remainder == 0 else 10 - remainder


def uln_is_valid(uln: str | None) -> bool:
    """True for 10 digits, the first non-zero, whose check digit is right. Normalise first."""
    if uln is None or len(uln) != 10 or not _is_digits(uln) or uln[0] == "0":
        return False
    return uln_check_digit(uln[:9]) == ord(uln[9]) - 48


_ULN_SEEDS = 90_000_000 * 9  # eight leading digits (first non-zero), nine usable ninth digits
_ULN_SCRAMBLE = 472_882_027  # coprime with _ULN_SEEDS


def uln_make(seed_int: int) -> str:
    """A valid ULN determined by ``seed_int``, for the synthetic city.

    Built like ``nhs_number_make``: seeds 0-809,999,999 give distinct ULNs, then wrap.
    """
    seed = seed_int * _ULN_SCRAMBLE % _ULN_SEEDS
    first8 = str(10_000_000 + seed // 9)
    return _nth_completion(first8, seed % 9, uln_check_digit)


def _nth_completion(first8: str, n: int, check: _CheckDigit) -> str:
    """The ``n``-th (0-based) ninth digit after ``first8`` that has a check digit."""
    for ninth in "0123456789":
        first9 = first8 + ninth
        digit = check(first9)
        if digit is None:
            continue
        if n == 0:
            return f"{first9}{digit}"
        n -= 1
    raise AssertionError("unreachable: at most one ninth digit lacks a check digit")
