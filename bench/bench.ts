// `npm run bench`: how fast each engine trains the step 01 network one digit at a time,
// and how long one batched evaluation of the 7,291 training digits takes, beside
// PyTorch on one thread doing the same work (bench/torch_lenet.py).
//   npm run bench                  a table
//   npm run bench -- --json        one JSON object instead
//   npm run bench -- --out FILE    also write that JSON object to FILE
//   npm run bench -- --out results/bench.json --readme   and the table into the README
// Speed is measured here and only here: no test asserts a timing.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { Config, experiment } from "../src/lenet/config";
import { loadData, PIXELS, Split } from "../src/lenet/data";
import { createEngine } from "../src/lenet/engines";
import { writeFileAtomic } from "../src/lenet/files";
import { initParams, saveParams } from "../src/lenet/params";
import { machine, packageVersion, ROOT, versions } from "../src/lenet/provenance";
import { fillReadme } from "../src/lenet/summary";
import { evaluate } from "../src/lenet/train";

export const TORCH_SCRIPT = path.join(__dirname, "torch_lenet.py");

/** A python3 that can import torch (the one on PATH may be a pyenv one without it), or null. */
export function torchPython(): string | null {
  for (const python of ["python3", "/usr/bin/python3"]) {
    if (spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0) return python;
  }
  return null;
}

/** Runs torch_lenet.py from the given initial weights; returns its last stdout line, parsed. */
export function runTorch(python: string, config: Config, args: string[]): Record<string, unknown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lenet-bench-"));
  try {
    const weights = path.join(dir, "initial.weights");
    saveParams(weights, initParams(config).params);
    const r = spawnSync(python, [TORCH_SCRIPT, "--weights", weights, ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${TORCH_SCRIPT} failed (exit ${r.status}):\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface Row {
  engine: string;
  backend: string;
  stepsPerSecond: number;
  evalSeconds: number;
  ratioToPytorch?: number;
}

// What to time: fast engines over the whole training set, the slow cpu backend over 500 digits.
// The warm-ups are long because tfjs on wasm keeps speeding up for a few thousand steps.
const RUNS: { engine: Config["engine"]; backend: Config["backend"]; steps: number; warmup: number }[] = [
  { engine: "fused", backend: "auto", steps: 7291, warmup: 3000 },
  { engine: "tfjs", backend: "tensorflow", steps: 7291, warmup: 3000 },
  { engine: "tfjs", backend: "wasm", steps: 7291, warmup: 3000 },
  { engine: "tfjs", backend: "cpu", steps: 500, warmup: 100 },
];
const TORCH = { steps: 7291, warmup: 500 };

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/** Training steps/s and one evaluation's time, through the trainer's own calls. */
async function measure(config: Config, train: Split, steps: number, warmup: number): Promise<Row | string> {
  const engine = await createEngine(config, initParams(config).params);
  try {
    const asked = `${config.engine}${config.engine === "tfjs" ? `/${config.backend}` : ""}`;
    if (engine.name !== config.engine || (config.engine === "tfjs" && engine.backend !== config.backend)) {
      return `${asked}: skipped, createEngine built ${engine.name}/${engine.backend} instead`;
    }
    const x = new Float32Array(PIXELS);
    const run = (n: number) => {
      // As train.ts does it: digits in order, each copied into one input buffer.
      for (let k = 0; k < n; k++) {
        const i = k % train.count;
        x.set(train.images.subarray(i * PIXELS, (i + 1) * PIXELS));
        engine.step(x, train.labels[i], config.lr, null);
      }
    };
    run(warmup);
    let t0 = process.hrtime.bigint();
    run(steps);
    const stepsPerSecond = steps / seconds(t0);
    evaluate(engine, config, train); // the first batched call sets up its kernels and buffers
    t0 = process.hrtime.bigint();
    evaluate(engine, config, train);
    return { engine: engine.name, backend: engine.backend, stepsPerSecond, evalSeconds: seconds(t0) };
  } finally {
    engine.dispose();
  }
}

async function main() {
  const { values: opts } = parseArgs({ options: { json: { type: "boolean" }, out: { type: "string" }, readme: { type: "boolean" } } });
  const log = (line: string) => console.error(line); // stdout is for the result
  const base = experiment("01-baseline");
  const data = loadData(base, { log });
  const rows: Row[] = [];
  const notes: string[] = [];
  let torchVersion: string | null = null;

  const python = torchPython();
  if (python) {
    log(`bench: pytorch (${python}), ${TORCH.steps} steps`);
    const r = runTorch(python, base, ["--steps", String(TORCH.steps), "--warmup", String(TORCH.warmup)]);
    torchVersion = String(r.torch);
    rows.push({ engine: "pytorch", backend: `cpu, ${r.threads} thread`, stepsPerSecond: Number(r.stepsPerSecond), evalSeconds: Number(r.evalSeconds) });
  } else notes.push("pytorch: skipped, no python3 here can import torch");

  for (const { engine, backend, steps, warmup } of RUNS) {
    if (backend === "tensorflow" && packageVersion("@tensorflow/tfjs-node") === null) {
      notes.push("tfjs/tensorflow: skipped, @tensorflow/tfjs-node is not installed");
      continue;
    }
    log(`bench: ${engine}${engine === "tfjs" ? `/${backend}` : ""}, ${steps} steps`);
    const result = await measure(experiment("01-baseline", { engine, backend }), data.train, steps, warmup);
    if (typeof result === "string") notes.push(result);
    else rows.push(result);
  }

  const torch = rows.find((r) => r.engine === "pytorch");
  if (torch) for (const r of rows) r.ratioToPytorch = r.stepsPerSecond / torch.stepsPerSecond;
  const report = { date: new Date().toISOString(), machine: machine(), versions: { ...versions(), torch: torchVersion }, rows, notes };
  if (opts.out) writeFileAtomic(opts.out, JSON.stringify(report, null, 1) + "\n");
  const m = report.machine;
  const title = `step 01 network, per-example SGD on ${m.cpu} (${m.cores} cores), ${report.date.slice(0, 10)}`;
  const table = [["engine", "backend", "steps/s", "eval s", "vs PyTorch"]];
  for (const r of rows) {
    table.push([r.engine, r.backend, Math.round(r.stepsPerSecond).toLocaleString("en-US"), r.evalSeconds.toFixed(3), r.ratioToPytorch === undefined ? "" : `${r.ratioToPytorch.toFixed(2)}x`]);
  }
  if (opts.readme) {
    // The README's performance table, between its markers, from this very run.
    const md = [`${title}, from \`npm run bench\` (\`${opts.out ? path.relative(ROOT, opts.out) : "not saved"}\`):`, "", ...table.map((row) => `| ${row.join(" | ")} |`)];
    md.splice(3, 0, "|---|---|---:|---:|---:|");
    fillReadme("bench", md.join("\n"));
  }
  if (opts.json) {
    console.log(JSON.stringify(report));
    return;
  }
  console.log(`${title}\n`);
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  for (const row of table) console.log(row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
  console.log(`\nsteps/s: training steps (forward, backward, update) per second, after a warm-up`);
  console.log(`eval s: one batched evaluation of the ${data.train.count.toLocaleString("en-US")} training digits, after one untimed`);
  for (const note of notes) console.log(`note: ${note}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
