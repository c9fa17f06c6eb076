"""Who may reach what, for every operation that names something by id (and every staff list):
a real one of each kind is made, then each operation the OpenAPI document lists for it is
called by everyone, so a route added later joins its row the day it is added, and a route of
a new kind fails until it has a row. Operations under /relationships/{relationship_id} are in
test_access_matrix.py; integrators' routes by every scope in tests/clients/test_scope_matrix.py.

| who asks                          | people's routes | /coordination | /admin | integrators' |
| --------------------------------- | --------------- | ------------- | ------ | ------------ |
| anonymous                         | 401             | 401           | 401    | 401          |
| its own person                    | yes             | 403           | 403    |              |
| its own integrator                | 401             | 401           | 401    | yes          |
| another peer (the other of a pair)| hidden          | 403           | 403    | 401          |
| a coordinator without 2nd factor  | hidden          | 403           | 403    | 401          |
| a coordinator                     | hidden          | yes           | 403    | 401          |
| an administrator                  | hidden          | yes           | yes    | 401          |
| another integrator (every scope)  | 401             | 401           | 401    | hidden       |
| its integrator without the scope  |                 |               |        | 403          |

"yes": a read answers 2xx, a change never 401 or 403; "hidden": 404, word for word the answer
to an id nobody was given (or a 400, 422 or 428 about the request, read before the 404), never
a name or anything written. Never a 5xx for
anyone, and no refusal carries a name or what people wrote. A calendar feed is its own key:
a made-up one is a 404 for everyone, the real one a calendar without a login.
"""

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.clients.scopes import SCOPES
from tests.clients.helpers import Integrator, admin, integrator, token_for
from tests.conformance import resources
from tests.conformance.resources import Callers, Made, Maker
from tests.personas import Person, peer, staff

API = "/api/v1"
ELSEWHERE = "/relationships/{relationship_id}"  # test_access_matrix.py
HIDDEN = {400, 404, 422, 428}


@dataclass(frozen=True)
class Row:
    kind: str
    paths: tuple[str, ...]  # an operation is in the row at one of these paths or under one
    make: Maker
    named: bool = True  # False: only the paths that name nothing by id


ROWS = [
    Row("account", ("/admin/accounts/{user_id}",), resources.account),
    Row("client", ("/admin/clients/{client_id}",), resources.client_record),
    Row("referral", ("/referrals/{referral_id}",), resources.referral),
    Row("webhook endpoint", ("/webhooks/endpoints/{endpoint_id}",), resources.webhook_endpoint),
    Row("debrief", ("/me/debriefs/{note_id}",), resources.debrief),
    Row(
        "push subscription",
        ("/me/push-subscriptions/{subscription_id}",),
        resources.push_subscription,
    ),
    Row(
        "support request",
        ("/support-requests/{request_id}", "/coordination/support-requests/{request_id}"),
        resources.support_request,
    ),
    Row("introduction", ("/introductions/{relationship_id}",), resources.introduction),
    Row("notice", ("/notices/{notice_id}",), resources.notice),
    Row("concern", ("/coordination/concerns/{concern_id}",), resources.concern),
    Row(
        "moderation decision",
        ("/moderation/decisions/{decision_id}", "/coordination/moderation/decisions/{decision_id}"),
        resources.moderation_decision,
    ),
    Row("relationship", ("/coordination/relationships/{relationship_id}",), resources.relationship),
    Row(
        "safeguarding access",
        ("/coordination/safeguarding-access/{access_id}",),
        resources.safeguarding_access,
    ),
    Row("supporter", ("/coordination/supporters/{user_id}",), resources.supporter_record),
    Row("offer", ("/coordination/supporter-offers/{offer_id}",), resources.offer),
    Row("batch draft", ("/coordination/batches/{draft_id}",), resources.batch),
    Row(
        "service",
        (
            "/coordination/settings/{key}",
            "/coordination/statistics/{table}.csv",
            "/coordination/taxonomy/categories/{category_id}",
            "/coordination/taxonomy/tags/{tag_id}",
        ),
        resources.service,
    ),
    Row("calendar feed", ("/calendar/{file}",), resources.calendar),
    Row("staff lists", ("/coordination", "/admin"), resources.lists, named=False),
]

