"""Onboarding, finding a supporter and the introductions inbox, as pages (no JavaScript)."""

import re

import httpx
from sqlalchemy import func, select

from api.matching.models import SupportRequest
from api.profiles.models import PersonExperience, Profile
from tests.matching.people import ready_supporter, set_up
from tests.personas import PASSWORD, Person, peer, staff
from tests.web.pages import code_step

GOING, FURTHER = "going_through", "further_along"
SUPPORTERS_WORDS = "Only my sister knows how bad the first winter was."
SEEKERS_WORDS = "Since March I have not slept more than four hours."


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no csrf_token field"
    return match.group(1)


async def log_in(client: httpx.AsyncClient, person: Person) -> None:
    page = await client.get("/login")
    response = await client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "email": person.email, "password": PASSWORD},
    )
    response = await code_step(client, response, person.email)
    assert response.status_code == 303, response.text


async def post(client: httpx.AsyncClient, path: str, data: dict, page: str = "/") -> httpx.Response:
    token = csrf_token((await client.get(page)).text)
    return await client.post(path, data={"csrf_token": token, **data})


def checked(html: str, name: str, value: str) -> bool:
    match = re.search(rf'<input[^>]*name="{name}" value="{re.escape(value)}"[^>]*>', html)
    assert match, f"no {name}={value} on the page"
    return " checked" in match.group(0)


PROFILE_FORM = {
    "pronouns": "they/them",
    "languages": ["en"],
    "languages_other": "it",
    "timezone": "Europe/Paris",
    "slot": ["1-evening", "1-late", "5-morning", "5-afternoon", "6-afternoon"],
    "channels": ["chat", "video"],
    "topics": "religion\npolitics, money",
    "age_band": "",
    "gender": "",
    "gender_own": "",
}


async def _supporter_and_seeker(client, db, settings) -> tuple[Person, Person]:
    """Bob supports people with experience of tag 1; Sam is going through it. Both have words."""
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    saved = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 1, "stage": FURTHER, "description": SUPPORTERS_WORDS}],
        headers=bob.headers,
    )
    assert saved.status_code == 200
    sam = await peer(client, "sam")
    await set_up(client, sam, [(1, GOING)])
    saved = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 1, "stage": GOING, "description": SEEKERS_WORDS}],
        headers=sam.headers,
    )
    assert saved.status_code == 200
    return bob, sam


async def _ask(client) -> httpx.Response:
    return await post(client, "/find", {"tag": ["1"], "further_along": "true"}, page="/find")


async def _choose(client) -> str:
    page = (await client.get("/find")).text
    request_id = re.search(r'name="request_id" value="([^"]+)"', page).group(1)
    supporter_id = re.search(r'name="supporter_id" value="([^"]+)"', page).group(1)
    response = await post(
        client,
        "/find/choose",
        {"request_id": request_id, "supporter_id": supporter_id},
        page="/find",
    )
    assert response.status_code == 303 and response.headers["location"] == "/find"
    return request_id


async def _introduction_id(client) -> str:
    page = (await client.get("/introductions")).text
    return re.search(r'action="/introductions/([0-9a-f-]+)/accept"', page).group(1)


# About you -----------------------------------------------------------------------------------


async def test_the_profile_form_saves_the_weekly_grid_as_joined_windows(client):
    sam = await peer(client, "sam")
    await log_in(client, sam)
    page = await client.get("/profile")
    assert page.status_code == 200
    assert "Others see you as <strong>Sam</strong>" in page.text
    assert re.search(r'<option value="Europe/London" selected>', page.text), "the default zone"
    assert "data-guess-timezone" in page.text

    response = await post(client, "/profile", PROFILE_FORM, page="/profile")
    assert response.status_code == 303
    assert response.headers["location"] == "/profile/experiences", "first time: the next step"

    saved = (await client.get("/api/v1/profile", headers=sam.headers)).json()
    assert saved["availability"] == [
        {"weekday": 1, "start": "18:00", "end": "23:00"},
        {"weekday": 5, "start": "09:00", "end": "17:00"},
        {"weekday": 6, "start": "12:00", "end": "17:00"},
    ]
    assert saved["languages"] == ["en", "it"]
    assert saved["topics_to_avoid"] == ["religion", "politics", "money"]
    assert saved["timezone"] == "Europe/Paris" and saved["pronouns"] == "they/them"

    again = await client.get("/profile")
    assert checked(again.text, "slot", "1-late") and checked(again.text, "slot", "5-morning")
    assert not checked(again.text, "slot", "1-afternoon")
    assert 'value="it"' in again.text and "data-guess-timezone" not in again.text
    assert re.search(r'<option value="Europe/Paris" selected>', again.text)

    update = await post(client, "/profile", {**PROFILE_FORM, "slot": ["0-morning"]}, "/profile")
    assert update.headers["location"] == "/profile?saved=1"
    assert "Saved." in (await client.get("/profile?saved=1")).text


