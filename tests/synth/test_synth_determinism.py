"""The same configuration always gives the same city, byte for byte."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from kinlink.synth import CityConfig, NoiseConfig, generate_city

from .conftest import City


def _hashes(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def _manifest(out: Path) -> dict[str, object]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("elapsed_seconds")
    return manifest


def test_same_config_gives_byte_identical_files(city2k: City, tmp_path: Path) -> None:
    # in another process with another string-hash seed, so set order cannot leak into output
    code = (
        "import sys; from pathlib import Path; "
        "from kinlink.synth import CityConfig, generate_city; "
        "config = CityConfig(people=2_000, seed=7, households_per_chunk=150); "
        "generate_city(config, Path(sys.argv[1]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, env=env)  # noqa: S603
    assert _hashes(tmp_path) == _hashes(city2k.out)
    assert _manifest(tmp_path) == _manifest(city2k.out)


def test_another_seed_gives_another_city(city2k: City, tmp_path: Path) -> None:
    generate_city(CityConfig(people=2_000, seed=8, households_per_chunk=150), tmp_path)
    assert _hashes(tmp_path)["truth/people.csv"] != _hashes(city2k.out)["truth/people.csv"]


def test_noise_settings_do_not_change_who_lives_in_the_city(city2k: City, clean2k: City) -> None:
    def facts(city: City) -> list[tuple[str, ...]]:
        return [
            (p["person_id"], p["forename"], p["dob"], p["household_id"], p["nhs_number"])
            for p in city.truth("people.csv")
        ]

    assert facts(city2k) == facts(clean2k)


def test_noise_scale_multiplies_every_rate() -> None:
    base = NoiseConfig()
    assert all(v == 0 for v in base.scale(0).as_dict().values())
    doubled = base.scale(2).as_dict()
    for name, value in base.as_dict().items():
        assert doubled[name] == min(1.0, value * 2)
