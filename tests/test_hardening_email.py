"""Email that never loses, doubles or relays a message, and says nothing the password hides."""
# ruff: noqa: F811 - the fixtures imported from test_email are used as parameters

from __future__ import annotations

import email
import email.policy
import stat

from conftest import run_cli
from test_email import (  # noqa: F401 - fixtures used by name
    PASSWORD,
    PATIENT,
    Recorder,
    certificate,
    free_port,
    outbox_files,
    send,
    smtp,
    use_mail,
)


class FailsOnQuit(Recorder):
    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        return "451 4.3.0 something went wrong after the message was accepted"


def test_a_server_that_errors_after_accepting_counts_as_sent_once(tiny, tmp_path, certificate):
    from aiosmtpd.controller import Controller

    recorder, port = FailsOnQuit(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        use_mail(tiny, certificate, port)
        result = send(tiny, tmp_path, "--send")
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert len(recorder.messages) == 1
    assert outbox_files(tmp_path) == []  # nothing kept to be sent a second time


def test_an_unwritable_outbox_stops_the_send_and_says_nothing_was_sent(tiny, tmp_path,
                                                                        certificate):
    use_mail(tiny, certificate, free_port())  # nothing listens there
    (tmp_path / "blocked").write_text("a file where the outbox's folder should be")
    result = send(tiny, tmp_path / "blocked", "--send")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "nothing was sent" in lines[0] and "outbox" in lines[0]


def test_a_message_that_cannot_be_sent_is_kept_privately(tiny, tmp_path, certificate):
    use_mail(tiny, certificate, free_port())
    result = send(tiny, tmp_path, "--send")
    assert result.exit_code == 1 and "kept in" in result.stderr
    kept, = outbox_files(tmp_path)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "outbox").stat().st_mode) == 0o700


def test_a_ca_file_that_is_not_a_certificate_is_refused_when_the_profile_is_read(
        tiny, tmp_path, certificate):
    bogus = tiny.clinics / "bogus.pem"
    bogus.write_text("not a certificate\n")
    use_mail(tiny, (bogus, None), free_port(), security="starttls")
    result = send(tiny, tmp_path, "--send")
    assert result.exit_code == 1, result.output
    assert "mail.ca_file" in result.stderr and "certificate" in result.stderr
    assert "please report" not in result.stderr


def test_security_none_with_a_login_to_another_host_is_refused(tiny, tmp_path, certificate):
    use_mail(tiny, certificate, 2525, login=True)
    profile = tiny.clinics / "tiny.toml"
    profile.write_text(profile.read_text().replace('host = "127.0.0.1"',
                                                   'host = "mail.example.org"'))
    result = send(tiny, tmp_path, "--send")
    assert result.exit_code == 1
    assert "mail.security" in result.stderr and "unencrypted" in result.stderr


def test_a_protected_email_names_neither_the_patient_nor_the_condition(tiny, tmp_path,
                                                                        certificate):
    use_mail(tiny, certificate, 2525)
    eml = tmp_path / "message.eml"
    result = send(tiny, tmp_path, "--password-env", "HANDOUT_PW", "--save-eml", str(eml),
                  env={"HANDOUT_PW": PASSWORD})
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(eml.stat().st_mode) == 0o600
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    attachment, = message.iter_attachments()
    for visible in (message["Subject"], text, html, attachment.get_filename()):
        assert "Maria" not in visible and "Tiny Topic" not in visible
        assert "tiny-topic" not in visible
    assert attachment.get_filename() == "handout.pdf"
    assert "Tiny Clinic" in message["Subject"]


def test_resend_goes_only_to_the_checked_recipient_from_the_clinic(tiny, tmp_path, smtp,
                                                                    certificate):
    use_mail(tiny, certificate, free_port())
    assert send(tiny, tmp_path, "--send").exit_code == 1
    kept, = outbox_files(tmp_path)
    raw = kept.read_bytes().replace(
        b"To: patient@example.org",
        b"To: patient@example.org\r\nCc: other@example.org\r\nBcc: hidden@example.org\r\n"
        b"Resent-To: relay@example.org\r\nResent-From: x@example.org")
    raw = raw.replace(b"From: Tiny Clinic", b"From: Someone Else <someone@example.net>\r\nX-Old:")
    kept.write_bytes(raw)
    recorder, port = smtp()
    use_mail(tiny, certificate, port)
    result = run_cli("email", "--resend", str(kept), "--outbox", str(tmp_path / "outbox"),
                     roots=tiny)
    assert result.exit_code == 0, result.output
    (mail_from, recipients, data), = recorder.messages
    assert recipients == ["patient@example.org"]
    assert mail_from == "education@tiny-clinic.example.org"
    delivered = email.message_from_bytes(data, policy=email.policy.default)
    assert "example.net" not in str(delivered["From"])
    assert not any(name.lower() in ("cc", "bcc") or name.lower().startswith("resent-")
                   for name in delivered.keys())
    assert outbox_files(tmp_path) == []


def test_a_message_already_sent_is_not_sent_again(tiny, tmp_path, smtp, certificate):
    recorder, port = smtp()
    use_mail(tiny, certificate, port)
    copy = tmp_path / "copy.eml"
    assert send(tiny, tmp_path, "--save-eml", str(copy)).exit_code == 0
    outbox = str(tmp_path / "outbox")
    assert run_cli("email", "--resend", str(copy), "--outbox", outbox,
                   roots=tiny).exit_code == 0
    again = run_cli("email", "--resend", str(copy), "--outbox", outbox, roots=tiny)
    assert again.exit_code == 1 and "already sent" in again.stderr
    assert len(recorder.messages) == 1
    assert PATIENT not in again.output
