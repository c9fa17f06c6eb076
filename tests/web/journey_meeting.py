"""The journey's first half: from signing up to two people agreeing their terms."""

from datetime import timedelta

from tests.addresses import confirm_in_browser
from tests.matching.people import ready_supporter
from tests.personas import PASSWORD, Person
from tests.web.journey import (
    BOBS_TOPICS,
    LONDON,
    SAMS_EMAIL,
    SAMS_TOPICS,
    Journey,
    Phone,
    expect,
    london_now,
)

# ---- 1. sign-up and profile, with topics to avoid ----------------------------------------------


async def sam_signs_up_with_topics_to_avoid(j: Journey, sam: Phone) -> None:
    page = sam.page
    await sam.go("/signup")
    await page.get_by_label("Name others will see").fill("Sam")
    await page.get_by_label("Email").fill(SAMS_EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await sam.look("sign-up", signed_in=False)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam")
    # Sam follows the link e-mailed to confirm the address (or nobody is introduced).
    await confirm_in_browser(page, j.server, j.client._transport.app, SAMS_EMAIL)
    await sam.go("/")
    await page.get_by_role("link", name="Set up my profile").click()
    await expect(page.get_by_label("Your time zone")).to_have_value(LONDON)
    await page.get_by_label("Pronouns (optional)").fill("she/her")
    for cell in ("Tuesday evening", "Thursday evening"):
        await page.get_by_label(cell).check()
    await page.get_by_label("Chat in the app").check()
    await page.get_by_label("Video calls").check()
    await page.get_by_label("Topics you'd rather not talk about (optional)").fill(SAMS_TOPICS)
    await sam.look("profile")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your experiences")
    await page.get_by_label("Search").fill("parent")
    await page.get_by_label("Loss of a parent").check()
    details = page.locator(f"#tag-{j.tag} ~ .tag-details")
    await details.get_by_label("I'm going through it now").check()
    await sam.look("experiences")
    await page.get_by_role("button", name="Save my experiences").click()
    await expect(page.get_by_role("status").first).to_contain_text("Saved")


async def bob_names_his_topics(bob: Phone) -> None:
    await bob.go("/profile")
    await bob.page.get_by_label("Topics you'd rather not talk about (optional)").fill(BOBS_TOPICS)
    await bob.page.get_by_role("button", name="Save").click()
    await bob.page.wait_for_url(f"{bob.journey.server}/profile?saved=1")
    await expect(bob.page.get_by_role("status").first).to_contain_text("Saved")


# ---- 12. the shortlist, or a coordinator chooses -------------------------------------------


async def sam_asks_a_coordinator_to_choose(j: Journey, sam: Phone) -> None:
    page = sam.page
    await page.get_by_role("link", name="Find a supporter").click()
    await page.get_by_role("button", name="Show me suggestions").click()
    await expect(page.get_by_role("button", name="Choose Bob")).to_be_visible()
    await sam.look("shortlist")
    await page.get_by_role("button", name="Ask a coordinator to choose for me").click()
    await expect(sam.heading("A coordinator is choosing for you")).to_be_visible()
    await sam.look("coordinator-chooses")
    # Robin, the coordinator, first picks Cal, who isn't available right now; then Bob.
    waiting = await j.client.get("/api/v1/coordination/waiting-list", headers=j.robin.headers)
    request_id = waiting.json()["data"][0]["id"]
    cal = await ready_supporter(j.client, j.robin, "cal", [(j.tag, "further_along")])
    first = await coordinator_proposes(j, request_id, cal)
    declined = await j.client.post(f"/api/v1/introductions/{first}/decline", headers=cal.headers)
    assert declined.status_code == 200, declined.text
    await sam.go("/notices")
    told = sam.page.locator(".notices li").first
    await expect(told).to_contain_text("not available right now")
    await expect(told).not_to_contain_text("you chose")  # a coordinator chose
    await sam.look("not-available-right-now")
    await sam.page.get_by_role("button", name="Mark all as read").click()
    await expect(sam.page.locator("header a.notices-link")).to_have_attribute(
        "aria-label", "Notices"
    )
    j.rid = await coordinator_proposes(j, request_id, j.bob_api)


async def coordinator_proposes(j: Journey, request_id: str, supporter: Person) -> str:
    proposed = await j.client.post(
        "/api/v1/coordination/proposals",
        json={"request_id": request_id, "supporter_id": str(supporter.id)},
        headers=j.robin.headers,
    )
    assert proposed.status_code == 201, proposed.text
    return proposed.json()["id"]


# ---- 6 and 1. the introduction, kindly, with each person's topics ----------------------------


async def bob_reads_the_introduction_and_accepts(j: Journey, bob: Phone) -> None:
    page = bob.page
    await bob.go("/")
    await page.get_by_role("link", name="Introductions (1)").click()
    card = page.locator(".card.introduction")
    await expect(card.get_by_role("heading", level=2)).to_have_text("Sam (she/her)")
    await expect(card).to_contain_text("going through it now")
    await expect(card).to_contain_text(SAMS_TOPICS)
    await expect(card).to_contain_text("you")
    await bob.look("introduction")
    await card.get_by_role("button", name="Accept").click()
    await expect(page.get_by_role("status").first).to_contain_text("You're now agreeing terms")
    await bob.look("accepted")


# ---- 4. the answer arrives as a notice; the bell counts it ---------------------------------


async def sam_is_told_bob_said_yes(j: Journey, sam: Phone) -> None:
    await sam.go("/")
    bell = sam.page.locator("header a.notices-link")
    # Two: the coordinator has asked Bob for her, and Bob has said yes.
    await expect(bell.locator(".unread-count")).to_have_text("2")
    await expect(bell).to_have_attribute("aria-label", "Notices, 2 unread")
    await expect(sam.page.locator("main")).to_contain_text("Someone is supporting you now")
    await sam.look("home-with-unread-notice")
    await bell.click()
    notice = sam.page.locator(".notices li.unread").first
    await expect(notice).to_contain_text("Bob would be glad to support you")
    await sam.look("notices")
    await notice.get_by_role("link").click()  # straight to where she agrees terms with Bob
    await sam.page.wait_for_url(f"{j.server}{j.rel}")
    await expect(sam.page.locator(".their-topics")).to_contain_text(BOBS_TOPICS)
    await sam.look("relationship-agreeing")


# ---- 7 and 2. the compact builder; the first proposal in full --------------------------------


async def bob_proposes_first_terms_away_from_now(j: Journey, bob: Phone) -> None:
    page = bob.page
    await bob.go(j.rel)
    await page.get_by_role("link", name="Propose terms").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreement/propose")
    await expect(page.locator(".their-answer").first).to_contain_text(SAMS_TOPICS)
    await expect(page.get_by_label("Topics you'd rather not talk about")).to_have_value(BOBS_TOPICS)
    # Only Bob's own limits are choices here; Sam's are shown as she set them.
    await expect(page.locator("fieldset.limit input[type=radio]")).to_have_count(11 * 3)
    await expect(page.locator("fieldset.limit .their-answer").first).to_contain_text("Sam:")
    await bob.look("builder")
    # The week is a short list per day (it was 252 half-hour checkboxes, 5,500px tall).
    when = await page.locator("#when").bounding_box()
    assert when is not None and when["height"] < 1400, f"contact times take {when}"
    # One contact time, three days from now: "now" is well outside the agreed times.
    remove = page.locator("button.remove")
    for left in reversed(range(await remove.count())):
        await remove.first.click()
        await expect(remove).to_have_count(left)
    away = (london_now() + timedelta(days=3)).strftime("%A")
    await page.get_by_role("button", name=f"Add a time on {away}").click()
    await expect(page.get_by_label(f"{away}, from")).to_have_value("19:00")
    await page.get_by_label("Confidentiality.").check()
    await page.get_by_label("Not a crisis service.").check()
    await page.get_by_role("button", name="Propose these terms").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreement")
    await expect(bob.heading("Your proposal (version 1)")).to_be_visible()


async def sam_reads_every_term_and_sets_her_own_limit(j: Journey, sam: Phone) -> None:
    page = sam.page
    await sam.go(j.rel)
    await page.get_by_role("link", name="See Bob's proposal").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreement")
    terms = page.locator(".terms")
    await expect(page.locator("details")).to_have_count(0)  # nothing folded away
    await expect(terms).to_contain_text(SAMS_TOPICS)
    await expect(terms).to_contain_text(BOBS_TOPICS)
    await expect(terms).to_contain_text("Sharing phone numbers")
    await expect(page.locator("p.notice")).to_contain_text("Kindred's usual starting answers")
    await sam.look("first-proposal-in-full")
    # Her limits are hers to set: she suggests her own answer on hugs.
    await page.get_by_role("link", name="Suggest changes").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreement/propose")
    await expect(page.locator("fieldset.limit .their-answer").first).to_contain_text("Bob:")
    await page.locator("fieldset.limit", has_text="Hugs").get_by_text("Never OK").click()
    await page.get_by_label("Confidentiality.").check()
    await page.get_by_label("Not a crisis service.").check()
    await page.get_by_role("button", name="Propose these terms").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreement")


async def bob_sees_what_sam_changed_and_agrees(j: Journey, bob: Phone) -> None:
    page = bob.page
    await bob.go(f"{j.rel}/agreement")
    await expect(bob.heading("Sam's proposal (version 2)")).to_be_visible()
    changed = page.locator("tr.changed")
    await expect(changed).to_have_count(1)
    await expect(changed).to_contain_text("Never OK")
    await page.get_by_text("Read every term of this proposal").click()  # one tap
    await expect(page.locator("details .terms")).to_contain_text(BOBS_TOPICS)
    await bob.look("counter-proposal")
    await page.get_by_role("button", name="Agree to version 2").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreed?new=2")
    await expect(page.get_by_role("status")).to_contain_text("You both agreed")
    await bob.look("what-we-agreed")
