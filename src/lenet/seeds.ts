// results/seeds.csv: one row per finished run of the sweep, appended without losing
// earlier rows, and read back by the summary.
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "./files";
import { RESULTS_DIR } from "./results";

export const SEEDS_CSV = path.join(RESULTS_DIR, "seeds.csv");

export interface SeedRow {
  experiment: string;
  seed: number;
  config: string; // configHash of the run's recipe: a row counts only for the recipe it ran
  engine: string;
  backend: string;
  passes: number;
  train_error: number;
  train_misses: number;
  test_error: number;
  test_misses: number;
  seconds: number;
  commit: string;
}

const COLUMNS: (keyof SeedRow)[] = ["experiment", "seed", "config", "engine", "backend", "passes", "train_error", "train_misses", "test_error", "test_misses", "seconds", "commit"];
const NUMERIC = new Set<keyof SeedRow>(["seed", "passes", "train_error", "train_misses", "test_error", "test_misses", "seconds"]);

export function readSeeds(file = SEEDS_CSV): SeedRow[] {
  if (!fs.existsSync(file)) return [];
  const [head, ...lines] = fs.readFileSync(file, "utf8").trim().split("\n");
  if (head !== COLUMNS.join(",")) throw new Error(`${file} has columns "${head}", expected "${COLUMNS.join(",")}"; move it aside and rerun the sweep.`);
  return lines.map((line, i) => {
    const cells = line.split(",");
    if (cells.length !== COLUMNS.length) throw new Error(`${file} line ${i + 2} has ${cells.length} cells, expected ${COLUMNS.length}.`);
    return Object.fromEntries(COLUMNS.map((c, k) => [c, NUMERIC.has(c) ? Number(cells[k]) : cells[k]])) as unknown as SeedRow;
  });
}

/** Appends one row: the whole file is rewritten atomically, so a crash loses nothing earlier. */
export function appendSeed(row: SeedRow, file = SEEDS_CSV): void {
  const rows = [...readSeeds(file), row];
  writeFileAtomic(file, [COLUMNS.join(","), ...rows.map((r) => COLUMNS.map((c) => String(r[c])).join(","))].join("\n") + "\n");
}
