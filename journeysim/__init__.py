"""journeysim: simulate what pausing a marketing journey does to the profiles inside it.

>>> import journeysim
>>> scenario = journeysim.load("scenarios/quickstart.yaml")
>>> result = journeysim.run(scenario)
>>> result.summary["conservation"]["ok"]
True
"""

__version__ = "0.1.0"

from .api import Result, load, run  # noqa: E402

__all__ = ["Result", "__version__", "load", "run"]
