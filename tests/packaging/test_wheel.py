"""The built wheel works where a backend would install it: a fresh virtual environment, a
folder that is not a checkout, the system Chromium.

Offline where possible: the dependencies' wheels are kept in a wheelhouse under the user's
cache (``$XDG_CACHE_HOME/bank-sync-engine/wheelhouse``) and installed with ``--no-index
--find-links``; only when one is missing is the wheelhouse filled (``pip download``, from
the configured index or its mirror), once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.wheel, pytest.mark.browser]


def _cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bank-sync-engine" / "wheelhouse"


def _run(*args: str | Path, cwd: Path, env: dict[str, str], timeout: float = 600,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed ({done.returncode}):\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def _clean_env(home: Path) -> dict[str, str]:
    """The machine's environment without this virtualenv's or the engine's own settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ENGINE_", "VIRTUAL_ENV", "PYTHON", "PYTEST", "COV_"))}
    env.update(HOME=str(home), XDG_STATE_HOME=str(home / "state"),
               XDG_CONFIG_HOME=str(home / "config"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    env["XDG_CACHE_HOME"] = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return env


def _source_copy(target: Path) -> Path:
    """The tracked (and new, not ignored) files of the checkout, symlinks kept: the wheel is
    built from what would be committed, not from stray build output."""
    git = shutil.which("git") or "git"
    listed = subprocess.run([git, "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source, dest = ROOT / name, target / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            dest.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, dest)
    return target


@dataclass
class Installed:
    venv: Path
    wheel: Path
    work: Path
    env: dict[str, str]

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    def run(self, *args: str | Path, check: bool = True,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return _run(*args, cwd=self.work, env=self.env, check=check, timeout=timeout)

    def pip_install(self, requirement: str) -> None:
        wheelhouse = _cache()
        wheelhouse.mkdir(parents=True, exist_ok=True)
        offline = [self.bin("python"), "-m", "pip", "install", "-q", "--no-index",
                   "--find-links", wheelhouse, requirement]
        if self.run(*offline, check=False, timeout=600).returncode == 0:
            return
        self.run(self.bin("python"), "-m", "pip", "download", "-q", "-d", wheelhouse,
                 requirement, timeout=900)
        for own in wheelhouse.glob("bank_sync_engine-*.whl"):
            own.unlink()  # only dependencies belong there
        self.run(*offline, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    home, work = base / "home", base / "work"
    home.mkdir()
    work.mkdir()
    env = _clean_env(home)
    source = _source_copy(base / "src")
    dist = base / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, source,
         cwd=base, env=env)
    wheel = next(dist.glob("bank_sync_engine-*.whl"))
    _run(sys.executable, "-m", "venv", base / "venv", cwd=base, env=env)
    target = Installed(base / "venv", wheel, work, env)
    target.pip_install(str(wheel))
    return target


def test_the_wheel_holds_the_package_its_recipes_and_type_information(
        installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    recipes = sorted(n for n in names if n.startswith("engine/recipes/"))
    assert recipes == [f"engine/recipes/{r.name}" for r in sorted((ROOT / "recipes")
                                                                   .glob("*.yaml"))]
    assert "engine/py.typed" in names
    assert "engine/recipe/recipe.schema.json" in names
    assert any(n.startswith("sites/banque_demo/templates/") for n in names)
    assert not [n for n in names if n.startswith(("tests/", "fixtures/", "recipes/", "bench/"))]
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(installed.wheel).read(metadata).decode()
    requires = [line for line in text.splitlines() if line.startswith("Requires-Dist:")]
    core = [r for r in requires if "extra ==" not in r]
    for optional in ("flask", "celery", "redis", "kombu", "vcrpy", "pytest"):
        assert not [r for r in core if optional in r.lower()], optional


def test_core_install_starts_validates_and_imports(installed: Installed) -> None:
    started = time.perf_counter()
    version = installed.run(installed.bin("engine"), "--version")
    elapsed = time.perf_counter() - started
    assert version.stdout.strip() == "engine, version 0.1.0"
    print(f"\nengine --version in the fresh venv: {elapsed:.3f} s wall")

    listed = json.loads(installed.run(installed.bin("engine"), "recipes", "--json").stdout)
    assert set(listed) == {p.stem for p in (ROOT / "recipes").glob("*.yaml")}
    site_packages = str(installed.venv / "lib")
    assert all(path.startswith(site_packages) for path in listed.values()), listed

    valid = installed.run(installed.bin("engine"), "validate", "banque-demo",
                          listed["neobanque"], "--json")
    report = json.loads(valid.stdout)
    assert report["ok"] and len(report["recipes"]) == 2

    probe = ("import sys, engine\n"
             "assert 'playwright' not in sys.modules and 'httpx' not in sys.modules\n"
             "for name in engine.__all__: getattr(engine, name)\n"
             "print(engine.__version__, len(engine.__all__))")
    assert installed.run(installed.bin("python"), "-c", probe).stdout.split() == [
        "0.1.0", "16"]


def test_a_missing_extra_is_one_line_naming_it(installed: Installed) -> None:
    for command, extra in ((["worker"], "workers"), (["fleet"], "workers"),
                           (["demo"], "demo")):
        done = installed.run(installed.bin("engine"), *command, check=False)
        assert done.returncode != 0, command
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, done.stderr
        assert f"pip install 'bank-sync-engine[{extra}]'" in lines[0], lines[0]
        assert "Traceback" not in done.stderr
    help_text = installed.run(installed.bin("engine"), "--help").stdout
    assert "worker" in help_text and "[workers]" in help_text
    imported = installed.run(installed.bin("python"), "-c", "import sites", check=False)
    assert "pip install 'bank-sync-engine[demo]'" in imported.stderr.splitlines()[-1]


def test_harness_commands_never_use_the_package_folders(installed: Installed) -> None:
    """No ./fixtures here: a clear usage error, not the installed package's fixtures."""
    for command in (["replay", "banque-demo"], ["check", "banque-demo"], ["audit"],
                    ["canary"]):
        done = installed.run(installed.bin("engine"), *command, check=False)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert "no fixtures folder here" in done.stderr or "no recipes folder here" in \
            done.stderr, done.stderr


def test_demo_extra_runs_the_demo_with_the_system_chromium(installed: Installed) -> None:
    installed.pip_install(f"{installed.wheel}[demo]")
    done = installed.run(installed.bin("engine"), "demo", "--json", timeout=300)
    result = json.loads(done.stdout)
    assert result["error"] is None, result["error"]
    assert (len(result["accounts"]), len(result["transactions"]), len(result["holdings"])) == (
        4, 185, 5)
    assert "Banque Démo is running at http://127.0.0.1:" in done.stderr
