// Interruption and resume: a run stopped after any pass, or killed mid-pass, continues
// from its checkpoint and ends bit for bit as the uninterrupted run; nothing recorded is lost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Config, experiment } from "../src/lenet/config";
import { checkpointPath } from "../src/lenet/checkpoint";
import { loadData } from "../src/lenet/data";
import { readRun } from "../src/lenet/results";
import { train } from "../src/lenet/train";

const quiet = () => {};
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "lenet-rel-"));
const withoutTimes = (h: { seconds: number }[]) => h.map(({ seconds: _s, ...rest }) => rest);

for (const [name, engine] of [["05-dropout-relu", "fused"], ["04-augmentation", "tfjs"]] as const) {
  test(`a run stopped after pass 2 resumes and ends bit for bit as the uninterrupted run (${name}, ${engine})`, async () => {
    // AdamW moments, shifts and dropout masks all have to be carried across the stop.
    const config: Config = experiment(name, { engine, backend: engine === "tfjs" ? "wasm" : "auto", trainCount: 300, testCount: 100, passes: 4 });
    const data = loadData(config, { log: quiet });
    const whole = await train(config, { data, log: quiet });
    const checkpoint = path.join(tmp(), "run.json");
    class Stop extends Error {}
    await assert.rejects(train(config, { data, log: quiet, checkpoint, onPass: (r) => { if (r.pass === 2) throw new Stop(); } }), Stop);
    assert.ok(fs.existsSync(checkpoint));
    const lines: string[] = [];
    const resumed = await train(config, { data, log: (l) => lines.push(l), checkpoint });
    assert.match(lines[0], /^resuming .* after pass 2 of 4/);
    assert.equal(lines.filter((l) => l.startsWith("eval: ")).length, 4); // passes 3 and 4 only
    assert.deepEqual(withoutTimes(resumed.history), withoutTimes(whole.history));
    assert.deepEqual(resumed.evalLines, whole.evalLines);
    assert.deepEqual(resumed.params, whole.params);
    assert.deepEqual(resumed.final.test.predicted, whole.final.test.predicted);
  });
}

test("a checkpoint of another config is not used", async () => {
  const config = experiment("01-baseline", { trainCount: 200, testCount: 100, passes: 2 });
  const checkpoint = path.join(tmp(), "run.json");
  await train(config, { log: quiet, checkpoint });
  const lines: string[] = [];
  await train({ ...config, lr: 0.02 }, { log: (l) => lines.push(l), checkpoint });
  assert.match(lines[0], /is not used: its config differs; starting over/);
});

const root = path.resolve(__dirname, "..");
const cli = (args: string[]) => [path.join(root, "src/cli/train.ts"), ...args];

test("a command-line run interrupted (SIGINT) mid-pass leaves earlier results intact; the same command resumes it", async () => {
  const dir = tmp();
  const out = path.join(dir, "run");
  const edits = JSON.stringify({ trainCount: 2000, testCount: 200, passes: 6 });
  const args = ["--experiment", "03-adamw", "--config", edits, "--out", out];
  // A first, complete run: its results must survive what follows.
  assert.equal(spawnSync(process.execPath, ["--import", "tsx", ...cli(args)], { cwd: root }).status, 0);
  const before = fs.readFileSync(path.join(out, "history.csv"), "utf8");
  const reference = readRun(out);
  // The same run again, killed once its checkpoint shows pass 2 done.
  const file = checkpointPath(experiment("03-adamw", JSON.parse(edits)));
  const child = spawn(process.execPath, ["--import", "tsx", ...cli(args)], { cwd: root, stdio: "ignore" });
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      try {
        if (JSON.parse(fs.readFileSync(file, "utf8")).passes >= 2) (clearInterval(timer), child.kill("SIGINT"), resolve());
      } catch { /* not there yet, or being replaced: look again */ }
    }, 20);
    child.on("exit", () => (clearInterval(timer), reject(new Error("the run finished before it could be killed"))));
  });
  await new Promise((r) => child.on("exit", r));
  assert.equal(fs.readFileSync(path.join(out, "history.csv"), "utf8"), before);
  assert.deepEqual(readRun(out).params, reference.params);
  const again = spawnSync(process.execPath, ["--import", "tsx", ...cli(args)], { cwd: root, encoding: "utf8" });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /resuming 03-adamw after pass [2-5] of 6/);
  const resumed = readRun(out);
  assert.deepEqual(withoutTimes(resumed.history), withoutTimes(reference.history));
  assert.deepEqual(resumed.params, reference.params);
  assert.equal(fs.existsSync(file), false, "a recorded run leaves no checkpoint behind");
});
