"""What a meeting's state allows its participants: who may still be added, answer, or
have their attendance recorded. Pure checks on the meeting; they raise the shared state
errors of `app.meetings.rules`, so each state has one code whatever the route."""

from app.meetings import rules
from app.meetings.models import Meeting, MeetingStatus


def check_not_cancelled(meeting: Meeting) -> None:
    rules.check_not_cancelled(
        meeting, "The meeting is cancelled; its participants no longer change."
    )


def check_invitations_open(meeting: Meeting) -> None:
    """Adding someone: only while the meeting is planned or confirmed."""
    check_not_cancelled(meeting)
    if meeting.status == MeetingStatus.HELD:
        raise rules.meeting_closed("The meeting has been held; nobody is invited any more.")


def check_answers_open(meeting: Meeting) -> None:
    check_not_cancelled(meeting)
    if meeting.status == MeetingStatus.HELD:
        raise rules.meeting_closed(
            "The meeting has been held; answers are closed (record attendance instead)."
        )


def check_attendance_open(meeting: Meeting) -> None:
    check_not_cancelled(meeting)
    if not rules.has_started(meeting):
        raise rules.meeting_not_started("Attendance is recorded once the meeting has started.")


def check_removal_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.HELD:
        raise rules.meeting_closed("The meeting has been held; its participants are its record.")
