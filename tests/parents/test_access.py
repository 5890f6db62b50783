"""A parent sees their own family's children and nothing of the staff's pages."""

from tests.factories import make_child, make_family, make_parent


def test_a_parent_signs_in_to_their_own_childrens_page(client, login, centre):
    family = make_family(centre, name="Kovács")
    make_child(family, given_name="Réka")
    make_child(make_family(centre, name="Szabó"), given_name="Botond")
    parent = make_parent(family)

    assert login(parent).headers["Location"] == "/"
    home = client.get("/", follow_redirects=True)

    assert "Réka" in home.text
    assert "Botond" not in home.text


def test_a_parent_may_not_open_the_staff_pages(client, login, centre):
    login(make_parent(centre=centre))

    assert client.get("/people/").status_code == 403
    assert client.get("/attendance/").status_code == 403
