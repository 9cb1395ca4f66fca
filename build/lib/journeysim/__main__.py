"""``python -m journeysim``: the same as the ``journeysim`` command."""

from .launch import main

main()
