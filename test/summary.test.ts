// The summary: which sweep rows count, the statistics, the judgement against the noise,
// and the reference's truncated miss counts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { experiment } from "../src/lenet/config";
import { referenceMisses } from "../src/lenet/reference";
import { configHash } from "../src/lenet/results";
import type { SeedRow } from "../src/lenet/seeds";
import { stats, summarize, summaryMarkdown } from "../src/lenet/summary";

const row = (name: string, seed: number, testMisses: number, edits = {}): SeedRow => ({
  experiment: name, seed, config: configHash(experiment(name, { seed, ...edits })), engine: "fused", backend: "js", passes: 1,
  train_error: 1, train_misses: 73, test_error: (testMisses / 2007) * 100, test_misses: testMisses, seconds: 1, commit: "x",
});

test("the reference printed int(err * n) with a float32 err: some counts come out one low", () => {
  assert.equal(referenceMisses(124, 7291), 123); // step 04's train misses
  assert.equal(referenceMisses(44, 2007), 43); // step 04's test misses
  assert.equal(referenceMisses(82, 2007), 82);
  assert.equal(referenceMisses(72, 2007), 72);
});

test("mean, sample standard deviation", () => {
  const s = stats([1, 2, 3, 4]);
  assert.equal(s.mean, 2.5);
  assert.ok(Math.abs(s.std - Math.sqrt(5 / 3)) < 1e-15);
  assert.ok(Number.isNaN(stats([1]).std));
});

test("rows of each step's own recipe count, over every seed; a gain is judged against the noise", () => {
  const rows = [
    ...[1337, 1, 2, 3, 4].map((seed, i) => row("01-baseline", seed, [79, 85, 80, 90, 83][i])),
    ...[1337, 1, 2, 3, 4].map((seed, i) => row("02-cross-entropy", seed, [96, 88, 92, 85, 90][i])),
    ...[1337, 1, 2, 3, 4].map((seed, i) => row("03-adamw", seed, [72, 70, 75, 68, 71][i])),
    row("03-adamw", 5, 10, { lr: 0.1 }), // a tweaked run: not the step's own, left out
  ];
  const s = summarize(rows);
  const [s01, s02, s03] = s;
  assert.equal(s01.test.n, 5);
  assert.equal(s03.test.n, 5);
  assert.ok(Math.abs(s01.test.mean - (417 / 5 / 2007) * 100) < 1e-12);
  assert.equal(s01.seed1337!.test_misses, 79);
  assert.equal(s01.gain, null); // the first step
  assert.ok(s02.gain && s02.gain.delta > 0 && !s02.gain.significant); // worse: no gain
  assert.ok(s03.gain && s03.gain.delta < 0 && s03.gain.significant); // 90 -> 71 misses, seeds within a few
  assert.equal(s03.reproducesReference, true); // 72, as published
  assert.equal(s01.reproducesReference, false); // 79 against 82
  assert.equal(s[3].test.n, 0);
  const md = summaryMarkdown(s);
  assert.match(md, /\| 03-adamw \|  \| 0\.00 \/ 3\.59 \| 1\.00 \/ 3\.59 \(72\) \| 1\.00 ± 0\.00 \(n=5\) \| 3\.55 ± 0\.13 \(n=5\) \| -0\.95 vs 02 \(noise ±0\.22\): \*\*beyond the noise\*\* \|/);
  assert.match(md, /03-adamw: seed 1337 misses 72 test digits .* the reference published 72: \*\*reproduced exactly\*\*/);
});
