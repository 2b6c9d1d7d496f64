"""The explorers in a real browser: JupyterLab in Debian's Chromium, driven by Playwright.

Each notebook with an explorer is copied to a temporary folder (the course's own files are
never touched), opened in a JupyterLab on 127.0.0.1 with a token, and run with "Run All
Cells". Screenshots go to ``test-artifacts/browser/`` (or ``$TEST_ARTIFACTS/browser/``).

Without Chromium or Playwright these tests skip and say why; with ``CI`` set, they fail.
"""
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
EXPLORER_NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")
                            if "training_explorer(" in p.read_text())
CHROMIUM_FLAGS = [
    # Headless, as root, on a machine without a GPU or an internet connection.
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
RUN_SECONDS = 120  # a whole notebook, run in the browser; it takes about 10 s here


def unavailable(reason):
    """Skip on a student's machine; fail in CI, where the browser must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests must run)")
    pytest.skip(reason)


def chromium_path():
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not os.access(path, os.X_OK):
        unavailable(f"Chromium not found ({path or 'not on PATH'}): install Debian's package 'chromium' "
                    "or set CHROMIUM=/path/to/chromium")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_lab_settings(settings_dir):
    """Render every cell (so outputs below the fold exist in the page) and ask no questions."""
    settings = {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false", "checkForUpdates": False},
    }
    for name, values in settings.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a free port of 127.0.0.1, serving copies of the notebooks."""
    pytest.importorskip("jupyterlab")
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    write_lab_settings(home / "settings")
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    port, token = free_port(), secrets.token_hex(16)
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}"] + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(f"{url}/api/status", headers={"Authorization": f"token {token}"})
                urllib.request.urlopen(request, timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start; its log:\n{(home / 'lab.log').read_text()[-3000:]}")
                time.sleep(0.3)
        yield {"url": url, "token": token, "root": root}
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed: pip install -r tests/requirements.txt")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def choose(page, menu, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()


def run_all_cells(page):
    """As a student would: accept the kernel, clear the saved outputs, Run All Cells."""
    select_kernel = page.locator(".jp-Dialog").get_by_role("button", name="Select")
    idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    select_kernel.or_(idle).first.wait_for(timeout=60_000)
    if select_kernel.is_visible():
        select_kernel.click()
    idle.wait_for(timeout=60_000)
    choose(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function("() => !document.querySelector('.jp-CodeCell .jp-OutputArea-output')")
    choose(page, "Run", "Run All Cells")
    # Done when every code cell shows an execution count and the kernel is idle again.
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""", timeout=RUN_SECONDS * 1000)
    idle.wait_for(timeout=RUN_SECONDS * 1000)


def wait_for_new_picture(image, old_src):
    image.page.wait_for_function(
        "([img, old]) => img.src !== old && img.complete && img.naturalWidth > 0",
        arg=[image.element_handle(), old_src], timeout=30_000)


@pytest.mark.parametrize("notebook", EXPLORER_NOTEBOOKS)
def test_explorer_renders_and_answers_its_slider(browser, lab, notebook):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = Path(notebook).stem
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        # A workspace of its own, reset, so no tab from an earlier test is restored.
        page.goto(f"{lab['url']}/lab/workspaces/{stem}/tree/{notebook}?reset&token={lab['token']}")
        run_all_cells(page)

        notebook_panel = page.locator(".jp-NotebookPanel:visible")
        outputs = notebook_panel.locator(".jp-OutputArea-output")
        text = "\n".join(outputs.all_inner_texts())
        assert "Error displaying widget" not in text
        assert notebook_panel.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0, \
            "a cell wrote to stderr (an error or a warning): " + text[-2000:]
        assert "<function" not in text

        explorer = notebook_panel.locator(".jp-OutputArea-output:has(.widget-slider)")
        assert explorer.count() == 1, f"expected one explorer in {notebook}, found {explorer.count()}"
        sliders = explorer.locator(".widget-slider")
        assert sliders.count() == 2  # alpha and batch size
        assert "alpha" in sliders.nth(0).inner_text() and "batch size" in sliders.nth(1).inner_text()
        image = explorer.locator("img")
        image.wait_for(state="visible")
        wait_for_new_picture(image, "")
        explorer.scroll_into_view_if_needed()
        explorer.screenshot(path=ARTIFACTS / f"{stem}-explorer.png")

        # Move the alpha slider one step down with the keyboard; the picture must change.
        readout = sliders.nth(0).locator(".widget-readout")
        alpha_before, src_before, png_before = readout.inner_text(), image.get_attribute("src"), image.screenshot()
        sliders.nth(0).locator(".noUi-handle").focus()
        page.keyboard.press("ArrowLeft")
        wait_for_new_picture(image, src_before)
        assert readout.inner_text() != alpha_before
        assert image.screenshot() != png_before
        explorer.screenshot(path=ARTIFACTS / f"{stem}-explorer-after-slider.png")

        buttons = explorer.locator(".widget-toggle-button")
        if buttons.count():  # notebook 05: the method choice retrains with another method
            src_before = image.get_attribute("src")
            buttons.filter(has_text=re.compile(r"^DNI$")).click()
            wait_for_new_picture(image, src_before)
            assert "DNI" in explorer.locator(".widget-html").inner_text()
            explorer.screenshot(path=ARTIFACTS / f"{stem}-explorer-dni.png")
        assert "Error displaying widget" not in "\n".join(outputs.all_inner_texts())
    except Exception:
        page.screenshot(path=ARTIFACTS / f"{stem}-failure.png", full_page=True)
        raise
    finally:
        page.close()


def test_notebooks_with_explorers_were_found():
    assert set(EXPLORER_NOTEBOOKS) >= {"02_baseline.ipynb", "03_layer_refactor.ipynb",
                                       "04_synthetic_gradients.ipynb", "05_label_conditioning.ipynb"}
