// The TensorFlow.js engine: gradients against finite differences, and the wasm filter
// gradient the project supplies against the stock cpu kernel.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../src/lenet/backend";
import { experiment } from "../src/lenet/config";
import { loadData } from "../src/lenet/data";
import { createTfjsEngine } from "../src/lenet/engine-tfjs";
import { cloneParams, initParams, PARAM_NAMES, Params } from "../src/lenet/params";

test("the wasm Conv2DBackpropFilter kernel equals the stock cpu kernel", async () => {
  const cases: [number[], number[], number, "valid" | "same"][] = [
    [[1, 20, 20, 1], [5, 5, 1, 12], 2, "valid"], // H1
    [[1, 12, 12, 12], [5, 5, 12, 12], 2, "valid"], // H2
    [[3, 12, 12, 8], [5, 5, 8, 4], 2, "valid"], // a batch of 3
    [[2, 9, 7, 3], [3, 2, 3, 5], 1, "valid"],
    [[2, 9, 7, 3], [3, 4, 3, 5], 2, "same"], // padding, uneven sizes
  ];
  for (const [xShape, fShape, stride, pad] of cases) {
    const xs = Float32Array.from({ length: xShape.reduce((a, b) => a * b) }, (_, i) => Math.sin(i * 1.7));
    const fs = Float32Array.from({ length: fShape.reduce((a, b) => a * b) }, (_, i) => Math.cos(i * 0.3));
    const grad = () => tf.tidy(() => {
      const x = tf.tensor4d(xs, xShape as [number, number, number, number]);
      const g = tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, stride, pad))));
      return g(tf.tensor4d(fs, fShape as [number, number, number, number])).dataSync() as Float32Array;
    });
    await useBackend("cpu");
    const want = grad();
    await useBackend("wasm");
    const got = grad();
    const scale = Math.max(...want.map(Math.abs));
    want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= 1e-5 * scale, `${xShape} at ${i}: ${got[i]} vs ${w}`));
  }
});

/** Loss and gradient of one digit, read off one SGD step at learning rate 1: g = p - p'. */
function lossAndGradient(config: ReturnType<typeof experiment>, p: Params, x: Float32Array, label: number, mask: Float32Array | null) {
  const engine = createTfjsEngine(config, p, "wasm");
  const loss = engine.step(x, label, 1, mask);
  const after = engine.params();
  engine.dispose();
  const grad = {} as Params;
  for (const n of PARAM_NAMES) grad[n] = p[n].map((v, i) => v - after[n][i]);
  return { loss, grad };
}

for (const variant of ["01-baseline", "05-dropout-relu"]) {
  test(`tfjs gradients against central finite differences (${variant})`, async () => {
    await useBackend("wasm");
    const config = experiment(variant, { optimizer: "sgd", weightDecay: 0, trainCount: 10, testCount: 10 });
    const data = loadData(config, { log: () => {} });
    const p = initParams(config).params;
    const x = data.train.images.slice(3 * 256, 4 * 256);
    const label = data.train.labels[3];
    const mask = config.dropout ? Float32Array.from({ length: 192 }, (_, i) => (i % 4 === 1 ? 0 : 1 / 0.75)) : null;
    const { grad } = lossAndGradient(config, p, x, label, mask);
    const eps = 1e-2; // float32 arithmetic: a larger step keeps round-off small against the difference
    let checked = 0;
    for (const name of PARAM_NAMES) {
      // The largest gradient entries of each tensor are the ones float32 differences resolve.
      const order = Array.from(grad[name].keys()).sort((a, b) => Math.abs(grad[name][b]) - Math.abs(grad[name][a]));
      for (const i of order.slice(0, 3)) {
        const plus = cloneParams(p), minus = cloneParams(p);
        plus[name][i] += eps;
        minus[name][i] -= eps;
        const fd = (lossAndGradient(config, plus, x, label, mask).loss - lossAndGradient(config, minus, x, label, mask).loss) / (2 * eps);
        const g = grad[name][i];
        assert.ok(Math.abs(fd - g) <= 2e-2 * Math.abs(g) + 2e-5, `${name}[${i}]: autodiff ${g}, finite difference ${fd}`);
        checked++;
      }
    }
    assert.equal(checked, 3 * PARAM_NAMES.length);
  });
}
