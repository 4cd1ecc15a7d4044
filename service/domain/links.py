"""Every URL knoten hands out, in one place: page links in views and mails, QR codes, and the
redirects of the pages. `Links(base_url)` builds absolute URLs (mails, the API's answers);
`PAGES` (no base) builds paths, for redirects that stay on the host the browser asked."""

from __future__ import annotations

import msgspec


class Links(msgspec.Struct, frozen=True):
    """URLs of the pages that belong to a workshop, below `base_url`."""

    base_url: str

    def signup(self, wid: str, sid: str, table_code: str | None = None) -> str:
        return f"{self.base_url}/s/{wid}/{sid}" + (f"?code={table_code}" if table_code else "")

    def api(self, wid: str) -> str:
        """The workshop in the API; its resources are below."""
        return f"{self.base_url}/api/workshops/{wid}"

    def sessions_api(self, wid: str) -> str:
        return f"{self.api(wid)}/sessions"

    def qr(self, wid: str, sid: str) -> str:
        return f"{self.sessions_api(wid)}/{sid}/qr.svg"

    def short(self, code: str) -> str:
        """A session's short link, for the room: typed from a poster, or the poster's QR code."""
        return f"{self.base_url}/t/{code}"

    def posters(self, wid: str) -> str:
        return f"{self.api(wid)}/posters.pdf"

    def station(self, wid: str, sid: str) -> str:
        """The sign-up station: a tablet at the table, passed from hand to hand."""
        return f"{self.base_url}/s/{wid}/{sid}/station"

    def station_again(self, wid: str, sid: str, done: str, position: int | None, table_code: str | None) -> str:
        """The station's empty form after a sign-up, thanking for it (`done`: the placement)."""
        position_part = f"&position={position}" if position else ""
        code_part = f"&code={table_code}" if table_code else ""
        return f"{self.station(wid, sid)}?done={done}{position_part}{code_part}"

    def signup_done(self, wid: str, sid: str, signup_id: str, again: bool) -> str:
        return f"{self.signup(wid, sid)}/done?signup={signup_id}" + ("&again=1" if again else "")

    def console(self, wid: str, code: str) -> str:
        return f"{self.base_url}/w/{wid}/login?code={code}"

    def report(self, wid: str, code: str) -> str:
        return f"{self.console(wid, code)}&next=report"

    def board(self, wid: str) -> str:
        """The facilitator's workshop board."""
        return f"{self.base_url}/w/{wid}"

    def board_panel(self, wid: str) -> str:
        """The board's live part, fetched again on every event."""
        return f"{self.board(wid)}/board"

    def report_page(self, wid: str) -> str:
        return f"{self.board(wid)}/report"

    def intro_page(self, wid: str) -> str:
        return f"{self.board(wid)}/intro"

    def session_console(self, wid: str, sid: str) -> str:
        return f"{self.board(wid)}/s/{sid}"

    def console_panel(self, wid: str, sid: str) -> str:
        """The console's live part, fetched again on every event."""
        return f"{self.session_console(wid, sid)}/panel"

    def projector(self, wid: str, sid: str, theme: str | None = None) -> str:
        """The session on the wall: QR code, short link, live counts (`theme`: `light`)."""
        return f"{self.session_console(wid, sid)}/projector" + (f"?theme={theme}" if theme else "")

    def projector_panel(self, wid: str, sid: str) -> str:
        """The projector's live part, fetched again on every event."""
        return f"{self.session_console(wid, sid)}/projector/panel"

    def participant_panel(self, wid: str, sid: str) -> str:
        """The phone's part of a session (cards, dots, posts, date poll), fetched again on every event."""
        return f"{self.signup(wid, sid)}/panel"

    def public_digest(self, wid: str, sid: str, signature: str) -> str:
        """A session's digest without personal data, for anyone given the link."""
        return f"{self.base_url}/d/{wid}/{sid}/{signature}"

    def session_api(self, wid: str, sid: str) -> str:
        """A session in the API: the phone's and the console's writes go below it."""
        return f"{self.sessions_api(wid)}/{sid}"

    def photos_api(self, wid: str, sid: str) -> str:
        """Where the console uploads a session's photos."""
        return f"{self.session_api(wid, sid)}/photos"

    def photo(self, wid: str, sid: str, photo_id: str) -> str:
        """One photo's image (facilitator)."""
        return f"{self.photos_api(wid, sid)}/{photo_id}"

    def digest_document(self, wid: str, sid: str, suffix: str) -> str:
        """A closed session's digest as a document (`html`, `pdf`, `md`) for the facilitator."""
        return f"{self.session_api(wid, sid)}/digest.{suffix}"

    def session_live(self, wid: str, sid: str) -> str:
        """The signals a phone listens to (no fields, only that something happened)."""
        return f"{self.session_api(wid, sid)}/live"

    def table_code(self, wid: str, sid: str) -> str:
        return f"{self.session_console(wid, sid)}/table-code"

    def grid_console(self, wid: str) -> str:
        """The facilitator's barcamp grid: tap a proposal, tap a cell."""
        return f"{self.board(wid)}/grid"

    def grid_panel(self, wid: str) -> str:
        return f"{self.grid_console(wid)}/panel"

    def programme_page(self, wid: str) -> str:
        """The barcamp's programme for phones: no account, "my sessions" from the device's sign-ups."""
        return f"{self.board(wid)}/programme"

    def programme_panel(self, wid: str) -> str:
        return f"{self.programme_page(wid)}/panel"

    def grid_projector(self, wid: str) -> str:
        """The barcamp's grid of rooms × slots for the projector."""
        return f"{self.programme_page(wid)}/grid"

    def grid_projector_panel(self, wid: str) -> str:
        return f"{self.grid_projector(wid)}/panel"

    def pitch(self, wid: str) -> str:
        """Where a signed-up participant proposes a session and shows interest in others."""
        return f"{self.board(wid)}/pitch"

    def pitch_panel(self, wid: str) -> str:
        return f"{self.pitch(wid)}/panel"

    def pitch_interest(self, wid: str, pid: str) -> str:
        return f"{self.pitch(wid)}/{pid}/interest"

    def pitch_withdraw(self, wid: str, pid: str) -> str:
        return f"{self.pitch(wid)}/{pid}/withdraw"

    def grid_api(self, wid: str) -> str:
        return f"{self.api(wid)}/grid"

    def grid_auto_api(self, wid: str) -> str:
        return f"{self.grid_api(wid)}/auto"

    def proposals_api(self, wid: str) -> str:
        return f"{self.api(wid)}/proposals"

    def proposal_api(self, wid: str, pid: str, what: str) -> str:
        """A proposal's action in the API (`place`, `hands`, `interest`)."""
        return f"{self.proposals_api(wid)}/{pid}/{what}"

    def programme_stream(self, wid: str, after: int) -> str:
        """The programme's public live stream, after a log position."""
        return f"{self.programme_live(wid)}?last_event_id={after}"

    def programme_live(self, wid: str) -> str:
        """The programme's public live stream (a page that queues its writes adds the position)."""
        return f"{self.api(wid)}/programme/stream"

    def proposal(self, wid: str, pid: str) -> str:
        """A proposal in the API (its proposer or the facilitator withdraws it here)."""
        return f"{self.proposals_api(wid)}/{pid}"

    def report_document(self, wid: str, suffix: str, language: str | None = None) -> str:
        """The workshop report as a document (`pdf`, `md`, `csv`), in `language` when given."""
        return f"{self.api(wid)}/report.{suffix}" + (f"?lang={language}" if language else "")

    def intro_talks_calendar(self, wid: str) -> str:
        return f"{self.api(wid)}/intro-talks.ics"

    def me(self, done: str | None = None) -> str:
        """The participant's own page; `done` names what just happened there."""
        return f"{self.base_url}/me" + (f"?done={done}" if done else "")

    def personal_link(self, token: str) -> str:
        """The link in a mail that signs a participant in once (the page then drops the token)."""
        return f"{self.me()}?token={token}"

    def link_again(self) -> str:
        """Where a participant asks for their personal links by mail again."""
        return f"{self.me()}/link"

    def mine(self, wid: str, participant_id: str, what: str) -> str:
        """A page or action of one participant's own data (`what`: e.g. `export.json`)."""
        return f"{self.me()}/{wid}/{participant_id}/{what}"

    def erase_me(self, wid: str, participant_id: str) -> str:
        return self.mine(wid, participant_id, "delete")

    def end_earlier_links(self, wid: str, participant_id: str) -> str:
        return self.mine(wid, participant_id, "links/end")

    def switch(self) -> str:
        """Where a browser that holds another participant asks whom to keep."""
        return f"{self.me()}/switch"

    def privacy(self) -> str:
        return f"{self.base_url}/privacy"

    def unsubscribe(self, stop_token: str) -> str:
        return f"{self.base_url}/unsubscribe/{stop_token}"

    def admin(self) -> str:
        return f"{self.base_url}/admin"

    def admin_workshops(self) -> str:
        """Where the organiser's "new workshop" form goes."""
        return f"{self.admin()}/workshops"

    def admin_workshop(self, wid: str, done: str | None = None) -> str:
        """One workshop on the organiser's home: change, copy, close, hand over its console."""
        return f"{self.admin_workshops()}/{wid}" + (f"?done={done}" if done else "")

    def admin_networks(self) -> str:
        """Where the organiser's "new network" form goes."""
        return f"{self.admin()}/networks"

    def admin_network(self, nid: str, done: str | None = None) -> str:
        """A network's page: members, who came to which meeting, working groups."""
        return f"{self.admin_networks()}/{nid}" + (f"?done={done}" if done else "")

    def network_report(self, nid: str, suffix: str, language: str | None = None) -> str:
        """The network report as a page or a document (`html`, `pdf`, `csv`), in `language`."""
        return f"{self.base_url}/api/networks/{nid}/report.{suffix}" + (f"?lang={language}" if language else "")

    def admin_network_group(self, nid: str, gid: str, done: str | None = None) -> str:
        """A working group's page for the organiser: members, sessions held, open commitments."""
        return f"{self.admin_network(nid)}/groups/{gid}" + (f"?done={done}" if done else "")

    def admin_network_group_action(self, nid: str, gid: str, action: str) -> str:
        """A form of the working group's page: `edit`, `end`."""
        return f"{self.admin_network_group(nid, gid)}/{action}"

    def admin_network_member(self, nid: str, mid: str, done: str | None = None) -> str:
        """A member organisation's page for the organiser: change it, or remove it."""
        return f"{self.admin_network(nid)}/members/{mid}" + (f"?done={done}" if done else "")

    def admin_network_member_action(self, nid: str, mid: str, action: str) -> str:
        """A form of the member's page: `edit`, `remove`."""
        return f"{self.admin_network_member(nid, mid)}/{action}"

    def network_console(self, wid: str) -> str:
        """The network of a workshop, as its facilitator sees it (without contact details)."""
        return f"{self.board(wid)}/network"

    def network_console_group(self, wid: str, gid: str) -> str:
        """A working group of the workshop's network, as its facilitator sees it."""
        return f"{self.network_console(wid)}/groups/{gid}"

    def admin_network_action(self, nid: str, action: str) -> str:
        """A form of the network's page: `members`, `groups`."""
        return f"{self.admin_networks()}/{nid}/{action}"

    def admin_workshop_action(self, wid: str, action: str) -> str:
        """A form of the workshop's organiser page: `edit`, `copy`, `close`, `console`, `renew`."""
        return f"{self.admin_workshops()}/{wid}/{action}"

    def admin_login(self) -> str:
        return f"{self.admin()}/login"

    def signin_link(self, link_id: str) -> str:
        return f"{self.admin()}/signin/{link_id}"

    def signin_link_request(self) -> str:
        return f"{self.admin()}/signin-link"

    def admin_retry(self, job_id: str) -> str:
        return f"{self.admin()}/dead-letters/{job_id}/retry"

    def outbox(self) -> str:
        return f"{self.base_url}/dev/outbox"


PAGES = Links("")
