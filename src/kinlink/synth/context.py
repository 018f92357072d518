"""What every stage of a chunk shares: the city's fixed parts and the running id counters.

The fixed parts (names, streets, schools, calendar) are built once from the seed. The
counters run across chunks in order, which is why chunks are generated one after another:
ids stay unique without any coordination and the output stays byte-identical.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date

from kinlink.identity import nhs_number_make, uln_make, upn_make
from kinlink.synth._rng import Scrambler
from kinlink.synth.addresses import Address, AddressBook
from kinlink.synth.calendar import Window
from kinlink.synth.config import CityConfig
from kinlink.synth.names import NameBook
from kinlink.synth.schools import Schools

CITY_LA = 999  # fictional LA code of Kinlink City
OTHER_LAS = (991, 992, 993, 994, 995, 996, 997, 998)  # where families arrive from


class Ids:
    """Sequential counters, scrambled where a real system's ids would not be in order."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}
        self._upn_serial: dict[tuple[int, int, int], int] = {}
        self._scramblers: dict[tuple[str, int], Scrambler] = {}

    def _scrambled(self, kind: str, digits: int) -> str:
        key = (kind, digits)
        scrambler = self._scramblers.get(key)
        if scrambler is None:
            salt = zlib.crc32(kind.encode())
            modulus = 10**digits
            scrambler = Scrambler(
                modulus, (salt % (modulus // 3)) * 2 + modulus // 3 + 1, salt % modulus
            )
            self._scramblers[key] = scrambler
        return f"{scrambler(self.next(kind)):0{digits}d}"

    def next(self, kind: str) -> int:
        """The next number of a kind (0, 1, 2 ...)."""
        n = self._next.get(kind, 0)
        self._next[kind] = n + 1
        return n

    def six(self, kind: str) -> str:
        """A scrambled 6-digit id, unique within ``kind``."""
        return self._scrambled(kind, 6)

    def seven(self, kind: str) -> str:
        """A scrambled 7-digit id, unique within ``kind``."""
        return self._scrambled(kind, 7)

    def upn(self, la: int, estab: int, year2: int) -> str:
        """A permanent UPN: serials run per (LA, establishment, year), as schools issue them."""
        key = (la, estab, year2)
        serial = self._upn_serial.get(key, 1)
        while serial > 999:  # a full year: the LA issues under a neighbouring number
            estab = (estab + 1) % 10_000
            key = (la, estab, year2)
            serial = self._upn_serial.get(key, 1)
        self._upn_serial[key] = serial + 1
        return upn_make(la, estab, year2, serial)

    def nhs(self, person_num: int) -> str:
        return nhs_number_make(person_num)

    def uln(self, person_num: int) -> str:
        return uln_make(person_num)


@dataclass
class City:
    """The fixed, shared parts of one synthetic city."""

    config: CityConfig
    window: Window
    names: NameBook
    addresses: AddressBook
    schools: Schools
    ids: Ids = field(default_factory=Ids)

    @property
    def end(self) -> date:
        return self.window.end

    def new_address(self) -> Address:
        """An address nobody in the city has used yet."""
        return self.addresses.allocate(self.ids.next("address"))
