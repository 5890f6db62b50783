"""Closed by default: every endpoint needs a sign-in and a named permission; headers and cookies."""

import pytest
from flask import Flask
from werkzeug.routing import AnyConverter, IntegerConverter

from daycentre import create_app
from daycentre.auth.roles import PERMISSIONS, Role
from daycentre.core.security import PUBLIC_ENDPOINTS
from tests.conftest import text_of


def _sample_value(converter):
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if isinstance(converter, IntegerConverter):
        return 1
    return "x"


def _all_endpoints():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = []
    for rule in app.url_map.iter_rules():
        method = "GET" if "GET" in rule.methods else "POST"
        values = {name: _sample_value(converter) for name, converter in rule._converters.items()}
        url = rule.build(values, append_unknown=False)[1]
        rules.append(
            pytest.param(rule.endpoint, method, url, id=f"{rule.endpoint}:{method}:{rule.rule}")
        )
    return rules, app


ENDPOINTS, _APP = _all_endpoints()
PROTECTED = [p for p in ENDPOINTS if p.values[0] not in PUBLIC_ENDPOINTS]


def _permission_of(app: Flask, endpoint: str) -> str | None:
    return getattr(app.view_functions[endpoint], "permission", None)


@pytest.mark.parametrize(("endpoint", "method", "url"), PROTECTED)
def test_anonymous_visitor_is_sent_to_sign_in(client, endpoint, method, url):
    response = client.open(url, method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize(("endpoint", "method", "url"), PROTECTED)
def test_every_protected_endpoint_names_its_permission(endpoint, method, url):
    assert _permission_of(_APP, endpoint) in PERMISSIONS, f"{endpoint} has no named permission"


def test_public_endpoints_are_only_the_deliberate_ones():
    assert {p.values[0] for p in ENDPOINTS} >= PUBLIC_ENDPOINTS
    assert {
        "auth.login",
        "auth.enter_code",
        "auth.set_language",
        "home.health",
        "home.service_worker",
        "home.web_manifest",
        "static",
        "counselling.calendar_feed",
        "surveys.enter_code",
        "surveys.answer",
        "surveys.thanks",
        "parents.enter_invitation_code",
        "parents.join",
    } == PUBLIC_ENDPOINTS


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("endpoint", "method", "url"), PROTECTED)
def test_a_role_without_the_permission_is_refused(client, login_as, endpoint, method, url, role):
    """One test over every endpoint × role: refused exactly where the permission table says so."""
    login_as(role.value)
    response = client.open(url, method=method)
    allowed = role in PERMISSIONS[_permission_of(_APP, endpoint)]
    if allowed:
        assert response.status_code in (200, 302, 400, 404), response.status_code
    else:
        assert response.status_code == 403


def test_health_answers_without_login(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_pages_carry_the_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_only_over_https(client):
    response = client.get("/auth/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_is_httponly_and_lax(client, users, login):
    response = login(users["coordinator"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_production_requires_a_secret_key_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("DAYCENTRE_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": None, "INSTANCE_PATH": tmp_path})
    app = create_app(
        {"SECRET_KEY": "a-real-secret-from-the-environment", "INSTANCE_PATH": tmp_path}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()


def test_production_cookie_is_host_only_secure_httponly_and_lax(monkeypatch, tmp_path, app):
    monkeypatch.setenv("DAYCENTRE_ENV", "production")
    production = create_app(
        {
            "SECRET_KEY": "a-real-secret-from-the-environment",
            "INSTANCE_PATH": tmp_path,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    response = production.test_client().get("/auth/login", base_url="https://localhost")
    [cookie] = response.headers.getlist("Set-Cookie")
    attributes = [part.strip() for part in cookie.split(";")]
    assert attributes[0].startswith("__Host-session=")
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= set(attributes)
    assert not any(part.lower().startswith("domain=") for part in attributes)
    assert production.config["REMEMBER_COOKIE_NAME"].startswith("__Host-")


def test_development_keeps_a_random_key_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("DAYCENTRE_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"SECRET_KEY": None, "INSTANCE_PATH": tmp_path}).config["SECRET_KEY"]
    second = create_app({"SECRET_KEY": None, "INSTANCE_PATH": tmp_path}).config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_every_post_needs_a_csrf_token(app, users):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"username": users["admin"].username, "password": "x" * 12}
    )
    assert response.status_code == 400

    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/auth/login",
        data={
            "username": users["admin"].username,
            "password": "correct-horse-battery",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302


def test_signing_in_over_https_works_without_a_referer(app, users):
    """Pages send no Referer; the CSRF check over HTTPS must not depend on one."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/auth/login", base_url="https://localhost").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/auth/login",
        base_url="https://localhost",
        data={
            "username": users["admin"].username,
            "password": "correct-horse-battery",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("endpoint", "method", "url"), [p for p in PROTECTED if p.values[1] == "POST"]
)
def test_every_post_endpoint_refuses_a_missing_csrf_token(app, users, endpoint, method, url):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/auth/login",
        data={
            "username": users["admin"].username,
            "password": "correct-horse-battery",
            "csrf_token": token,
        },
    )
    response = client.post(url, data={})
    assert response.status_code == 400
    assert "Formularul a expirat" in text_of(response)


def test_forwarded_headers_count_only_behind_a_configured_proxy(app, users):
    client = app.test_client()
    spoofed = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" not in client.get("/auth/login", headers=spoofed).headers

    behind_proxy = create_app(
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "PROXY_HOPS": 1}
    )
    response = behind_proxy.test_client().get("/auth/login", headers=spoofed)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
