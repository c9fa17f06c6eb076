"""A person's own limits carry into their next relationship: what they last agreed to starts
their next agreement, whatever their role was, still theirs alone to change."""

import html
import re

from api.relationships.limits import default_limits
from tests.factories import Pair, accepted_introduction, agreeable_terms, agreeing_pair, profile
from tests.personas import supporter
from tests.relationships.agreement_steps import _consent, _propose
from tests.relationships.forms import web_login

SAMS = {**default_limits(), "hugs": "never", "social_media": "maybe"}
BOBS = {**default_limits(), "gifts": "maybe", "treatment_opinions": "never"}


async def _ended_with_limits_agreed(client, db, settings) -> Pair:
    """Sam and Bob agreed their own limits (Sam changed hers in a counter-proposal), then
    Sam ended their support."""
    pair = await agreeing_pair(client, db, settings)
    first = agreeable_terms(personal_limits={"supporter": BOBS})
    assert (await _propose(client, pair, pair.supporter, first)).status_code == 201
    counter = agreeable_terms(personal_limits={"seeker": SAMS})
    assert (await _propose(client, pair, pair.seeker, counter)).status_code == 201
    assert (await _consent(client, pair, pair.supporter, 2)).status_code == 200
    ended = await client.post(f"{pair.base}/end", headers=pair.seeker.headers)
    assert ended.status_code == 200, ended.text
    return pair


async def _new_supporter(client, pair: Pair, name: str):
    person = await supporter(client, pair.coordinator, name)
    saved = await client.put("/api/v1/profile", json=profile(), headers=person.headers)
    assert saved.status_code == 200, saved.text
    return person


async def test_my_last_agreed_limits_start_my_next_agreement_and_stay_mine(client, db, settings):
    old = await _ended_with_limits_agreed(client, db, settings)
    sam, coordinator = old.seeker, old.coordinator
    cal = await _new_supporter(client, old, "cal")
    new = Pair(sam, cal, coordinator, await accepted_introduction(db, sam, cal, coordinator))

    # Both start from it: Sam's limits as she last agreed them, Cal's as Kindred's usual.
    for person in (sam, cal):
        template = await client.get(f"{new.base}/agreement/template", headers=person.headers)
        assert template.status_code == 200, template.text
        assert template.json()["personal_limits"] == {"seeker": SAMS, "supporter": default_limits()}

    # Cal can't set them for her, even back to the usual answers; left out, they are hers.
    back = agreeable_terms(personal_limits={"seeker": default_limits()})
    refused = await _propose(client, new, cal, back)
    assert refused.status_code == 403, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["personal_limits.seeker"]
    proposed = await _propose(client, new, cal, agreeable_terms())
    assert proposed.status_code == 201, proposed.text
    assert proposed.json()["pending"]["terms"]["personal_limits"]["seeker"] == SAMS

    # Sam can change her own, as ever.
    loosened = {**SAMS, "hugs": "maybe"}
    mine = await _propose(client, new, sam, agreeable_terms(personal_limits={"seeker": loosened}))
    assert mine.status_code == 201, mine.text
    assert mine.json()["pending"]["terms"]["personal_limits"]["seeker"] == loosened


async def test_limits_carry_across_roles_and_never_from_the_other_person(client, db, settings):
    old = await _ended_with_limits_agreed(client, db, settings)
    bob, coordinator = old.supporter, old.coordinator
    # Bob, who supported Sam, now looks for support himself from Dee.
    dee = await _new_supporter(client, old, "dee")
    new = Pair(bob, dee, coordinator, await accepted_introduction(db, bob, dee, coordinator))
    template = await client.get(f"{new.base}/agreement/template", headers=dee.headers)
    assert template.json()["personal_limits"] == {"seeker": BOBS, "supporter": default_limits()}
    # Dee has agreed nothing anywhere: her own start as Kindred's usual, never Bob's or Sam's.
    assert SAMS != default_limits() != BOBS


async def test_the_pwa_says_where_my_limits_start(client, other_browser, db, settings):
    old = await _ended_with_limits_agreed(client, db, settings)
    sam, coordinator = old.seeker, old.coordinator
    cal = await _new_supporter(client, old, "cal")
    new = Pair(sam, cal, coordinator, await accepted_introduction(db, sam, cal, coordinator))
    rel = f"/relationships/{new.relationship_id}"

    # Sam's builder starts from her own last limits, and says so.
    await web_login(client, sam.email)
    builder = html.unescape((await client.get(f"{rel}/agreement/propose")).text)
    assert "start from what you agreed in your last support relationship" in builder
    for key, level in SAMS.items():
        assert re.search(rf'name="limit_{key}" value="{level}" checked', builder), key

    # Cal proposes; Sam reads every term and is told whose her limits are.
    await web_login(other_browser, cal.email)
    cals = html.unescape((await other_browser.get(f"{rel}/agreement/propose")).text)
    assert "start from what you agreed" not in cals  # Cal has no earlier agreement
    assert (await _propose(client, new, cal, agreeable_terms())).status_code == 201
    page = html.unescape((await client.get(f"{rel}/agreement")).text)
    assert "the ones you agreed to in your last support relationship" in page
    assert "Kindred's usual starting answers" not in page
