"""The header's unread count includes what waits for my answer as soon as it waits, and each
notice links to the page where I can act on it (not to the relationship's safety page)."""

import html
import re

from tests.factories import agreeable_terms, as_of
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import staff
from tests.relationships.forms import web_login


def bell(page: str) -> str:
    found = re.search(r'class="notices-link" href="/notices" aria-label="([^"]+)"', page)
    assert found, "the header has a notices link"
    return found.group(1)


def links(page: str) -> list[tuple[str, str]]:
    notices = page[page.index('<ul class="list notices">') :]
    return re.findall(r'· <a href="([^"]+)">([^<]+)</a>', html.unescape(notices))


async def test_waiting_answers_count_at_once_and_notices_lead_where_to_act(
    client, other_client, db, settings
):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, "further_along")])
    sam, request = await seeker_with_request(client, "sam", [(1, "going_through")])
    chosen = await client.post(
        f"/api/v1/support-requests/{request['id']}/choice",
        json={"supporter_id": str(bob.id)},
        headers=sam.headers,
    )
    assert chosen.status_code == 201, chosen.text
    rid = chosen.json()["id"]

    # Bob's header counts the introduction on the first page he opens, before /notices
    # (beside the notice that his offer to support was approved).
    await web_login(other_client, bob.email)
    home = (await other_client.get("/")).text
    assert bell(home) == "Notices, 2 unread"
    assert links((await other_client.get("/notices")).text) == [
        ("/introductions", "Answer the introduction"),
        ("/support/offer", "See your offer"),
    ]

    accepted = await client.post(f"/api/v1/introductions/{rid}/accept", headers=bob.headers)
    assert accepted.status_code == 200, accepted.text
    await web_login(client, sam.email)
    assert bell((await client.get("/")).text) == "Notices, 1 unread"

    # Bob proposes terms: Sam's count has them on her next page.
    base = f"/api/v1/relationships/{rid}"
    etag = (await client.get(f"{base}/agreement", headers=bob.headers)).headers["etag"]
    proposed = await client.post(
        f"{base}/agreement/proposals", json=agreeable_terms(), headers=as_of(bob, etag)
    )
    assert proposed.status_code == 201, proposed.text
    assert bell((await client.get("/profile")).text) == "Notices, 2 unread"
    assert links((await client.get("/notices")).text) == [
        (f"/relationships/{rid}/agreement", "See the proposal"),
        (f"/relationships/{rid}", "Agree your terms together"),
    ]
