// The fused engine against the reference definition (the tfjs engine) on every variant of
// the study, its gradients against finite differences in double precision, its batched
// predictions, and the engine choice. Timings are measured by `npm run bench`, not here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useBackend } from "../src/lenet/backend";
import { Config, experiment, learningRate } from "../src/lenet/config";
import { Dataset, loadData, PIXELS } from "../src/lenet/data";
import type { Engine } from "../src/lenet/engine";
import { createFusedEngine, createFusedNet, fusedSupports, lossAndGradients, lossOf } from "../src/lenet/engine-fused";
import { createTfjsEngine } from "../src/lenet/engine-tfjs";
import { createEngine } from "../src/lenet/engines";
import { initParams, PARAM_NAMES, ParamName, Params, size } from "../src/lenet/params";
import { drawShift, MT19937 } from "../src/lenet/random";
import { drawDropoutMask, roll } from "../src/lenet/train";

const VARIANTS: [string, Partial<Config>][] = [
  ["01-baseline", {}],
  ["02-cross-entropy", {}],
  ["03-adamw", {}],
  ["04-augmentation", {}],
  ["05-dropout-relu", {}],
  // Combinations no step uses but a config allows. (MSE on a linear output at lr 0.03 is
  // near-unstable: float32 and double runs drift apart to ~1e-5 within 100 steps.)
  ["01-baseline", { output: "linear", lr: 0.01, lrFinal: 0.01 }],
  ["05-dropout-relu", { output: "tanh" }],
];
const STEPS = 100;
const TOLERANCE = 1e-5;

let cached: Dataset | undefined;
const data = () => (cached ??= loadData(experiment("01-baseline"), { log: () => {} }));

/** |a - b| measured absolutely for values up to 1, relatively above. */
const difference = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));

/** The presentations the trainer would make: first `count` digits, shifted and masked as its streams draw them. */
function presentations(config: Config, count: number) {
  const { torchRng } = initParams(config); // dropout masks continue after the init draws
  const numpyRng = new MT19937(config.seed); // shifts
  const train = data().train;
  return Array.from({ length: count }, (_, i) => {
    const digit = train.images.subarray(i * PIXELS, (i + 1) * PIXELS);
    const x = new Float32Array(PIXELS);
    if (config.augment) {
      const [rows, cols] = drawShift(numpyRng);
      roll(digit, x, rows, cols);
    } else x.set(digit);
    const mask = config.dropout > 0 ? new Float32Array(192) : null;
    if (mask) drawDropoutMask(torchRng, config.dropout, mask);
    return { x, label: train.labels[i], mask };
  });
}

function maxParamDifference(a: Params, b: Params): { name: ParamName; diff: number } {
  let worst = { name: PARAM_NAMES[0], diff: 0 };
  for (const name of PARAM_NAMES) {
    for (let i = 0; i < size(name); i++) {
      const d = difference(a[name][i], b[name][i]);
      if (d > worst.diff) worst = { name, diff: d };
    }
  }
  return worst;
}

function maxPredictDifference(a: Engine, b: Engine, count: number): number {
  const images = data().test.images.subarray(0, count * PIXELS);
  const pa = a.predict(images, count), pb = b.predict(images, count);
  assert.equal(pa.length, count * 10);
  assert.equal(pb.length, count * 10);
  let worst = 0;
  for (let i = 0; i < pa.length; i++) worst = Math.max(worst, difference(pa[i], pb[i]));
  return worst;
}