# Who may do what, by the route's audience (the table above). "yes" and "hidden" as there.
EXPECTED = {
    "people": {"anonymous": "401", "integrator": "401", "owner": "yes", "peer": "hidden",
               "coordinator": "hidden", "administrator": "hidden"},
    "staff": {"anonymous": "401", "integrator": "401", "owner": "403", "peer": "403",
              "coordinator": "yes", "administrator": "yes"},
    "admins": {"anonymous": "401", "integrator": "401", "owner": "403", "peer": "403",
               "coordinator": "403", "administrator": "yes"},
    "integrators": {"anonymous": "401", "integrator": "hidden", "owner": "yes", "peer": "401",
                    "coordinator": "401", "administrator": "401", "without the scope": "403"},
}  # fmt: skip
# Narrower than the audience: the whole moderation record is the safeguarding lead's and
# administrators' (a coordinator who isn't the lead: 403); what two people wrote to each other
# only through a safeguarding access, which the coordinator has opened and the administrator
# hasn't (403, and not a word of it).
NARROWER = {
    ("/coordination/moderation/decisions", "coordinator"): "403",
    ("/coordination/moderation/decisions.csv", "coordinator"): "403",
    ("/coordination/relationships/{relationship_id}/messages", "administrator"): "403",
    ("/coordination/relationships/{relationship_id}/own-words", "administrator"): "403",
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # after /api/v1
    audience: str
    scopes: frozenset[str]  # an integrator route's
    body: Any

    @property
    def reads(self) -> bool:
        return self.method == "GET"


def _in_scope(path: str) -> bool:
    if path == ELSEWHERE or path.startswith(ELSEWHERE + "/"):
        return False
    return "{" in path or path.startswith(("/coordination", "/admin"))


def _row_of(path: str) -> list[Row]:
    return [
        row
        for row in ROWS
        if row.named == ("{" in path)
        and any(path == p or path.startswith(p + "/") for p in row.paths)
    ]


def _example(document: dict, operation: dict) -> Any:
    """The request body the document gives as its example ({} when it gives none)."""
    if "requestBody" not in operation:
        return None
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    for option in [schema, *schema.get("anyOf", [])]:
        if "$ref" in option:
            found = document["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]
            return (found.get("examples") or [{}])[0]
    return {}


def _audience(path: str, operation: dict) -> str:
    security = operation.get("security", [])
    if any("IntegratorClient" in s for s in security):
        return "integrators"
    if not security:
        return "anyone with the link"
    if path.startswith("/admin"):
        return "admins"
    return "staff" if path.startswith("/coordination") else "people"


def _operations(document: dict) -> list[Operation]:
    found = []
    for full, item in document["paths"].items():
        path = full.removeprefix(API)
        if not _in_scope(path):
            continue
        for method, operation in item.items():
            if method == "parameters":
                continue
            security = operation.get("security", [])
            scopes = {s for r in security for s in r.get("IntegratorClient", [])}
            found.append(
                Operation(
                    method.upper(),
                    path,
                    _audience(path, operation),
                    frozenset(scopes),
                    _example(document, operation),
                )
            )
    return found


async def _document(client) -> dict:
    return (await client.get("/openapi.json")).json()


async def test_every_operation_that_names_something_is_in_a_row(client):
    operations = _operations(await _document(client))
    assert len(operations) >= 85, len(operations)
    unplaced = [(o.method, o.path, [r.kind for r in _row_of(o.path)]) for o in operations]
    assert [u for u in unplaced if len(u[2]) != 1] == [], "each operation needs exactly one row"
    for row in ROWS:  # and no row is left over from a route that is gone
        assert any(row in _row_of(o.path) for o in operations), row.kind


def _url(path: str, ids: dict[str, str]) -> str:
    return API + re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def _leaks(text: str, made: Made) -> list[str]:
    return [s for s in made.secrets if re.search(rf"\b{re.escape(s)}\b", text)]


def _problem(expected: str, op: Operation, status: int, text: str, made: Made) -> str | None:
    if status >= 500:
        return "a server error"
    if expected == "yes":
        if op.reads and not 200 <= status < 300:
            return "a read by whoever may should succeed"
        return "refused whoever may" if status in (401, 403) else None
    if expected == "hidden":
        if status not in HIDDEN:
            return f"should be hidden ({sorted(HIDDEN)})"
    elif status != int(expected):
        return f"should be {expected}"
    return f"leaks {_leaks(text, made)}" if _leaks(text, made) else None


async def _callers(client, db, settings) -> Callers:
    ada = await admin(client, db, settings)
    return Callers(
        coordinator=await staff(client, db, settings),
        admin=ada,
        unproven=await staff(client, db, settings, name="tobin", second_factor=False),
        peer=await peer(client, "eve"),
        integrator=await integrator(client, db, settings, name="Elsewhere CRM", by=ada),
    )


# Changes that end the thing go after the others, so those find it still there.
ENDINGS = ("/revoke", "/refuse", "/decline", "/safety-end")


def _order(operations: list[Operation]) -> list[Operation]:
    """Reads first; then a person's changes before the staff's (an appeal, then its decision),
    and deleting or ending it last."""
    rank = ["anyone with the link", "people", "integrators", "staff", "admins"]

    def key(o: Operation) -> tuple[int, int, bool]:
        if o.reads:
            return (0, 0, False)
        ends = o.method == "DELETE" or o.path.endswith(ENDINGS)
        return (1, rank.index(o.audience), ends)

    return sorted(operations, key=key)


async def _as_everyone(client, op: Operation, made: Made, who: Callers, narrow: dict) -> list:
    """Everyone's answer to the operation, checked: whoever may, last."""
    headers: dict[str, tuple[str, dict]] = {
        "anonymous": ("anonymous", {}),
        "another integrator": ("integrator", who.integrator.headers),
        "another peer": ("peer", who.peer.headers),
        "a coordinator without a second factor": ("peer", who.unproven.headers),
        **{f"the other person, {p.name}": ("peer", p.headers) for p in made.bystanders},
        "a coordinator": ("coordinator", who.coordinator.headers),
        "an administrator": ("administrator", who.admin.headers),
    }
    owner = made.owner
    if isinstance(owner, Integrator) and op.audience == "integrators":
        other = next(s for s in SCOPES if s not in op.scopes)
        lacking = await token_for(client, owner.client_id, owner.secret, scope=other)
        headers["its integrator without the scope"] = (
            "without the scope",
            {"Authorization": f"Bearer {lacking}"},
        )
    if isinstance(owner, Integrator):
        kind = "owner" if op.audience == "integrators" else "integrator"
        headers["its integrator"] = (kind, owner.headers)
    elif isinstance(owner, Person):
        headers[f"its own person, {owner.name}"] = ("owner", owner.headers)
    expected = {
        name: narrow.get((op.path, kind)) or EXPECTED[op.audience][kind]
        for name, (kind, _) in headers.items()
    }
    wrong = []
    for name in sorted(headers, key=lambda n: expected[n] == "yes"):
        answer = await client.request(
            op.method, _url(op.path, made.ids), json=op.body, headers=headers[name][1]
        )
        problem = _problem(expected[name], op, answer.status_code, answer.text, made)
        if not problem and expected[name] == "hidden" and answer.status_code == 404:
            problem = await _told_apart(client, op, made, headers[name][1], answer)
        if problem:
            wrong.append((name, op.method, op.path, answer.status_code, problem, answer.text[:200]))
    return wrong


def _gist(answer: httpx.Response) -> tuple[int, dict]:
    problem = answer.json()
    return answer.status_code, {k: v for k, v in problem.items() if k != "instance"}


async def _told_apart(client, op: Operation, made: Made, headers: dict, answer) -> str | None:
    """Hidden means as if it didn't exist: the same answer as for an id nobody was given."""
    nobody = {k: "987654" if v.isdigit() else str(uuid.uuid4()) for k, v in made.ids.items()}
    made_up = await client.request(op.method, _url(op.path, nobody), json=op.body, headers=headers)
    if _gist(made_up) != _gist(answer):
        return f"answers a made-up id otherwise: {made_up.status_code} {made_up.text[:200]}"
    return None


def _made_up(value: str) -> list[str]:
    """Keys nobody was given: one of the same shape, and the real one a character off."""
    stem, dot, tail = value.rpartition(".") if "." in value else (value, "", "")
    near = stem[:-1] + ("k" if stem[-1] != "k" else "m")
    return ["k" * len(stem) + dot + tail, near + dot + tail]


async def _by_its_key(client, op: Operation, made: Made, who: Callers) -> list:
    """A route whose id is its own key (a calendar feed): a made-up key is a 404 for everyone,
    never an answer; the real one answers without a login."""
    wrong = []
    callers = [{}, who.peer.headers, who.coordinator.headers, who.integrator.headers]
    for param, value in made.ids.items():
        for guess in _made_up(value):
            url = _url(op.path, {**made.ids, param: guess})
            for headers in callers:
                answer = await client.request(op.method, url, headers=headers)
                if answer.status_code != 404 or _leaks(answer.text, made):
                    wrong.append(("a made-up key", op.path, answer.status_code, answer.text[:200]))
    real = await client.request(op.method, _url(op.path, made.ids))
    if not 200 <= real.status_code < 300:
        wrong.append(("the real key, without a login", op.path, real.status_code, real.text[:200]))
    return wrong


@pytest.mark.parametrize("row", ROWS, ids=[r.kind for r in ROWS])
async def test_who_reaches_each_kind_of_thing(client, db, settings, row: Row):
    operations = [o for o in _operations(await _document(client)) if row in _row_of(o.path)]
    assert operations, row.kind
    who = await _callers(client, db, settings)
    made = await row.make(client, db, settings, who)
    wrong = []
    for op in _order(operations):
        if op.audience == "anyone with the link":
            wrong += await _by_its_key(client, op, made, who)
        else:
            wrong += await _as_everyone(client, op, made, who, NARROWER)
    assert not wrong, "\n".join(map(str, wrong))
