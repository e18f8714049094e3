"""A small ONVIF device SIMULATOR written for these tests (not a real camera, not a copy
of any vendor's firmware): SOAP 1.2 over HTTP for GetCapabilities, GetProfiles,
GetStreamUri, ContinuousMove, Stop, GetPresets, GotoPreset and SetPreset, checking the
WS-Security UsernameToken digest, plus a WS-Discovery responder on UDP.

It keeps what a camera would: the pan/tilt/zoom velocity, the position, the presets, and
a log of every call, so tests can assert what the camera was told.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from lxml import etree

S = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
TDS = "http://www.onvif.org/ver10/device/wsdl"
TRT = "http://www.onvif.org/ver10/media/wsdl"
TPTZ = "http://www.onvif.org/ver20/ptz/wsdl"
TT = "http://www.onvif.org/ver10/schema"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
NS = {"s": S, "wsse": WSSE, "wsu": WSU, "tds": TDS, "trt": TRT, "tptz": TPTZ, "tt": TT,
      "a": WSA, "d": WSD}  # fmt: skip


def _env(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{S}" xmlns:tds="{TDS}" '
        f'xmlns:trt="{TRT}" xmlns:tptz="{TPTZ}" xmlns:tt="{TT}" xmlns:ter="http://www.onvif.org/ver10/error">'
        f"<s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def _fault(sub: str, text: str) -> bytes:
    return _env(
        "<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode>"
        f"<s:Value>{sub}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en">{text}</s:Text></s:Reason></s:Fault>'
    )


class OnvifSimulator:
    def __init__(
        self, username: str = "admin", password: str = "sim-pass-123", ptz: bool = True
    ) -> None:
        self.username, self.password, self.has_ptz = username, password, ptz
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.velocity = (0.0, 0.0, 0.0)
        self.position = (0.0, 0.0, 0.0)
        self.presets: dict[str, tuple[str, tuple[float, float, float]]] = {
            "1": ("Gate", (0.5, -0.2, 0.0))
        }
        self.endpoint = "urn:uuid:5f0e3c1a-0000-4000-8000-00000000beef"
        sim = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length", "0"))
                status, out = sim.handle(self.rfile.read(n))
                self.send_response(status)
                self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.http.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/onvif/device_service"
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp_port = self.udp.getsockname()[1]
        self._threads = [
            threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True),
            threading.Thread(target=self._discovery, daemon=True),
        ]

    def start(self) -> OnvifSimulator:
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.udp.close()

    # ------------------------------------------------------------ WS-Discovery
    def _discovery(self) -> None:
        while True:
            try:
                data, addr = self.udp.recvfrom(65535)
            except OSError:
                return
            root = etree.fromstring(data)
            if root.find("s:Body/d:Probe", NS) is None:
                continue
            mid = root.findtext("s:Header/a:MessageID", namespaces=NS)
            scopes = "onvif://www.onvif.org/name/Sim%20PTZ onvif://www.onvif.org/hardware/SIM-1"
            reply = (
                f'<?xml version="1.0"?><s:Envelope xmlns:s="{S}" xmlns:a="{WSA}" xmlns:d="{WSD}">'
                f"<s:Header><a:Action>{WSD}/ProbeMatches</a:Action><a:RelatesTo>{mid}</a:RelatesTo>"
                "</s:Header><s:Body><d:ProbeMatches><d:ProbeMatch>"
                f"<a:EndpointReference><a:Address>{self.endpoint}</a:Address></a:EndpointReference>"
                "<d:Types>dn:NetworkVideoTransmitter</d:Types>"
                f"<d:Scopes>{scopes}</d:Scopes><d:XAddrs>{self.url}</d:XAddrs>"
                "<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches>"
                "</s:Body></s:Envelope>"
            )
            # a stray answer to someone else's probe first: the client must ignore it
            stray = reply.replace(f"<a:RelatesTo>{mid}", "<a:RelatesTo>urn:uuid:other")
            self.udp.sendto(stray.encode(), addr)
            self.udp.sendto(reply.encode(), addr)

    # ------------------------------------------------------------ SOAP
    def _authorised(self, root: etree._Element) -> bool:
        tok = root.find("s:Header/wsse:Security/wsse:UsernameToken", NS)
        if tok is None:
            return False
        user = tok.findtext("wsse:Username", namespaces=NS)
        digest = tok.findtext("wsse:Password", namespaces=NS) or ""
        nonce = base64.b64decode(tok.findtext("wsse:Nonce", namespaces=NS) or "")
        created = tok.findtext("wsu:Created", namespaces=NS) or ""
        want = base64.b64encode(
            hashlib.sha1(nonce + created.encode() + self.password.encode()).digest()
        ).decode()
        return user == self.username and digest == want

    def handle(self, data: bytes) -> tuple[int, bytes]:
        root = etree.fromstring(data)
        op = root.find("s:Body", NS)[0]
        name = etree.QName(op).localname
        if not self._authorised(root):
            self.calls.append(("refused:" + name, {}))
            return 400, _fault("ter:NotAuthorized", "Sender not authorized")
        txt = lambda path: op.findtext(path, namespaces=NS)  # noqa: E731
        base = f"http://127.0.0.1:{self.port}/onvif"
        if name == "GetCapabilities":
            self.calls.append((name, {}))
            ptz = (
                f"<tt:PTZ><tt:XAddr>{base}/ptz_service</tt:XAddr></tt:PTZ>" if self.has_ptz else ""
            )
            return 200, _env(
                "<tds:GetCapabilitiesResponse><tds:Capabilities>"
                f"<tt:Media><tt:XAddr>{base}/media_service</tt:XAddr></tt:Media>{ptz}"
                "</tds:Capabilities></tds:GetCapabilitiesResponse>"
            )
        if name == "GetProfiles":
            self.calls.append((name, {}))
            ptzconf = (
                '<tt:PTZConfiguration token="ptz0"><tt:Name>ptz</tt:Name></tt:PTZConfiguration>'
            )
            profiles = "".join(
                f'<trt:Profiles token="{tok}" fixed="true"><tt:Name>{nm}</tt:Name>'
                f"<tt:VideoEncoderConfiguration><tt:Encoding>H264</tt:Encoding><tt:Resolution>"
                f"<tt:Width>{w}</tt:Width><tt:Height>{h}</tt:Height></tt:Resolution>"
                f"</tt:VideoEncoderConfiguration>{ptzconf if p and self.has_ptz else ''}"
                "</trt:Profiles>"
                for tok, nm, w, h, p in (("main", "mainStream", 1920, 1080, True),
                                         ("sub", "subStream", 640, 360, False))
            )  # fmt: skip
            return 200, _env(f"<trt:GetProfilesResponse>{profiles}</trt:GetProfilesResponse>")
        if name == "GetStreamUri":
            tok = txt("trt:ProfileToken")
            self.calls.append((name, {"profile": tok}))
            return 200, _env(
                "<trt:GetStreamUriResponse><trt:MediaUri>"
                f"<tt:Uri>rtsp://127.0.0.1:8554/{tok}</tt:Uri><tt:Timeout>PT0S</tt:Timeout>"
                "</trt:MediaUri></trt:GetStreamUriResponse>"
            )
        if name == "ContinuousMove":
            pt, z = op.find("tptz:Velocity/tt:PanTilt", NS), op.find("tptz:Velocity/tt:Zoom", NS)
            v = (float(pt.get("x")), float(pt.get("y")), float(z.get("x")))
            self.velocity = v
            self.calls.append((name, {"profile": txt("tptz:ProfileToken"), "velocity": v,
                                      "timeout": txt("tptz:Timeout")}))  # fmt: skip
            return 200, _env("<tptz:ContinuousMoveResponse/>")
        if name == "Stop":
            self.velocity = (0.0, 0.0, 0.0)
            self.calls.append((name, {"profile": txt("tptz:ProfileToken")}))
            return 200, _env("<tptz:StopResponse/>")
        if name == "GetPresets":
            self.calls.append((name, {}))
            items = "".join(
                f'<tptz:Preset token="{t}"><tt:Name>{n}</tt:Name></tptz:Preset>'
                for t, (n, _) in self.presets.items()
            )
            return 200, _env(f"<tptz:GetPresetsResponse>{items}</tptz:GetPresetsResponse>")
        if name == "GotoPreset":
            tok = txt("tptz:PresetToken") or ""
            self.calls.append((name, {"preset": tok}))
            if tok not in self.presets:
                return 400, _fault("ter:NoToken", f"no preset {tok}")
            self.position = self.presets[tok][1]
            return 200, _env("<tptz:GotoPresetResponse/>")
        if name == "SetPreset":
            tok = str(len(self.presets) + 1)
            self.presets[tok] = (txt("tptz:PresetName") or "", self.position)
            self.calls.append((name, {"name": txt("tptz:PresetName")}))
            return 200, _env(
                f"<tptz:SetPresetResponse><tptz:PresetToken>{tok}</tptz:PresetToken></tptz:SetPresetResponse>"
            )
        return 400, _fault("ter:ActionNotSupported", name)
