"""Emailing handouts: real SMTP over loopback (aiosmtpd), STARTTLS, login, failures kept
in the outbox, AES-256 attachments that open only with the password."""

from __future__ import annotations

import email
import email.policy
import io
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pikepdf
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from conftest import DATE, all_text, run_cli
from pypdf import PdfReader

from handouts.build import build_handout
from handouts.document.assemble import Options

PATIENT = "Maria Example-Patient"
PASSWORD = "correct horse 42"


class Recorder:
    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True)
    return cert, key


@pytest.fixture
def smtp(certificate):
    """Start a real SMTP server on loopback; returns (recorder, port)."""
    controllers = []

    def start(*, starttls=False, logins=None):
        recorder = Recorder()
        kwargs = {}
        if starttls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, certificate))
            kwargs.update(tls_context=context, require_starttls=True)
        if logins is not None:
            def authenticate(server, session, envelope, mechanism, auth_data):
                ok = (auth_data.login.decode(), auth_data.password.decode()) in logins
                return AuthResult(success=ok, handled=False)
            kwargs.update(authenticator=authenticate, auth_require_tls=starttls)
        port = free_port()
        controller = Controller(recorder, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return recorder, port

    yield start
    for controller in controllers:
        controller.stop()


def use_mail(roots, certificate, port, security="none", login=False, extra=""):
    profile = roots.clinics / "tiny.toml"
    text = profile.read_text().split("[mail]")[0]
    text += ("[mail]\nsender = \"education@tiny-clinic.example.org\"\n"
             "reply_to = \"nurses@tiny-clinic.example.org\"\n"
             f"host = \"127.0.0.1\"\nport = {port}\nsecurity = \"{security}\"\n"
             f"ca_file = \"{certificate[0]}\"\ntimeout_seconds = 2\n")
    if login:
        text += "username_env = \"TEST_SMTP_USER\"\npassword_env = \"TEST_SMTP_PASSWORD\"\n"
    profile.write_text(text + extra)


def send(roots, tmp_path, *extra, to="patient@example.org", env=None):
    return run_cli("email", "tiny-topic", "--clinic", "tiny", "--to", to, "--patient-name",
                   PATIENT, "--date", DATE.isoformat(), "--outbox", str(tmp_path / "outbox"),
                   *extra, roots=roots, env=env)


def outbox_files(tmp_path) -> list[Path]:
    folder = tmp_path / "outbox"
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def assert_no_patient_details(result, tmp_path):
    assert PATIENT not in result.output
    assert "patient@example.org" not in result.output
    for path in outbox_files(tmp_path):
        assert "Maria" not in path.name and "patient" not in path.name


def test_send_delivers_headers_both_bodies_and_the_exact_pdf(tiny, tmp_path, smtp,
                                                             certificate):
    recorder, port = smtp()
    use_mail(tiny, certificate, port)
    result = send(tiny, tmp_path, "--send")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sent")
    assert_no_patient_details(result, tmp_path)
    (mail_from, recipients, raw), = recorder.messages
    assert mail_from == "education@tiny-clinic.example.org"
    assert recipients == ["patient@example.org"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["From"] == "Tiny Clinic <education@tiny-clinic.example.org>"
    assert message["To"] == "patient@example.org"
    assert message["Reply-To"] == "nurses@tiny-clinic.example.org"
    assert message["Subject"] == "Your handout from Tiny Clinic: Tiny Topic"
    assert message["Date"] and message["Message-ID"].endswith("@tiny-clinic.example.org>")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert f"Dear {PATIENT}" in body and "(555) 000-1111" in body
        assert "password" not in body.lower()  # none was used
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "tiny-topic-en-standard.pdf"
    expected = build_handout(tiny, "tiny-topic", "tiny", "letter",
                             Options(date=DATE, patient_name=PATIENT)).pdf
    assert attachment.get_content() == expected
    assert f"Prepared for: {PATIENT}" in all_text(expected)
    assert outbox_files(tmp_path) == []


def test_starttls_with_login_accepted(tiny, tmp_path, smtp, certificate):
    recorder, port = smtp(starttls=True, logins={("clinic", "s3cret")})
    use_mail(tiny, certificate, port, security="starttls", login=True)
    result = send(tiny, tmp_path, "--send",
                  env={"TEST_SMTP_USER": "clinic", "TEST_SMTP_PASSWORD": "s3cret"})
    assert result.exit_code == 0, result.output
    assert len(recorder.messages) == 1


def test_refused_login_keeps_the_message_and_resend_delivers_it(tiny, tmp_path, smtp,
                                                                certificate):
    recorder, port = smtp(starttls=True, logins={("clinic", "s3cret")})
    use_mail(tiny, certificate, port, security="starttls", login=True)
    result = send(tiny, tmp_path, "--send",
                  env={"TEST_SMTP_USER": "clinic", "TEST_SMTP_PASSWORD": "wrong"})
    assert result.exit_code == 1
    line, = result.stderr.strip().splitlines()
    assert "refused the login" in line and "handouts email --resend" in line
    assert_no_patient_details(result, tmp_path)
    kept, = outbox_files(tmp_path)
    assert recorder.messages == []
    again = run_cli("email", "--resend", str(kept), "--outbox", str(tmp_path / "outbox"),
                    roots=tiny, env={"TEST_SMTP_USER": "clinic", "TEST_SMTP_PASSWORD": "s3cret"})
    assert again.exit_code == 0, again.output
    assert len(recorder.messages) == 1
    assert outbox_files(tmp_path) == []  # delivered, so no longer waiting


def test_server_down_is_reported_and_kept(tiny, tmp_path, certificate):
    use_mail(tiny, certificate, free_port())  # nothing listens there
    result = send(tiny, tmp_path, "--send")
    assert result.exit_code == 1
    assert "cannot reach the mail server 127.0.0.1" in result.stderr
    assert len(outbox_files(tmp_path)) == 1


def test_rejected_recipient_is_reported_and_kept(tiny, tmp_path, smtp, certificate):
    recorder, port = smtp()
    use_mail(tiny, certificate, port)
    result = send(tiny, tmp_path, "--send", to="nobody@example.org")
    assert result.exit_code == 1
    assert "rejected the recipient (550)" in result.stderr
    assert len(outbox_files(tmp_path)) == 1 and recorder.messages == []


def test_a_server_that_never_answers_times_out_and_keeps_the_message(tiny, tmp_path,
                                                                     certificate):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    try:
        use_mail(tiny, certificate, listener.getsockname()[1], extra="")
        profile = tiny.clinics / "tiny.toml"
        profile.write_text(profile.read_text().replace("timeout_seconds = 2",
                                                       "timeout_seconds = 0.5"))
        result = send(tiny, tmp_path, "--send")
    finally:
        listener.close()
        for connection, _ in accepted:
            connection.close()
    assert result.exit_code == 1
    assert "did not answer within 0.5 s (timeout)" in result.stderr
    assert len(outbox_files(tmp_path)) == 1


def test_invalid_address_is_refused_before_anything_is_built(tiny, tmp_path, certificate):
    use_mail(tiny, certificate, free_port())
    for bad in ("not-an-address", "a@b.org\r\nBcc: x@y.org", "a@b.org, c@d.org"):
        result = send(tiny, tmp_path, "--send", to=bad)
        assert result.exit_code == 1 and "is not a valid email address" in result.stderr
    assert outbox_files(tmp_path) == []


def test_attachment_over_the_profile_limit_is_refused(tiny, tmp_path, certificate):
    use_mail(tiny, certificate, free_port(), extra="max_attachment_mb = 0.02\n")
    result = send(tiny, tmp_path, "--save-eml", str(tmp_path / "m.eml"))
    assert result.exit_code == 1
    assert "email limit is 20 KB" in result.stderr
    assert not (tmp_path / "m.eml").exists()


def test_saved_message_with_password_opens_only_with_the_password(tiny, tmp_path,
                                                                  certificate):
    use_mail(tiny, certificate, free_port())
    target = tmp_path / "out.eml"
    result = send(tiny, tmp_path, "--password-env", "HANDOUT_PW", "--save-eml", str(target),
                  env={"HANDOUT_PW": PASSWORD})
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and PASSWORD.encode() not in target.read_bytes()
    message = email.message_from_bytes(target.read_bytes(), policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    assert "protected with a password" in text and "never send the password" in text
    pdf = next(message.iter_attachments()).get_content()
    # reader 1: pypdf
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted
    with pytest.raises(Exception):  # noqa: B017 - any failure to read is the point
        reader.pages[0].extract_text()
    assert reader.decrypt("wrong password") == 0
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.decrypt(PASSWORD) != 0
    assert PATIENT in reader.pages[0].extract_text()
    assert reader._encryption.V == 5 and reader._encryption.R == 6  # AES-256
    # reader 2: qpdf, through pikepdf
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(pdf))
    with pikepdf.open(io.BytesIO(pdf), password=PASSWORD) as document:
        assert len(document.pages) >= 1


def test_password_is_never_taken_from_a_missing_variable(tiny, tmp_path, certificate):
    use_mail(tiny, certificate, free_port())
    result = send(tiny, tmp_path, "--password-env", "UNSET_VARIABLE_X", "--save-eml",
                  str(tmp_path / "m.eml"))
    assert result.exit_code == 1 and "UNSET_VARIABLE_X is not set" in result.stderr


def test_generate_with_patient_name_keeps_the_topic_based_file_name(tiny, tmp_path,
                                                                    monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "--patient-name", PATIENT,
                     "--note", "Take it with food.", roots=tiny)
    assert result.exit_code == 0
    assert PATIENT not in result.output
    written, = (tmp_path / "output").iterdir()
    assert written.name == "tiny-topic-tiny-en-standard-letter.pdf"
    text = all_text(written)
    assert f"Prepared for: {PATIENT}" in text and "Take it with food." in text
    assert PATIENT not in str(PdfReader(written).metadata)


def test_choose_send_or_save(tiny, tmp_path, certificate):
    use_mail(tiny, certificate, free_port())
    result = send(tiny, tmp_path)
    assert result.exit_code == 1 and "choose one" in result.stderr
