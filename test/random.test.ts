// The random streams against NumPy's and PyTorch's own outputs (PROTOCOL.md 1 and 3b).
import { test } from "node:test";
import assert from "node:assert/strict";
import { drawShift, MT19937, permutation, torchRandDouble, torchRandFloat } from "../src/lenet/random";
import { drawDropoutMask, roll } from "../src/lenet/train";

test("MT19937 init_genrand(1337): state words and first outputs", () => {
  const rng = new MT19937(1337);
  assert.deepEqual(Array.from(rng.state.slice(0, 3)), [1337, 861704318, 3897192376]);
  assert.deepEqual([0, 1, 2, 3, 4].map(() => rng.nextU32()), [1125387415, 2407456957, 681542492, 913057000, 1194544295]);
});

test("legacy NumPy permutation", () => {
  assert.deepEqual(Array.from(permutation(new MT19937(1337), 10)), [6, 3, 0, 4, 5, 2, 1, 9, 8, 7]);
  const rng = new MT19937(1337);
  assert.deepEqual(Array.from(permutation(rng, 7)), [6, 2, 1, 3, 0, 4, 5]);
  assert.deepEqual(Array.from(permutation(rng, 5)), [1, 0, 3, 4, 2]);
});

test("torch.rand floats", () => {
  const rng = new MT19937(1337);
  assert.deepEqual([0, 1, 2].map(() => torchRandFloat(rng)), [0.07831710577011108, 0.49561673402786255, 0.6230981349945068]);
});

test("shifts: the first six of seed 1337", () => {
  const rng = new MT19937(1337);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(() => drawShift(rng)), [[0, -1], [-1, 0], [1, 1], [1, -1], [-1, 0], [1, 1]]);
});

test("roll by (1, -1) wraps around: the protocol's 4x4 example", () => {
  const dst = new Float32Array(16);
  roll(Float32Array.from({ length: 16 }, (_, i) => i), dst, 1, -1, 4);
  assert.deepEqual(Array.from(dst), [13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8]);
});

test("dropout keep flags of seed 1337's first presentation, after the 8,760 init draws", () => {
  const rng = new MT19937(1337);
  for (let i = 0; i < 8760; i++) rng.nextU32();
  const mask = new Float32Array(192);
  drawDropoutMask(rng, 0.25, mask);
  const flags = Array.from(mask.slice(0, 24), (m) => (m > 0 ? 1 : 0)).join(" ");
  assert.equal(flags, "0 0 1 1 1 0 1 1 1 1 1 1 1 0 0 1 1 0 1 1 1 1 1 1");
  assert.ok(mask.every((m) => m === 0 || m === Math.fround(1 / 0.75)));
});

test("torch doubles take 53 bits, hi word first", () => {
  const a = new MT19937(5), b = new MT19937(5);
  const hi = b.nextU32(), lo = b.nextU32();
  assert.equal(torchRandDouble(a), (Number(((BigInt(hi) << 32n) | BigInt(lo)) & ((1n << 53n) - 1n))) / 2 ** 53);
});
