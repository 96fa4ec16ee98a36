// The PyTorch side of the benchmark is a checked implementation of the same network:
// from the same initial weights, on the same 100 digits, it must give the same
// per-step losses as the project's engines. No timings here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runTorch, torchPython } from "../bench/bench";
import { Config, experiment } from "../src/lenet/config";
import { loadData, PIXELS } from "../src/lenet/data";
import { createEngine } from "../src/lenet/engines";
import { initParams } from "../src/lenet/params";

const python = torchPython();
const skip = python ? false : "no python3 here can import torch";
const COUNT = 100;

let torchLosses: number[] | undefined;
const pytorch = () => (torchLosses ??= runTorch(python!, experiment("01-baseline"), ["--check", String(COUNT)]).losses as number[]);

/** The per-step losses of one of the project's engines on the first COUNT training digits. */
async function projectLosses(engine: Config["engine"], backend: Config["backend"]) {
  const config = experiment("01-baseline", { engine, backend });
  const train = loadData(config, { log: () => {} }).train;
  const e = await createEngine(config, initParams(config).params);
  try {
    const losses: number[] = [];
    for (let i = 0; i < COUNT; i++) losses.push(e.step(train.images.slice(i * PIXELS, (i + 1) * PIXELS), train.labels[i], config.lr, null));
    return { name: e.name, losses };
  } finally {
    e.dispose();
  }
}

function assertAgree(theirs: number[], ours: number[], who: string) {
  assert.equal(theirs.length, COUNT);
  // The losses must move (the net learns), or agreement would prove little.
  assert.ok(Math.abs(ours[COUNT - 1] - ours[0]) > 1e-3, `${who} losses barely change: ${ours[0]} .. ${ours[COUNT - 1]}`);
  for (let i = 0; i < COUNT; i++) assert.ok(Math.abs(theirs[i] - ours[i]) <= 1e-5, `step ${i}: pytorch loss ${theirs[i]}, ${who} ${ours[i]}`);
}

// The project's side runs first: it prepares the data cache that torch_lenet.py reads.
test("torch_lenet.py trains like the tfjs engine (wasm): 100 per-step losses agree to 1e-5", { skip }, async () => {
  const ours = await projectLosses("tfjs", "wasm");
  assert.equal(ours.name, "tfjs");
  assertAgree(pytorch(), ours.losses, "tfjs");
});

test("torch_lenet.py trains like the fused engine: 100 per-step losses agree to 1e-5", { skip }, async () => {
  const ours = await projectLosses("fused", "auto");
  assert.equal(ours.name, "fused");
  assertAgree(pytorch(), ours.losses, "fused");
});