for (const [step, overrides] of VARIANTS) {
  const name = step + Object.entries(overrides).map(([k, v]) => ` ${k}=${v}`).join("");
  test(`${name}: fused and tfjs engines agree step by step for ${STEPS} steps`, async () => {
    const config = experiment(step, overrides);
    assert.equal(fusedSupports(config), null);
    const initial = initParams(config).params;
    const lr = learningRate(config, 0);
    await useBackend("wasm");
    const reference = createTfjsEngine(config, initial, "wasm");
    const fused = createFusedEngine(config, initial);
    try {
      let worstLoss = 0;
      for (const [i, { x, label, mask }] of presentations(config, STEPS).entries()) {
        const want = reference.step(x, label, lr, mask);
        const got = fused.step(x, label, lr, mask);
        const d = difference(got, want);
        worstLoss = Math.max(worstLoss, d);
        assert.ok(d <= TOLERANCE, `step ${i}: fused loss ${got}, tfjs ${want}`);
      }
      const after = fused.params();
      // The parameters must have moved far more than the tolerance, or agreement would prove little.
      const moved = maxParamDifference(after, initial);
      assert.ok(moved.diff > 100 * TOLERANCE, `the parameters barely moved (${moved.diff})`);
      const params = maxParamDifference(after, reference.params());
      // Predictions after training: the parameters' float32 (tfjs) vs double differences
      // of ~1e-6 reach the logits amplified a few times, so this bound is looser.
      const predicted = maxPredictDifference(fused, reference, 50);
      console.log(`${name}: max difference of the ${STEPS} losses ${worstLoss.toExponential(2)}, of the parameters after them ${params.diff.toExponential(2)} (${params.name}), of predict on 50 test digits then ${predicted.toExponential(2)}`);
      assert.ok(params.diff <= TOLERANCE, `parameters differ by ${params.diff} in ${params.name}`);
      assert.ok(predicted <= 1e-4, `predictions differ by ${predicted}`);
    } finally {
      reference.dispose();
      fused.dispose();
    }
  });
}

test("predict: fused and tfjs engines agree on 50 test digits (tanh and linear outputs, tanh and ReLU)", async () => {
  await useBackend("wasm");
  for (const name of ["01-baseline", "02-cross-entropy", "05-dropout-relu"]) {
    const config = experiment(name);
    const initial = initParams(config).params;
    const reference = createTfjsEngine(config, initial, "wasm");
    const fused = createFusedEngine(config, initial);
    try {
      const worst = maxPredictDifference(fused, reference, 50);
      console.log(`${name}: predict at the initial weights, max difference ${worst.toExponential(2)}`);
      assert.ok(worst <= TOLERANCE, `${name}: predictions differ by ${worst}`);
    } finally {
      reference.dispose();
      fused.dispose();
    }
  }
});

test("unusual inputs (blank, full, noise, lone pixels at the edges): fused and tfjs engines agree", async () => {
  const images: Float32Array[] = [new Float32Array(PIXELS).fill(-1), new Float32Array(PIXELS).fill(1)];
  const noise = new MT19937(3);
  images.push(Float32Array.from({ length: PIXELS }, () => (noise.nextU32() / 2 ** 31) - 1));
  for (const at of [0, 15, 240, 255, 7, 128]) {
    const lone = new Float32Array(PIXELS).fill(-1);
    lone[at] = 0.5;
    images.push(lone);
  }
  await useBackend("wasm");
  for (const name of ["01-baseline", "05-dropout-relu"]) {
    const config = experiment(name);
    const initial = initParams(config).params;
    const reference = createTfjsEngine(config, initial, "wasm");
    const fused = createFusedEngine(config, initial);
    try {
      const all = new Float32Array(images.length * PIXELS);
      images.forEach((x, i) => all.set(x, i * PIXELS));
      const want = reference.predict(all, images.length), got = fused.predict(all, images.length);
      got.forEach((v, i) => assert.ok(difference(v, want[i]) <= TOLERANCE, `${name}, image ${Math.floor(i / 10)}: predict ${v} vs ${want[i]}`));
      images.forEach((x, i) => {
        const a = reference.step(x, i % 10, config.lr, null), b = fused.step(x, i % 10, config.lr, null);
        assert.ok(difference(a, b) <= TOLERANCE, `${name}, image ${i}: loss ${b} vs ${a}`);
      });
      const params = maxParamDifference(fused.params(), reference.params());
      assert.ok(params.diff <= TOLERANCE, `${name}: parameters differ by ${params.diff} in ${params.name}`);
    } finally {
      reference.dispose();
      fused.dispose();
    }
  }
});

