"""Every notebook in notebooks/ runs top to bottom without an error (what `pytest --nbmake` does), as
part of the normal `pytest tests` run, so the notebooks cannot rot.

The kernel is ipykernel's "python3", which jupyter_client starts with this interpreter (a kernelspec
whose command is "python" runs sys.executable), so the notebooks import the journeysim under test.
"""

from pathlib import Path

import pytest
from conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 120


def test_the_three_guides_are_there():
    assert {"quickstart.ipynb", "hold_vs_discard.ipynb", "org_cap_planning.ipynb"} <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path):
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError naming the cell and the traceback
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
