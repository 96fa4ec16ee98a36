// Recording a run: config.json (config and provenance), eval.txt, history.csv, the
// mistake grids and the trained weights. A run's folder is written whole or not at all,
// and a tweaked config never lands on the canonical result of its step.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Config, EXPERIMENTS } from "./config";
import { mistakeGrid, mistakesOf } from "./mistakes";
import { loadParams, Params, saveParams } from "./params";
import { machine, ROOT, versions } from "./provenance";
import type { PassRecord, RunResult } from "./train";

export const RESULTS_DIR = path.join(ROOT, "results");
export const RUNS_DIR = path.join(ROOT, "runs");

// Which engine and backend ran does not change what a run is: they agree to ~1e-6.
const NOT_PART_OF_THE_RECIPE: (keyof Config)[] = ["engine", "backend"];

function recipe(config: Config): Record<string, unknown> {
  const r: Record<string, unknown> = { ...config };
  for (const k of NOT_PART_OF_THE_RECIPE) delete r[k];
  return r;
}

/** True when the config is its step's own, unedited (any engine or backend). */
export function isCanonical(config: Config): boolean {
  const step = EXPERIMENTS[config.experiment];
  return !!step && JSON.stringify(recipe(config)) === JSON.stringify(recipe(step as Config));
}

/** A short name for a config's recipe, for the folder of a tweaked run. */
export function configHash(config: Config): string {
  return crypto.createHash("sha256").update(JSON.stringify(recipe(config))).digest("hex").slice(0, 10);
}

/**
 * Where a run is recorded: results/<step>/ for the step's own config, runs/<step>-<hash>/
 * for anything tweaked (another seed included), or under `root` when given (tests, sweeps).
 */
export function runDir(config: Config, root?: string): string {
  if (root) return path.join(root, config.experiment);
  return isCanonical(config) ? path.join(RESULTS_DIR, config.experiment) : path.join(RUNS_DIR, `${config.experiment}-seed${config.seed}-${configHash(config)}`);
}

export const HISTORY_COLUMNS: (keyof PassRecord)[] = ["pass", "lr", "train_loss", "train_error", "train_misses", "test_loss", "test_error", "test_misses", "seconds"];

export function historyCsv(history: PassRecord[]): string {
  const rows = history.map((h) => HISTORY_COLUMNS.map((c) => String(h[c])).join(","));
  return [HISTORY_COLUMNS.join(","), ...rows].join("\n") + "\n";
}

export function parseHistoryCsv(text: string): PassRecord[] {
  const [head, ...lines] = text.trim().split("\n");
  const cols = head.split(",");
  return lines.map((line) => {
    const values = line.split(",").map(Number);
    return Object.fromEntries(cols.map((c, i) => [c, values[i]])) as unknown as PassRecord;
  });
}

/** Writes every artefact of a run into its folder, atomically as a whole; returns the folder. */
export function recordRun(result: RunResult, dir: string = runDir(result.config)): string {
  const { config, data } = result;
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const provenance = {
    config,
    canonical: isCanonical(config),
    engine: result.engine,
    backend: result.backend,
    seed: config.seed,
    seconds: result.seconds,
    recorded: new Date().toISOString(),
    commit: result.commit,
    versions: versions(),
    machine: machine(),
    data: {
      train: { split: data.train.name, count: data.train.count, sha256: data.train.sha256 },
      test: { split: data.test.name, count: data.test.count, sha256: data.test.sha256 },
    },
    final: {
      train: { loss: result.final.train.loss, misses: result.final.train.misses, error: result.final.train.error * 100 },
      test: { loss: result.final.test.loss, misses: result.final.test.misses, error: result.final.test.error * 100 },
    },
  };
  fs.writeFileSync(path.join(tmp, "config.json"), JSON.stringify(provenance, null, 2) + "\n");
  fs.writeFileSync(path.join(tmp, "eval.txt"), result.evalLines.join("\n") + "\n");
  fs.writeFileSync(path.join(tmp, "history.csv"), historyCsv(result.history));
  saveParams(path.join(tmp, "weights.bin"), result.params);
  for (const split of ["train", "test"] as const) {
    const mistakes = mistakesOf(data[split], result.final[split].predicted);
    fs.writeFileSync(path.join(tmp, `mistakes-${split}.png`), mistakeGrid(data[split], mistakes));
  }
  // Swap the finished folder in: the old one stays whole until the new one is complete.
  const old = `${dir}.old-${process.pid}`;
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
  if (result.checkpoint) fs.rmSync(result.checkpoint, { force: true }); // recorded: nothing left to resume
  return dir;
}

export interface RecordedRun {
  dir: string;
  config: Config;
  provenance: Record<string, unknown>;
  history: PassRecord[];
  params: Params;
}

/** Reads a recorded run back (e.g. to evaluate its weights without retraining). */
export function readRun(dir: string): RecordedRun {
  const file = path.join(dir, "config.json");
  if (!fs.existsSync(file)) throw new Error(`no recorded run in ${dir} (config.json is missing); train it first, e.g. \`npm run train -- --experiment <name>\``);
  const provenance = JSON.parse(fs.readFileSync(file, "utf8"));
  return {
    dir,
    config: provenance.config,
    provenance,
    history: parseHistoryCsv(fs.readFileSync(path.join(dir, "history.csv"), "utf8")),
    params: loadParams(path.join(dir, "weights.bin")),
  };
}