test("fused gradients equal central finite differences in double precision", () => {
  const cases: { label: string; config: Config; dropout: boolean }[] = [
    { label: "tanh, tanh output, MSE", config: experiment("01-baseline"), dropout: false },
    { label: "ReLU, linear output, cross-entropy, dropout", config: experiment("05-dropout-relu"), dropout: true },
    { label: "tanh, linear output, MSE", config: experiment("01-baseline", { output: "linear" }), dropout: false },
    { label: "ReLU, tanh output, cross-entropy", config: experiment("05-dropout-relu", { output: "tanh" }), dropout: false },
  ];
  // Four-point central differences, error O(h^4): at h = 1e-4 both truncation and rounding
  // stay near 1e-8 relative (two-point at 1e-6 is noisier, ~2e-6 at worst).
  const h = 1e-4;
  const train = data().train;
  for (const { label, config, dropout } of cases) {
    const { params, torchRng } = initParams(config);
    const mask = dropout ? new Float32Array(192) : null;
    if (mask) drawDropoutMask(torchRng, config.dropout, mask);
    const net = createFusedNet(config, params);
    // Which ReLUs are on: finite differences that switch one measure across a kink, not a slope.
    const relu = config.activation === "relu";
    const onOff = () => Uint8Array.from([...net.h1, ...net.h2, ...net.h3], (v) => (v > 0 ? 1 : 0));
    const sample = new MT19937(7);
    let worst = 0;
    let checked = 0, acrossKinks = 0;
    for (const digit of [0, 1]) {
      const x = train.images.slice(digit * PIXELS, (digit + 1) * PIXELS);
      const y = train.labels[digit];
      lossAndGradients(net, x, y, mask);
      const grads = Float64Array.from(net.grads);
      const pattern = onOff();
      for (const name of PARAM_NAMES) {
        const view = net.p[name];
        const offset = view.byteOffset / 8;
        // 12 entries of every tensor: its first and last, and 10 drawn at random.
        const n = size(name);
        const picks = [0, n - 1, ...Array.from({ length: 10 }, () => sample.nextU32() % n)];
        for (const i of picks) {
          const keep = view[i];
          let kink = false;
          const at = (dp: number) => {
            view[i] = keep + dp;
            const loss = lossOf(net, x, y, mask);
            if (relu && !kink) kink = !onOff().every((v, k) => v === pattern[k]);
            view[i] = keep;
            return loss;
          };
          const numeric = (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h);
          if (kink) {
            acrossKinks++;
            continue;
          }
          checked++;
          const analytic = grads[offset + i];
          // Relative, with a floor: below 1e-4 a gradient is checked to 1e-10 absolutely.
          const err = Math.abs(numeric - analytic) / Math.max(Math.abs(numeric), Math.abs(analytic), 1e-4);
          worst = Math.max(worst, err);
          assert.ok(err <= 1e-6, `${label}, digit ${digit}, ${name}[${i}]: backward ${analytic}, finite differences ${numeric}`);
        }
      }
    }
    console.log(`gradient check (${label}): max relative error ${worst.toExponential(2)} over ${checked} parameters${relu ? ` (${acrossKinks} skipped: a ReLU switched within +-${2 * h})` : ""}`);
    assert.ok(checked >= 0.9 * (checked + acrossKinks), `${acrossKinks} of ${checked + acrossKinks} checks crossed a ReLU kink`);
  }
});

test("engine choice: auto and fused give the fused engine, tfjs (or a named backend) the reference", async () => {
  const initial = initParams(experiment("01-baseline")).params;
  for (const [engine, backend, want] of [["auto", "auto", "fused"], ["fused", "auto", "fused"], ["tfjs", "wasm", "tfjs"], ["auto", "wasm", "tfjs"]] as const) {
    const e = await createEngine(experiment("05-dropout-relu", { engine, backend }), initial);
    try {
      assert.equal(e.name, want);
      assert.equal(e.backend, want === "fused" ? "js" : "wasm");
    } finally {
      e.dispose();
    }
  }
});

test("fused engine: params() are float64 copies in the canonical layout, untouched by later steps", () => {
  const config = experiment("01-baseline");
  const initial = initParams(config).params;
  const engine = createFusedEngine(config, initial);
  const before = engine.params();
  for (const name of PARAM_NAMES) {
    assert.ok(before[name] instanceof Float64Array);
    assert.deepEqual(before[name], initial[name]);
  }
  const train = data().train;
  engine.step(train.images.slice(0, PIXELS), train.labels[0], config.lr, null);
  assert.deepEqual(before.h1w, initial.h1w); // a copy, not a view
  assert.notDeepEqual(engine.params().h1w, initial.h1w);
});
