"""Static files: content-hashed names, compressed where the browser accepts, cached for a year.

Templates ask for ``static("css/app.css")`` and get ``/static/css/app.<hash>.css``. A hashed URL
never changes content, so it is sent with ``immutable`` caching; a release changes the hash,
and so the URL. The plain name still works (revalidated each time) for anything that can't
know the hash. Text files are sent brotli- or gzip-compressed, each made once and kept.
"""

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from fastapi import APIRouter, Request
from fastapi.responses import Response

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".html", ".map", ".webmanifest"}
# Brotli's best is slow on a megabyte (Swagger UI); a lighter level is nearly as small there.
_BIG = 256 * 1024


@dataclass
class Asset:
    path: Path
    name: str  # "css/app.css", relative to the static folder
    digest: str
    media_type: str
    _encoded: dict[str, bytes] = field(default_factory=dict)

    @property
    def hashed_name(self) -> str:
        stem, dot, suffix = self.name.rpartition(".")
        return f"{stem}.{self.digest}.{suffix}" if dot else f"{self.name}.{self.digest}"

    def etag(self, encoding: str) -> str:
        """One tag per representation: the brotli bytes are not the gzip bytes."""
        return f'"{self.digest}"' if encoding == "identity" else f'"{self.digest}-{encoding}"'

    def body(self, encoding: str) -> bytes:
        """The file as sent with ``encoding`` ("br", "gzip" or "identity"), made once."""
        if encoding not in self._encoded:
            raw = self.path.read_bytes()
            if encoding == "br":
                quality = 11 if len(raw) < _BIG else 6
                self._encoded[encoding] = brotli.compress(raw, quality=quality)
            elif encoding == "gzip":
                self._encoded[encoding] = gzip.compress(raw, compresslevel=9, mtime=0)
            else:
                self._encoded[encoding] = raw
        return self._encoded[encoding]


class Assets:
    """Every file under ``root``, by its plain and its hashed name."""

    def __init__(self, root: Path) -> None:
        self.by_name: dict[str, Asset] = {}
        self.by_hashed: dict[str, Asset] = {}
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type.endswith("javascript"):
                media_type += "; charset=utf-8"
            asset = Asset(path, name, digest, media_type)
            self.by_name[name] = asset
            self.by_hashed[asset.hashed_name] = asset
        # Names the service worker keys its cache on: a new release gets a new cache.
        self.version = hashlib.sha256(
            "".join(a.digest for a in self.by_name.values()).encode()
        ).hexdigest()[:12]

    def url(self, name: str) -> str:
        """The hashed URL of a static file, e.g. ``static("css/app.css")``."""
        return "/static/" + self.by_name[name].hashed_name

    def find(self, requested: str) -> tuple[Asset, bool] | None:
        """The asset at this path and whether the path was its hashed name."""
        if requested in self.by_hashed:
            return self.by_hashed[requested], True
        if requested in self.by_name:
            return self.by_name[requested], False
        return None


def _encoding(request: Request, asset: Asset) -> str:
    if "." + asset.name.rpartition(".")[2] not in COMPRESSIBLE:
        return "identity"
    accepted = {
        part.split(";")[0].strip().lower()
        for part in request.headers.get("accept-encoding", "").split(",")
        if not part.strip().endswith(";q=0")
    }
    if "br" in accepted:
        return "br"
    if "gzip" in accepted:
        return "gzip"
    return "identity"


def static_router(assets: Assets) -> APIRouter:
    router = APIRouter()

    @router.api_route("/static/{requested:path}", methods=["GET", "HEAD"])
    async def static_file(request: Request, requested: str) -> Response:
        found = assets.find(requested)
        if found is None:
            return Response("Not found", status_code=404, media_type="text/plain")
        asset, hashed = found
        encoding = _encoding(request, asset)
        headers = {
            "Cache-Control": IMMUTABLE if hashed else REVALIDATE,
            "ETag": asset.etag(encoding),
            "Vary": "Accept-Encoding",
        }
        if encoding != "identity":
            headers["Content-Encoding"] = encoding
        if request.headers.get("if-none-match") == asset.etag(encoding):
            return Response(status_code=304, headers=headers)
        body = asset.body(encoding)
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return Response(status_code=200, headers=headers, media_type=asset.media_type)
        return Response(body, headers=headers, media_type=asset.media_type)

    return router
