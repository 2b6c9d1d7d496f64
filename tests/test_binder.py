"""What Binder builds, built here: a fresh virtual environment from exactly what binder/ declares.

Binder reads ``binder/runtime.txt`` (the Python), installs ``binder/requirements.txt``, then runs
``binder/postBuild``. This test does the same in a temporary folder, runs every notebook in that
environment with a kernel of its own, and checks that the pinned versions are the ones the rest
of the test run used. It needs the package registry and takes a minute or two (marked slow;
``./course test -m "not slow"`` leaves it out).
"""
import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"


def pins(python_version):
    """Name -> exact version that binder/requirements.txt installs on that Python (markers applied)."""
    found = {}
    for line in (BINDER / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate({"python_version": python_version}):
            continue
        specs = list(requirement.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"binder/requirements.txt: {line!r} is not an exact pin"
        assert requirement.name not in found, f"binder/requirements.txt pins {requirement.name} twice for Python {python_version}"
        found[requirement.name] = specs[0].version
    return found

pytestmark = pytest.mark.slow


def binder_python():
    """An interpreter of the version runtime.txt names (python-X.Y), from PATH or pyenv."""
    version = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    candidates = [shutil.which(f"python{version}")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(pyenv.glob(f"{version}.*/bin/python"), reverse=True)
    for candidate in candidates:
        if candidate and subprocess.run([str(candidate), "-c", "import venv"], capture_output=True).returncode == 0:
            return str(candidate), version
    reason = f"Python {version} (binder/runtime.txt) not found on PATH or in pyenv"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    python, version = binder_python()
    home = tmp_path_factory.mktemp("binder")
    # A copy of the repository as Binder would check it out (no virtual environments, no caches).
    repo = home / "repo"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "__pycache__", "*.egg-info", "build", "_build", "test-artifacts", ".ipynb_checkpoints",
        "workbook"))
    venv = home / "env"
    run([python, "-m", "venv", str(venv)])
    bin_dir = venv / "bin"
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", VIRTUAL_ENV=str(venv),
               PIP_DISABLE_PIP_VERSION_CHECK="1", JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    env.pop("PYTHONPATH", None)
    run(["pip", "install", "--quiet", "-r", "binder/requirements.txt"], cwd=repo, env=env)
    run(["bash", "binder/postBuild"], cwd=repo, env=env)
    # postBuild made the student's copies, which the Binder link opens (README's [binder] line).
    assert sorted(p.name for p in (repo / "workbook").glob("*.ipynb")) == sorted(
        p.name for p in (repo / "notebooks").glob("*.ipynb"))
    assert "urlpath=lab/tree/workbook/00_welcome.ipynb" in (repo / "README.md").read_text()
    return {"home": home, "repo": repo, "python": str(bin_dir / "python"), "env": env, "version": version}


def test_binder_environment_has_the_pins_and_the_installed_package(binder_env):
    expected = pins(binder_env["version"])
    script = ("import json, sys, dni_course; from importlib import metadata; "
              f"print(json.dumps({{'python': '%d.%d' % sys.version_info[:2], 'package': dni_course.__file__, "
              f"'versions': {{name: metadata.version(name) for name in {sorted(expected)!r}}}}}))")
    # Run from an empty folder, so only the installed package can be imported.
    found = json.loads(run([binder_env["python"], "-c", script], cwd=binder_env["home"], env=binder_env["env"]))
    assert found["python"] == binder_env["version"]
    assert "site-packages" in found["package"]
    assert found["versions"] == expected


@pytest.mark.skipif(sys.version_info[:2] > (3, 13), reason="./course uses the ranges of requirements.txt after Python 3.13")
def test_this_test_run_used_the_versions_binder_pins():
    """./course test installs binder/requirements.txt on Python 3.10-3.13: CI tests what Binder runs."""
    expected = pins("%d.%d" % sys.version_info[:2])
    assert {name: metadata.version(name) for name in expected} == expected


def test_every_notebook_runs_in_the_binder_environment(binder_env):
    # The notebooks alone, away from the repository, so they cannot fall back to its source.
    folder = binder_env["home"] / "run" / "notebooks"
    shutil.copytree(binder_env["repo"] / "notebooks", folder)
    notebooks = sorted(p.name for p in folder.glob("[0-9]*.ipynb"))
    run([binder_env["python"], "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
         "--ExecutePreprocessor.timeout=300", *notebooks], cwd=folder, env=binder_env["env"])
    for name in notebooks:
        cells = json.loads((folder / name).read_text())["cells"]
        for cell in cells:
            for output in cell.get("outputs", []):
                assert output["output_type"] != "error", f"{name}: {output.get('ename')}: {output.get('evalue')}"
                assert output.get("name") != "stderr", f"{name} wrote to stderr: {output.get('text')}"
        # Every explorer the saved notebook shows is there in Binder too.
        saved = json.loads((binder_env["repo"] / "notebooks" / name).read_text())["cells"]
        if any("training_explorer(" in "".join(cell["source"]) for cell in cells):
            assert widget_outputs(cells) >= 1, f"{name}: its explorer is missing"
        assert widget_outputs(cells) == widget_outputs(saved), \
            f"{name}: {widget_outputs(cells)} widget outputs in Binder, {widget_outputs(saved)} saved"


def widget_outputs(cells):
    return sum("application/vnd.jupyter.widget-view+json" in output.get("data", {})
               for cell in cells for output in cell.get("outputs", []))


def test_jupyterlab_asks_no_news_question(binder_env):
    """postBuild installs binder/overrides.json (./course lab does the same): JupyterLab's
    defaults then neither fetch news nor check for updates, so no pop-up covers notebook 00."""
    script = ("import json, os; from jupyterlab.commands import get_app_dir; "
              "from jupyterlab_server.settings_utils import get_settings; app = get_app_dir(); "
              "found, _ = get_settings(os.path.join(app, 'settings'), os.path.join(app, 'schemas'), "
              "os.path.join(os.getcwd(), 'no-user-settings'), "
              "schema_name='@jupyterlab/apputils-extension:notification'); "
              "print(json.dumps({k: v.get('default') for k, v in found['schema']['properties'].items()}))")
    defaults = json.loads(run([binder_env["python"], "-c", script], cwd=binder_env["home"],
                              env=binder_env["env"]))
    assert defaults["fetchNews"] == "false"
    assert defaults["checkForUpdates"] is False


def test_repo2docker_reads_binder_folder_as_meant():
    """Binder's own reading of binder/: repo2docker's Dockerfile, made without Docker (under a
    second): the Python of runtime.txt, the pinned requirements, then postBuild; nothing from the
    version ranges of the root's requirements.txt."""
    repo2docker = shutil.which("repo2docker", path=str(Path(sys.executable).parent))
    if repo2docker is None:
        reason = "repo2docker is not installed (tests/requirements.txt has it: ./course test)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    result = subprocess.run([repo2docker, "--no-build", "--no-run", "--debug", str(ROOT)],
                            capture_output=True, text=True, timeout=120)
    text = result.stdout + result.stderr
    assert result.returncode == 0, text[-3000:]
    version = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    assert f"python={version}" in text
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in text
    assert "RUN ./binder/postBuild" in text
    assert "src/requirements.txt" not in text
