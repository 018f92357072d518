"""The city's streets, postcodes and UPRNs, computed from an address index on demand.

Kinlink City sits in the fictional postcode area ``KC`` (districts KC1 to KC36): valid UK
postcode shape, no real place. Streets are laid out once per city (a few thousand small
records); an address is derived from its index, so no chunk holds the whole gazetteer.
Households take addresses through a scrambled counter, so neighbours come from
different chunks and a move can land anywhere in the city.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from math import ceil

from kinlink.synth._rng import Scrambler, Weighted, stream

AREA = "KC"
TOWN = "Kinlink"
N_DISTRICTS = 36
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in inward codes
_PER_POSTCODE = 14
_INWARD_CODES = 10 * len(_INWARD_LETTERS) ** 2  # digit + two letters

LOCALITIES = """Ashbrook|Bramley Vale|Cinder Hill|Dovecote|Elmsworth|Fernlea|Gorse Bank|
Harrowby|Ivy Mount|Juniper Park|Kestrel Heath|Larkfield|Millbrook|Nettlebank|Oakhurst|
Pinewood|Quarrybank|Ravensmoor|Saltmarsh|Thornbury Park|Upton Vale|Willowmead|Yewtree|
Alder Rise|Beacon Hill|Coldharbour|Dunmere|Eastwick|Foxhollow|Greystones|Hawksworth|
Irondale|Kingsmead|Lowther Green|Marshside|Northbrook""".replace("\n", "").split("|")

_STREET_WORDS = """Hope Alder Beech Cedar Chestnut Elm Hawthorn Hazel Holly Larch Laurel Linden
Maple Oak Poplar Rowan Sycamore Willow Yew Acorn Bluebell Clover Daisy Fern Heather Ivy
Lavender Primrose Thistle Violet Albert Victoria Queen King Prince Regent Church Chapel
Mill Bridge Canal Station Market School Park Green Meadow Orchard Quarry Forge Foundry
Dock Wharf Harbour Anchor Cable Ropewalk Tannery Brewery Union Unity Liberty Providence
Temperance Jubilee Coronation Windsor Balmoral Sandringham Trafalgar Waterloo Nelson
Wellington Gladstone Byron Shelley Keats Milton Chaucer Tennyson Dickens Bronte
Wordsworth Newton Faraday Darwin Brunel Telford Arkwright Nightingale Lark Wren Heron
Kestrel Falcon Swallow Robin Linnet Plover Curlew Sandpiper Granite Slate Flint Copper
Cobalt Amber Coral Pearl Garnet Jasper Opal""".split()
_STREET_TYPES = (
    ("Street", 30), ("Road", 25), ("Avenue", 8), ("Close", 8), ("Lane", 6), ("Drive", 6),
    ("Grove", 5), ("Crescent", 4), ("Way", 4), ("Terrace", 4), ("Gardens", 3), ("Walk", 2),
    ("Place", 2), ("Mews", 1),
)  # fmt: skip
_BLOCK_TYPES = ("Court", "House", "Heights", "Point", "Tower")
#: Relative number of streets per district: the inner districts are denser.
DISTRICT_WEIGHTS = tuple(3.0 if d < 8 else 1.0 for d in range(N_DISTRICTS))


def district_at(share: float) -> int:
    """The district at a quantile of the population (0 = first resident, 1 = last)."""
    total, running = sum(DISTRICT_WEIGHTS), 0.0
    for district, weight in enumerate(DISTRICT_WEIGHTS):
        running += weight
        if share * total < running:
            return district
    return N_DISTRICTS - 1


@dataclass(frozen=True, slots=True)
class Address:
    """One dwelling: what every feed's address columns are made from."""

    index: int
    uprn: str
    line1: str  # house number and street, or flat and block
    line2: str  # locality
    postcode: str
    district: int  # 0-based: KC1 is 0

    @property
    def one_line(self) -> str:
        """``12 Hope Street, Kinlink``: free-text address as case systems hold it."""
        return f"{self.line1}, {TOWN}"


@dataclass(frozen=True, slots=True)
class _Street:
    first_index: int
    length: int
    name: str
    district: int
    first_unit: int  # index of its first postcode unit within its district
    block: bool


class AddressBook:
    """Every address the city can use, and a scrambled allocator over them."""

    def __init__(self, seed: int, capacity: int) -> None:
        rng = stream(seed, "streets")
        district_weight = Weighted(list(enumerate(DISTRICT_WEIGHTS)))
        street_type = Weighted(list(_STREET_TYPES))
        units_in_district = [0] * N_DISTRICTS
        self._streets: list[_Street] = []
        self._starts: list[int] = []
        total = 0
        while total < capacity:
            block = rng.random() < 0.12
            length = rng.randint(12, 60) if block else rng.randint(8, 90)
            district = district_weight.pick(rng)
            word = _STREET_WORDS[int(rng.random() * len(_STREET_WORDS))]
            if block:
                name = f"{word} {_BLOCK_TYPES[int(rng.random() * len(_BLOCK_TYPES))]}"
            else:
                name = f"{word} {street_type.pick(rng)}"
            street = _Street(total, length, name, district, units_in_district[district], block)
            units_in_district[district] += ceil(length / _PER_POSTCODE)
            if units_in_district[district] > _INWARD_CODES:
                raise OverflowError("too many postcodes in one district")
            self._streets.append(street)
            self._starts.append(total)
            total += length
        self.capacity = total
        self._uprn = Scrambler(10**10, 2_654_435_761, rng.randrange(10**10))
        self._alloc = Scrambler(total, 1_103_515_245, rng.randrange(total))
        self._cache: dict[int, Address] = {}

    def allocate(self, counter: int) -> Address:
        """The ``counter``-th address handed out (a bijection: never the same twice)."""
        return self.address(self._alloc(counter))

    def address(self, index: int) -> Address:
        """The address at a gazetteer index."""
        found = self._cache.get(index)
        if found is not None:
            return found
        street = self._streets[bisect_right(self._starts, index) - 1]
        number = index - street.first_index + 1
        unit = street.first_unit + (number - 1) // _PER_POSTCODE
        # scatter units over the district's 4,000 inward codes (a bijection, so no clashes)
        code = (unit * 1237 + street.district * 97) % _INWARD_CODES
        digit, rest = divmod(code, len(_INWARD_LETTERS) ** 2)
        a, b = divmod(rest, len(_INWARD_LETTERS))
        postcode = f"{AREA}{street.district + 1} {digit}{_INWARD_LETTERS[a]}{_INWARD_LETTERS[b]}"
        line1 = f"Flat {number} {street.name}" if street.block else f"{number} {street.name}"
        address = Address(
            index=index,
            uprn=str(100_000_000_000 + self._uprn(index)),
            line1=line1,
            line2=LOCALITIES[street.district],
            postcode=postcode,
            district=street.district,
        )
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[index] = address
        return address


def district_distance(a: int, b: int) -> int:
    """How far apart two districts are (districts are numbered outward along a line)."""
    return abs(a - b)
