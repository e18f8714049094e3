// hls.js ships no typings for its light build (HLS without subtitles, alternate audio and
// DRM: all a recording needs, ~220 KB less); its API is the full build's.
declare module "hls.js/light" {
  import Hls from "hls.js";
  export default Hls;
  export * from "hls.js";
}
