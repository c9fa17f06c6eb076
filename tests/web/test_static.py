"""Static files: content-hashed names, compressed when the browser accepts it, cached for a
year; the service worker knows the hashed names."""

import re

IMMUTABLE = "public, max-age=31536000, immutable"


async def _hashed_css(client) -> str:
    page = await client.get("/login")
    found = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.text)
    assert found, "pages name the hashed stylesheet"
    return found.group(1)


async def test_pages_name_hashed_files_which_are_cached_for_a_year(client):
    url = await _hashed_css(client)
    page = (await client.get("/login")).text
    assert 'src="/static/js/app.' in page and '"/static/css/app.css"' not in page
    response = await client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["content-type"].startswith("text/css")
    assert "content-encoding" not in response.headers
    assert ":root" in response.text
    # The plain name still answers, but is checked again each time.
    plain = await client.get("/static/css/app.css")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "public, no-cache"
    tag = plain.headers["etag"]
    again = await client.get("/static/css/app.css", headers={"If-None-Match": tag})
    assert again.status_code == 304
    for missing in ("/static/css/nothing.css", "/static/../api/config.py", "/static/css/app.0.css"):
        assert (await client.get(missing)).status_code == 404, missing


async def test_text_files_are_compressed_as_the_browser_accepts(client):
    url = await _hashed_css(client)
    original = (await client.get(url, headers={"Accept-Encoding": "identity"})).content
    as_br = await client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert as_br.headers["content-encoding"] == "br" and as_br.headers["vary"] == "Accept-Encoding"
    assert int(as_br.headers["content-length"]) < len(original) / 2
    assert as_br.content == original  # httpx decodes it (with brotli installed)
    as_gzip = await client.get(url, headers={"Accept-Encoding": "gzip"})
    assert as_gzip.headers["content-encoding"] == "gzip"
    assert as_gzip.content == original  # httpx decodes it
    # Images are already compressed: sent as they are.
    icon = await client.get("/static/icons/icon-192.png", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in icon.headers


async def test_the_service_worker_and_manifest_name_hashed_files(client):
    worker = (await client.get("/sw.js")).text
    assert "__PRECACHE__" not in worker and "__VERSION__" not in worker
    assert re.search(r'"/static/css/app\.[0-9a-f]{12}\.css"', worker)
    assert re.search(r'const CACHE = "kindred-static-" \+ "[0-9a-f]{12}"', worker)
    manifest = (await client.get("/manifest.webmanifest")).json()
    for icon in manifest["icons"]:
        assert re.match(r"/static/icons/.+\.[0-9a-f]{12}\.png$", icon["src"])
        fetched = await client.get(icon["src"])
        assert fetched.headers["cache-control"] == IMMUTABLE


async def test_the_install_offer_waits_for_the_browser(client):
    page = (await client.get("/login")).text
    assert 'id="install-offer" class="install-offer" hidden' in page
    assert re.search(r'src="/static/js/install\.[0-9a-f]{12}\.js"', page)
    script = (await client.get("/static/js/install.js")).text
    assert "beforeinstallprompt" in script
