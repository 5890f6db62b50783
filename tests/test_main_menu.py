"""The layout's main menu is kept once rendered (per role, language and mount point): whoever
reads a page still sees the menu of their own role, in their own language."""

import re


def _menu(response) -> str:
    html = response.get_data(as_text=True)
    wide = re.search(r'<ul class="main-menu menu-wide">(.*?)</ul>', html, re.S).group(1)
    folded = re.search(r'<ul class="main-menu ">(.*?)</ul>', html, re.S).group(1)
    assert wide == folded  # the phone's folded menu and the wide one are the same list
    return wide


def _links(menu: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', menu)


def test_each_role_sees_its_own_menu_in_its_own_language(client, users, login):
    login(users["admin"])
    admin = _menu(client.get("/"))
    client.post("/auth/logout")

    login(users["volunteer"])
    romanian = _menu(client.get("/"))
    assert any("audit" in link for link in _links(admin))
    assert not any("audit" in link for link in _links(romanian))
    client.post("/auth/language", data={"language": "hu"})
    hungarian = _menu(client.get("/"))
    assert _links(hungarian) == _links(romanian) and hungarian != romanian
