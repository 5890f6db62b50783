"""The counsellor's private calendar feed, written by hand (RFC 5545): times in UTC, and nothing
personal beyond the beneficiary's initials and the room."""

from datetime import UTC, datetime

from flask_babel import gettext as _

from daycentre.counselling.models import SessionStatus


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(user, sessions) -> str:
    now = _stamp(datetime.now(UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//daycentre//counselling//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:" + _escape(_("Counselling sessions")),
    ]
    for session in sessions:
        # Outside the f-strings, where the message extractor finds them.
        summary = _("Session %(initials)s", initials=session.initials)
        lines += [
            "BEGIN:VEVENT",
            f"UID:counselling-session-{session.id}@daycentre",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(session.starts_at)}",
            f"DTEND:{_stamp(session.ends_at)}",
            f"SUMMARY:{_escape(summary)}",
            f"LOCATION:{_escape(session.room.name)}",
            "STATUS:CANCELLED" if session.status is SessionStatus.CANCELLED else "STATUS:CONFIRMED",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
