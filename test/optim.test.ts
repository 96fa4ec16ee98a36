// AdamW against its formula: a case worked by hand, and two steps of torch.optim.AdamW
// (PyTorch 1.13, float64) on the same numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AdamW } from "../src/lenet/optim";

test("AdamW, one step by hand: decoupled decay, bias correction, eps 1e-8", () => {
  // p = 1, g = 0.5, lr = 0.1, wd = 0.01, t = 1:
  //   p <- 1 * (1 - 0.1 * 0.01) = 0.999; m = 0.1 * 0.5 = 0.05; v = 0.001 * 0.25 = 0.00025
  //   step size 0.1 / (1 - 0.9) = 1; denominator sqrt(0.00025) / sqrt(0.001) + 1e-8 = 0.5 + 1e-8
  //   p <- 0.999 - 0.05 / (0.5 + 1e-8) = 0.899000002
  const p = Float64Array.of(1), m = new Float64Array(1), v = new Float64Array(1);
  new AdamW(0.01).update(p, Float64Array.of(0.5), m, v, 1, 0.1);
  assert.ok(Math.abs(m[0] - 0.05) < 1e-15 && Math.abs(v[0] - 0.00025) < 1e-15);
  assert.ok(Math.abs(p[0] - 0.899000002) < 1e-12, `${p[0]}`);
});

test("AdamW, two steps with a changing learning rate, as torch.optim.AdamW computes them", () => {
  const p = Float64Array.of(1.0, -0.5, 0.25), m = new Float64Array(3), v = new Float64Array(3);
  const opt = new AdamW(0.01);
  opt.update(p, Float64Array.of(0.5, 0.1, -2.0), m, v, 1, 0.1);
  [0.899000002, -0.599499990000001, 0.3497499995].forEach((want, i) => assert.ok(Math.abs(p[i] - want) < 1e-12, `step 1 [${i}]: ${p[i]} vs ${want}`));
  opt.update(p, Float64Array.of(-0.2, 0.1, 3.0), m, v, 2, 0.05);
  [0.8812702100572555, -0.6492002350050012, 0.33719003374211565].forEach((want, i) => assert.ok(Math.abs(p[i] - want) < 1e-12, `step 2 [${i}]: ${p[i]} vs ${want}`));
});
