// The steps' configs against the protocol's table (section 4), and the learning-rate schedule.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BUILDS_ON, Config, EXPERIMENTS, experiment, learningRate } from "../src/lenet/config";

function changes(name: string): Partial<Config> {
  const prev = EXPERIMENTS[BUILDS_ON[name]!] as Config, cur = EXPERIMENTS[name] as Config;
  return Object.fromEntries((Object.keys(cur) as (keyof Config)[]).filter((k) => k !== "experiment" && cur[k] !== prev[k]).map((k) => [k, cur[k]]));
}

test("each step is the step before plus the protocol's change", () => {
  const base = EXPERIMENTS["01-baseline"];
  assert.deepEqual([base.activation, base.output, base.outputBias, base.loss, base.optimizer, base.lr, base.passes, base.trainCount, base.testCount, base.seed, base.splitOrder], ["tanh", "tanh", -1, "mse", "sgd", 0.03, 23, 7291, 2007, 1337, "test-first"]);
  assert.deepEqual(changes("02-cross-entropy"), { output: "linear", outputBias: 0, loss: "cross-entropy", lr: 0.01, lrFinal: 0.01 });
  assert.deepEqual(changes("03-adamw"), { optimizer: "adamw", lr: 3e-4, lrFinal: 1e-4, weightDecay: 0.01, passes: 46 });
  assert.deepEqual(changes("04-augmentation"), { augment: true, passes: 60 });
  assert.deepEqual(changes("05-dropout-relu"), { activation: "relu", dropout: 0.25, passes: 80 });
  assert.deepEqual(changes("06a-more-data-1989"), { trainCount: 50000, passes: 100 });
  assert.deepEqual(changes("06b-more-data-modern"), { trainCount: 50000 });
});

test("the learning rate falls linearly from lr to lrFinal over the passes", () => {
  const c = experiment("03-adamw");
  assert.equal(learningRate(c, 0), 3e-4);
  assert.ok(Math.abs(learningRate(c, 45) - 1e-4) < 1e-18);
  assert.ok(Math.abs(learningRate(c, 9) - ((1 - 9 / 45) * 3e-4 + (9 / 45) * 1e-4)) < 1e-18);
  assert.equal(learningRate(experiment("01-baseline"), 22), 0.03);
  assert.equal(learningRate(experiment("01-baseline", { passes: 1 }), 0), 0.03);
});

test("experiment() returns a fresh copy: editing it leaves the step's config alone", () => {
  const c = experiment("01-baseline");
  c.lr = 1;
  assert.equal(EXPERIMENTS["01-baseline"].lr, 0.03);
  assert.throws(() => experiment("01-baseline", { lr: "fast" as unknown as number }), /lr must be a positive number, got "fast"/);
  assert.throws(() => experiment("01-baseline", { augment: 1 as unknown as boolean }), /augment must be true or false, got 1/);
  assert.throws(() => experiment("01-baseline", { seeed: 3 } as Partial<Config>), /unknown field "seeed"/);
});
