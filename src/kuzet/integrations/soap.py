"""Plain SOAP 1.2 for ONVIF: envelopes, WS-Security UsernameToken (PasswordDigest), faults.

Kuzet needs eight ONVIF operations (capabilities, profiles, stream URI, four PTZ calls
and discovery); a WSDL-driven client (zeep, onvif-zeep-async) would add a WSDL set to
ship and parse per camera for that. Each request here is a short, readable XML body
sent with httpx; answers are read with lxml by namespace (docs/integrations.md).
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import UTC, datetime

from lxml import etree

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest"
)
B64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
TDS = "http://www.onvif.org/ver10/device/wsdl"
TRT = "http://www.onvif.org/ver10/media/wsdl"
TPTZ = "http://www.onvif.org/ver20/ptz/wsdl"
TT = "http://www.onvif.org/ver10/schema"
NS = {"s": SOAP, "wsse": WSSE, "wsu": WSU, "tds": TDS, "trt": TRT, "tptz": TPTZ, "tt": TT}


class SoapFault(RuntimeError):
    """The device answered with a SOAP fault (``code`` e.g. ``ter:NotAuthorized``)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """WS-Security: Base64(SHA-1(nonce + created + password))."""
    return base64.b64encode(
        hashlib.sha1(nonce + created.encode() + password.encode()).digest()
    ).decode()


def security_header(
    username: str, password: str, *, nonce: bytes | None = None, created: str | None = None
) -> str:
    nonce = nonce if nonce is not None else os.urandom(16)
    created = created or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return (
        f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}" s:mustUnderstand="1">'
        "<wsse:UsernameToken>"
        f"<wsse:Username>{_esc(username)}</wsse:Username>"
        f'<wsse:Password Type="{DIGEST}">{password_digest(nonce, created, password)}'
        "</wsse:Password>"
        f'<wsse:Nonce EncodingType="{B64}">{base64.b64encode(nonce).decode()}</wsse:Nonce>'
        f"<wsu:Created>{created}</wsu:Created>"
        "</wsse:UsernameToken></wsse:Security>"
    )


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def envelope(body: str, header: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{SOAP}" '
        f'xmlns:tds="{TDS}" xmlns:trt="{TRT}" xmlns:tptz="{TPTZ}" xmlns:tt="{TT}">'
        f"<s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def parse(xml: bytes) -> etree._Element:
    """The first child of the Body; raises :class:`SoapFault` on a fault."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(xml, parser)
    body = root.find("s:Body", NS)
    if body is None or len(body) == 0:
        raise SoapFault("s:Receiver", "no SOAP body in the answer")
    first = body[0]
    if first.tag == f"{{{SOAP}}}Fault":
        code = first.findtext("s:Code/s:Subcode/s:Value", namespaces=NS) or first.findtext(
            "s:Code/s:Value", namespaces=NS
        )
        reason = first.findtext("s:Reason/s:Text", namespaces=NS) or ""
        raise SoapFault(code or "s:Receiver", reason)
    return first


def esc(s: str) -> str:
    return _esc(s)
