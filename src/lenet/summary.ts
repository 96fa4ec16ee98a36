// The study at a glance: every step's seed-1337 run and its spread over seeds, beside the
// paper and the 2022 reference, and whether each step's gain exceeds the seed noise.
import * as fs from "fs";
import * as path from "path";
import { BUILDS_ON, EXPERIMENTS, experiment } from "./config";
import { writeFileAtomic } from "./files";
import { ROOT } from "./provenance";
import { PUBLISHED, referenceMisses } from "./reference";
import { configHash, RESULTS_DIR } from "./results";
import { readSeeds, SEEDS_CSV, SeedRow } from "./seeds";

export interface Stats {
  n: number;
  mean: number;
  std: number; // sample standard deviation (n - 1)
}

export function stats(values: number[]): Stats {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / Math.max(n, 1);
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  return { n, mean, std };
}

export interface StepSummary {
  experiment: string;
  previous: string | null; // the step this one improves on
  paper: (typeof PUBLISHED)[string][number] | undefined;
  reference: (typeof PUBLISHED)[string][number] | undefined;
  seed1337: SeedRow | undefined;
  train: Stats;
  test: Stats;
  /** Mean test error change against the previous step, and whether it exceeds the noise. */
  gain: { delta: number; noise: number; significant: boolean } | null;
  /** Does seed 1337 print the reference's published test misses exactly? */
  reproducesReference: boolean | null;
}

/**
 * One row per step, from the sweep's rows of each step's own recipe. A gain counts when the
 * means differ by more than twice the standard error of their difference (about a 95% test).
 */
export function summarize(rows: SeedRow[] = readSeeds()): StepSummary[] {
  // A row counts for a step when it ran the step's own recipe with its seed.
  const own = (name: string) => rows.filter((r) => r.experiment === name && r.config === configHash(experiment(name, { seed: r.seed })));
  const out: StepSummary[] = [];
  for (const name of Object.keys(EXPERIMENTS)) {
    const runs = own(name);
    const published = PUBLISHED[name] ?? [];
    const reference = published.find((p) => p.source.startsWith("2022"));
    const seed1337 = runs.find((r) => r.seed === 1337);
    const test = stats(runs.map((r) => r.test_error));
    const previous = BUILDS_ON[name];
    let gain: StepSummary["gain"] = null;
    if (previous) {
      const before = stats(own(previous).map((r) => r.test_error));
      if (before.n > 1 && test.n > 1) {
        const noise = 2 * Math.sqrt(before.std ** 2 / before.n + test.std ** 2 / test.n);
        gain = { delta: test.mean - before.mean, noise, significant: before.mean - test.mean > noise };
      }
    }
    const n = EXPERIMENTS[name].testCount;
    out.push({
      experiment: name,
      previous,
      paper: published.find((p) => p.source.startsWith("LeCun")),
      reference,
      seed1337,
      train: stats(runs.map((r) => r.train_error)),
      test,
      gain,
      reproducesReference: seed1337 && reference ? referenceMisses(seed1337.test_misses, n) === reference.testMisses : null,
    });
  }
  return out;
}

const pct = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "–" : v.toFixed(2));
const spread = (s: Stats) => (s.n ? `${s.mean.toFixed(2)} ± ${pct(s.std)} (n=${s.n})` : "–");

/** The summary as a table (header, rows of cells) and a note per step on reproducing the reference. */
export function summaryTable(steps: StepSummary[] = summarize()) {
  const head = ["step", "paper 1989 train / test %", "2022 reference train / test %", "seed 1337 train / test % (test misses)", "mean ± std over seeds, train %", "mean ± std over seeds, test %", "test gain over previous step"];
  const rows = steps.map((s) => {
    const paper = s.paper ? `${pct(s.paper.trainError)} / ${pct(s.paper.testError)}` : "";
    const ref = s.reference ? `${pct(s.reference.trainError)} / ${pct(s.reference.testError)}` : "";
    const mine = s.seed1337 ? `${pct(s.seed1337.train_error)} / ${pct(s.seed1337.test_error)} (${s.seed1337.test_misses})` : "–";
    const gain = !s.gain ? (s.previous ? "–" : "") : `${s.gain.delta >= 0 ? "+" : ""}${s.gain.delta.toFixed(2)} vs ${s.previous!.slice(0, 2)} (noise ±${s.gain.noise.toFixed(2)}): ${s.gain.significant ? "**beyond the noise**" : "within the noise"}`;
    return [s.experiment, paper, ref, mine, spread(s.train), spread(s.test), gain];
  });
  const notes = steps
    .filter((s) => s.reproducesReference !== null)
    .map((s) => {
      const n = EXPERIMENTS[s.experiment].testCount;
      const printed = referenceMisses(s.seed1337!.test_misses, n);
      const off = printed - s.reference!.testMisses;
      const detail = s.reproducesReference ? "**reproduced exactly**" : `not exact (${off >= 0 ? "+" : ""}${off} digits${s.test.n > 1 ? `; the seed spread is ±${((s.test.std * n) / 100).toFixed(0)} digits` : ""})`;
      return `${s.experiment}: seed 1337 misses ${s.seed1337!.test_misses} test digits (the reference's printout would say ${printed}); the reference published ${s.reference!.testMisses}: ${detail}.`;
    });
  return { head, rows, notes };
}

export function summaryMarkdown(steps: StepSummary[] = summarize()): string {
  const { head, rows, notes } = summaryTable(steps);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line), "", "Does seed 1337 reproduce the reference's published test misses?", "", ...notes.map((n) => `- ${n}`), ""].join("\n");
}

export function summaryHtml(steps: StepSummary[] = summarize()): string {
  const { head, rows, notes } = summaryTable(steps);
  const cell = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/\*\*(.+?)\*\*/g, "<b>$1</b>");
  const table = `<table class="lenet-table"><tr>${head.map((h) => `<th>${cell(h)}</th>`).join("")}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join("")}</tr>`).join("")}</table>`;
  return `${table}<p>Does seed 1337 reproduce the reference's published test misses?</p><ul>${notes.map((n) => `<li>${cell(n)}</li>`).join("")}</ul>`;
}

export const SUMMARY_MD = path.join(RESULTS_DIR, "summary.md");
/** Replaces the README's section between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export function fillReadme(name: string, body: string, readme = path.join(ROOT, "README.md")): void {
  const start = `<!-- ${name}:start -->`, end = `<!-- ${name}:end -->`;
  const text = fs.readFileSync(readme, "utf8");
  const a = text.indexOf(start), b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${readme} has no ${start} ... ${end} section to fill`);
  writeFileAtomic(readme, `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`);
}

/** Writes results/summary.md and, unless told not to, the README's results section. */
export function writeSummary(markdown = summaryMarkdown(), summaryFile = SUMMARY_MD, readme = true): void {
  const seeds = path.relative(ROOT, SEEDS_CSV);
  const body = `Generated by notebooks/07-summary from \`${seeds}\` (${readSeeds().length} runs); do not edit by hand.\n\n${markdown}`;
  writeFileAtomic(summaryFile, `# Summary\n\n${body}`);
  if (readme) fillReadme("summary", body);
}
