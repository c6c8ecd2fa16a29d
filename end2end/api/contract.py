"""The API against its OpenAPI document, on a live server.

1. The document at /api/openapi.json is validated by openapi-spec-validator (OpenAPI 3.1).
2. Schemathesis generates requests for every operation from the document (valid and invalid
   input, bounded examples per operation) as a signed-in admin, and checks every answer:
   never a 5xx, a documented status, the documented content type and a body that matches
   the documented schema.

Usage: python contract.py BASE_URL [MAX_EXAMPLES]   (the server must be running, with the
demo agents seeded). Exits non-zero on any finding.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

from openapi_spec_validator import validate

BASE = sys.argv[1].rstrip("/")
MAX_EXAMPLES = sys.argv[2] if len(sys.argv) > 2 else "20"


def wait_until_up(deadline_s: float = 60.0) -> None:
    started = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(f"{BASE}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() - started > deadline_s:
            sys.exit(f"the server at {BASE} did not answer /health within {deadline_s:.0f} s")
        time.sleep(0.2)


def session_cookie() -> str:
    """Signs the demo admin in and returns its `Cookie` header value."""
    body = json.dumps({"email": "admin@baton.dev", "password": "baton-demo"}).encode()
    request = urllib.request.Request(
        f"{BASE}/api/agent/login",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        cookie = answer.headers["Set-Cookie"]
    return cookie.split(";", 1)[0]


def main() -> int:
    wait_until_up()
    with urllib.request.urlopen(f"{BASE}/api/openapi.json", timeout=10) as answer:
        document = json.load(answer)
    validate(document)
    operations = sum(len(item) for item in document["paths"].values())
    print(f"openapi.json: valid OpenAPI {document['openapi']}, {operations} operations")

    command = [
        os.path.join(os.path.dirname(sys.executable), "st"),
        "run",
        f"{BASE}/api/openapi.json",
        "--url",
        BASE,
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance",
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        "20261126",
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--request-timeout",
        "10",
        "--header",
        f"Cookie: {session_cookie()}",
        # Signing out would end the session every other operation runs in.
        "--exclude-path",
        "/api/agent/logout",
        "--suppress-health-check",
        "all",
    ]
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
