"""Signing and verifying: the organization's certification signature (PAdES, later
signatures allowed) validates as intact, valid and trusted; an auditor's counter-signature
keeps both valid; tampered copies fail verify_dossier and /verify/ with the reason named;
timestamps come from a local TSA; configured keys (PEM, PKCS#12) replace the development
key."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from asn1crypto import tsp
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.keys import load_private_key_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature

from audits.dossiers import render, services
from audits.signatures import signing, verify

from . import tampering
from .conftest import free_port, pdftotext
from .pdfs import auditor, countersign, tiny_pdf

pytestmark = pytest.mark.django_db


def roots():
    return signing.credentials(settings).roots


def test_the_export_is_a_pades_certification_that_allows_later_signatures(demo):
    reader = PdfFileReader(io.BytesIO(demo.pdf))
    (sig,) = reader.embedded_signatures
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES baseline
    assert sig.docmdp_level == MDPPerm.FILL_FORMS  # not NO_CHANGES: others may sign after
    status = validate_pdf_signature(sig, signing.validation_context(roots()))
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.signing_cert.subject.human_friendly == demo.dossier.signer_subject


def test_verify_dossier_passes_the_export_and_names_its_record(demo, tmp_path, capsys):
    path = tmp_path / "dossier.pdf"
    path.write_bytes(demo.pdf)
    call_command("verify_dossier", str(path))
    out = capsys.readouterr().out
    assert "VALID" in out
    assert f"is dossier {demo.dossier.number} of review {demo.review.pk}" in out
    assert "data matches the record" in out


def test_a_counter_signature_keeps_both_signatures_valid(demo, settings, tmp_path, capsys):
    key, cert, ca = auditor()
    settings.DOSSIER_TRUST_ROOTS = ca.decode()
    (tmp_path / "key.pem").write_bytes(key)
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "ca.pem").write_bytes(ca)
    (tmp_path / "in.pdf").write_bytes(demo.pdf)
    call_command(
        "countersign_dossier",
        str(tmp_path / "in.pdf"),
        "--key",
        str(tmp_path / "key.pem"),
        "--cert",
        str(tmp_path / "cert.pem"),
        "--chain",
        str(tmp_path / "ca.pem"),
        "--out",
        str(tmp_path / "out.pdf"),
    )
    signed = (tmp_path / "out.pdf").read_bytes()
    assert signed.startswith(demo.pdf)  # an incremental update
    report = verify.verify(signed, services.trust_roots())
    assert report.ok, report.problems
    org, audit = report.signatures
    assert (org.certification, org.intact, org.valid, org.trusted) == (True, True, True, True)
    assert org.modification_level == "FORM_FILLING"  # a signature added, nothing else
    assert "Ada Auditor" in audit.signer
    assert (audit.intact, audit.valid, audit.trusted, audit.coverage) == (
        True,
        True,
        True,
        "ENTIRE_FILE",
    )
    result = services.verification(signed)
    assert result.export == demo.dossier and not result.exact and result.data_recorded
    capsys.readouterr()
    call_command("verify_dossier", str(tmp_path / "out.pdf"))
    assert "is built on dossier" in capsys.readouterr().out


def test_an_auditor_outside_the_trust_roots_is_reported_untrusted(demo):
    report = verify.verify(countersign(demo.pdf), services.trust_roots())
    assert not report.ok
    assert any("Ada Auditor" in p and "not trusted" in p for p in report.problems)


KINDS = [
    "one byte changed",
    "one byte changed in a page",
    "page drawn over",
    "attachment swapped",
    "re-signed by an unknown key",
]


def _tampered(demo):
    unsigned, _pages = render.to_pdf(demo.data)
    return {
        "one byte changed": (tampering.flip_one_byte(demo.pdf), "changed after signing"),
        "one byte changed in a page": (
            tampering.flip_one_byte(demo.pdf, tampering.in_first_page_stream(demo.pdf)),
            "damaged",
        ),
        "page drawn over": (tampering.append_page_change(demo.pdf), "content was changed"),
        "attachment swapped": (tampering.append_attachment_change(demo.pdf), "content was changed"),
        "re-signed by an unknown key": (
            tampering.resign_with_unknown_key(unsigned),
            "is not trusted",
        ),
    }


@pytest.fixture(scope="module")
def tampered(demo):
    return _tampered(demo)


@pytest.mark.parametrize(
    "kind",
    ["one byte changed", "page drawn over", "attachment swapped", "re-signed by an unknown key"],
)
def test_verify_dossier_fails_a_tampered_copy_naming_why(demo, tampered, kind, tmp_path):
    pdf, reason = tampered[kind]
    path = tmp_path / "tampered.pdf"
    path.write_bytes(pdf)
    with pytest.raises(CommandError) as failed:
        call_command("verify_dossier", str(path))
    assert failed.value.returncode == 1
    assert reason in str(failed.value)


@pytest.mark.parametrize(
    "kind",
    ["one byte changed", "page drawn over", "attachment swapped", "re-signed by an unknown key"],
)
def test_the_verify_page_fails_a_tampered_copy_naming_why(demo, tampered, kind, client):
    pdf, reason = tampered[kind]
    response = client.post("/verify/", {"file": SimpleUploadedFile("d.pdf", pdf)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not valid" in html and reason in html
    assert "Valid: intact" not in html


def test_appended_changes_are_named_as_after_the_signature(tampered):
    pdf, _ = tampered["page drawn over"]
    report = verify.verify(pdf, roots())
    (sig,) = report.signatures
    assert sig.intact and sig.trusted  # the signed bytes are as they were...
    assert sig.modification_level == "OTHER"  # ...but the file goes on past them
    assert any("does not cover the whole file" in p for p in report.problems)


def test_the_verify_page_passes_the_export_for_anyone(demo, client):
    response = client.post("/verify/", {"file": SimpleUploadedFile("d.pdf", demo.pdf)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Valid: intact, trusted and unchanged since signing" in html
    assert f"This file is dossier {demo.dossier.number} as exported" in html
    # Whether the review still has this data is for people who may read it.
    assert "The review still has the same data" not in html


def test_the_verify_page_tells_a_member_whether_the_review_changed_since(demo, client):
    client.force_login(demo.owner)
    response = client.post("/verify/", {"file": SimpleUploadedFile("d.pdf", demo.pdf)})
    assert "The review still has the same data today." in response.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "The submitted file is empty."), (b"hello, not a pdf", "This is not a PDF file")],
)
def test_bad_uploads_are_refused_with_a_message(client, content, message):
    response = client.post("/verify/", {"file": SimpleUploadedFile("x.pdf", content)})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_verify_page_refuses_files_over_the_limit(client, settings):
    settings.DOSSIER_MAX_VERIFY_BYTES = 1000
    response = client.post("/verify/", {"file": SimpleUploadedFile("x.pdf", b"%PDF-" * 400)})
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()


def test_verify_dossier_exits_2_on_bad_input(tmp_path):
    with pytest.raises(CommandError) as missing:
        call_command("verify_dossier", str(tmp_path / "nope.pdf"))
    assert missing.value.returncode == 2
    (tmp_path / "x.pdf").write_bytes(b"not a pdf")
    with pytest.raises(CommandError) as bad:
        call_command("verify_dossier", str(tmp_path / "x.pdf"))
    assert bad.value.returncode == 2 and "not a PDF" in str(bad.value)


def test_an_unsigned_pdf_fails_as_unsigned(tmp_path):
    (tmp_path / "u.pdf").write_bytes(tiny_pdf())
    with pytest.raises(CommandError) as failed:
        call_command("verify_dossier", str(tmp_path / "u.pdf"))
    assert failed.value.returncode == 1 and "carries no signature" in str(failed.value)


# --- Timestamps ------------------------------------------------------------------------------


@pytest.fixture
def local_tsa(monkeypatch):
    """An RFC 3161 timestamp authority on 127.0.0.1 answering with pyHanko's test
    timestamper, its certificate issued by its own CA."""
    ca = signing.make_certificate("Test TSA CA", ca=True, organization="TSA")
    key, cert = signing.make_certificate(
        "Test TSA", issuer=ca, timestamping=True, organization="TSA"
    )
    stamper = DummyTimeStamper(
        tsa_cert=signing.to_asn1(cert),
        tsa_key=load_private_key_from_pemder_data(signing.pem_key(key), None),
    )
    calls = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            calls.append(len(body))
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield f"http://127.0.0.1:{server.server_port}/", signing.pem_cert(ca[1]).decode(), calls
    server.shutdown()
    server.server_close()


def test_with_a_tsa_configured_the_signature_carries_a_trusted_timestamp(local_tsa, settings):
    url, tsa_root, calls = local_tsa
    settings.DOSSIER_TSA_URL = url
    settings.DOSSIER_TRUST_ROOTS = tsa_root
    signed = signing.sign(
        tiny_pdf(), signing.credentials(settings).signer, tsa=signing.timestamper(url)
    )
    assert calls  # pyHanko asks once to size the signature, once to sign
    report = verify.verify(signed, services.trust_roots())
    assert report.ok, report.problems
    (sig,) = report.signatures
    assert sig.timestamp is not None and sig.timestamp_trusted


def test_a_timestamp_from_an_untrusted_tsa_fails(local_tsa, settings):
    url, _root, _calls = local_tsa
    signed = signing.sign(
        tiny_pdf(), signing.credentials(settings).signer, tsa=signing.timestamper(url)
    )
    report = verify.verify(signed, services.trust_roots())
    assert any("timestamp" in p for p in report.problems)


# --- Configured keys -----------------------------------------------------------------------


def test_a_configured_pem_key_signs_and_the_cover_drops_the_development_note(demo, settings):
    ca = signing.make_certificate("Acme Root CA", ca=True, organization="Acme Lending")
    key, cert = signing.make_certificate("Acme dossier signing", issuer=ca, organization="Acme")
    settings.DOSSIER_SIGNING_KEY = signing.pem_key(key).decode()
    settings.DOSSIER_SIGNING_CERT = signing.pem_cert(cert).decode()
    settings.DOSSIER_SIGNING_CHAIN = signing.pem_cert(ca[1]).decode()
    creds = signing.credentials(settings)
    assert not creds.development and "Acme dossier signing" in creds.subject
    assert [r.subject.human_friendly for r in creds.roots] == [
        signing.to_asn1(ca[1]).subject.human_friendly
    ]
    data = dict(demo.data, signing=creds.identity())
    pdf, _ = render.to_pdf(data)
    signed = signing.sign(pdf, creds.signer)
    assert verify.verify(signed, services.trust_roots()).ok
    # The development CA is no longer trusted once a real key is configured.
    assert not verify.verify(demo.pdf, services.trust_roots()).ok
    cover = pdftotext(signed, 1)
    assert "Acme dossier signing" in cover and "development key" not in cover


def test_a_pkcs12_bundle_with_a_passphrase_signs(settings, tmp_path):
    ca = signing.make_certificate("P12 CA", ca=True)
    key, cert = signing.make_certificate("P12 signer", issuer=ca)
    bundle = pkcs12.serialize_key_and_certificates(
        b"signer",
        key,
        cert,
        [ca[1]],
        pkcs12.serialization.BestAvailableEncryption(b"s3cret"),
    )
    (tmp_path / "org.p12").write_bytes(bundle)
    settings.DOSSIER_SIGNING_PKCS12_FILE = str(tmp_path / "org.p12")
    settings.DOSSIER_SIGNING_PASSPHRASE = "s3cret"
    creds = signing.credentials(settings)
    assert "P12 signer" in creds.subject and not creds.development
    assert verify.verify(signing.sign(tiny_pdf(), creds.signer), creds.roots).ok
    settings.DOSSIER_SIGNING_PASSPHRASE = "wrong"
    with pytest.raises(signing.SigningError):
        signing.credentials(settings)


def test_half_a_configured_key_is_refused(settings):
    settings.DOSSIER_SIGNING_KEY = "-----BEGIN PRIVATE KEY-----"
    with pytest.raises(signing.SigningError, match="both"):
        signing.credentials(settings)


# --- Command lines -------------------------------------------------------------------------


def test_export_dossier_writes_a_signed_file_that_verifies(demo, tmp_path, capsys):
    out = tmp_path / "dossier.pdf"
    call_command("export_dossier", str(demo.review.pk), "--out", str(out))
    assert "a development key" in capsys.readouterr().out
    assert verify.verify(out.read_bytes(), services.trust_roots()).ok
    assert verify.embedded_file(out.read_bytes()) == verify.embedded_file(demo.pdf)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999", "--out", "{tmp}/x.pdf"], "No review with id 999999"),
        (["{review}", "--out", "{tmp}/missing/x.pdf"], "does not exist"),
    ],
)
def test_export_dossier_exits_2_on_bad_input(demo, tmp_path, args, message):
    args = [a.format(tmp=tmp_path, review=demo.review.pk) for a in args]
    with pytest.raises(CommandError) as failed:
        call_command("export_dossier", *args)
    assert failed.value.returncode == 2 and message in str(failed.value)


def test_countersign_dossier_exits_2_on_bad_input(tmp_path):
    (tmp_path / "in.pdf").write_bytes(b"not a pdf")
    with pytest.raises(CommandError) as not_pdf:
        call_command("countersign_dossier", str(tmp_path / "in.pdf"), "--out", "x.pdf")
    assert not_pdf.value.returncode == 2
    (tmp_path / "in.pdf").write_bytes(tiny_pdf())
    with pytest.raises(CommandError) as no_key:
        call_command("countersign_dossier", str(tmp_path / "in.pdf"), "--out", "x.pdf")
    assert no_key.value.returncode == 2 and "--key" in str(no_key.value)
    (tmp_path / "k.pem").write_text("garbage")
    with pytest.raises(CommandError) as bad_key:
        call_command(
            "countersign_dossier",
            str(tmp_path / "in.pdf"),
            "--key",
            str(tmp_path / "k.pem"),
            "--cert",
            str(tmp_path / "k.pem"),
            "--out",
            "x.pdf",
        )
    assert bad_key.value.returncode == 2 and "cannot be read" in str(bad_key.value)
