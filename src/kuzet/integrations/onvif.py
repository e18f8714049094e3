"""ONVIF cameras: capabilities, media profiles, stream URIs and PTZ (continuous move,
stop, presets) over plain SOAP (kuzet.integrations.soap). Which cameras speak ONVIF,
where and with which account is the site file's ``integrations.onvif.cameras``."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import httpx
from lxml import etree

from kuzet.config.integrations import OnvifCamera, OnvifConfig
from kuzet.integrations.soap import (
    NS,
    TDS,
    TPTZ,
    TRT,
    SoapFault,
    envelope,
    esc,
    parse,
    security_header,
)


class OnvifError(RuntimeError):
    """The camera could not be reached or refused; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Profile:
    token: str
    name: str
    encoding: str | None
    width: int | None
    height: int | None
    ptz: bool


@dataclass(frozen=True, slots=True)
class Preset:
    token: str
    name: str


class OnvifClient:
    """One camera's ONVIF services; service addresses are learnt from GetCapabilities."""

    def __init__(
        self, cam: OnvifCamera, timeout_s: float = 5.0, client: httpx.Client | None = None
    ) -> None:
        self.cam = cam
        self._http = client or httpx.Client(timeout=timeout_s)
        self._media: str | None = None
        self._ptz: str | None = None

    def close(self) -> None:
        self._http.close()

    def call(self, url: str, action: str, body: str) -> etree._Element:
        header = ""
        if self.cam.username:
            pw = self.cam.password.get_secret_value() if self.cam.password else ""
            header = security_header(self.cam.username, pw)
        ctype = f'application/soap+xml; charset=utf-8; action="{action}"'
        try:
            r = self._http.post(
                url, content=envelope(body, header), headers={"Content-Type": ctype}
            )
        except httpx.HTTPError as exc:
            raise OnvifError(f"camera {self.cam.camera_id}: {url} unreachable: {exc}") from None
        try:
            return parse(r.content)
        except SoapFault as exc:
            raise OnvifError(
                f"camera {self.cam.camera_id}: {action.rsplit('/', 1)[-1]} refused: {exc}"
            ) from None
        except etree.XMLSyntaxError:
            raise OnvifError(
                f"camera {self.cam.camera_id}: HTTP {r.status_code}, not a SOAP answer"
            ) from None

    # ---------------------------------------------------------------- device
    def capabilities(self) -> tuple[str, str | None]:
        """(media service URL, PTZ service URL or None when the camera has no PTZ)."""
        if self._media is None:
            res = self.call(
                self.cam.url, f"{TDS}/GetCapabilities",
                "<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>",
            )  # fmt: skip
            media = res.findtext("tds:Capabilities/tt:Media/tt:XAddr", namespaces=NS)
            if not media:
                raise OnvifError(
                    f"camera {self.cam.camera_id}: no media service in its capabilities"
                )
            self._media = media.strip()
            ptz = res.findtext("tds:Capabilities/tt:PTZ/tt:XAddr", namespaces=NS)
            self._ptz = ptz.strip() if ptz else None
        return self._media, self._ptz

    # ---------------------------------------------------------------- media
    def profiles(self) -> list[Profile]:
        media, _ = self.capabilities()
        res = self.call(media, f"{TRT}/GetProfiles", "<trt:GetProfiles/>")
        out = []
        for p in res.findall("trt:Profiles", NS):
            width = p.findtext("tt:VideoEncoderConfiguration/tt:Resolution/tt:Width", namespaces=NS)
            height = p.findtext(
                "tt:VideoEncoderConfiguration/tt:Resolution/tt:Height", namespaces=NS
            )
            out.append(
                Profile(
                    token=p.get("token", ""),
                    name=p.findtext("tt:Name", default="", namespaces=NS),
                    encoding=p.findtext("tt:VideoEncoderConfiguration/tt:Encoding", namespaces=NS),
                    width=int(width) if width else None,
                    height=int(height) if height else None,
                    ptz=p.find("tt:PTZConfiguration", NS) is not None,
                )
            )
        return out

    def stream_uri(self, profile: str) -> str:
        media, _ = self.capabilities()
        body = (
            "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
            "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>"
            f"<trt:ProfileToken>{esc(profile)}</trt:ProfileToken></trt:GetStreamUri>"
        )
        uri = self.call(media, f"{TRT}/GetStreamUri", body).findtext(
            "trt:MediaUri/tt:Uri", namespaces=NS
        )
        if not uri:
            raise OnvifError(f"camera {self.cam.camera_id}: no stream URI for profile {profile}")
        return uri.strip()

    # ---------------------------------------------------------------- PTZ
    def _ptz_url(self) -> str:
        _, ptz = self.capabilities()
        if ptz is None:
            raise OnvifError(f"camera {self.cam.camera_id} has no PTZ service")
        return ptz

    def ptz_profile(self) -> str:
        for p in self.profiles():
            if p.ptz:
                return p.token
        raise OnvifError(f"camera {self.cam.camera_id}: no media profile with a PTZ configuration")

    def continuous_move(
        self, profile: str, pan: float, tilt: float, zoom: float, timeout_s: float | None
    ) -> None:
        t = f"<tptz:Timeout>PT{timeout_s:g}S</tptz:Timeout>" if timeout_s else ""
        body = (
            f"<tptz:ContinuousMove><tptz:ProfileToken>{esc(profile)}</tptz:ProfileToken>"
            f'<tptz:Velocity><tt:PanTilt x="{pan:g}" y="{tilt:g}"/>'
            f'<tt:Zoom x="{zoom:g}"/></tptz:Velocity>'
            f"{t}</tptz:ContinuousMove>"
        )
        self.call(self._ptz_url(), f"{TPTZ}/ContinuousMove", body)

    def stop(self, profile: str) -> None:
        body = (
            f"<tptz:Stop><tptz:ProfileToken>{esc(profile)}</tptz:ProfileToken>"
            "<tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom></tptz:Stop>"
        )
        self.call(self._ptz_url(), f"{TPTZ}/Stop", body)

    def presets(self, profile: str) -> list[Preset]:
        body = (
            f"<tptz:GetPresets><tptz:ProfileToken>{esc(profile)}</tptz:ProfileToken>"
            "</tptz:GetPresets>"
        )
        res = self.call(self._ptz_url(), f"{TPTZ}/GetPresets", body)
        return [
            Preset(p.get("token", ""), p.findtext("tt:Name", default="", namespaces=NS))
            for p in res.findall("tptz:Preset", NS)
        ]

    def goto_preset(self, profile: str, preset: str) -> None:
        body = (
            f"<tptz:GotoPreset><tptz:ProfileToken>{esc(profile)}</tptz:ProfileToken>"
            f"<tptz:PresetToken>{esc(preset)}</tptz:PresetToken></tptz:GotoPreset>"
        )
        self.call(self._ptz_url(), f"{TPTZ}/GotoPreset", body)

    def set_preset(self, profile: str, name: str) -> str:
        body = (
            f"<tptz:SetPreset><tptz:ProfileToken>{esc(profile)}</tptz:ProfileToken>"
            f"<tptz:PresetName>{esc(name)}</tptz:PresetName></tptz:SetPreset>"
        )
        token = self.call(self._ptz_url(), f"{TPTZ}/SetPreset", body).findtext(
            "tptz:PresetToken", namespaces=NS
        )
        if not token:
            raise OnvifError(f"camera {self.cam.camera_id}: SetPreset returned no token")
        return token


class OnvifCameras:
    """The site's ONVIF cameras by id; one client each, made on first use."""

    def __init__(self, cfg: OnvifConfig) -> None:
        self.cfg = cfg
        self._by_id = {c.camera_id: c for c in cfg.cameras}
        self._clients: dict[str, OnvifClient] = {}
        self._lock = threading.Lock()

    def known(self, camera_id: str) -> bool:
        return camera_id in self._by_id

    def client(self, camera_id: str) -> OnvifClient:
        with self._lock:
            c = self._clients.get(camera_id)
            if c is None:
                cam = self._by_id.get(camera_id)
                if cam is None:
                    raise KeyError(camera_id)
                c = self._clients[camera_id] = OnvifClient(cam, self.cfg.timeout_s)
            return c

    def close(self) -> None:
        with self._lock:
            for c in self._clients.values():
                c.close()
            self._clients.clear()
