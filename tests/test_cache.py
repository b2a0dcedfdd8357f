"""The alignment cache: keyed by content, read back exactly, never a half-written or stale entry."""

import pytest

from lipsync_ai.core.cache import AlignmentCache, alignment_key
from lipsync_ai.core.types import Alignment, Segment

ALIGNMENT = Alignment(0.5, "en-us", [Segment("hi", 0.1, 0.4)],
                      [Segment("SIL", 0.0, 0.1), Segment("HH", 0.1, 0.2), Segment("AY", 0.2, 0.4),
                       Segment("SIL", 0.4, 0.5)], ["a warning"])


def test_an_alignment_comes_back_as_it_was_stored(tmp_path):
    cache = AlignmentCache(tmp_path)
    key = alignment_key("audio", "hi", "en-us", "model")
    assert cache.get(key) is None
    cache.put(key, ALIGNMENT)
    assert cache.get(key) == ALIGNMENT
    assert not list(tmp_path.rglob("*.tmp")), "written through a temporary file, then renamed"


@pytest.mark.parametrize("changed", [("audio2", "hi", "en-us", "model"), ("audio", "hi!", "en-us", "model"),
                                     ("audio", None, "en-us", "model"), ("audio", "hi", "en-gb", "model"),
                                     ("audio", "hi", "en-us", "model2")])
def test_any_input_changing_changes_the_key(changed):
    assert alignment_key(*changed) != alignment_key("audio", "hi", "en-us", "model")


def test_a_damaged_entry_is_a_miss(tmp_path):
    cache = AlignmentCache(tmp_path)
    key = alignment_key("audio", "hi", "en-us", "model")
    cache.put(key, ALIGNMENT)
    (entry,) = tmp_path.rglob("*.json")
    entry.write_text('{"duration": 0.5', encoding="utf-8")
    assert cache.get(key) is None
