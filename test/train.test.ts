// The trainer: the reference's eval format, exact losses of known outputs, determinism,
// and a diverging run that stops with a clear message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Config, experiment } from "../src/lenet/config";
import { loadData } from "../src/lenet/data";
import type { Engine } from "../src/lenet/engine";
import { DivergedError, evalLine, evaluate, formatE, train } from "../src/lenet/train";

const quiet = () => {};
const tiny = (name: string, edits: Partial<Config> = {}) => experiment(name, { trainCount: 200, testCount: 100, passes: 2, ...edits });

test("eval lines in the reference's format", () => {
  assert.equal(formatE(4.073383e-3), "4.073383e-03");
  assert.equal(formatE(12345.678), "1.234568e+04");
  assert.equal(formatE(0), "0.000000e+00");
  assert.equal(evalLine("train", { loss: 4.073383e-3, error: 45 / 7291, misses: 45, predicted: new Uint8Array() }), "eval: split train. loss 4.073383e-03. error 0.62%. misses: 45");
  assert.equal(evalLine("test", { loss: 2.838382e-2, error: 82 / 2007, misses: 82, predicted: new Uint8Array() }), "eval: split test . loss 2.838382e-02. error 4.09%. misses: 82");
});

test("evaluate: losses and misses of known outputs", () => {
  const config = tiny("01-baseline");
  const data = loadData(config, { log: quiet });
  // An engine that outputs +1 for class 3, -1 elsewhere, except logits all zero for digit 0.
  const fixed: Engine = {
    name: "tfjs",
    backend: "test",
    step: () => 0,
    predict: (_images, count) => Float32Array.from({ length: count * 10 }, (_, j) => (j < 10 ? 0 : j % 10 === 3 ? 1 : -1)),
    params: () => { throw new Error("unused"); },
    optimizerState: () => null,
    setOptimizerState: () => {},
    dispose: () => {},
  };
  const split = data.test;
  const threes = split.labels.filter((l) => l === 3).length;
  const e = evaluate(fixed, { loss: "mse" }, split);
  const first = split.labels[0];
  // digit 0: all outputs 0, so squared error 10 over its 10 outputs; argmax is class 0.
  let wrong = 0;
  for (let i = 1; i < split.count; i++) if (split.labels[i] !== 3) wrong++;
  assert.equal(e.misses, wrong + (first === 0 ? 0 : 1));
  const sq = 10 + Array.from(split.labels.slice(1)).reduce((s, l) => s + (l === 3 ? 0 : 8), 0);
  assert.ok(Math.abs(e.loss - sq / (split.count * 10)) < 1e-12);
  assert.equal(e.predicted[0], 0);
  assert.ok(threes > 0);
  const ce = evaluate(fixed, { loss: "cross-entropy" }, split);
  const z = Math.exp(1) + 9 * Math.exp(-1);
  const want = Math.log(10) + Array.from(split.labels.slice(1)).reduce((s, l) => s + Math.log(z) - (l === 3 ? 1 : -1), 0);
  assert.ok(Math.abs(ce.loss - want / split.count) < 1e-12);
});

for (const engine of ["tfjs", "fused"] as const) {
  test(`the same config and seed give bit-identical histories and weights (${engine})`, async () => {
    const config = tiny("05-dropout-relu", { engine, backend: engine === "tfjs" ? "wasm" : "auto", trainCount: 300, passes: 2 });
    const a = await train(config, { log: quiet });
    const b = await train(config, { log: quiet });
    const strip = (h: typeof a.history) => h.map(({ seconds: _s, ...rest }) => rest);
    assert.deepEqual(strip(a.history), strip(b.history));
    assert.deepEqual(a.params, b.params);
    assert.deepEqual(a.evalLines, b.evalLines);
    assert.equal(a.engine, engine);
    const c = await train({ ...config, seed: 7 }, { log: quiet });
    assert.notDeepEqual(c.params.h1w, a.params.h1w);
  });
}

test("a diverging run stops at the first pass where the loss is not finite", async () => {
  // ReLU with plain SGD at learning rate 10 overflows within a few digits (tanh would only saturate).
  const config = tiny("05-dropout-relu", { optimizer: "sgd", weightDecay: 0, lr: 10, lrFinal: 10, passes: 3, trainCount: 300 });
  await assert.rejects(train(config, { log: quiet }), (e: Error) => e instanceof DivergedError && /diverged in pass 1: .* lower the learning rate/.test(e.message));
});
