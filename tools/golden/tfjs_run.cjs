#!/usr/bin/env node
// Run a TF.js graph model with the real TF.js runtime (wasm or cpu backend) on raw
// float32 NCHW inputs; write the outputs and per-run timings. Used for Kuzet's golden
// file and the latency comparison; TF.js lives outside the repo (TFJS_DIR).
//
// usage: TFJS_DIR=/tmp/tfjs node tools/golden/tfjs_run.cjs MODEL_JSON OUT_DIR BACKEND REPEAT IN.f32...
//   each IN.f32 is float32 little-endian, shape [1,3,S,S], S from the file size; or
//   IN.f32@1x256x256x3 for any other shape (NHWC models: BlazeFace, FaceRes).
'use strict';
const fs = require('fs');
const path = require('path');
const base = path.join(process.env.TFJS_DIR || '/tmp/tfjs', 'node_modules');
const tf = require(path.join(base, '@tensorflow/tfjs'));
const wasm = require(path.join(base, '@tensorflow/tfjs-backend-wasm'));

async function main() {
  const [modelJson, outDir, backend = 'wasm', repeatArg = '0', ...inputs] = process.argv.slice(2);
  const repeat = parseInt(repeatArg, 10);
  if (backend === 'wasm') {
    wasm.setWasmPaths(path.join(base, '@tensorflow/tfjs-backend-wasm/dist') + path.sep);
  }
  await tf.setBackend(backend);
  await tf.ready();
  const doc = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  const dir = path.dirname(modelJson);
  const bins = doc.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  const weightData = new Uint8Array(Buffer.concat(bins)).buffer;
  const weightSpecs = doc.weightsManifest.flatMap((g) => g.weights);
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: doc.modelTopology, weightSpecs, weightData,
      signature: doc.signature, format: doc.format }));
  const names = model.outputs.map((o) => o.name);
  fs.mkdirSync(outDir, { recursive: true });
  const meta = { tfjs: tf.version.tfjs, backend: tf.getBackend(), node: process.version,
    threads: backend === 'wasm' ? 'default' : 1, outputs: names, runs: [] };
  for (const [k, spec] of inputs.entries()) {
    const [file, dims] = spec.split('@');
    const buf = fs.readFileSync(file);
    const data = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    const s = Math.round(Math.sqrt(data.length / 3));
    const shape = dims ? dims.split('x').map(Number) : [1, 3, s, s];
    const x = tf.tensor(data, shape);
    const outs = [model.execute(x, names)].flat(); // one output: a tensor, not a list
    if (k === 0 || outDir) {
      for (const [i, t] of outs.entries()) {
        const arr = await t.data();
        fs.writeFileSync(path.join(outDir, `in${k}_out${i}.f32`), Buffer.from(arr.buffer));
        meta[`in${k}_out${i}`] = t.shape;
      }
    }
    outs.forEach((t) => t.dispose());
    const times = [];
    for (let r = 0; r < repeat; r++) {
      const t0 = process.hrtime.bigint();
      const ys = [model.execute(x, names)].flat();
      await Promise.all(ys.map((y) => y.data()));
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      ys.forEach((y) => y.dispose());
    }
    meta.runs.push({ input: path.basename(file), ms: times });
    x.dispose();
  }
  fs.writeFileSync(path.join(outDir, 'meta.json'), JSON.stringify(meta, null, 1));
  console.log(JSON.stringify({ tfjs: meta.tfjs, backend: meta.backend, outputs: names }));
}
main().catch((e) => { console.error(e); process.exit(1); });
