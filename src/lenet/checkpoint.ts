// Checkpoints: after every pass, the whole state of a run (parameters, optimizer moments,
// both random generators, the history so far), so that an interrupted run continues from
// its last completed pass and ends bit for bit as an uninterrupted run would.
import * as fs from "fs";
import * as path from "path";
import type { Config } from "./config";
import type { OptimizerState } from "./engine";
import { writeFileAtomic } from "./files";
import { PARAM_NAMES, Params } from "./params";
import { configHash, RUNS_DIR } from "./results";
import type { PassRecord } from "./train";

const FORMAT = "lecun1989-ts checkpoint v1";

type Snapshot = { state: number[]; index: number };

export interface Checkpoint {
  config: Config;
  engine: string;
  backend: string;
  commit: string;
  passes: number; // passes completed
  seconds: number; // training time so far
  history: PassRecord[];
  evalLines: string[];
  params: Params;
  optimizer: OptimizerState | null;
  rng: { torch: Snapshot; numpy: Snapshot };
}

/** Where a config's checkpoint lives: runs/checkpoints/ (or under `root`), named by step, seed and recipe. */
export function checkpointPath(config: Config, root: string = RUNS_DIR): string {
  return path.join(root, "checkpoints", `${config.experiment}-seed${config.seed}-${configHash(config)}.json`);
}

const toLists = (p: Params) => Object.fromEntries(PARAM_NAMES.map((n) => [n, Array.from(p[n])]));
const fromLists = (p: Record<string, number[]>): Params => Object.fromEntries(PARAM_NAMES.map((n) => [n, Float64Array.from(p[n])])) as Params;

export function saveCheckpoint(file: string, c: Checkpoint): void {
  const optimizer = c.optimizer && { t: c.optimizer.t, m: toLists(c.optimizer.m), v: toLists(c.optimizer.v) };
  writeFileAtomic(file, JSON.stringify({ format: FORMAT, ...c, params: toLists(c.params), optimizer }));
}

/**
 * The checkpoint in `file` if it belongs to this very run (same config, engine, backend and
 * code: `code` is the commit now), else null, saying why it is not used. Doubles survive JSON exactly.
 */
export function loadCheckpoint(file: string, config: Config, engine: { name: string; backend: string }, code: string, log: (line: string) => void): Checkpoint | null {
  if (!fs.existsSync(file)) return null;
  let raw;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    log(`checkpoint ${file} is unreadable (${(e as Error).message}); starting over`);
    return null;
  }
  const why =
    raw.format !== FORMAT ? `its format is "${raw.format}"`
    : JSON.stringify(raw.config) !== JSON.stringify(config) ? "its config differs"
    : raw.engine !== engine.name || raw.backend !== engine.backend ? `it ran on ${raw.engine}/${raw.backend}, this run on ${engine.name}/${engine.backend}`
    : raw.commit !== code ? `it comes from commit ${raw.commit}, the code is now ${code}`
    : null;
  if (why) {
    log(`checkpoint ${file} is not used: ${why}; starting over`);
    return null;
  }
  return { ...raw, params: fromLists(raw.params), optimizer: raw.optimizer && { t: raw.optimizer.t, m: fromLists(raw.optimizer.m), v: fromLists(raw.optimizer.v) } };
}
