"""The app installs on a phone and opens the roll without signal: the web manifest, the service
worker and what is erased at sign-out. The browser side is in tests/e2e/test_offline_roll.py."""


def test_the_service_worker_is_served_from_the_root_for_the_roll_pages(client):
    response = client.get("/service-worker.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    worker = response.get_data(as_text=True)
    # It keeps only the static files and the roll pages.
    assert "ROLL_PAGE = /^\\/attendance\\/groups\\/\\d+\\/roll$/" in worker
    assert 'url.pathname.indexOf("/static/") === 0' in worker


def test_the_manifest_names_the_service_with_its_icons(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.json["name"] == "Centre de zi"
    assert manifest.json["start_url"] == "/"
    assert manifest.json["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest.json["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest.json["icons"]:
        with client.get(icon["src"]) as served:
            assert served.status_code == 200


def test_every_page_links_the_manifest_and_the_worker(client, login_as):
    login_as("coordinator")
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'data-worker="/service-worker.js"' in page


def test_signing_out_erases_what_the_phone_kept(client, login_as):
    login_as("coordinator")
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
