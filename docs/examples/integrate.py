"""A tour of linkwork's integration points, using only Python's standard library.

Run it against a linkwork server with a connector's API token:

    LINKWORK_URL=http://127.0.0.1:8000 LINKWORK_TOKEN=lw_... python docs/examples/integrate.py

It sends a referral as a FHIR ServiceRequest (twice, to show that a repeat is recorded once), reads the
referral back from the staff API, exports the first support episode on the token owner's caseload as a
FHIR Bundle, and reads a page of the public Open Referral UK directory feed. tests/docs/ runs it against
a live server, so it stays true.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

BASE = os.environ.get("LINKWORK_URL", "http://127.0.0.1:8000").rstrip("/")
TOKEN = os.environ.get("LINKWORK_TOKEN", "")

REFERRAL = {
    "resourceType": "ServiceRequest",
    "identifier": [{"system": "https://riverside-surgery.example/referrals", "value": "R-2001"}],
    "status": "active",
    "intent": "order",
    "code": {
        "coding": [
            {
                "system": "http://snomed.info/sct",
                "code": "871731000000106",
                "display": "Referral to social prescribing service",
            }
        ]
    },
    "contained": [
        {
            "resourceType": "Patient",
            "id": "patient",
            "name": [{"given": ["Margaret"], "family": "Oduya"}],
            "birthDate": "1948-03-27",
            "telecom": [{"system": "phone", "value": "0113 496 0000"}],
        }
    ],
    "subject": {"reference": "#patient"},
    "reasonCode": [{"text": "Lives alone since her husband died and rarely goes out."}],
}


def call(method: str, path: str, body: Any = None, *, token: bool = True) -> tuple[int, dict[str, str], Any]:
    """One request; returns the status, the headers and the decoded JSON body."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/fhir+json"
    if token:
        headers["Authorization"] = f"Bearer {TOKEN}"
    request = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  (our own server)
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def main() -> int:
    if not TOKEN:
        print("Set LINKWORK_TOKEN to an API token (linkwork token create USERNAME).", file=sys.stderr)
        return 2

    status, _, me = call("GET", "/api/v1/me")
    print(f"signed in as {me['user']['username']} of {me['organisation']['name']} ({status})")

    # 1. A referral as FHIR: 201 the first time, 200 with the same reference when sent again.
    status, headers, outcome = call("POST", "/api/v1/fhir/ServiceRequest", REFERRAL)
    reference = outcome["issue"][0]["details"]["text"]
    print(f"referral sent: {status}, reference {reference}, at {headers['Location']}")
    again, _, repeat = call("POST", "/api/v1/fhir/ServiceRequest", REFERRAL)
    print(f"sent again: {again}, reference {repeat['issue'][0]['details']['text']}")

    # 2. The same referral in the staff API.
    status, _, referral = call("GET", headers["Location"])
    print(f"staff API: referral {referral['reference']} is {referral['status']} ({status})")

    # 3. An episode as a FHIR Bundle.
    status, _, caseload = call("GET", "/api/v1/caseload")
    episodes = [row["episode_id"] for row in caseload if row["episode_id"] is not None]
    if episodes:
        episode_id = episodes[0]
        status, _, bundle = call("GET", f"/api/v1/episodes/{episode_id}/fhir")
        kinds = sorted({entry["resource"]["resourceType"] for entry in bundle["entry"]})
        print(f"episode {episode_id} as FHIR: {bundle['type']} bundle of {', '.join(kinds)} ({status})")
    else:
        print("no support episodes on this caseload to export")

    # 4. The public directory feed needs no token.
    status, _, page = call("GET", "/openreferral/services?per_page=5", token=False)
    names = [service["name"] for service in page["contents"]]
    print(f"Open Referral UK feed: {page['total_items']} services, first page {names} ({status})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
