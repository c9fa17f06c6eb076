import re

from api.profiles.taxonomy_data import TAXONOMY

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Words that label or blame people; the taxonomy uses the words people use about themselves.
UNKIND = ("sufferer", "suffering from", "committed suicide", "addict", "victim", "disorder")


def _tags():
    return [tag for category in TAXONOMY for tag in category["tags"]]


def test_the_taxonomy_is_broad_enough_to_match_on():
    assert len(TAXONOMY) >= 12
    assert len(_tags()) >= 80
    assert all(len(category["tags"]) >= 4 for category in TAXONOMY)


def test_slugs_are_unique_lowercase_hyphenated_and_fit_the_columns():
    slugs = [c["slug"] for c in TAXONOMY] + [t["slug"] for t in _tags()]
    assert len(slugs) == len(set(slugs))
    for slug in slugs:
        assert SLUG.match(slug) and len(slug) <= 80, slug


def test_every_entry_has_a_label_and_a_phrase_that_completes_the_reason():
    for entry in [*TAXONOMY, *_tags()]:
        label, phrase = entry["label"].strip(), entry["phrase"].strip()
        assert label and len(label) <= 120, entry
        assert phrase and len(phrase) <= 160, entry
        # "You both have experience of {phrase}" reads as one sentence.
        assert not phrase.endswith((".", "!", "?")), entry
        assert phrase[0].islower() or phrase.split()[0].isupper(), entry


def test_the_wording_is_kind():
    for entry in [*TAXONOMY, *_tags()]:
        text = f"{entry['label']} {entry['phrase']}".lower()
        text = text.replace("personality disorder diagnosis", "")  # the name people are given
        for word in UNKIND:
            assert not re.search(rf"\b{word}\b", text), (word, entry)
