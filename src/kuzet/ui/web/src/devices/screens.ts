// Devices in the operator's screens (no screen of their own): their icons on the map, the
// cameras an alarm opened in the incident card and on the wall, and the command dialog.
import "../i18n/devices";
import { can } from "../api";
import { ops } from "../ops/state";
import { signedIn } from "../shell";
import { installAlarmCameras } from "./cameras";
import { DeviceLayer } from "./layer";

installAlarmCameras();
ops.mapMade.on((map) => {
  const me = signedIn();
  if (me && can(me, "cameras.read")) new DeviceLayer(map);
});
