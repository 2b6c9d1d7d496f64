"""Run every notebook on a fresh kernel, in order, save it in place, and print how long each took.

This is how the notebooks are saved ("restart kernel and run all"), without widget state.
Usage: python tools/run_notebooks.py [--check] [NOTEBOOK ...]
  --check runs without saving; naming notebooks runs only those (default: all, in order).
"""
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def main():
    save = "--check" not in sys.argv
    named = [Path(arg).resolve() for arg in sys.argv[1:] if arg != "--check"]
    total = 0.0
    for path in named or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=False,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        seconds = time.perf_counter() - start
        total += seconds
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:  # no execution timings (ours or JupyterLab's): they change every save
            cell.metadata.pop("execution", None)
        if save:
            nbformat.write(nb, path)
        print(f"{path.name:<32} {seconds:5.1f} s")
    print(f"{'all notebooks':<32} {total:5.1f} s")


if __name__ == "__main__":
    main()
