"""bot.guild_settings: per-server values typed by moderators, over config.yaml's."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.guild_settings import GuildSettingsCache, parse_value, show_value
from bot.storage import Store

CONFIG = Path(__file__).resolve().parents[1] / "config.yaml"
CHANNEL, ROLE = 123456789012345678, 223456789012345678


def test_values_are_parsed_from_mentions_ids_and_numbers():
    assert parse_value("answer_channels", f"<#{CHANNEL}>, {CHANNEL + 1}") == [CHANNEL, CHANNEL + 1]
    assert parse_value("answer_channels", "none") == []
    assert parse_value("moderator_roles", f"<@&{ROLE}>") == [ROLE]
    assert parse_value("mod_channel", "none") is None
    assert parse_value("user_rate", "3") == 3 and parse_value("user_per", "1.5") == 1.5
    for name, text, why in [
        ("user_rate", "0", "between 1 and"),
        ("user_rate", "many", "not a whole number"),
        ("mod_channel", f"{CHANNEL} {CHANNEL + 1}", "one channel"),
        ("moderator_roles", "@everyone", "is not a role"),
        ("threshold", "1", "unknown setting"),
    ]:
        with pytest.raises(ValueError, match=why):
            parse_value(name, text)
    assert (
        show_value("moderator_roles", [ROLE]) == f"<@&{ROLE}>" and show_value("mod_channel", None) == "none"
    )


def test_a_server_gets_its_own_values_and_config_yaml_for_the_rest(tmp_path):
    config = load_config(CONFIG)
    cache = GuildSettingsCache(config)
    with Store(tmp_path / "db.sqlite3") as store:
        store.set_guild_setting(1, "user_rate", 2)
        store.set_guild_setting(1, "moderator_roles", [ROLE])
        store.set_guild_setting(2, "mod_channel", CHANNEL)
        cache.load(store.guild_settings())
        assert store.reset_guild_settings(2) == 1 and store.guild_settings() == {
            1: {"user_rate": 2, "moderator_roles": [ROLE]}
        }
    one = cache.get(1)
    assert (one.user_rate, one.moderator_roles, one.overridden) == (
        2,
        (ROLE,),
        {"user_rate", "moderator_roles"},
    )
    assert one.user_per == config.discord.user_per
    assert cache.get(None).user_rate == config.discord.user_rate  # DMs: config.yaml
    cache.reset(1, "user_rate")
    assert cache.get(1).user_rate == config.discord.user_rate and cache.get(1).moderator_roles == (ROLE,)