async def test_a_bad_time_zone_is_explained_by_the_field_and_nothing_is_saved(client, db):
    sam = await peer(client, "sam")
    await log_in(client, sam)
    form = {**PROFILE_FORM, "timezone": "Mars/Olympus_Mons", "channels": []}
    response = await post(client, "/profile", form, page="/profile")
    assert response.status_code == 422
    html = response.text
    error = re.search(r'<p class="error" id="timezone-error" role="alert">([^<]+)</p>', html)
    assert error and "time zone" in error.group(1)
    assert 'id="channels-error"' in html, "every problem is shown, each by its field"
    # What the person typed is kept.
    assert 'value="they/them"' in html and "religion\npolitics, money</textarea>" in html
    assert checked(html, "slot", "1-evening") and checked(html, "languages", "en")
    assert await db.scalar(select(func.count()).select_from(Profile)) == 0


async def test_an_htmx_error_swaps_only_the_profile_form(client):
    sam = await peer(client, "sam")
    await log_in(client, sam)
    token = csrf_token((await client.get("/profile")).text)
    response = await client.post(
        "/profile",
        data={**PROFILE_FORM, "languages": [], "languages_other": ""},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form") and "<html" not in response.text
    assert 'id="languages-error"' in response.text


# Experiences ---------------------------------------------------------------------------------


async def test_the_experience_picker_saves_choices_and_own_words(client, db):
    sam = await peer(client, "sam")
    await log_in(client, sam)
    page = await client.get("/profile/experiences")
    assert "Choose as few or as many as feel right. You can change this any time." in page.text
    assert page.text.count('<details class="group"') >= 5
    assert "data-picker-search hidden" in page.text, "the search box waits for JavaScript"

    # A tag without a stage is explained next to it; what was typed stays.
    form = {"tag": ["1", "5"], "stage-1": GOING, "talk-1": "yes", "words-1": SEEKERS_WORDS}
    missing = await post(client, "/profile/experiences", form, page="/profile/experiences")
    assert missing.status_code == 422
    assert re.search(r'id="tag-5-error" role="alert">Please choose one of these', missing.text)
    assert SEEKERS_WORDS in missing.text and checked(missing.text, "tag", "5")
    assert await db.scalar(select(func.count()).select_from(PersonExperience)) == 0

    response = await post(
        client, "/profile/experiences", {**form, "stage-5": FURTHER}, page="/profile/experiences"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/profile/experiences?saved=1"
    saved = (await client.get("/api/v1/profile/experiences", headers=sam.headers)).json()
    assert [(e["tag_id"], e["stage"], e["willing_to_talk"]) for e in saved] == [
        (1, GOING, True),
        (5, FURTHER, False),
    ]
    assert saved[0]["description"] == SEEKERS_WORDS and saved[1]["description"] is None
    again = await client.get("/profile/experiences?saved=1")
    assert SEEKERS_WORDS in again.text and checked(again.text, "tag", "1")
    assert checked(again.text, "stage-5", FURTHER) and not checked(again.text, "talk-5", "yes")
    assert 'href="/find"' in again.text


async def test_a_retired_experience_a_person_has_is_shown_and_kept(client, db, settings):
    robin = await staff(client, db, settings)
    sam = await peer(client, "sam")
    await set_up(client, sam, [(1, GOING)])
    retired = await client.patch(
        "/api/v1/coordination/taxonomy/tags/1", json={"retired": True}, headers=robin.headers
    )
    assert retired.status_code == 200
    await log_in(client, sam)
    page = await client.get("/profile/experiences")
    assert checked(page.text, "tag", "1") and "no longer on the list" in page.text
    kept = await post(
        client, "/profile/experiences", {"tag": ["1"], "stage-1": GOING}, "/profile/experiences"
    )
    assert kept.status_code == 303
    saved = (await client.get("/api/v1/profile/experiences", headers=sam.headers)).json()
    assert [e["tag_id"] for e in saved] == [1]
    # Someone who never had it can't see it.
    kit = await peer(client, "kit")
    client.cookies.clear()
    await log_in(client, kit)
    assert 'id="tag-1"' not in (await client.get("/profile/experiences")).text


# Finding a supporter -------------------------------------------------------------------------


async def test_find_points_to_the_profile_and_experiences_first(client):
    sam = await peer(client, "sam")
    await log_in(client, sam)
    assert 'href="/profile">Tell us about you' in (await client.get("/find")).text
    await client.put(
        "/api/v1/profile",
        json={"languages": ["en"], "timezone": "Europe/London", "channels": ["chat"]},
        headers=sam.headers,
    )
    assert 'href="/profile/experiences">Choose your' in (await client.get("/find")).text
    home = await client.get("/")
    assert 'href="/profile/experiences"' in home.text


async def test_the_shortlist_explains_each_match_and_never_shows_own_words(client, db, settings):
    _bob, sam = await _supporter_and_seeker(client, db, settings)
    await log_in(client, sam)
    page = await client.get("/find")
    assert checked(page.text, "tag", "1"), "experiences being gone through are ticked"
    response = await _ask(client)
    assert response.status_code == 303 and response.headers["location"] == "/find"

    shortlist = (await client.get("/find")).text
    card = re.search(r'<li class="card person">.*?</form>', shortlist, re.S)
    assert card and '<h3>Bob <span class="pronouns">(they/them)</span></h3>' in card.group(0)
    reasons = re.findall(r"<li>([^<]+)</li>", card.group(0))
    assert any(r.startswith("They have been through") for r in reasons), reasons
    assert any(r.startswith("You&#39;re both free on") for r in reasons), reasons
    assert "in-app chat" in card.group(0) and ">Choose Bob</button>" in card.group(0)
    assert SUPPORTERS_WORDS not in shortlist and SEEKERS_WORDS not in shortlist
    assert "Stop looking for now" in shortlist


async def test_an_empty_shortlist_says_a_coordinator_will_look(client):
    sam = await peer(client, "sam")
    await set_up(client, sam, [(1, GOING)])
    await log_in(client, sam)
    await _ask(client)
    page = (await client.get("/find")).text
    assert "a coordinator will look for someone for you" in page
    assert "Choose " not in page


async def test_choose_accept_and_both_see_the_way_to_agreeing_terms(
    client, other_client, db, settings
):
    bob, sam = await _supporter_and_seeker(client, db, settings)
    await log_in(client, sam)
    await _ask(client)
    await _choose(client)
    page = (await client.get("/find")).text
    assert "We've let Bob know. We'll tell you when they answer." in page
    assert "Waiting for their answer" in page

    await log_in(other_client, bob)
    home = (await other_client.get("/")).text
    assert "Introductions (1)" in home
    inbox = (await other_client.get("/introductions")).text
    assert '<h2>Sam <span class="pronouns">(they/them)</span></h2>' in inbox
    assert "Sam chose you." in inbox
    assert "Sam would like support with:" in inbox and "going through it now" in inbox
    assert "Please answer by <strong>" in inbox and "You have been through" in inbox
    assert "They have been through" not in inbox  # said to Bob, about Bob
    assert "Sam hasn't named any topics to avoid." in inbox
    assert SEEKERS_WORDS not in inbox and "Not right now</button>" in inbox

    intro = await _introduction_id(other_client)
    accepted = await post(other_client, f"/introductions/{intro}/accept", {}, "/introductions")
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/introductions?accepted={intro}"
    done = (await other_client.get(accepted.headers["location"])).text
    assert "You're now agreeing terms with Sam." in done
    assert f'href="/relationships/{intro}"' in done

    seeker = (await client.get("/find")).text
    assert "Bob said yes. You're now agreeing terms with Bob." in seeker
    assert f'href="/relationships/{intro}"' in seeker
    # Someone else's introduction id shows nothing.
    assert "agreeing terms" not in (await client.get(f"/introductions?accepted={intro}")).text


async def test_a_decline_is_only_ever_not_available_right_now(client, other_client, db, settings):
    bob, sam = await _supporter_and_seeker(client, db, settings)
    await log_in(client, sam)
    await _ask(client)
    await _choose(client)
    await log_in(other_client, bob)
    intro = await _introduction_id(other_client)
    answered = await post(other_client, f"/introductions/{intro}/decline", {}, "/introductions")
    assert answered.headers["location"] == "/introductions?answered=not-now"
    thanks = (await other_client.get(answered.headers["location"])).text
    assert "not available right now" in thanks and "No introductions are waiting" in thanks

    page = (await client.get("/find")).text
    assert "Not available right now" in page
    assert "declin" not in page.lower()
    # Bob isn't suggested again for this request: the request is back on the waiting list.
    assert "Choose Bob" not in page and "a coordinator will look for someone for you" in page


async def test_withdrawing_stops_the_search_and_the_introduction(
    client, other_client, db, settings
):
    bob, sam = await _supporter_and_seeker(client, db, settings)
    await log_in(client, sam)
    await _ask(client)
    request_id = await _choose(client)
    stopped = await post(client, "/find/withdraw", {"request_id": request_id}, "/find")
    assert stopped.status_code == 303
    page = (await client.get("/find")).text
    assert "You stopped looking on" in page
    assert "You stopped looking before they answered" in page and "Accepted" not in page
    assert "Show me suggestions" in page
    await log_in(other_client, bob)
    assert "No introductions are waiting" in (await other_client.get("/introductions")).text


async def test_introductions_page_for_someone_not_yet_a_supporter(client):
    sam = await peer(client, "sam")
    await log_in(client, sam)
    page = await client.get("/introductions")
    assert page.status_code == 200 and 'href="/support/offer">Offer to support' in page.text


# Safety of the forms -------------------------------------------------------------------------


async def test_forms_without_the_csrf_token_are_refused_and_change_nothing(client, db, settings):
    _bob, sam = await _supporter_and_seeker(client, db, settings)
    await log_in(client, sam)
    await client.get("/find")  # the CSRF cookie is set; only the token is missing
    for path, data in [
        ("/profile", PROFILE_FORM),
        ("/profile/experiences", {"tag": ["2"], "stage-2": GOING}),
        ("/find", {"tag": ["1"]}),
    ]:
        response = await client.post(path, data=data)
        assert response.status_code == 403, path
        assert "This page had expired" in response.text
    assert await db.scalar(select(func.count()).select_from(SupportRequest)) == 0
    saved = (await client.get("/api/v1/profile", headers=sam.headers)).json()
    assert saved["timezone"] == "Europe/London"


async def test_the_pages_need_a_login(client):
    for path in ("/profile", "/profile/experiences", "/find", "/introductions"):
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/login?next={path}"


async def test_the_pages_need_no_inline_code_and_boosted_forms_are_redirected(client, db, settings):
    _bob, sam = await _supporter_and_seeker(client, db, settings)
    await log_in(client, sam)
    for path in ("/profile", "/profile/experiences", "/find", "/introductions", "/"):
        html = (await client.get(path)).text
        assert " style=" not in html, path
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), path
        assert "hx-on" not in html, path
    token = csrf_token((await client.get("/find")).text)
    boosted = await client.post(
        "/find",
        data={"tag": ["1"]},
        headers={"HX-Request": "true", "HX-Boosted": "true", "X-CSRF-Token": token},
    )
    assert boosted.status_code == 200 and boosted.headers["hx-redirect"] == "/find"
