"""bot.engine.cache: the index cache is used only when current, and rebuilt otherwise."""

from __future__ import annotations

import os
import pickle
import time

from bot.config import load_config
from bot.engine import cache
from bot.engine.engine import build_matcher
from tests.knowledge_base import make_kb


def _caches(config) -> list:
    return sorted((config.base / cache.CACHE_DIR).glob("index-*.pickle"))


def test_a_second_build_comes_from_the_cache(tmp_path) -> None:
    config = load_config(make_kb(tmp_path))
    first = build_matcher(config)
    assert len(_caches(config)) == 1
    calls = []  # the cache is read, not rebuilt
    second = cache.cached(config.knowledge_paths(), config.engine, lambda: calls.append(1))
    assert calls == [] and second.ask("What is the FOC?") == first.ask("What is the FOC?")


def test_an_edited_knowledge_file_is_a_new_key(tmp_path) -> None:
    config = load_config(make_kb(tmp_path))
    before = build_matcher(config)
    qa = config.qa_path
    qa.write_text(qa.read_text(encoding="utf-8").replace("FOC size", "FOC size today"), "utf-8")
    after = build_matcher(config)
    assert len(_caches(config)) == 2
    phrasings = {p for e in after.knowledge.entries for p in e.phrasings}
    assert "FOC size today" in phrasings
    assert "FOC size today" not in {p for e in before.knowledge.entries for p in e.phrasings}


def test_a_damaged_cache_is_rebuilt_never_used(tmp_path) -> None:
    config = load_config(make_kb(tmp_path))
    good = build_matcher(config)
    (path,) = _caches(config)
    path.write_bytes(b"\x80\x05not a pickle at all")
    rebuilt = build_matcher(config)
    assert rebuilt.ask("What is the FOC?") == good.ask("What is the FOC?")
    assert path.read_bytes().startswith(b"\x80") and len(path.read_bytes()) > 1000


def test_a_cache_of_other_files_is_not_used(tmp_path) -> None:
    """A cache file whose stored key is not the files' key (copied from elsewhere)."""
    config = load_config(make_kb(tmp_path))
    build_matcher(config)
    (path,) = _caches(config)
    _key, matcher = pickle.loads(path.read_bytes())
    path.write_bytes(pickle.dumps(("another key", matcher)))
    calls = []
    cache.cached(config.knowledge_paths(), config.engine, lambda: calls.append(1) or matcher)
    assert calls == [1]


def test_an_unwritable_cache_folder_still_answers(tmp_path) -> None:
    config = load_config(make_kb(tmp_path))
    (config.base / "data").write_text("a file where the cache folder would be", encoding="utf-8")
    assert build_matcher(config).ask("What is the FOC?").answered is not None


def test_an_unfinished_write_is_cleaned_up_once_old(tmp_path) -> None:
    """A process killed mid-write leaves its temporary file; a later write removes it,
    but not one young enough to be another process's write going on."""
    config = load_config(make_kb(tmp_path))
    folder = config.base / cache.CACHE_DIR
    folder.mkdir(parents=True)
    old = folder / ".index-0123.pickle.abcd.tmp"
    young = folder / ".index-4567.pickle.efgh.tmp"
    old.write_bytes(b"half a pickle")
    young.write_bytes(b"a write going on")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    build_matcher(config)  # writes its cache, and prunes
    assert not old.exists() and young.exists()
    assert len(_caches(config)) == 1
