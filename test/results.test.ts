// Recording: every artefact, the place a tweaked run goes, and reading weights back.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { experiment } from "../src/lenet/config";
import { historyCsv, isCanonical, parseHistoryCsv, readRun, recordRun, RESULTS_DIR, RUNS_DIR, runDir } from "../src/lenet/results";
import { evaluateParams, train } from "../src/lenet/train";

const quiet = () => {};

test("only a step's own config records over its canonical result", () => {
  assert.ok(isCanonical(experiment("01-baseline")));
  assert.ok(isCanonical(experiment("01-baseline", { engine: "tfjs", backend: "cpu" })));
  assert.equal(runDir(experiment("01-baseline")), path.join(RESULTS_DIR, "01-baseline"));
  const tweaked = runDir(experiment("01-baseline", { lr: 0.02 }));
  assert.ok(tweaked.startsWith(RUNS_DIR + path.sep) && tweaked.includes("01-baseline-seed1337-"));
  assert.notEqual(runDir(experiment("01-baseline", { seed: 7 })), runDir(experiment("01-baseline")));
  assert.notEqual(runDir(experiment("01-baseline", { lr: 0.02 })), runDir(experiment("01-baseline", { lr: 0.01 })));
  assert.equal(runDir(experiment("01-baseline", { lr: 0.02 }), "/x"), "/x/01-baseline");
});

test("a recorded run holds every artefact, and its weights give the same evaluation", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lenet-results-"));
  const config = experiment("01-baseline", { trainCount: 300, testCount: 200, passes: 2 });
  const result = await train(config, { log: quiet });
  const dir = recordRun(result, runDir(config, root));
  assert.deepEqual(fs.readdirSync(dir).sort(), ["config.json", "eval.txt", "history.csv", "mistakes-test.png", "mistakes-train.png", "weights.bin"]);
  const saved = readRun(dir);
  assert.deepEqual(saved.config, config);
  assert.equal(saved.provenance.engine, result.engine);
  assert.equal(typeof saved.provenance.backend, "string");
  assert.match(String(saved.provenance.commit), /^([0-9a-f]{40}(\+dirty)?|unknown.*)$/);
  assert.equal((saved.provenance.versions as Record<string, string>)["@tensorflow/tfjs"], "4.22.0");
  assert.equal((saved.provenance.data as { train: { sha256: { images: string } } }).train.sha256.images, result.data.train.sha256.images);
  assert.deepEqual(saved.history, result.history);
  assert.equal(fs.readFileSync(path.join(dir, "eval.txt"), "utf8"), result.evalLines.join("\n") + "\n");
  const again = await evaluateParams(saved.config, saved.params, result.data);
  assert.deepEqual(again.lines, result.evalLines.slice(-2));
  const png = fs.readFileSync(path.join(dir, "mistakes-test.png"));
  assert.deepEqual(Array.from(png.subarray(0, 8)), [137, 80, 78, 71, 13, 10, 26, 10]);
  // Recording again swaps the folder whole; no temporary folders are left behind.
  recordRun(result, dir);
  assert.deepEqual(fs.readdirSync(root), ["01-baseline"]);
});

test("history.csv round-trips", () => {
  const h = [{ pass: 1, lr: 0.03, train_loss: 0.1, train_error: 1.5, train_misses: 3, test_loss: 0.2, test_error: 2.5, test_misses: 5, seconds: 1.25 }];
  const text = historyCsv(h);
  assert.equal(text.split("\n")[0], "pass,lr,train_loss,train_error,train_misses,test_loss,test_error,test_misses,seconds");
  assert.deepEqual(parseHistoryCsv(text), h);
});
