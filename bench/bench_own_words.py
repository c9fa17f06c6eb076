"""Does own-words similarity change who is suggested? Every demo seeker's shortlist, with and
without it.

    python -m bench.bench_own_words

Needs the similarity extra (`make install-similarity`). Builds a fresh SQLite database with the
migrations, loads the demo data (whose own words are written to vary) and asks, for each demo
seeker, for a shortlist about all their experiences: once from a pool with everyone's
own-words vectors and once from the same pool without them (same weights, same data). Prints
both orders and writes bench/results/own_words.json. No words are printed, only names.
"""

import asyncio
import tempfile
import time
from pathlib import Path

from alembic.config import Config
from sqlalchemy import select

from alembic import command
from api import demo
from api.auth.models import User
from api.config import Settings
from api.db import create_engine, create_sessionmaker
from api.matching.index import MatchingIndex
from api.matching.models import SupportRequest
from api.matching.service import suggest
from api.profiles import own_words as similarity
from api.profiles.models import PersonExperience
from bench.common import context, write_results

ROOT = Path(__file__).resolve().parent.parent
K = 10  # more than the demo has sharers for anyone: the whole order is compared


async def run() -> dict:
    folder = Path(tempfile.mkdtemp(prefix="kindred-own-words-"))
    url = f"sqlite:///{folder / 'demo.db'}"
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes.update(database_url=url, configure_logger=False)
    await asyncio.to_thread(command.upgrade, config, "head")
    settings = Settings(database_url=url, environment="development")
    if not similarity.available(settings):
        raise SystemExit("Own-words similarity is off here: make install-similarity first.")
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine, settings)() as db:
            started = time.perf_counter()
            await demo.load(db, settings)
            await db.commit()
            loaded = time.perf_counter() - started
            with_words = MatchingIndex(settings=settings)
            without = MatchingIndex()  # no settings: the pool carries no vectors
            seekers = []
            for email, name, *_ in demo.SEEKERS:
                seeker_id = await db.scalar(select(User.id).where(User.email == email))
                tags = list(
                    await db.scalars(
                        select(PersonExperience.tag_id).where(PersonExperience.user_id == seeker_id)
                    )
                )
                request = SupportRequest(seeker_id=seeker_id, tag_ids=tags)
                db.add(request)
                await db.flush()
                on = await suggest(db, index=with_words, request=request, k=K)
                off = await suggest(db, index=without, request=request, k=K)
                words = await similarity.vectors(db, settings, [seeker_id])
                seekers.append(
                    {
                        "seeker": name,
                        "wrote_own_words": seeker_id in words,
                        "without": [s.display_name for s in off],
                        "with": [s.display_name for s in on],
                        "scores_without": {s.display_name: s.score for s in off},
                        "scores_with": {s.display_name: s.score for s in on},
                        "said_similar": [
                            s.display_name
                            for s in on
                            if any("own words" in reason for reason in s.reasons)
                        ],
                    }
                )
            await db.rollback()
    finally:
        await engine.dispose()
    return {
        "model": similarity.MODEL_NAME,
        "demo_load_seconds": round(loaded, 1),
        "seekers": seekers,
        "order_changed": sum(s["with"] != s["without"] for s in seekers),
        "first_choice_changed": sum(s["with"][:1] != s["without"][:1] for s in seekers),
        "context": context(),
    }


def main() -> None:
    result = asyncio.run(run())
    for s in result["seekers"]:
        words = "own words" if s["wrote_own_words"] else "no own words"
        print(f"{s['seeker']} ({words})")
        for label, key in (("without similarity", "without"), ("with similarity", "with")):
            scores = s[f"scores_{key}"]
            order = ", ".join(f"{n} {scores[n]:.2f}" for n in s[key]) or "-"
            print(f"  {label + ':':20} {order}")
        if s["said_similar"]:
            print(f"  'similar experiences in their own words': {', '.join(s['said_similar'])}")
    print(
        f"{result['order_changed']} of {len(result['seekers'])} shortlists change order, "
        f"{result['first_choice_changed']} change their first suggestion."
    )
    print(f"wrote {write_results('own_words', result)}")


if __name__ == "__main__":
    main()
