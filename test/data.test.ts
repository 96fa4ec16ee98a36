// The data split, the pixels and the cache, against the protocol's vectors; and the
// errors a corrupt source file or cache must give.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clearCache, loadData, resizeDigit, SOURCES, splitIndices } from "../src/lenet/data";
import { mnistDir, readIdxImages, readIdxLabels } from "../src/lenet/idx";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "lenet-data-"));
const quiet = () => {};

test("split indices, test first (the default) and train first", () => {
  const a = splitIndices(7291, 2007);
  assert.deepEqual(Array.from(a.test.slice(0, 8)), [9927, 3245, 2303, 7707, 8820, 6206, 6895, 5924]);
  assert.deepEqual(Array.from(a.train.slice(0, 8)), [6177, 36861, 23675, 34991, 9241, 12075, 26769, 26875]);
  const b = splitIndices(7291, 2007, "train-first");
  assert.deepEqual(Array.from(b.train.slice(0, 8)), [39385, 28837, 35708, 53829, 27273, 16211, 56130, 13420]);
  assert.deepEqual(Array.from(b.test.slice(0, 8)), [6645, 4938, 6348, 2409, 5710, 5051, 7827, 9621]);
  // Step 06's 50,000 digits start with the same 7,291.
  assert.deepEqual(Array.from(splitIndices(50000, 2007).train.slice(0, 7291)), Array.from(a.train));
  assert.equal(new Set(splitIndices(50000, 2007).train).size, 50000);
});

test("resize: MNIST-train image 0 and the ramp", () => {
  const images = readIdxImages(path.join(mnistDir(), SOURCES.trainImages.file));
  const out = new Float32Array(256);
  resizeDigit(images.pixels, 0, out, 0);
  const sum = out.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(sum - -187.01973) < 1e-5, `sum ${sum}`);
  const row6 = [-1, -1, -1, -1, -1, -0.98786765, -0.03308819, 0.61421573, -0.99142158, -1, -1, -1, -1, -1, -1, -1];
  row6.forEach((v, c) => assert.ok(Math.abs(out[6 * 16 + c] - v) < 5e-8, `row 6 col ${c}: ${out[6 * 16 + c]} vs ${v}`));
  const ramp = Float32Array.from({ length: 784 }, (_, i) => i); // v = 28 r + c
  resizeDigit(ramp, 0, out, 0, false);
  assert.deepEqual(Array.from(out.slice(0, 4)), [10.875, 12.625, 14.375, 16.125]);
  assert.equal(out[255], 772.125);
});

test("loadData: counts, labels, range, and the cache gives the same bytes", () => {
  const dir = tmp();
  const a = loadData({ trainCount: 7291, testCount: 2007, splitOrder: "test-first" }, { dataDir: dir, log: quiet });
  assert.equal(a.train.images.length, 7291 * 256);
  assert.equal(a.test.labels.length, 2007);
  assert.equal(a.train.labels[0], readIdxLabels(path.join(mnistDir(), SOURCES.trainLabels.file))[6177]);
  assert.ok(a.train.images.every((v) => v >= -1 && v <= 1));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
  assert.equal(manifest.splits["train-7291"].indices[1], 36861);
  assert.equal(manifest.splits["test-2007"].source.images, "t10k-images-idx3-ubyte");
  const b = loadData({ trainCount: 7291, testCount: 2007, splitOrder: "test-first" }, { dataDir: dir, log: () => assert.fail("should load from the cache") });
  assert.deepEqual(b.train.images, a.train.images);
  assert.deepEqual(b.test.labels, a.test.labels);
  assert.equal(b.train.sha256.images, a.train.sha256.images);
});

test("a corrupt or stale cache is refused, with the command that fixes it", () => {
  const dir = tmp();
  const config = { trainCount: 100, testCount: 50, splitOrder: "test-first" as const };
  loadData(config, { dataDir: dir, log: quiet });
  const file = path.join(dir, "train-100-images.f32");
  const bytes = fs.readFileSync(file);
  bytes[10] ^= 1;
  fs.writeFileSync(file, bytes);
  assert.throws(() => loadData(config, { dataDir: dir, log: quiet }), /train-100-images\.f32 is corrupt: sha256 .*npm run data/);
  clearCache(dir); // what `npm run data` does
  loadData(config, { dataDir: dir, log: quiet });
  loadData(config, { dataDir: dir, log: () => assert.fail("rebuilt cache should load") });
  fs.rmSync(path.join(dir, "test-50-labels.u8"));
  assert.throws(() => loadData(config, { dataDir: dir, log: quiet }), /test-50-labels\.u8 is missing.*npm run data/);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
  manifest.format = "something older";
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest));
  assert.throws(() => loadData(config, { dataDir: dir, log: quiet }), /stale.*npm run data/);
});

test("corrupt MNIST source files name the file and the problem", () => {
  const src = mnistDir();
  const dir = tmp();
  for (const s of Object.values(SOURCES)) fs.copyFileSync(path.join(src, s.file), path.join(dir, s.file));
  const images = path.join(dir, SOURCES.testImages.file);
  const labels = path.join(dir, SOURCES.testLabels.file);
  const good = fs.readFileSync(images);

  const wrongMagic = Buffer.from(good);
  wrongMagic.writeInt32BE(2049, 0);
  fs.writeFileSync(images, wrongMagic);
  assert.throws(() => readIdxImages(images), /t10k-images-idx3-ubyte has magic number 2049, expected 2051/);

  fs.writeFileSync(images, good.subarray(0, good.length - 100));
  assert.throws(() => readIdxImages(images), /t10k-images-idx3-ubyte has 7839916 bytes.*truncated/);

  const wrongCount = Buffer.from(good);
  wrongCount.writeInt32BE(9999, 4);
  fs.writeFileSync(images, wrongCount);
  assert.throws(() => readIdxImages(images, 10000), /holds 9999 images, expected 10000/);

  const flipped = Buffer.from(good);
  flipped[5000] ^= 0xff;
  fs.writeFileSync(images, flipped);
  assert.throws(() => loadData({ trainCount: 10, testCount: 10, splitOrder: "test-first" }, { dataDir: tmp(), mnistDir: dir, log: quiet }), /t10k-images-idx3-ubyte is corrupt: md5 .* expected 2646ac647ad5339dbf082846283269ea/);

  fs.writeFileSync(images, good);
  const badLabel = fs.readFileSync(labels);
  badLabel[8 + 3] = 11;
  fs.writeFileSync(labels, badLabel);
  assert.throws(() => readIdxLabels(labels), /label 11 at index 3/);
  fs.rmSync(labels);
  assert.throws(() => readIdxLabels(labels), /t10k-labels-idx1-ubyte is missing.*npm ci/);
});
