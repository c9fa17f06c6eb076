"""The whole journey on two phones: a seeker (Sam) and a supporter (Bob), against a real server.

Everything the peer's journey promises, in the order people meet it: topics to avoid from the
profile, asking a coordinator to choose, a kind introduction, the answer arriving as a notice,
every term shown before agreeing (and nobody's limits set by the other person), the compact
builder, a change shown with the whole text one tap away, held messages with the crisis
contacts beside them and released in writing order, contact details kept back, reporting a
message, "I haven't heard from them", the safety plan one tap from every page, dark mode, a
kind ending that stays on home, the data export's wording, and her next agreement starting from
the limits she set herself.

Every page reached is checked by axe-core and saved as a screenshot (KINDRED_SHOTS, else
tests/artifacts/journey) for a person to look at. The phones and the clock are in
tests/web/journey.py; the first half, from signing up to agreeing terms, is in
tests/web/journey_meeting.py.
"""

import json
from datetime import timedelta
from uuid import UUID

from tests.browser import ARGS, CHROMIUM, NEEDS_CHROMIUM
from tests.factories import accepted_introduction
from tests.matching.people import ready_supporter
from tests.personas import Person, staff, token_for
from tests.web.journey import (
    CLOSING,
    LATE,
    LATER,
    NUMBER,
    PUSHY,
    QUIET,
    SAMS_EMAIL,
    SAMS_TOPICS,
    Journey,
    Phone,
    days_pass,
    expect,
    fresh_shots,
    half_hour,
    london_now,
    look_in_dark,
    playwright,
    read_json,
)
from tests.web.journey_meeting import (
    bob_names_his_topics,
    bob_proposes_first_terms_away_from_now,
    bob_reads_the_introduction_and_accepts,
    bob_sees_what_sam_changed_and_agrees,
    sam_asks_a_coordinator_to_choose,
    sam_is_told_bob_said_yes,
    sam_reads_every_term_and_sets_her_own_limit,
    sam_signs_up_with_topics_to_avoid,
)

pytestmark = NEEDS_CHROMIUM


# ---- 3 and 9. held messages, crisis contacts beside them; a phone number kept back ----------


async def sam_writes_outside_the_times(j: Journey, sam: Phone) -> None:
    page = sam.page
    await sam.go(f"{j.rel}/home")
    for body in (LATE, LATER, NUMBER):
        await page.get_by_label("Message to Bob").fill(body)
        await page.get_by_role("button", name="Send").click()
        await expect(page.locator(".message.mine").last).to_contain_text(body)
    held = page.locator(".message.mine.held")
    await expect(held).to_have_count(2)
    beside = page.locator(".crisis-beside")
    await expect(beside).to_contain_text("Samaritans")
    await expect(beside.get_by_role("link", name="Your safety plan")).to_have_attribute(
        "href", "/safety-plan"
    )
    await expect(beside.locator('a[href^="sms:"]')).to_have_count(1)  # Text SHOUT, one tap
    kept = page.locator(".message.mine.kept_back")
    await expect(kept).to_contain_text("phone number")
    await sam.look("held-and-kept-back")
    await look_in_dark(sam, "dark-held-and-kept-back")


# ---- a change: what changed, and the whole text one tap away --------------------------------


async def bob_proposes_a_time_around_now(j: Journey, bob: Phone) -> None:
    page = bob.page
    await bob.go(f"{j.rel}/home")
    await expect(page.locator(".message")).to_have_count(0)  # held: not his to read yet
    await bob.look("chat-while-held")
    await bob.go(f"{j.rel}/agreement/propose")
    now = london_now()
    start = max(now - timedelta(minutes=30), now.replace(hour=0, minute=0))
    end = "24:00" if now.hour >= 21 else f"{now.hour + 3:02d}:00"
    today = now.strftime("%A")
    await page.get_by_role("button", name=f"Add a time on {today}").click()
    await page.get_by_label(f"{today}, from").last.select_option(half_hour(start))
    await page.get_by_label(f"{today}, until").last.select_option(end)
    if now.hour == 23 and now.minute >= 40:  # the window must outlast the walk
        tomorrow = (now + timedelta(days=1)).strftime("%A")
        await page.get_by_role("button", name=f"Add a time on {tomorrow}").click()
        await page.get_by_label(f"{tomorrow}, from").last.select_option("00:00")
        await page.get_by_label(f"{tomorrow}, until").last.select_option("02:00")
    await page.get_by_label("Confidentiality.").check()
    await page.get_by_label("Not a crisis service.").check()
    await bob.look("builder-change")
    await page.get_by_role("button", name="Propose these terms").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreement")


