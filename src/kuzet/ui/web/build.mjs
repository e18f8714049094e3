// Bundles the operations centre into ../dist: one JS file, one CSS file (Leaflet's and
// ours), the page and the schematic city outline. Everything is local: no CDN at run time.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const out = new URL("../dist/", import.meta.url).pathname;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ["src/app.ts"], bundle: true, minify: true, format: "iife", target: "es2020",
  outfile: join(out, "app.js"), legalComments: "eof", logLevel: "warning",
});
// Leaflet's, ours, then every module's own stylesheet (src/<module>/*.css), in path order.
const moduleCss = walk("src").filter((f) => f.endsWith(".css") && f !== "src/app.css").sort();
const css = [readFileSync("node_modules/leaflet/dist/leaflet.css", "utf8"),
  ...["src/app.css", ...moduleCss].map((f) => readFileSync(f, "utf8"))].join("\n");
writeFileSync(join(out, "app.css"), css);
for (const f of readdirSync("public")) copyFileSync(join("public", f), join(out, f));
writeFileSync(join(out, "manifest.json"), JSON.stringify({ sources: sourcesHash() }, null, 1) + "\n");

// The same digest kuzet.ui.sources_hash() computes: a test fails when dist is stale.
// Every file under src/ and public/, at any depth (modules keep their own folders), by
// its "/"-separated path, sorted by code point as Python's sorted() does.
function sourcesHash() {
  const h = createHash("sha256");
  const files = ["package.json", "package-lock.json", "build.mjs", ...walk("src"), ...walk("public")];
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const f of files) { h.update(f + "\0"); h.update(readFileSync(f)); h.update("\0"); }
  return h.digest("hex");
}

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = dir + "/" + f;
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
