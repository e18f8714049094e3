"""WS-Discovery (SOAP over UDP) Probe for ONVIF cameras on the local network.

A Probe for ``dn:NetworkVideoTransmitter`` goes to the multicast group
239.255.255.250:3702 (or one address, for a camera across a router); every camera
answers with a ProbeMatch naming its device service URLs (XAddrs) and scopes (name,
hardware, location). Answers must carry our MessageID in RelatesTo; others are ignored.
"""

from __future__ import annotations

import socket
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import unquote

from lxml import etree

MULTICAST = ("239.255.255.250", 3702)
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DN = "http://www.onvif.org/ver10/network/wsdl"
SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS = {"s": SOAP, "a": WSA, "d": WSD, "dn": DN}


@dataclass(frozen=True, slots=True)
class Found:
    endpoint: str  # the device's stable urn:uuid
    xaddrs: list[str]  # device service URLs
    scopes: list[str] = field(default_factory=list)

    def scope(self, kind: str) -> str | None:
        """``onvif://www.onvif.org/<kind>/<value>`` -> value (e.g. name, hardware)."""
        head = f"onvif://www.onvif.org/{kind}/"
        for s in self.scopes:
            if s.startswith(head):
                return unquote(s[len(head) :])
        return None


def probe_message(message_id: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{SOAP}" xmlns:a="{WSA}" '
        f'xmlns:d="{WSD}" xmlns:dn="{DN}"><s:Header>'
        f'<a:Action s:mustUnderstand="1">{WSD}/Probe</a:Action>'
        f"<a:MessageID>{message_id}</a:MessageID>"
        f"<a:ReplyTo><a:Address>{WSA}/role/anonymous</a:Address></a:ReplyTo>"
        '<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>'
        "</s:Header><s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe>"
        "</s:Body></s:Envelope>"
    ).encode()


def parse_matches(data: bytes, message_id: str) -> list[Found]:
    """The ProbeMatches of one datagram answering ``message_id``; [] for anything else."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []
    if (root.findtext("s:Header/a:RelatesTo", namespaces=NS) or "").strip() != message_id:
        return []
    out = []
    for m in root.iterfind("s:Body/d:ProbeMatches/d:ProbeMatch", NS):
        xaddrs = (m.findtext("d:XAddrs", default="", namespaces=NS)).split()
        if not xaddrs:
            continue
        out.append(
            Found(
                endpoint=(
                    m.findtext("a:EndpointReference/a:Address", default="", namespaces=NS)
                ).strip(),
                xaddrs=xaddrs,
                scopes=(m.findtext("d:Scopes", default="", namespaces=NS)).split(),
            )
        )
    return out


def discover(timeout_s: float = 3.0, address: tuple[str, int] = MULTICAST) -> list[Found]:
    """Send one Probe and collect answers for ``timeout_s``; one entry per endpoint."""
    message_id = f"urn:uuid:{uuid.uuid4()}"
    found: dict[str, Found] = {}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP) as sock:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
        sock.bind(("", 0))
        sock.sendto(probe_message(message_id), address)
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                data, _ = sock.recvfrom(65535)
            except TimeoutError:
                break
            for f in parse_matches(data, message_id):
                found.setdefault(f.endpoint or f.xaddrs[0], f)
    return list(found.values())
