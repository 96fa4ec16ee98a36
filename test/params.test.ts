// The network's size and its reference-compatible initial weights; the weights file.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { initParams, loadParams, multiplyAccumulates, parameterCount, saveParams, size } from "../src/lenet/params";

test("9,760 parameters, per layer as the protocol counts them", () => {
  assert.equal(parameterCount(), 9760);
  assert.equal(size("h1w") + size("h1b"), 1068);
  assert.equal(size("h2w") + size("h2b"), 2592);
  assert.equal(size("h3w") + size("h3b"), 5790);
  assert.equal(size("outw") + size("outb"), 310);
});

test("about 64k multiply-accumulates per digit", () => {
  assert.equal(multiplyAccumulates(), 19200 + 38400 + 5760 + 300);
});

test("initial weights of seed 1337 are the reference's", () => {
  const { params: p, torchRng } = initParams({ seed: 1337, outputBias: -1 });
  const f = Math.fround;
  assert.deepEqual(Array.from(p.h1w.slice(0, 3)), [f(-0.404815584), f(-0.00420793565), f(0.118174218)]);
  assert.equal(p.h2w[11 * 200 + 7 * 25 + 4 * 5 + 4], f(0.088149175));
  assert.deepEqual(Array.from(p.h3w.slice(0, 2)), [f(-0.169050187), f(0.139196128)]);
  assert.equal(p.h3w[191 * 30 + 29], f(-0.113578707));
  assert.equal(p.outw[29 * 10 + 9], f(-0.314045161));
  assert.ok(p.h1b.every((v) => v === 0) && p.h3b.every((v) => v === 0));
  assert.ok(p.outb.every((v) => v === -1));
  assert.ok(p.h1w.every((v) => Math.abs(v) <= 2.4 / 5) && p.h2w.every((v) => Math.abs(v) <= 2.4 / Math.sqrt(200)));
  // 8,760 draws taken: the next one is the generator's 8,761st output.
  const fresh = initParams({ seed: 1337, outputBias: 0 }).torchRng;
  assert.equal(torchRng.nextU32(), fresh.nextU32());
  assert.ok(initParams({ seed: 1337, outputBias: 0 }).params.outb.every((v) => v === 0));
});

test("weights files round-trip, and another shape is refused", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lenet-params-"));
  const file = path.join(dir, "w.bin");
  const { params } = initParams({ seed: 3, outputBias: -1 });
  saveParams(file, params);
  assert.deepEqual(loadParams(file), params);
  const text = fs.readFileSync(file);
  const nl = text.indexOf(10);
  const header = JSON.parse(text.subarray(0, nl).toString());
  header.shapes.h3w = [192, 40];
  fs.writeFileSync(file, Buffer.concat([Buffer.from(JSON.stringify(header) + "\n"), text.subarray(nl + 1)]));
  assert.throws(() => loadParams(file), /another shape.*"h3w":\[192,40\].*Retrain/);
  fs.writeFileSync(file, text.subarray(0, text.length - 8));
  assert.throws(() => loadParams(file), /truncated or padded: 78072 bytes of weights, expected 78080/);
  fs.writeFileSync(file, "not weights\n");
  assert.throws(() => loadParams(file), /not a lecun1989-ts weights file/);
});
