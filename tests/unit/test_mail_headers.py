"""Mail headers that a name cannot break, and the one-click stop in the headers (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

from workers.mail import Mail, build_message, with_stop_link


class FixedClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


CLOCK = FixedClock(datetime(2026, 5, 9, tzinfo=UTC))
MAIL = Mail(
    effect="mail:test", to="nora@example.org", subject="Intro talk with Nora\nNeu", text="Hallo", html="<p>Hallo</p>"
)


def test_a_line_break_in_a_name_from_an_old_event_does_not_break_the_subject() -> None:
    message = build_message(MAIL, "knoten <knoten@example.org>", CLOCK)
    assert message["Subject"] == "Intro talk with Nora Neu"
    assert message["List-Unsubscribe"] is None and message["Reply-To"] is None


def test_a_stoppable_mail_carries_the_one_click_headers_and_the_link_in_both_parts() -> None:
    url = "https://knoten.example.org/unsubscribe/w.reminders.abc.def"
    mail = with_stop_link(MAIL, url, "en")
    message = build_message(mail, "knoten <knoten@example.org>", CLOCK)
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in mail.text and f'href="{url}"' in mail.html
