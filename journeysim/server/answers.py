"""Every answer the server gives, built in one place and logged (X2, X3).

Vendor bodies are copied from the vendors' documents; where a document gives only a status code,
the body is the sandbox's (named in docs/server.md). journeysim's explanation of a refusal travels
in the ``X-Journeysim-Problem`` header, so the vendor body stays exactly the vendor's.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

PROBLEM_HEADER = "X-Journeysim-Problem"
NOT_LOGGED = ("/sim/status", "/sim/summary", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")


def sfmc_error(message: str, errorcode: int) -> dict:
    return {"message": message, "errorcode": errorcode, "documentation": ""}


SFMC_NOT_AUTHORIZED = sfmc_error("Not Authorized", 0)
SFMC_MALFORMED = sfmc_error("Please validate that your request is properly formed.", 400)
SFMC_NOT_FOUND = sfmc_error("Interaction not found.", 30003)
SFMC_NO_CHANGE = sfmc_error("No change has been processed, supplied data matches that on the server.", 304)
SFMC_CONFLICT = sfmc_error("Conflict, this change would cause a current operation on the specified interaction or a running "
                           "interaction to be changed, which is not permitted", 409)
SFMC_SERVER_ERROR = sfmc_error("There was a problem processing your request, please try again or contact support", 500)
SFMC_VERSION_REQUIRED = sfmc_error("AllVersions=true or VersionNumber required.", 10005)
SFMC_NOT_PAUSED = sfmc_error("An interaction must be in paused status to be resumed.", 10000)
SFMC_NOT_RUNNING = sfmc_error("An interaction must be in running status to be paused.", 10000)
SFMC_ALREADY_STOPPED = sfmc_error("An interaction must be in running or paused status to be stopped.", 10000)
SFMC_TOO_LARGE = sfmc_error("Request body too large.", 413)
SFMC_INVALID_CLIENT = {"error": "invalid_client",
                       "error_description": "Invalid client ID. Use the client ID in Marketing Cloud Installed Packages.",
                       "error_uri": "https://developer.salesforce.com/docs"}
SFMC_BAD_GRANT = {"error": "unsupported_grant_type", "error_description": "Use grant_type client_credentials.",
                  "error_uri": "https://developer.salesforce.com/docs"}
SFMC_BAD_TOKEN_REQUEST = {"error": "invalid_request", "error_description": "Send grant_type, client_id and client_secret.",
                          "error_uri": "https://developer.salesforce.com/docs"}

BLUESHIFT_UNAUTHORIZED = {"errors": ["Unauthorized: invalid or missing API key"]}
BLUESHIFT_NOT_FOUND = {"errors": ["Campaign not found"]}

TOO_LARGE = {"sfmc": SFMC_TOO_LARGE, "blueshift": {"errors": ["Request body too large"]},
             "sim": {"error": "request body too large"}}
SERVER_ERROR_PROBLEM = "internal error (see the server's log)"
SERVER_ERROR = {"sfmc": SFMC_SERVER_ERROR, "blueshift": {"errors": ["Internal server error"]},
                "sim": {"error": SERVER_ERROR_PROBLEM}}


def family(path: str) -> str:
    if path.startswith("/api/v1/"):
        return "blueshift"
    if path.startswith("/sim/"):
        return "sim"
    return "sfmc"


def answer(request: Request, status: int, body: dict | list | None, *, problem: str = "", headers: dict | None = None,
           logged_body: object = None) -> Response:
    """The response, recorded in the runner's API-call log unless it is a read of the sandbox itself."""
    runner = request.app.state.runner
    path = request.url.path
    if path not in NOT_LOGGED:
        method = "HEAD" if request.scope.get("journeysim.head") else request.method  # HEAD is served as GET
        runner.record(method, path + (f"?{request.url.query}" if request.url.query else ""), status,
                      body if logged_body is None else logged_body)
    runner.finish_if_at_end()
    all_headers = dict(headers or {})
    if problem:
        # a header holds printable ASCII only: a control character (a NUL in a body's key the message quotes) made
        # the HTTP layer drop the connection without an answer
        all_headers[PROBLEM_HEADER] = "".join(c if " " <= c <= "~" else "?" for c in problem)[:500]
    if status == 304:
        return Response(status_code=304, headers=all_headers)
    return JSONResponse(body, status_code=status, headers=all_headers)
