"""Signing dossiers with pyHanko: the organization's certification signature (PAdES,
DocMDP level 2: later signatures and form filling allowed, nothing else), an auditor's
counter-signature as an incremental update, RFC 3161 timestamps when a TSA is configured.

The organization's key comes from settings (PEM key + certificate + chain, or a PKCS#12
bundle); without one a development CA and signing certificate are made once under
``DOSSIER_DEV_CA_DIR`` and ``Credentials.development`` says so (the cover prints it)."""

from __future__ import annotations

import datetime
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

ORG_FIELD = "Organization signature"


class SigningError(Exception):
    """The signing key or certificate cannot be used (a message for people)."""


@dataclass(frozen=True)
class Credentials:
    signer: signers.SimpleSigner
    roots: list[asn1_x509.Certificate]
    development: bool

    @property
    def subject(self) -> str:
        cert = self.signer.signing_cert
        return str(cert.subject.human_friendly) if cert is not None else ""

    def identity(self) -> dict[str, Any]:
        return {"subject": self.subject, "development_key": self.development}


# --- Certificates ----------------------------------------------------------------------------


def _name(common_name: str, organization: str = "Forethought development") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )


def make_certificate(
    common_name: str,
    *,
    issuer: tuple[rsa.RSAPrivateKey, x509.Certificate] | None = None,
    ca: bool = False,
    timestamping: bool = False,
    organization: str = "Forethought development",
    days: int = 3650,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """An RSA key and certificate: a self-signed root, or one issued by ``issuer``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = _name(common_name, organization)
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    signing_key, issuer_name = (key, subject) if issuer is None else (issuer[0], issuer[1].subject)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca and not timestamping,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if timestamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return key, builder.sign(signing_key, hashes.SHA256())


def pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def development_ca(folder: Path) -> tuple[bytes, bytes, bytes]:
    """(key PEM, certificate PEM, CA certificate PEM) of the development signer, made once."""
    files = [folder / name for name in ("signing-key.pem", "signing-cert.pem", "ca-cert.pem")]
    if not all(f.is_file() for f in files):
        folder.mkdir(parents=True, exist_ok=True)
        ca = make_certificate("Forethought development CA", ca=True)
        key, cert = make_certificate("Forethought development signing key", issuer=ca)
        # Written under temporary names and renamed, CA last: two processes making it at
        # once each end with a consistent trio.
        for path, content in zip(
            files, (pem_key(key), pem_cert(cert), pem_cert(ca[1])), strict=True
        ):
            fd, tmp = tempfile.mkstemp(dir=folder)
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
    key_pem, cert_pem, ca_pem = (f.read_bytes() for f in files)
    return key_pem, cert_pem, ca_pem


def load_pem_signer(
    key_pem: bytes, cert_pem: bytes, chain_pem: bytes = b"", passphrase: bytes | None = None
) -> tuple[signers.SimpleSigner, list[asn1_x509.Certificate]]:
    """A signer from PEM (or DER) data, and the trust roots its chain ends in."""
    try:
        key = load_private_key_from_pemder_data(key_pem, passphrase=passphrase)
        certs = list(load_certs_from_pemder_data(cert_pem))
        chain = list(load_certs_from_pemder_data(chain_pem)) if chain_pem.strip() else []
    except Exception as exc:  # pyHanko and cryptography raise several kinds
        raise SigningError(f"The signing key or certificate cannot be read: {exc}") from exc
    if not certs:
        raise SigningError("The signing certificate file holds no certificate.")
    signer = signers.SimpleSigner(
        signing_cert=certs[0],
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(certs[1:] + chain),  # type: ignore[no-untyped-call]
    )
    return signer, _roots(certs[0], certs[1:] + chain)


def load_pkcs12_signer(
    data: bytes, passphrase: bytes | None = None
) -> tuple[signers.SimpleSigner, list[asn1_x509.Certificate]]:
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase)
    except Exception as exc:
        raise SigningError(f"The PKCS#12 bundle cannot be read: {exc}") from exc
    if signer is None or signer.signing_cert is None:
        raise SigningError("The PKCS#12 bundle cannot be read (wrong passphrase?).")
    others = [c for c in signer.cert_registry if c != signer.signing_cert]
    return signer, _roots(signer.signing_cert, others)


def _roots(
    leaf: asn1_x509.Certificate, chain: list[asn1_x509.Certificate]
) -> list[asn1_x509.Certificate]:
    """The self-signed certificates of the chain; failing those, its last certificate (or
    the leaf itself): what verification trusts by default."""
    roots = [c for c in chain if c.self_signed]
    if roots:
        return roots
    return [chain[-1] if chain else leaf]


SETTINGS = (
    "DOSSIER_SIGNING_KEY",
    "DOSSIER_SIGNING_CERT",
    "DOSSIER_SIGNING_CHAIN",
    "DOSSIER_SIGNING_PKCS12_FILE",
    "DOSSIER_SIGNING_PASSPHRASE",
    "DOSSIER_DEV_CA_DIR",
)


def config_of(settings: Any) -> dict[str, str]:
    """The signing settings as plain strings: what a child process needs to load the same
    credentials (pyHanko's signer objects do not survive pickling)."""
    return {name: str(getattr(settings, name)) for name in SETTINGS}


def credentials(config: Any) -> Credentials:
    """The organization's signing credentials from settings (``config``: Django's settings,
    or the dict of ``config_of``)."""
    if isinstance(config, dict):
        config = SimpleNamespace(**config)
    passphrase = config.DOSSIER_SIGNING_PASSPHRASE.encode() or None
    if config.DOSSIER_SIGNING_PKCS12_FILE:
        try:
            data = Path(config.DOSSIER_SIGNING_PKCS12_FILE).read_bytes()
        except OSError as exc:
            raise SigningError(f"DOSSIER_SIGNING_PKCS12_FILE cannot be read: {exc}") from exc
        signer, roots = load_pkcs12_signer(data, passphrase)
        return Credentials(signer, roots, development=False)
    if config.DOSSIER_SIGNING_KEY or config.DOSSIER_SIGNING_CERT:
        if not (config.DOSSIER_SIGNING_KEY and config.DOSSIER_SIGNING_CERT):
            raise SigningError("Set both DOSSIER_SIGNING_KEY and DOSSIER_SIGNING_CERT (or *_FILE).")
        signer, roots = load_pem_signer(
            config.DOSSIER_SIGNING_KEY.encode(),
            config.DOSSIER_SIGNING_CERT.encode(),
            config.DOSSIER_SIGNING_CHAIN.encode(),
            passphrase,
        )
        return Credentials(signer, roots, development=False)
    key_pem, cert_pem, ca_pem = development_ca(Path(config.DOSSIER_DEV_CA_DIR))
    signer, roots = load_pem_signer(key_pem, cert_pem, ca_pem)
    return Credentials(signer, roots, development=True)


def extra_roots(pem: str) -> list[asn1_x509.Certificate]:
    if not pem.strip():
        return []
    return list(load_certs_from_pemder_data(pem.encode()))


# --- Signing ---------------------------------------------------------------------------------


class _KeepMetadata(IncrementalPdfFileWriter):
    """pyHanko rewrites the document's XMP metadata on every update (modification date,
    producer) and in doing so drops the PDF/A identification WeasyPrint wrote, so the
    signed file would no longer claim PDF/A-3b. A signature needs no metadata change: keep
    the renderer's as it is."""

    def _update_meta(self) -> None:
        return None


def timestamper(url: str) -> TimeStamper | None:
    return HTTPTimeStamper(url, timeout=10) if url else None


def sign(
    pdf: bytes,
    signer: signers.SimpleSigner,
    *,
    field_name: str = ORG_FIELD,
    certify: bool = True,
    tsa: TimeStamper | None = None,
    reason: str = "",
) -> bytes:
    """``pdf`` with one more PAdES signature, written as an incremental update. The first
    (``certify``) is a certification signature that allows later signatures."""
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        certify=certify,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        reason=reason or None,
        use_pades_lta=False,
    )
    writer = _KeepMetadata(io.BytesIO(pdf), strict=False)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer, timestamper=tsa).sign_pdf(writer, output=out)
    return out.getvalue()


def validation_context(roots: list[asn1_x509.Certificate]) -> ValidationContext:
    """Trust exactly ``roots``: never the operating system's store, never the network."""
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
