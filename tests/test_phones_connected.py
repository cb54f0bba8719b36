"""The console shows how many phones are connected now: an unnumbered ``phones`` notice
to the facilitator's pages when a participant's connection comes or goes (one person
with two tabs is one phone); the screen and the phones never get it."""

from __future__ import annotations


def phones_notices(client) -> list[int]:
    return [m["args"][0]["connected"] for m in client.get_received()
            if m["name"] == "notice" and m["args"][0].get("type") == "phones"]


def test_the_console_hears_how_many_phones_are_connected(sio, make_session):
    s = make_session()
    raad, bond = s.join("raadslid"), s.join("vakbond")
    console = sio(s.fac, s.code)
    assert phones_notices(console) == [0]  # on connect: how many now
    screen = sio(s.screen, s.code)
    first = sio(raad["participant_token"], s.code)
    assert phones_notices(console) == [1]
    second_tab = sio(raad["participant_token"], s.code)  # the same person, another tab
    other = sio(bond["participant_token"], s.code)
    assert phones_notices(console) == [2]
    first.disconnect()
    assert phones_notices(console) == []  # the other tab still holds the person
    second_tab.disconnect()
    assert phones_notices(console) == [1]
    # a console opened now hears the count at once
    late = sio(s.fac, s.code)
    assert phones_notices(late) == [1]
    other.disconnect()
    assert phones_notices(console) == [0] and phones_notices(late) == [0]
    assert phones_notices(screen) == []


def test_phones_of_another_session_are_not_counted(sio, make_session):
    one, two = make_session(), make_session()
    console = sio(one.fac, one.code)
    console.get_received()
    phone = sio(two.join("raadslid")["participant_token"], two.code)
    assert phone.is_connected()
    assert phones_notices(console) == []
    assert phones_notices(phone) == []


def test_the_console_page_has_the_phone_count_and_its_hint(app, make_session):
    from tests.web.test_pages import facilitator_client

    s = make_session()
    page = facilitator_client(app, s).get(f"/f/{s.code}",
                                          headers={"Accept-Language": "nl"}).get_data(
        as_text=True)
    assert "data-phones" in page and "data-phones-hint" in page
    assert "telefoons verbonden" in page  # the strings the console fills in
    assert "Op locatie" in page
