"""bot.config: typed configuration with defaults, validation and file-relative paths."""

from __future__ import annotations

from dataclasses import fields

import pytest

from bot.config import CONFIG_ENV, EngineConfig, KnowledgeConfig, load_config
from bot.knowledge.problems import KnowledgeError
from tests.knowledge_base import CONFIG, PROJECT, line_no


def write(tmp_path, text, name="config.yaml"):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def one_problem(path):
    with pytest.raises(KnowledgeError) as info:
        load_config(path)
    (problem,) = info.value.problems
    assert problem.file == str(path.resolve())
    return problem


@pytest.mark.parametrize("text", ["", "# only a comment\n", "engine:\nknowledge:\n"])
def test_defaults(tmp_path, text):
    config = load_config(write(tmp_path, text))
    assert config.engine == EngineConfig()
    assert config.knowledge == KnowledgeConfig()


def test_default_engine_values_are_valid_settings(tmp_path):
    engine = EngineConfig()
    values = {f.name: getattr(engine, f.name) for f in fields(EngineConfig)}
    lines = "".join(f"  {k}: {'null' if v is None else repr(v)}\n" for k, v in values.items())
    assert load_config(write(tmp_path, "engine:\n" + lines)).engine == engine
    assert engine.threshold is None  # the threshold fitted with the model
    assert 0 < engine.suggestion_floor < 100


def test_default_knowledge_file_names():
    knowledge = KnowledgeConfig()
    assert (knowledge.directory, knowledge.qa, knowledge.facts, knowledge.sources) == (
        "knowledge",
        "qa.yaml",
        "facts.yaml",
        "sources",
    )


def test_values_are_read(tmp_path):
    config = load_config(write(tmp_path, "engine:\n  threshold: 75\n  suggestions: 5\n"))
    assert (config.engine.threshold, config.engine.suggestions) == (75.0, 5)
    assert isinstance(config.engine.threshold, float)


def test_project_config_loads():
    config = load_config(CONFIG)
    assert config.path == CONFIG.resolve()
    assert config.qa_path == PROJECT / "knowledge" / "qa.yaml"


def test_unknown_section(tmp_path):
    text = "engine:\n  threshold: 60\nenigne:\n  threshold: 70\n"
    problem = one_problem(write(tmp_path, text))
    assert problem.line == line_no(text, "enigne:")
    assert "unknown section 'enigne'" in problem.message


def test_unknown_key(tmp_path):
    text = "engine:\n  threshold: 60\n  treshold: 70\n"
    problem = one_problem(write(tmp_path, text))
    assert problem.line == 3
    assert "unknown setting 'engine.treshold'" in problem.message


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("engine.threshold", '"high"'),
        ("engine.threshold", "true"),
        ("engine.suggestions", "2.5"),
        ("engine.suggestions", "true"),
        ("engine.max_question_chars", '"500"'),
        ("knowledge.qa", "42"),
        ("knowledge.directory", "[a, b]"),
    ],
)
def test_wrong_type(tmp_path, setting, value):
    section, key = setting.split(".")
    text = f"{section}:\n  {key}: {value}\n"
    problem = one_problem(write(tmp_path, text))
    assert problem.line == 2
    assert f"'{setting}' must be" in problem.message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("threshold", "101"),
        ("threshold", "-1"),
        ("suggestions", "11"),
        ("suggestions", "-1"),
        ("suggestion_floor", "150"),
        ("max_question_chars", "0"),
    ],
)
def test_out_of_range(tmp_path, key, value):
    problem = one_problem(write(tmp_path, f"engine:\n  {key}: {value}\n"))
    assert problem.line == 2
    assert f"'engine.{key}' must be between" in problem.message


@pytest.mark.parametrize(("key", "value"), [("threshold", "0"), ("threshold", "100")])
def test_range_bounds_are_inclusive(tmp_path, key, value):
    config = load_config(write(tmp_path, f"engine:\n  {key}: {value}\n"))
    assert getattr(config.engine, key) == float(value)


def test_section_must_be_a_mapping(tmp_path):
    problem = one_problem(write(tmp_path, "engine: 60\n"))
    assert "section 'engine' must be a mapping" in problem.message


def test_config_must_be_a_mapping(tmp_path):
    problem = one_problem(write(tmp_path, "- engine\n"))
    assert "mapping" in problem.message


def test_every_problem_is_reported(tmp_path):
    path = write(tmp_path, "engine:\n  threshold: 500\n  suggestions: x\nextra: 1\n")
    with pytest.raises(KnowledgeError) as info:
        load_config(path)
    assert len(info.value.problems) == 3


def test_missing_config_file_is_reported(tmp_path):
    with pytest.raises(KnowledgeError, match="file not found"):
        load_config(tmp_path / "absent.yaml")


def test_paths_are_relative_to_the_config_file(tmp_path, monkeypatch):
    path = write(tmp_path, "knowledge:\n  directory: kb\n  qa: my-qa.yaml\n", name="conf/config.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(path)
    base = (tmp_path / "conf").resolve()
    assert config.knowledge_dir == base / "kb"
    assert config.qa_path == base / "kb" / "my-qa.yaml"
    assert config.facts_path == base / "kb" / "facts.yaml"
    assert config.sources_dir == base / "kb" / "sources"


def test_relative_config_path_resolves_against_cwd_then_file(tmp_path, monkeypatch):
    write(tmp_path, "knowledge:\n  directory: ../kb\n", name="conf/config.yaml")
    monkeypatch.chdir(tmp_path)
    config = load_config("conf/config.yaml")
    assert config.path == (tmp_path / "conf" / "config.yaml").resolve()
    assert config.knowledge_dir == (tmp_path / "kb").resolve()


def test_environment_variable_names_the_config(tmp_path, monkeypatch):
    path = write(tmp_path, "engine:\n  threshold: 42\n")
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert load_config().engine.threshold == 42.0


def test_default_config_is_the_projects(tmp_path, monkeypatch):
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert load_config().path == CONFIG.resolve()


def test_moderation_settings_and_their_defaults(tmp_path):
    config = load_config(write(tmp_path, ""))
    assert (config.discord.moderator_roles, config.discord.mod_channel) == ((), None)
    assert config.knowledge.watch_interval > 0
    assert config.learned_path == tmp_path / "knowledge" / "learned.yaml"
    assert config.backups_dir == tmp_path / "knowledge" / "backups"
    assert config.storage_path == tmp_path / "data" / "foc-bot.sqlite3"

    text = (
        "knowledge:\n  watch_interval: 0.2\n  learned: more.yaml\n"
        "discord:\n  moderator_roles: [1, 2]\n  mod_channel: 42\n"
        "storage:\n  path: ../db/bot.sqlite3\n"
    )
    config = load_config(write(tmp_path / "sub", text))
    assert config.knowledge.watch_interval == 0.2
    assert config.learned_path == tmp_path / "sub" / "knowledge" / "more.yaml"
    assert (config.discord.moderator_roles, config.discord.mod_channel) == ((1, 2), 42)
    assert config.storage_path == tmp_path / "db" / "bot.sqlite3"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("discord:\n  moderator_roles: admins\n", "'discord.moderator_roles' must be"),
        ("discord:\n  mod_channel: general\n", "'discord.mod_channel' must be"),
        ("knowledge:\n  watch_interval: -1\n", "between 0 and"),
        ("knowledge:\n  max_import_bytes: 0\n", "between 1 and"),
        ("storage:\n  file: x\n", "unknown setting 'storage.file'"),
    ],
)
def test_bad_moderation_settings_are_refused(tmp_path, text, needle):
    assert needle in one_problem(write(tmp_path, text)).message
