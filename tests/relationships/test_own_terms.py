"""Each person's personal limits and topics to avoid are theirs alone, in every version."""

from api.relationships.limits import default_limits
from tests.factories import agreeable_terms, agreeing_pair
from tests.relationships.agreement_steps import PROBLEM, _agreement, _consent, _propose


async def _pair(client, db, settings):
    return await agreeing_pair(
        client,
        db,
        settings,
        seeker_profile={"topics_to_avoid": ["my brother", "religion"]},
        supporter_profile={"topics_to_avoid": ["politics"]},
    )


async def test_the_first_version_carries_both_peoples_topics_from_their_profiles(
    client, db, settings
):
    pair = await _pair(client, db, settings)
    bob = pair.supporter
    template = (await client.get(f"{pair.base}/agreement/template", headers=bob.headers)).json()
    assert template["topics_to_avoid"] == {
        "seeker": ["my brother", "religion"],
        "supporter": ["politics"],
    }
    # Bob sends neither person's topics or limits: both come from where the proposal starts,
    # so Sam's are untouched and his own are his profile's.
    proposed = await _propose(client, pair, bob, agreeable_terms())
    assert proposed.status_code == 201, proposed.text
    terms = proposed.json()["pending"]["terms"]
    assert terms["topics_to_avoid"] == {
        "seeker": ["my brother", "religion"],
        "supporter": ["politics"],
    }
    assert terms["personal_limits"]["seeker"] == default_limits()

    # And both read them in the relationship, as the other person's own.
    seen = (await client.get(pair.base, headers=bob.headers)).json()
    assert seen["other"]["topics_to_avoid"] == ["my brother", "religion"]


async def test_nobody_changes_the_other_persons_limits_or_topics(client, db, settings):
    pair = await _pair(client, db, settings)
    sam, bob = pair.seeker, pair.supporter
    limits = {**default_limits(), "gifts": "always_ok"}
    for changes, field in (
        ({"personal_limits": {"seeker": limits}}, "personal_limits.seeker"),
        ({"topics_to_avoid": {"seeker": []}}, "topics_to_avoid.seeker"),
    ):
        refused = await _propose(client, pair, bob, agreeable_terms(**changes))
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == PROBLEM
        assert "Only Sam can change" in refused.json()["detail"]
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert (await _agreement(client, pair, bob)).json()["versions"] == []  # nothing written

    # Bob's own answers are his to set; then Sam counter-proposes and can't touch Bob's.
    mine = {**default_limits(), "hugs": "never"}
    first = agreeable_terms(
        personal_limits={"supporter": mine}, topics_to_avoid={"supporter": ["politics"]}
    )
    assert (await _propose(client, pair, bob, first)).status_code == 201
    sams = {**default_limits(), "support_group_together": "never"}
    countered = await _propose(
        client,
        pair,
        sam,
        agreeable_terms(
            personal_limits={"seeker": sams, "supporter": {**mine, "hugs": "always_ok"}}
        ),
    )
    assert countered.status_code == 403
    countered = await _propose(
        client,
        pair,
        sam,
        agreeable_terms(personal_limits={"seeker": sams}, topics_to_avoid={"seeker": ["work"]}),
    )
    assert countered.status_code == 201, countered.text
    terms = countered.json()["pending"]["terms"]
    assert terms["personal_limits"] == {"seeker": sams, "supporter": mine}
    assert terms["topics_to_avoid"] == {"seeker": ["work"], "supporter": ["politics"]}
    assert (await _consent(client, pair, bob, 2)).status_code == 200

    # A later change by Bob keeps Sam's as agreed, not as Sam's profile says now, and his own
    # as they were: leaving them out never resets anyone's.
    later = await _propose(client, pair, bob, agreeable_terms(sessions_total=8))
    assert later.status_code == 201, later.text
    terms = later.json()["pending"]["terms"]
    assert terms["topics_to_avoid"] == {"seeker": ["work"], "supporter": ["politics"]}
    assert terms["personal_limits"]["supporter"] == mine
    assert terms["personal_limits"]["seeker"] == sams
