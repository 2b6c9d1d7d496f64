"""The explorers in a real browser: JupyterLab and Notebook 7 in Debian's Chromium, driven by Playwright.

Each notebook with an explorer is copied to a temporary folder (the course's own files are
never touched), opened on a Jupyter server on 127.0.0.1 with a token, in JupyterLab (at 1280 px
with the file browser open) and in Notebook 7, and run with "Run All Cells". Screenshots go to
``test-artifacts/browser/`` (or ``$TEST_ARTIFACTS/browser/``).

Notebook 7 runs its keyboard shortcuts before a widget sees the key (jupyter/notebook#7716), so
there the arrow keys do not move a slider: the test checks the way README.md gives instead
(type a value into the slider's number), and an expected failure records the upstream bug.

Without Chromium or Playwright these tests skip and say why; with ``CI`` set, they fail.
"""
import importlib.util
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
                            if "training_explorer(" in p.read_text() or "DelayExplorer(" in p.read_text())
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
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    select_kernel = page.locator(".jp-Dialog").get_by_role("button", name="Select")
    idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    select_kernel.or_(idle).first.wait_for(timeout=60_000)
    if select_kernel.is_visible():
        select_kernel.click()
    idle.wait_for(timeout=60_000)
    choose(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function("() => !document.querySelector('.jp-CodeCell .jp-OutputArea-output')", timeout=60_000)
    # Done when every code cell shows an execution count and the kernel is idle again. On a busy
    # machine a Run All given while the kernel still settles was once lost: then, with the kernel
    # idle and cells unrun, give it once more, as a student would (a cell that fails stops both).
    for attempt in (1, 2):
        choose(page, "Run", "Run All Cells")
        try:
            page.wait_for_function(
                """() => {
                    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                    return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
                }""", timeout=RUN_SECONDS * 1000)
            break
        except PlaywrightTimeout:
            prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
            if attempt == 2 or not idle.is_visible():
                raise AssertionError(f"Run All Cells did not run every cell; their prompts: {prompts}") from None
    idle.wait_for(timeout=RUN_SECONDS * 1000)


FRONT_ENDS = {
    # A workspace of its own, reset, so no tab from an earlier test is restored.
    "lab": "{url}/lab/workspaces/{stem}/tree/{notebook}?reset&token={token}",
    "notebook7": "{url}/notebooks/{notebook}?token={token}",
}

# Samples the explorer's height and what it shows (figure dimmed, progress bar moved, which figure)
# on every frame and after every change to its page (a MutationObserver sees each message the
# kernel sends as its own change, even when no frame is drawn between two of them).
WATCH = """explorer => {
    window.dniFrames = [];
    window.dniStates = [];
    const fingerprint = text => {  // which figure, in short: a 32-bit hash of its data
        let hash = 0;
        for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
        return text.length + ':' + hash;
    };
    const sample = () => {
        const picture = explorer.querySelector('.dni-figure');
        const bar = explorer.querySelector('.progress-bar');
        const img = explorer.querySelector('.dni-figure img');
        const state = [picture !== null && picture.classList.contains('dni-stale'),
                       bar === null ? 0 : parseFloat(bar.style.width || '0'),  // percent done
                       img === null ? '' : fingerprint(img.src)];
        const last = window.dniStates[window.dniStates.length - 1];
        if (!last || last.some((value, i) => value !== state[i])) window.dniStates.push(state);
        return picture;
    };
    const frame = () => {
        const picture = sample();
        window.dniFrames.push([explorer.getBoundingClientRect().height,
                               picture !== null && picture.classList.contains('dni-stale')]);
        window.dniWatch = requestAnimationFrame(frame);
    };
    window.dniObserver = new MutationObserver(sample);
    window.dniObserver.observe(explorer, {subtree: true, childList: true, attributes: true,
                                          attributeFilter: ['class', 'style', 'src']});
    frame();
}"""
STOP_WATCH = """() => {
    cancelAnimationFrame(window.dniWatch);
    window.dniObserver.disconnect();
    return [window.dniFrames, window.dniStates];
}"""


def wait_for_new_picture(explorer, old_src):
    """Wait until the explorer shows a loaded figure other than ``old_src`` (each new figure
    is a new <img> element, so look it up each time) and has finished: not dimmed, and its
    status line no longer says "Training" (on a busy machine a change that was queued behind
    an earlier one may still be training when the earlier figure arrives)."""
    explorer.page.wait_for_function(
        """([explorer, old]) => {
            const img = explorer.querySelector('.dni-figure img');
            const status = explorer.querySelector('.dni-status');
            return img !== null && img.src !== old && img.complete && img.naturalWidth > 0
                && explorer.querySelector('.dni-stale') === null
                && status !== null && !status.innerText.startsWith('Training');
        }""", arg=[explorer.element_handle(), old_src], timeout=30_000)


def change_and_watch(explorer, image, action):
    """Do ``action``, wait for the new figure; return the explorer heights seen meanwhile and
    whether the old figure was shown as stale. Checks that feedback came first: the old figure
    was dimmed and the progress bar partly filled (training not yet done) before the first new
    figure appeared. The order of these events is checked, not their times."""
    page = explorer.page
    src_before = image.get_attribute("src")
    explorer.evaluate(WATCH)
    action()
    wait_for_new_picture(explorer, src_before)
    page.wait_for_timeout(300)  # a few frames after the new figure
    frames, states = page.evaluate(STOP_WATCH)
    old = states[0][2]  # sampled when the watch began, before the action
    first_new = next(i for i, (_, _, src) in enumerate(states) if src not in ("", old))
    # Dimmed while the progress bar stood between 0 and 100%: while the run was still training.
    assert any(stale and 0 < done < 100 for stale, done, _ in states[:first_new]), \
        f"the figure was not dimmed with the progress bar moving before the new figure came: {states}"
    return {round(height) for height, _ in frames}, any(stale for _, stale in frames)


def open_notebook(browser, lab, front_end, notebook):
    if front_end == "notebook7" and importlib.util.find_spec("notebook") is None:
        unavailable("Notebook 7 is not installed: pip install -r tests/requirements.txt")
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(FRONT_ENDS[front_end].format(stem=Path(notebook).stem, notebook=notebook, **lab))
    if front_end == "lab":  # as a student has it: the file browser open beside the notebook
        page.locator(".jp-FileBrowser").first.wait_for(state="attached", timeout=60_000)
        if not page.locator(".jp-FileBrowser").first.is_visible():
            page.get_by_role("tab", name=re.compile("File Browser")).first.click()
    return page


@pytest.mark.parametrize("front_end", sorted(FRONT_ENDS))
@pytest.mark.parametrize("notebook", EXPLORER_NOTEBOOKS)
def test_explorer_renders_and_answers_its_controls(browser, lab, notebook, front_end):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = f"{Path(notebook).stem}-{front_end}"
    page = open_notebook(browser, lab, front_end, notebook)
    try:
        run_all_cells(page)

        notebook_panel = page.locator(".jp-NotebookPanel:visible")
        outputs = notebook_panel.locator(".jp-OutputArea-output")
        text = "\n".join(outputs.all_inner_texts())
        assert "Error displaying widget" not in text
        assert notebook_panel.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0, \
            "a cell wrote to stderr (an error or a warning): " + text[-2000:]
        assert "<function" not in text
        for img in notebook_panel.locator(".jp-OutputArea-output img").all():  # every figure has a text alternative
            assert len(img.get_attribute("alt") or "") > 20, "a figure without a text alternative"

        explorer = notebook_panel.locator(".jp-OutputArea-output:has(.widget-slider)")
        assert explorer.count() == 1, f"expected one explorer in {notebook}, found {explorer.count()}"
        sliders = explorer.locator(".widget-slider")
        delay = "DelayExplorer(" in (ROOT / "notebooks" / notebook).read_text()  # 06: one slider, the delay
        assert ("target delay" if delay else "alpha") in sliders.nth(0).inner_text()
        batch_size = explorer.locator(".widget-dropdown select")
        assert delay or batch_size.count() == 1 and "batch size" in explorer.locator(".widget-dropdown").inner_text()
        image = explorer.locator(".dni-figure img")
        image.wait_for(state="visible")
        wait_for_new_picture(explorer, "")
        alt = image.get_attribute("alt")
        assert "bit accuracy" in alt or "cosine similarity" in alt
        explorer.scroll_into_view_if_needed()
        explorer.screenshot(path=ARTIFACTS / f"{name}-explorer.png")

        # A new alpha, as a student sets it in this front end; the picture must change, the
        # old one must be marked stale meanwhile, and nothing may change height.
        alpha = sliders.nth(0)
        readout = alpha.locator(".widget-readout")
        alpha_before, src_before = readout.inner_text(), image.get_attribute("src")
        if front_end == "lab":
            def move():
                alpha.locator(".noUi-handle").click()
                page.keyboard.press("ArrowLeft")
        else:  # Notebook 7: type the value into the slider's number (README, "Notebook 7")
            def move():
                readout.click()
                page.keyboard.press("Control+A")
                page.keyboard.type(str(int(alpha_before) // 2) if delay else str(float(alpha_before) / 2))
                page.keyboard.press("Enter")
        heights, stale = change_and_watch(explorer, image, move)
        assert readout.inner_text() != alpha_before
        assert explorer.locator(".dni-figure img").get_attribute("src") != src_before  # a new picture
        assert stale, "the old figure was not marked stale while training"
        assert len(heights) == 1, f"the explorer changed height while training: {sorted(heights)}"
        explorer.screenshot(path=ARTIFACTS / f"{name}-explorer-after-alpha.png")
        if delay:  # the delay explorer has no other control
            status = explorer.locator(".dni-status").inner_text()
            assert f"targets {readout.inner_text()} batches late" in status, status
            assert "Error displaying widget" not in "\n".join(outputs.all_inner_texts())
            return

        # Batch size 1 from the menu: fewer epochs, and the status line says why.
        heights, _ = change_and_watch(explorer, image, lambda: batch_size.select_option("1"))
        status = explorer.locator(".dni-status").inner_text()
        assert "batch 1" in status and "weight updates" in status, status
        assert len(heights) == 1, f"the explorer changed height while training: {sorted(heights)}"

        radios = explorer.locator(".widget-radio-box label")
        if radios.count():  # notebooks 05 and 09: the method choice retrains with another method
            other = radios.filter(has_not=page.locator("input:checked")).first
            method = other.inner_text()
            heights, _ = change_and_watch(explorer, image, other.click)
            assert explorer.locator(".dni-status").inner_text().startswith(method)
            selected = radios.filter(has=page.locator("input:checked"))
            assert selected.inner_text() == method and selected.evaluate("e => getComputedStyle(e).fontWeight") == "700"
            assert len(heights) == 1, f"the explorer changed height while training: {sorted(heights)}"
            explorer.screenshot(path=ARTIFACTS / f"{name}-explorer-other-method.png")
        assert "Error displaying widget" not in "\n".join(outputs.all_inner_texts())
    except Exception:
        page.screenshot(path=ARTIFACTS / f"{name}-failure.png", full_page=True)
        raise
    finally:
        page.close()


@pytest.mark.xfail(strict=True, raises=AssertionError, reason="upstream: Notebook 7 handles shortcuts before widgets (jupyter/notebook#7716); "
                                       "when this passes, update README's Notebook 7 section and this test")
def test_notebook7_arrow_keys_move_a_focused_slider(browser, lab):
    page = open_notebook(browser, lab, "notebook7", EXPLORER_NOTEBOOKS[0])
    try:
        run_all_cells(page)
        alpha = page.locator(".jp-OutputArea-output .widget-slider").first
        readout = alpha.locator(".widget-readout")
        before = readout.inner_text()
        alpha.locator(".noUi-handle").click()
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(2000)
        assert readout.inner_text() != before, "ArrowLeft on the focused alpha slider did not move it"
    finally:
        page.close()


def test_notebooks_with_explorers_were_found():
    assert set(EXPLORER_NOTEBOOKS) >= {"02_baseline.ipynb", "03_layer_refactor.ipynb",
                                       "04_synthetic_gradients.ipynb", "05_label_conditioning.ipynb",
                                       "06_decoupling.ipynb", "09_random_feedback.ipynb"}
