"""The pause API sandbox (``journeysim serve``, X1-X4): a local server that answers the vendors'
pause calls over a running simulation, so pause automation can be tried before production.

Built on FastAPI over uvicorn: the request and response models are pydantic (as the scenario
schema already is), so bodies are validated and ``/openapi.json`` describes every endpoint (X4)
without hand-written code; uvicorn is the standard ASGI server for it, with graceful shutdown on
SIGINT/SIGTERM. Both are the optional ``serve`` extra and are imported only by ``journeysim
serve``, so ``journeysim run`` does not load them.

Modules: ``clock`` (the simulation behind a lock on a virtual clock), ``actions`` (API requests
-> the timeline's PlannedActions and checks), ``auth`` (credentials, tokens), ``answers`` (every
body and status), ``sfmc``, ``definitions`` (create / update), ``blueshift``, ``operator``
(``/sim/...``), ``app``, ``serve``.
"""
