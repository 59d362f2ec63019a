"""Web app clinic profiles: administrators edit them with the TOML loader's validation;
nothing is half-written, comments stay, bad colours and fake logos are refused."""

from __future__ import annotations

import html
import io
import re

import pytest
from PIL import Image
from web_support import make_app, shipped_copy, signed_in, token_of

from handouts.inputs.clinics import load_clinic


@pytest.fixture
def site(tmp_path):
    roots = shipped_copy(tmp_path, 2525, delivery="password-protected")
    return make_app(tmp_path / "var", roots), roots


def form(client, **fields):
    data = {"name": "Lakeside Oncology Clinic", "phone": "(555) 013-2200",
            "after_hours": "(555) 013-2299", "website": "https://lakeside-oncology.example.org",
            "address": "48 Shore Avenue\nLakeside, ST 05678", "primary": "#5C2D86",
            "accent": "#1D6B45", "delivery": "password-protected",
            "csrf_token": token_of(client, "/clinics/lakeside"), **fields}
    return client.post("/clinics/lakeside", data=data, content_type="multipart/form-data")


def png(size=(200, 80), colour=(10, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_only_administrators_edit_profiles(site):
    app, _ = site
    nurse = signed_in(app)
    assert nurse.get("/clinics").status_code == 403
    assert nurse.get("/clinics/lakeside").status_code == 403
    admin = signed_in(app, "boss", "admin")
    page = admin.get("/clinics").get_data(as_text=True)
    assert "Lakeside Oncology Clinic" in page and "Riverside" in page
    assert admin.get("/clinics/nowhere").status_code == 404


def test_a_saved_profile_keeps_comments_and_other_tables(site):
    app, roots = site
    admin = signed_in(app, "boss", "admin")
    response = form(admin, name="Lakeside Cancer Centre", phone="(555) 013-9999",
                    address="1 New Road\nSuite 2\nLakeside, ST 05678", delivery="either",
                    after_hours="")
    assert response.status_code == 303
    text = (roots.clinics / "lakeside.toml").read_text()
    assert text.startswith("# Example clinic profile.")  # the comment is still there
    assert 'name = "Lakeside Cancer Centre"' in text and "after_hours" not in text
    clinic = load_clinic(roots, "lakeside")
    assert clinic.name == "Lakeside Cancer Centre" and clinic.phone == "(555) 013-9999"
    assert clinic.address == ("1 New Road", "Suite 2", "Lakeside, ST 05678")
    assert clinic.mail.delivery == "either" and clinic.mail.host == "127.0.0.1"
    assert sorted(p.name for p in roots.clinics.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(("fields", "message"), [
    ({"primary": "#FFFF66"}, "Main colour: #FFFF66 is too pale for text on white"),
    ({"accent": "blue"}, "Second colour: "),
    ({"phone": "call us!"}, "Phone: 'call us!' does not look like a phone number"),
    ({"name": ""}, "Clinic name: "),
    ({"website": "not a web address"}, "Website: 'not a web address' does not look like a web"),
])
def test_a_bad_value_is_refused_in_the_forms_words_and_nothing_changes(site, fields, message):
    app, roots = site
    before = (roots.clinics / "lakeside.toml").read_bytes()
    admin = signed_in(app, "boss", "admin")
    response = form(admin, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and html.unescape(message) in html.unescape(page)
    # staff see the field's label, never the file or the key (review M5)
    assert "lakeside.toml" not in page and "key '" not in html.unescape(page)
    field = next(iter(fields))
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page), "the field is not marked"
    assert ".checking" not in page
    assert (roots.clinics / "lakeside.toml").read_bytes() == before
    assert [p for p in roots.clinics.iterdir() if p.name.startswith(".")] == []


def test_a_new_logo_is_checked_and_used(site):
    app, roots = site
    admin = signed_in(app, "boss", "admin")
    response = form(admin, logo=(io.BytesIO(png()), "new-logo.png"))
    assert response.status_code == 303
    clinic = load_clinic(roots, "lakeside")
    assert clinic.logo_path.name.startswith("lakeside-logo-") and clinic.logo_path.is_file()


@pytest.mark.parametrize(("data", "message"), [
    (b"this is a text file, not a picture", "must be a PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 50, "damaged or unreadable"),
])
def test_a_fake_or_damaged_logo_is_refused(site, data, message):
    app, roots = site
    before = (roots.clinics / "lakeside.toml").read_bytes()
    admin = signed_in(app, "boss", "admin")
    response = form(admin, logo=(io.BytesIO(data), "logo.png"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "New logo: " in page and message in page
    assert "key '" not in html.unescape(page)
    assert (roots.clinics / "lakeside.toml").read_bytes() == before
    assert [p for p in roots.clinics.iterdir() if p.name.startswith(".")] == []


def test_an_oversized_upload_is_a_clear_page(site):
    app, _ = site
    admin = signed_in(app, "boss", "admin")
    response = form(admin, logo=(io.BytesIO(b"\0" * (3 * 1024 * 1024)), "huge.png"))
    assert response.status_code == 413
    assert "Files up to 2 MB" in response.get_data(as_text=True)
    assert admin.get("/clinics").status_code == 200


def test_the_command_line_still_names_the_file_and_key(site):
    from conftest import run_cli

    _, roots = site
    profile = roots.clinics / "lakeside.toml"
    profile.write_text(profile.read_text().replace('primary = "#5C2D86"', 'primary = "#FFFF66"'))
    result = run_cli("generate", "bone-metastasis", "--clinic", "lakeside", "-o", "/dev/null",
                     roots=roots)
    assert result.exit_code != 0 and "lakeside.toml: key 'primary'" in result.stderr


def test_a_problem_the_form_cannot_fix_says_so_and_keeps_the_file_and_key():
    from handouts.web.clinic_profiles import plain_refusal

    field, sentence = plain_refusal("clinics/x.toml: key 'mail.port': must be a whole number")
    assert field is None and "clinics/x.toml: key 'mail.port'" in sentence
    assert sentence.startswith("The profile file has a problem this page cannot fix")
