"""Opaque keys and carrying keys across runs, shared by person and family keys."""

from __future__ import annotations

from kinlink.core.keys import opaque_key, overlap_assign


def test_opaque_key_is_deterministic_prefixed_and_unambiguous():
    key = opaque_key("P", "record-1|0")
    assert key == opaque_key("P", "record-1|0")
    assert key != opaque_key("P", "record-1|1")
    assert key.startswith("P")
    assert len(key) == 11
    assert not set(key[1:]) & set("ILOU")


def test_overlap_assign_gives_each_key_to_one_group_best_overlap_first():
    rows = [("a", "K1", 5), ("b", "K1", 3), ("b", "K2", 2), ("c", "K2", 1), ("c", "K3", 1)]
    assert overlap_assign(rows) == {"a": "K1", "b": "K2", "c": "K3"}


def test_overlap_assign_leaves_a_group_without_key_when_its_keys_are_taken():
    assert overlap_assign([("a", "K1", 4), ("b", "K1", 1)]) == {"a": "K1"}
