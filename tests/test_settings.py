"""Every ``ENGINE_*`` variable is a field of a settings model: documented in the README's
generated table, validated with an error naming the variable, and read nowhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.settings import EngineSettings, SettingsError, credential_from_env, default_state_dir
from engine.workers.settings import ConfigError, WorkerEnv, WorkerSettings
from scripts.settings_table import README, table, with_table

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_table_is_generated_from_the_models() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_table(text) == text, "stale: run python scripts/settings_table.py --write"
    for model in (EngineSettings, WorkerEnv):
        for name, info in model.model_fields.items():
            assert f"`{model.variable(name)}`" in table()
            assert info.description, f"{model.variable(name)} has no docstring"


def test_no_environment_variable_is_read_outside_the_settings_module() -> None:
    reads = re.compile(r"os\.environ|os\.getenv")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "engine").rglob("*.py")
                 if p.name != "settings.py" and reads.search(p.read_text(encoding="utf-8"))
                 and "PLAYWRIGHT_BROWSERS_PATH" not in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_a_bad_value_names_its_variable() -> None:
    with pytest.raises(SettingsError, match=r"^ENGINE_LOG_FORMAT: Input should be 'text' or"):
        EngineSettings.load({"ENGINE_LOG_FORMAT": "xml"})
    with pytest.raises(SettingsError, match=r"^ENGINE_LOG_LEVEL"):
        EngineSettings.load({"ENGINE_LOG_LEVEL": "chatty"})
    loaded = EngineSettings.load({"ENGINE_LOG_FORMAT": "JSON", "engine_log_level": "info",
                                  "ENGINE_STATE_KEY": "s3cret", "UNRELATED": "x"})
    assert (loaded.log_format, loaded.log_level) == ("json", "INFO")
    assert "s3cret" not in repr(loaded) and loaded.state_key is not None
    assert loaded.state_key.get_secret_value() == "s3cret"


def test_only_the_given_mapping_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_WORKER_KEY", "from-the-real-environment")
    with pytest.raises(ConfigError, match="ENGINE_WORKER_KEY is not set"):
        WorkerSettings.from_env({})
    assert WorkerSettings.from_env().key == "from-the-real-environment"
    with pytest.raises(ConfigError, match=r"^ENGINE_FLEET"):
        WorkerSettings.from_env({"ENGINE_WORKER_KEY": "k", "ENGINE_FLEET": "{bad"})


def test_defaults_are_under_the_users_directories(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.delenv("ENGINE_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert default_state_dir() == tmp_path / "state" / "bank-sync-engine"
    monkeypatch.setenv("ENGINE_STATE_DIR", str(tmp_path / "mine"))
    assert default_state_dir() == tmp_path / "mine"
    bundled = WorkerSettings.from_env({"ENGINE_WORKER_KEY": "k"}).recipes_dir
    assert (bundled / "banque-demo.yaml").is_file()
    assert credential_from_env("password", {"ENGINE_CREDENTIAL_PASSWORD": "x"}) == "x"