async def sam_sees_what_changed_and_agrees(j: Journey, sam: Phone) -> None:
    page = sam.page
    await sam.go(f"{j.rel}/agreement")
    await expect(sam.heading("Bob's proposal (version 3)")).to_be_visible()
    changed = page.locator("tr.changed")
    await expect(changed).to_have_count(1)
    await expect(changed).to_contain_text("Contact times")
    await page.get_by_text("Read every term of this proposal").click()  # one tap
    await expect(page.locator("details .terms")).to_contain_text(SAMS_TOPICS)
    await sam.look("change-with-whole-text")
    await page.get_by_role("button", name="Agree to version 3").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreed?new=3")
    await expect(page.get_by_role("status")).not_to_contain_text("can begin")


async def bob_reads_them_in_writing_order(j: Journey, bob: Phone) -> None:
    await bob.go(f"{j.rel}/home")
    theirs = bob.page.locator(".message.theirs .bubble")
    await expect(theirs).to_have_text([LATE, LATER])  # the phone number stays kept back
    await expect(bob.page.locator(".contact-now")).to_contain_text("agreed contact times now")
    await bob.look("released-in-order")


# ---- 10. report a message in two taps -----------------------------------------------------


async def sam_reports_a_message(j: Journey, bob: Phone, sam: Phone) -> None:
    await bob.page.get_by_label("Message to Sam").fill(PUSHY)
    await bob.page.get_by_role("button", name="Send").click()
    await expect(bob.page.locator(".message.mine").last).to_contain_text(PUSHY)
    page = sam.page
    await sam.go(f"{j.rel}/home")
    kept = page.locator(".message.mine.kept_back")
    await expect(kept).to_contain_text("phone number")  # still told why, once the times open
    theirs = page.locator(".message.theirs", has_text=PUSHY)
    await expect(theirs).to_be_visible()
    await sam.look("chat-in-a-contact-time")
    await theirs.get_by_role("link", name="Report").click()  # tap one
    await expect(page.get_by_role("heading", level=1)).to_have_text("Report this message")
    await page.get_by_label("Anything you'd like to add?").fill("It made me uneasy.")
    await sam.look("report")
    await page.get_by_role("button", name="Send the report").click()  # tap two
    await expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    await expect(page.get_by_role("link", name="Block Bob")).to_be_visible()
    await sam.look("reported")


# ---- 11. "I haven't heard from them" -----------------------------------------------------


