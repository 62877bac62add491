"""The MIME shape of a queued message.

Without a calendar: a plain text message. With one (iMIP, RFC 6047):

    multipart/mixed
      multipart/alternative
        text/plain                                  the body
        text/calendar; method=REQUEST; charset=UTF-8   what calendar clients act on
      application/ics; name=invite.ics              the same object, for clients that only
                                                    look at attachments

The Message-ID is derived from the outbox row, so a message resent after a sender died
between the server's acceptance and the row being marked sent is recognisably the same
message (and receiving servers and clients may drop the duplicate).

A header never carries a line break: the subject's whitespace (titles may hold newlines)
is collapsed to single spaces. Anything else that cannot go into a header (a recipient
with a line break in it) raises ValueError, and the sender marks that message failed.
"""

import uuid
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime


def message_id(outbox_id: uuid.UUID) -> str:
    return f"<{outbox_id}@klynge>"


def one_line(text: str) -> str:
    """`text` with every run of whitespace, line breaks included, as one space."""
    return " ".join(text.split())


def build_message(
    *,
    outbox_id: uuid.UUID,
    mail_from: str,
    recipient: str,
    subject: str,
    body_text: str,
    calendar: str | None,
    calendar_method: str | None,
    date: datetime,
) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["From"] = mail_from
    message["To"] = recipient
    message["Subject"] = one_line(subject)
    message["Message-ID"] = message_id(outbox_id)
    message["Date"] = format_datetime(date)
    # Quoted-printable keeps every line 7-bit, so no relay needs 8BITMIME, and the text
    # stays readable in the raw message.
    message.set_content(body_text, cte="quoted-printable")
    if calendar is not None:
        method = (calendar_method or "PUBLISH").upper()
        # set_content's charset is utf-8 for text; `method` is what RFC 6047 requires on
        # the part so that clients treat it as an invitation rather than a file.
        message.add_alternative(
            calendar, subtype="calendar", params={"method": method}, cte="quoted-printable"
        )
        message.add_attachment(
            calendar.encode(),
            maintype="application",
            subtype="ics",
            filename="invite.ics",
            params={"name": "invite.ics"},  # older clients read the name from here
        )
    return message
