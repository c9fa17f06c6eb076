"""Who may reach a relationship: every operation under /relationships/{relationship_id} in the
OpenAPI document (so a route added later joins the table the day it is added), by every kind
of caller. Integrators' routes by scope are in tests/clients/test_scope_matrix.py.

| caller                              | expected                                           |
| ----------------------------------- | -------------------------------------------------- |
| anonymous                           | 401, for every operation                           |
| an integrator (every scope)         | 401: people's routes take no client token          |
| another peer, a coordinator         | never 2xx or 403, never a name: 404 (or 422/428/400 |
|                                     | for a body or header read before the 404)           |
| one of the two people (reads)       | never 401, 403 or 5xx                              |
"""

import re

from tests.clients.helpers import integrator
from tests.factories import agreeable_terms, agreeing_pair
from tests.personas import peer

PREFIX = "/api/v1/relationships/{relationship_id}"
FILLER = {"number": "1"}  # any other id: a fresh UUID that exists nowhere
UNKNOWN = "00000000-0000-4000-8000-000000000000"
OUTSIDER_MAY_SEE = {400, 404, 422, 428}


def _operations(document: dict) -> list[tuple[str, str]]:
    found = []
    for path, item in document["paths"].items():
        if path == PREFIX or path.startswith(PREFIX + "/"):
            found += [(method.upper(), path) for method in item if method != "parameters"]
    return sorted(found)


def _url(path: str, relationship_id: str) -> str:
    path = path.replace("{relationship_id}", relationship_id)
    return re.sub(r"\{(\w+)\}", lambda m: FILLER.get(m.group(1), UNKNOWN), path)


async def test_every_relationship_route_by_every_kind_of_caller(client, db, settings):
    operations = _operations((await client.get("/openapi.json")).json())
    assert len(operations) >= 40, operations  # agreement, contact, safety, concerns, …
    pair = await agreeing_pair(client, db, settings)
    rid = str(pair.relationship_id)
    eve = await peer(client, "eve")
    client_token = await integrator(client, db, settings)
    callers = {
        "anonymous": {},
        "integrator": client_token.headers,
        "another peer": eve.headers,
        "coordinator": pair.coordinator.headers,
    }
    wrong = []
    for method, path in operations:
        url = _url(path, rid)
        body = agreeable_terms() if method != "GET" else None
        for who, headers in callers.items():
            response = await client.request(
                method, url, json=body, headers={**headers, "If-Match": '"1"'}
            )
            status, text = response.status_code, response.text
            if who in ("anonymous", "integrator"):
                ok = status == 401
            else:
                ok = status in OUTSIDER_MAY_SEE and "Sam" not in text and "Bob" not in text
            if not ok:
                wrong.append((who, method, path, status, text[:200]))
        if method == "GET":
            for person in (pair.seeker, pair.supporter):
                status = (await client.get(url, headers=person.headers)).status_code
                if status in (401, 403) or status >= 500:
                    wrong.append(("owner", method, path, status, ""))
    assert not wrong, "\n".join(map(str, wrong))
