// Runs steps over several seeds, on every core, and appends each finished run to
// results/seeds.csv. Runs already there (same step, seed and recipe) are skipped, so an
// interrupted sweep resumes where it stopped.
//   npm run sweep -- --experiments 01-baseline,02-cross-entropy --seeds 1337,1,2,3,4
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXPERIMENTS, experiment } from "../lenet/config";
import { ROOT } from "../lenet/provenance";
import { configHash, RUNS_DIR } from "../lenet/results";
import { appendSeed, readSeeds, SEEDS_CSV } from "../lenet/seeds";
import { configEdits, main, parseArgs } from "./args";

main(async () => {
  const args = parseArgs(process.argv.slice(2), {
    experiments: `comma-separated steps (default: all): ${Object.keys(EXPERIMENTS).join(", ")}`,
    seeds: "comma-separated seeds (default 1337,1,2,3,4)",
    workers: `parallel runs (default: the ${os.cpus().length} cores)`,
    engine: "auto | fused | tfjs (default auto)",
    csv: `the file to append to (default ${path.relative(ROOT, SEEDS_CSV)})`,
    config: "config edits for every run, as JSON (such runs are not the steps' own, and the summary leaves them out)",
    out: `where each run records its folder (default ${path.relative(ROOT, path.join(RUNS_DIR, "sweep"))})`,
  });
  const edits = configEdits(args.config);
  const outRoot = path.resolve(args.out ?? path.join(RUNS_DIR, "sweep"));
  const names = (args.experiments ?? Object.keys(EXPERIMENTS).join(",")).split(",");
  const seeds = (args.seeds ?? "1337,1,2,3,4").split(",").map(Number);
  const workers = Number(args.workers ?? os.cpus().length);
  const csv = path.resolve(args.csv ?? SEEDS_CSV);
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be a positive integer, got ${args.workers}`);
  const engine = (args.engine ?? "auto") as "auto";
  // Validate every config before starting anything; longest runs first keeps cores busy.
  const done = new Set(readSeeds(csv).map((r) => `${r.experiment}/${r.seed}/${r.config}`));
  const jobs = names
    .flatMap((name) => seeds.map((seed) => experiment(name, { ...edits, seed, engine })))
    .filter((c) => !done.has(`${c.experiment}/${c.seed}/${configHash(c)}`))
    .sort((a, b) => b.trainCount * b.passes - a.trainCount * a.passes);
  const skipped = names.length * seeds.length - jobs.length;
  console.log(`sweep: ${jobs.length} runs on ${workers} workers${skipped ? `, ${skipped} already in ${path.relative(ROOT, csv)}` : ""}`);
  let finished = 0, failed = 0;
  const started = Date.now();
  const runOne = (config: (typeof jobs)[number]) =>
    new Promise<void>((resolve) => {
      const out = path.join(outRoot, `${config.experiment}-seed${config.seed}-${configHash(config)}`);
      const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli/train.ts"), "--experiment", config.experiment, "--config", JSON.stringify({ ...edits, seed: config.seed, engine: config.engine }), "--out", out], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => {
        finished++;
        const tag = `[${finished}/${jobs.length}, ${((Date.now() - started) / 60000).toFixed(1)} min] ${config.experiment} seed ${config.seed}`;
        if (code !== 0) {
          failed++;
          console.log(`${tag}: FAILED\n${stderr.trim()}`);
          return resolve();
        }
        const run = JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8"));
        const f = run.final;
        appendSeed({ experiment: config.experiment, seed: config.seed, config: configHash(config), engine: run.engine, backend: run.backend, passes: config.passes, train_error: f.train.error, train_misses: f.train.misses, test_error: f.test.error, test_misses: f.test.misses, seconds: run.seconds, commit: run.commit }, csv);
        console.log(`${tag}: train ${f.train.error.toFixed(2)}% (${f.train.misses}), test ${f.test.error.toFixed(2)}% (${f.test.misses}), ${run.seconds.toFixed(0)} s`);
        resolve();
      });
    });
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, async () => {
    while (next < jobs.length) await runOne(jobs[next++]);
  }));
  if (failed) throw new Error(`${failed} of ${jobs.length} runs failed (see above); the others are in ${csv}`);
});
