"""The matching index as a request dependency (each replica keeps one; see index.py)."""

from typing import Annotated

from fastapi import Depends, Request

from api.matching.index import MatchingIndex


async def matching_index(request: Request) -> MatchingIndex:
    return request.app.state.matching_index


IndexDep = Annotated[MatchingIndex, Depends(matching_index)]
