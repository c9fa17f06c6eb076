"""Steps of an agreement through the API, shared by the agreement tests."""

from tests.factories import agreeable_terms, agreeing_pair, as_of

PROBLEM = "application/problem+json"


async def _agreement(client, pair, person=None):
    response = await client.get(f"{pair.base}/agreement", headers=(person or pair.seeker).headers)
    assert response.status_code == 200, response.text
    return response


async def _propose(client, pair, person, terms=None, etag=None):
    etag = etag or (await _agreement(client, pair, person)).headers["etag"]
    return await client.post(
        f"{pair.base}/agreement/proposals",
        json=terms or agreeable_terms(),
        headers=as_of(person, etag),
    )


async def _consent(client, pair, person, number, etag=None):
    etag = etag or (await _agreement(client, pair, person)).headers["etag"]
    return await client.post(
        f"{pair.base}/agreement/versions/{number}/consent", headers=as_of(person, etag)
    )


async def _active(client, db, settings, **changes):
    pair = await agreeing_pair(client, db, settings)
    assert (
        await _propose(client, pair, pair.supporter, agreeable_terms(**changes))
    ).status_code == 201
    assert (await _consent(client, pair, pair.seeker, 1)).status_code == 200
    return pair