async def sam_has_not_heard_from_bob(j: Journey, sam: Phone) -> None:
    page = sam.page
    await page.get_by_role("link", name="Back to your messages").click()
    await page.get_by_label("Message to Bob").fill(QUIET)
    await page.get_by_role("button", name="Send").click()
    await expect(page.locator(".message.mine").last).to_contain_text(QUIET)
    await days_pass(j, 3)  # longer than the two days they agreed
    await sam.go(f"{j.rel}/home")
    await page.get_by_role("link", name="I haven't heard from them").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("I haven't heard from Bob")
    await sam.look("not-heard")
    await page.get_by_role("button", name="Tell a coordinator", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("We've told the coordinators")
    await sam.look("not-heard-told")


# ---- 8. the safety plan, one tap from every page ---------------------------------------------


async def sam_writes_her_safety_plan(sam: Phone) -> None:
    page = sam.page
    await page.locator("header a.plan-link").click()  # one tap, from any page
    await expect(page.get_by_role("heading", level=1)).to_have_text("My safety plan")
    await sam.look("safety-plan-empty")
    if await page.get_by_role("link", name="Change my plan").count():
        await page.get_by_role("link", name="Change my plan").click()
    await page.locator("textarea").first.fill("Not sleeping; skipping meals.")
    await page.get_by_role("button", name="Save my plan").click()
    await expect(page.locator("main")).to_contain_text("Not sleeping; skipping meals.")
    await sam.look("safety-plan")


# ---- 13. dark mode -------------------------------------------------------------------------


async def both_in_dark_mode(j: Journey) -> None:
    for person, path, step in (
        (j.sam, f"{j.rel}/home", "dark-chat"),
        (j.sam, f"{j.rel}/agreed", "dark-agreed"),
        (j.bob, "/", "dark-home"),
    ):
        await person.go(path)
        await look_in_dark(person, step)


# ---- 6. a kind ending that stays on home ------------------------------------------------------


async def sam_ends_their_support(j: Journey, sam: Phone) -> None:
    page = sam.page
    await sam.go(j.rel)
    await page.locator("section.safety-actions").get_by_role("link", name="End our support").click()
    closing = await sam.when_listening(page.get_by_label("A closing message to Bob"))
    await closing.fill(CLOSING)
    await expect(page.locator("#preview blockquote")).to_have_text(CLOSING)
    await sam.look("end")
    await page.get_by_role("button", name="End our support").click()
    await expect(page.get_by_role("status")).to_contain_text("Your support has ended")
    await sam.look("ended")


async def the_ending_stays_on_home(j: Journey, sam: Phone, bob: Phone) -> None:
    await sam.go("/")
    past = sam.page.locator(".past-support")
    await expect(past).to_contain_text("Bob supported you")
    await expect(sam.page.locator("main")).not_to_contain_text("Someone is supporting you now")
    await sam.look("home-after-ending")
    await bob.go("/")
    await expect(bob.page.locator(".past-support")).to_contain_text("You supported Sam")
    await bob.look("home-after-ending")
    await bob.go(f"{j.rel}/home")
    await expect(bob.page.locator(".contact-now")).to_have_count(0)
    await expect(bob.page.locator(".sessions-glance")).to_contain_text("No more sessions")
    await bob.look("ended-chat")
    await bob.go("/notices")
    ended = bob.page.locator(".notices li", has_text="Sam has ended your support")
    await ended.get_by_role("link").click()
    await expect(bob.page.locator("figure.closing blockquote")).to_have_text(CLOSING)
    await bob.look("ended-closing-message")
    await bob.go("/relationships")
    await expect(bob.page.locator("main")).not_to_contain_text("is your peer supporter")
    await bob.look("relationships-after-ending")


# ---- 5. the data export ------------------------------------------------------------------


async def sam_downloads_her_data(sam: Phone) -> None:
    page = sam.page
    await sam.go("/account")
    await sam.look("account")
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Download my data (JSON)").click()
    download = await waiting.value
    exported = read_json(await download.path())
    text = json.dumps(exported)
    states = {r["other_person"]: r["state"] for r in exported["relationships"]}
    assert states == {"Bob": "ended", "Cal": "not available right now"}
    assert "Not sleeping; skipping meals." in text  # the safety plan is hers, in her export
    assert LATE in text and SAMS_TOPICS in text


# ---- 2, again: her own limits start her next agreement ---------------------------------------


async def sams_next_agreement_starts_from_her_own_limits(j: Journey, sam: Phone) -> None:
    dee = await ready_supporter(j.client, j.robin, "dee", [(j.tag, "further_along")])
    tokens = await token_for(j.client, SAMS_EMAIL)
    me = await j.client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    sam_api = Person("sam", SAMS_EMAIL, UUID(me.json()["id"]), "", "")
    rid = await accepted_introduction(j.db, sam_api, dee, j.robin)
    await sam.go(f"/relationships/{rid}/agreement/propose")
    hugs = sam.page.locator("fieldset.limit", has_text="Hugs")
    await expect(hugs.get_by_label("Never OK")).to_be_checked()  # as she agreed with Bob
    await expect(sam.page.locator("#limits-heading ~ p.muted")).to_contain_text(
        "start from what you agreed in your last support relationship"
    )
    await sam.look("next-builder-starts-from-her-limits")


async def test_a_seeker_and_a_supporter_walk_the_whole_journey(live_server, client, db, settings):
    fresh_shots()
    robin = await staff(client, db, settings)
    taxonomy = (await client.get("/api/v1/taxonomy", headers=robin.headers)).json()
    tag = next(t["id"] for c in taxonomy for t in c["tags"] if t["label"] == "Loss of a parent")
    bob_api = await ready_supporter(client, robin, "bob", [(tag, "further_along")])
    j = Journey(live_server, client, db, robin, bob_api, tag)

    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            sam = j.sam = await j.phone(browser, "sam")
            bob = j.bob = await j.phone(browser, "bob")
            await bob.log_in(bob_api.email)
            await bob_names_his_topics(bob)
            await sam_signs_up_with_topics_to_avoid(j, sam)
            await sam_asks_a_coordinator_to_choose(j, sam)
            await bob_reads_the_introduction_and_accepts(j, bob)
            await sam_is_told_bob_said_yes(j, sam)
            await bob_proposes_first_terms_away_from_now(j, bob)
            await sam_reads_every_term_and_sets_her_own_limit(j, sam)
            await bob_sees_what_sam_changed_and_agrees(j, bob)
            await sam_writes_outside_the_times(j, sam)
            await bob_proposes_a_time_around_now(j, bob)
            await sam_sees_what_changed_and_agrees(j, sam)
            await bob_reads_them_in_writing_order(j, bob)
            await sam_reports_a_message(j, bob, sam)
            await sam_has_not_heard_from_bob(j, sam)
            await sam_writes_her_safety_plan(sam)
            await both_in_dark_mode(j)
            await sam_ends_their_support(j, sam)
            await the_ending_stays_on_home(j, sam, bob)
            await sam_downloads_her_data(sam)
            await sams_next_agreement_starts_from_her_own_limits(j, sam)
        finally:
            await browser.close()

    assert j.violations == {}, json.dumps(j.violations, indent=1)
    csp = [m for m in j.console if "Content Security Policy" in m or "CSP violation" in m]
    assert not csp, csp
    assert not j.errors, j.errors
