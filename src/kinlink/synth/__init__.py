"""The synthetic city: every partner feed of a fictional council, with realistic identity
errors, and the ground truth that linkage, outcomes and risk models are measured against.

>>> from kinlink.synth import CityConfig, generate_city  # doctest: +SKIP
>>> generate_city(CityConfig(people=20_000, seed=42), Path("data/city"))  # doctest: +SKIP
"""

from kinlink.synth.city import generate_city
from kinlink.synth.config import CityConfig, NoiseConfig
from kinlink.synth.summary import CitySummary, FileCount

__all__ = ["CityConfig", "CitySummary", "FileCount", "NoiseConfig", "generate_city"]
