"""journeysim: simulate what pausing a marketing journey does to the profiles inside it.

>>> import journeysim
>>> scenario = journeysim.load("scenarios/quickstart.yaml")
>>> result = journeysim.run(scenario)
>>> result.summary["conservation"]["ok"]
True
"""

__version__ = "0.1.0"

__all__ = ["Result", "__version__", "load", "run"]


def __getattr__(name: str):
    """``journeysim.load`` and friends, imported on first use: the command starts (and Ctrl-C is caught) before numpy loads."""
    if name in ("Result", "load", "run"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'journeysim' has no attribute {name!r}")
