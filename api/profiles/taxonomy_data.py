"""The experience taxonomy the database is seeded with (coordinators can edit it afterwards).

Two levels: a category, and the specific experiences in it. ``label`` is what a picker shows;
``phrase`` completes "You both have experience of …" in a match's reasons. The wording is
the one people use about their own lives: plain, kind, never clinical or blaming. Slugs are
stable identifiers (unique across categories and experiences); labels and phrases may change.
"""

from typing import TypedDict


class Tag(TypedDict):
    slug: str
    label: str
    phrase: str


class Category(TypedDict):
    slug: str
    label: str
    phrase: str
    tags: list[Tag]


def _tag(slug: str, label: str, phrase: str) -> Tag:
    return {"slug": slug, "label": label, "phrase": phrase}


TAXONOMY: list[Category] = [
    {
        "slug": "mental-health",
        "label": "Mental health",
        "phrase": "mental health struggles",
        "tags": [
            _tag("depression", "Depression", "depression"),
            _tag("anxiety", "Anxiety", "anxiety"),
            _tag("panic-attacks", "Panic attacks", "panic attacks"),
            _tag("social-anxiety", "Social anxiety", "social anxiety"),
            _tag("health-anxiety", "Health anxiety", "health anxiety"),
            _tag("phobias", "Phobias", "living with a phobia"),
            _tag("ocd", "OCD", "OCD"),
            _tag("bipolar", "Bipolar", "bipolar"),
            _tag("psychosis", "Psychosis", "psychosis"),
            _tag("hearing-voices", "Hearing voices", "hearing voices"),
            _tag(
                "schizophrenia-diagnosis", "A schizophrenia diagnosis", "a schizophrenia diagnosis"
            ),
            _tag(
                "personality-disorder-diagnosis",
                "A personality disorder diagnosis (such as BPD or EUPD)",
                "a personality disorder diagnosis",
            ),
            _tag("dissociation", "Dissociation", "dissociation"),
            _tag("stress-and-overwhelm", "Stress and feeling overwhelmed", "feeling overwhelmed"),
            _tag(
                "mental-health-hospital",
                "A stay in a mental health hospital",
                "a stay in a mental health hospital",
            ),
            _tag(
                "detained-under-mental-health-law",
                "Being sectioned or detained",
                "being sectioned or detained",
            ),
        ],
    },
    {
        "slug": "self-harm-and-suicidal-feelings",
        "label": "Self-harm & suicidal feelings",
        "phrase": "self-harm or suicidal feelings",
        "tags": [
            _tag("self-harm", "Self-harm", "self-harm"),
            _tag("suicidal-feelings", "Suicidal feelings", "suicidal feelings"),
            _tag(
                "surviving-a-suicide-attempt",
                "Surviving a suicide attempt",
                "surviving a suicide attempt",
            ),
            _tag(
                "supporting-someone-suicidal",
                "Supporting someone who feels suicidal",
                "supporting someone through suicidal feelings",
            ),
        ],
    },
    {
        "slug": "eating-and-body-image",
        "label": "Eating & body image",
        "phrase": "difficulties with eating or body image",
        "tags": [
            _tag("anorexia", "Anorexia", "anorexia"),
            _tag("bulimia", "Bulimia", "bulimia"),
            _tag("binge-eating", "Binge eating", "binge eating"),
            _tag("arfid", "ARFID (avoiding or restricting food)", "ARFID"),
            _tag(
                "other-eating-difficulties",
                "Other difficulties with eating",
                "a hard time with eating",
            ),
            _tag("body-image", "Body image", "struggling with body image"),
        ],
    },
    {
        "slug": "loss-and-bereavement",
        "label": "Loss & bereavement",
        "phrase": "loss and bereavement",
        "tags": [
            _tag("loss-of-a-parent", "Loss of a parent", "losing a parent"),
            _tag("loss-of-a-partner", "Loss of a partner", "losing a partner"),
            _tag("loss-of-a-child", "Loss of a child", "losing a child"),
            _tag("loss-of-a-sibling", "Loss of a brother or sister", "losing a brother or sister"),
            _tag("loss-of-a-friend", "Loss of a friend", "losing a friend"),
            _tag("bereavement-by-suicide", "Bereavement by suicide", "losing someone to suicide"),
            _tag("sudden-loss", "A sudden or traumatic loss", "a sudden or traumatic loss"),
            _tag("loss-in-childhood", "Losing someone as a child", "losing someone in childhood"),
            _tag(
                "expecting-a-loss",
                "Someone close being terminally ill",
                "someone close being terminally ill",
            ),
            _tag("loss-of-a-pet", "Loss of a pet", "losing a pet"),
        ],
    },
    {
        "slug": "relationships-and-family",
        "label": "Relationships & family",
        "phrase": "relationships and family life",
        "tags": [
            _tag("divorce", "Divorce", "divorce"),
            _tag("separation", "Separation or a break-up", "a separation or break-up"),
            _tag("infidelity", "A partner being unfaithful", "a partner being unfaithful"),
            _tag("family-conflict", "Conflict in the family", "conflict in the family"),
            _tag("estrangement", "Estrangement from family", "estrangement from family"),
            _tag("caring-for-someone", "Caring for someone close", "caring for someone close"),
            _tag("young-carer", "Being a young carer", "being a young carer"),
            _tag(
                "someone-close-unwell",
                "Someone close having mental health problems",
                "someone close having mental health problems",
            ),
            _tag("friendship-ending", "A friendship ending", "a friendship ending"),
        ],
    },
    {
        "slug": "work-and-study",
        "label": "Work & study",
        "phrase": "pressures at work or in study",
        "tags": [
            _tag("burnout", "Burnout", "burnout"),
            _tag("job-loss", "Losing a job", "losing a job"),
            _tag("workplace-bullying", "Bullying at work", "bullying at work"),
            _tag("work-stress", "Stress at work", "stress at work"),
            _tag("long-term-unemployment", "A long time out of work", "a long time out of work"),
            _tag(
                "returning-to-work",
                "Going back to work after time off",
                "going back to work after time off",
            ),
            _tag(
                "study-pressure",
                "Pressure at school, college or university",
                "pressure at school, college or university",
            ),
            _tag("bullying-at-school", "Bullying at school", "being bullied at school"),
            _tag(
                "leaving-education-early",
                "Leaving school, college or university early",
                "leaving education earlier than planned",
            ),
            _tag("retirement", "Retirement", "adjusting to retirement"),
        ],
    },
    {
        "slug": "trauma-and-abuse",
        "label": "Trauma & abuse",
        "phrase": "trauma or abuse",
        "tags": [
            _tag("ptsd", "PTSD", "PTSD"),
            _tag("complex-ptsd", "Complex PTSD", "complex PTSD"),
            _tag("childhood-abuse", "Abuse in childhood", "abuse in childhood"),
            _tag("childhood-neglect", "Neglect in childhood", "neglect in childhood"),
            _tag("domestic-abuse", "Domestic abuse", "domestic abuse"),
            _tag("coercive-control", "Coercive control", "coercive control"),
            _tag("emotional-abuse", "Emotional abuse", "emotional abuse"),
            _tag("sexual-violence", "Sexual violence or assault", "sexual violence"),
            _tag("stalking-or-harassment", "Stalking or harassment", "stalking or harassment"),
            _tag("violent-crime", "Violent crime", "going through a violent crime"),
            _tag(
                "accident-or-disaster",
                "A serious accident or disaster",
                "going through a serious accident or disaster",
            ),
        ],
    },
    {
        "slug": "addiction-and-recovery",
        "label": "Addiction & recovery",
        "phrase": "addiction and recovery",
        "tags": [
            _tag("alcohol", "Alcohol", "a difficult relationship with alcohol"),
            _tag("drugs", "Drugs", "a difficult relationship with drugs"),
            _tag("gambling", "Gambling", "problems with gambling"),
            _tag(
                "prescribed-medication-dependence",
                "Dependence on prescribed medication",
                "dependence on prescribed medication",
            ),
            _tag("gaming-or-online", "Gaming or being online", "gaming or time online taking over"),
            _tag("in-recovery", "Being in recovery", "being in recovery from addiction"),
            _tag(
                "someone-close-with-addiction",
                "Someone close living with addiction",
                "someone close living with addiction",
            ),
        ],
    },
    {
        "slug": "physical-health-and-disability",
        "label": "Physical health & disability",
        "phrase": "physical health or disability",
        "tags": [
            _tag("chronic-pain", "Chronic pain", "living with chronic pain"),
            _tag("long-term-illness", "Long-term illness", "living with a long-term illness"),
            _tag("cancer", "Cancer", "cancer"),
            _tag("serious-diagnosis", "A serious diagnosis", "a serious diagnosis"),
            _tag("long-covid", "Long Covid", "long Covid"),
            _tag("me-cfs", "ME / chronic fatigue syndrome", "ME or chronic fatigue"),
            _tag("diabetes", "Diabetes", "living with diabetes"),
            _tag("heart-condition", "A heart condition", "a heart condition"),
            _tag("stroke", "Stroke", "a stroke"),
            _tag("brain-injury", "Brain injury", "a brain injury"),
            _tag("epilepsy", "Epilepsy", "epilepsy"),
            _tag("hiv", "Living with HIV", "living with HIV"),
            _tag("disability", "Living with a disability", "living with a disability"),
            _tag("becoming-disabled", "Becoming disabled", "becoming disabled"),
            _tag("sight-or-hearing-loss", "Sight or hearing loss", "losing sight or hearing"),
            _tag("menopause", "Menopause", "the menopause"),
        ],
    },
    {
        "slug": "neurodivergence",
        "label": "Neurodivergence",
        "phrase": "being neurodivergent",
        "tags": [
            _tag("autism", "Autism", "being autistic"),
            _tag("adhd", "ADHD", "ADHD"),
            _tag(
                "dyslexia-and-learning-differences",
                "Dyslexia or another learning difference",
                "dyslexia or another learning difference",
            ),
            _tag("learning-disability", "A learning disability", "a learning disability"),
            _tag(
                "diagnosed-as-an-adult",
                "Finding out you're neurodivergent as an adult",
                "finding out about being neurodivergent as an adult",
            ),
        ],
    },
    {
        "slug": "identity-and-belonging",
        "label": "Identity & belonging",
        "phrase": "questions of identity and belonging",
        "tags": [
            _tag("coming-out", "Coming out", "coming out"),
            _tag("being-lgbtq", "Being LGBTQ+", "being LGBTQ+"),
            _tag("gender-identity", "Gender identity", "questions about gender identity"),
            _tag("transitioning", "Transitioning", "transitioning"),
            _tag("racism", "Racism", "racism"),
            _tag("discrimination", "Other discrimination", "discrimination"),
            _tag(
                "mental-health-stigma",
                "Stigma about mental health",
                "stigma about mental health",
            ),
            _tag("migration", "Moving to a new country", "moving to a new country"),
            _tag("seeking-asylum", "Seeking asylum", "seeking asylum"),
            _tag("faith", "Faith, or leaving a faith", "questions of faith"),
        ],
    },
    {
        "slug": "pregnancy-and-parenthood",
        "label": "Pregnancy & parenthood",
        "phrase": "pregnancy and parenthood",
        "tags": [
            _tag("miscarriage", "Miscarriage", "miscarriage"),
            _tag("stillbirth", "Stillbirth", "stillbirth"),
            _tag("baby-loss", "Loss of a baby", "losing a baby"),
            _tag("ending-a-pregnancy", "Ending a pregnancy", "ending a pregnancy"),
            _tag("infertility", "Fertility struggles", "struggling with fertility"),
            _tag("fertility-treatment", "IVF or fertility treatment", "fertility treatment"),
            _tag("postnatal-depression", "Postnatal depression", "postnatal depression"),
            _tag(
                "perinatal-anxiety",
                "Anxiety in pregnancy or after birth",
                "anxiety in pregnancy or after birth",
            ),
            _tag(
                "birth-trauma", "A difficult or traumatic birth", "a difficult or traumatic birth"
            ),
            _tag("becoming-a-parent", "Becoming a parent", "becoming a parent"),
            _tag("single-parenting", "Parenting alone", "parenting alone"),
            _tag(
                "parenting-a-child-with-additional-needs",
                "Parenting a child with additional needs",
                "parenting a child with additional needs",
            ),
            _tag("adopting-or-fostering", "Adopting or fostering", "adopting or fostering a child"),
            _tag(
                "living-apart-from-children",
                "Not living with your children",
                "not living with your children",
            ),
        ],
    },
    {
        "slug": "life-events",
        "label": "Life events & circumstances",
        "phrase": "a big change in life",
        "tags": [
            _tag("moving-home", "Moving home", "moving home"),
            _tag("money-worries", "Money worries", "money worries"),
            _tag("debt", "Debt", "debt"),
            _tag("homelessness", "Homelessness", "homelessness"),
            _tag("insecure-housing", "Unsafe or insecure housing", "unsafe or insecure housing"),
            _tag("growing-up-in-care", "Growing up in care", "growing up in care"),
            _tag("leaving-care", "Leaving care", "leaving care"),
            _tag("prison", "Time in prison", "time in prison"),
            _tag(
                "family-member-in-prison",
                "Someone close being in prison",
                "someone close being in prison",
            ),
            _tag(
                "leaving-the-armed-forces", "Leaving the armed forces", "leaving the armed forces"
            ),
            _tag(
                "going-through-the-courts", "Going through the courts", "going through the courts"
            ),
            _tag(
                "benefits-system",
                "Dealing with the benefits system",
                "dealing with the benefits system",
            ),
        ],
    },
    {
        "slug": "loneliness-and-isolation",
        "label": "Loneliness & isolation",
        "phrase": "loneliness and isolation",
        "tags": [
            _tag("loneliness", "Loneliness", "loneliness"),
            _tag(
                "cut-off-from-others", "Feeling cut off from people", "feeling cut off from people"
            ),
            _tag("housebound", "Being housebound", "being housebound"),
            _tag("living-remotely", "Living somewhere remote", "living somewhere remote"),
            _tag("new-to-an-area", "Being new to an area", "being new to an area"),
            _tag(
                "hard-to-make-friends",
                "Finding it hard to make friends",
                "finding it hard to make friends",
            ),
            _tag(
                "loneliness-in-later-life", "Loneliness in later life", "loneliness in later life"
            ),
        ],
    },
]
