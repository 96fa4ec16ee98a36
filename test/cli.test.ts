// The command line: a clear error and exit 1 for bad input; a diverging run records nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..");
const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", path.join(root, "src/cli/train.ts"), ...args], { cwd: root, encoding: "utf8" });

test("unknown experiment, engine or field: exit 1, naming the valid values", () => {
  let r = run("--experiment", "07-nope");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown experiment "07-nope"; valid: 01-baseline, 02-cross-entropy/);
  r = run("--experiment", "01-baseline", "--engine", "gpu");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /engine must be one of "auto", "fused", "tfjs", got "gpu"/);
  r = run("--experiment", "01-baseline", "--config", '{"lr": -1, "passes": 0, "dropout": 1, "optimizer": "lbfgs", "loss": 3}');
  assert.equal(r.status, 1);
  for (const m of [/lr must be a positive number, got -1/, /passes must be an integer >= 1, got 0/, /dropout must be a number in \[0, 1\), got 1/, /optimizer must be one of "sgd", "adamw", got "lbfgs"/, /loss must be one of "mse", "cross-entropy", got 3/]) assert.match(r.stderr, m);
  r = run("--experiment", "01-baseline", "--seeed", "3");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown argument "--seeed"; valid:\n  --experiment/);
});

test("a diverging run exits 1, records nothing, and leaves an earlier result intact", () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lenet-cli-")), "run");
  const tiny = { optimizer: "sgd", weightDecay: 0, trainCount: 300, testCount: 100, passes: 2 };
  const diverging = JSON.stringify({ ...tiny, lr: 10, lrFinal: 10 });
  let r = run("--experiment", "05-dropout-relu", "--out", out, "--config", diverging);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /error: the run diverged in pass 1: the loss of training digit \d+ is NaN \(learning rate 10\)\. Nothing was recorded; lower the learning rate\./);
  assert.equal(fs.existsSync(out), false);
  // With a good run recorded there first, the diverging one changes none of its files.
  r = run("--experiment", "05-dropout-relu", "--out", out, "--config", JSON.stringify({ ...tiny, lr: 0.01, lrFinal: 0.01 }));
  assert.equal(r.status, 0, r.stderr);
  const before = Object.fromEntries(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f)).toString("base64")]));
  assert.equal(run("--experiment", "05-dropout-relu", "--out", out, "--config", diverging).status, 1);
  assert.deepEqual(Object.fromEntries(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f)).toString("base64")])), before);
});

test("a config the chosen engine or machine cannot run: exit 1, saying what to change", () => {
  let r = run("--experiment", "01-baseline", "--engine", "fused", "--backend", "wasm", "--passes", "1");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /the fused engine runs in plain JavaScript: backend "wasm" applies to engine "tfjs" only/);
  if (!fs.existsSync(path.join(root, "node_modules/@tensorflow/tfjs-node/package.json"))) {
    r = run("--experiment", "01-baseline", "--engine", "tfjs", "--backend", "tensorflow", "--passes", "1");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no TensorFlow\.js backend could be set up \(tensorflow: not installed\)\. Valid backends: auto, tensorflow, wasm, cpu/);
  }
});

test("the sweep's parallel runs give the numbers of the same runs one by one", async () => {
  const { train } = await import("../src/lenet/train");
  const { experiment } = await import("../src/lenet/config");
  const { readSeeds } = await import("../src/lenet/seeds");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lenet-sweep-"));
  const csv = path.join(dir, "seeds.csv");
  const edits = { trainCount: 300, testCount: 200, passes: 2 };
  const sweep = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", path.join(root, "src/cli/sweep.ts"), "--experiments", "01-baseline,04-augmentation", "--seeds", "1,2", "--config", JSON.stringify(edits), "--csv", csv, "--out", path.join(dir, "runs"), ...args], { cwd: root, encoding: "utf8" });
  let r = sweep("--workers", "2");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /sweep: 4 runs on 2 workers/);
  const rows = readSeeds(csv);
  assert.equal(rows.length, 4);
  for (const row of rows) {
    const one = await train(experiment(row.experiment, { ...edits, seed: row.seed }), { log: () => {} });
    assert.equal(row.test_misses, one.final.test.misses);
    assert.equal(row.train_misses, one.final.train.misses);
    assert.equal(row.test_error, one.final.test.error * 100);
  }
  // Run again: nothing to do, and the earlier rows are all still there.
  r = sweep();
  assert.match(r.stdout, /sweep: 0 runs on \d+ workers, 4 already in/);
  assert.deepEqual(readSeeds(csv), rows);
});
