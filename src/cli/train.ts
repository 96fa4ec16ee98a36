// Headless training: the same code path as the notebooks, from the command line.
//   npm run train -- --experiment 01-baseline --seed 7 --out DIR
//   npm run train -- --experiment 03-adamw --config '{"passes": 5}'
import * as path from "path";
import { Config, EXPERIMENTS, experiment } from "../lenet/config";
import { checkpointPath } from "../lenet/checkpoint";
import { recordRun, runDir } from "../lenet/results";
import { train } from "../lenet/train";
import { configEdits, main, parseArgs } from "./args";

main(async () => {
  const args = parseArgs(process.argv.slice(2), {
    experiment: `one of ${Object.keys(EXPERIMENTS).join(", ")}`,
    seed: "an integer (default 1337, the reference's)",
    passes: "an integer (default: the step's)",
    engine: "auto | fused | tfjs",
    backend: "auto | tensorflow | wasm | cpu",
    config: 'more config edits as JSON, e.g. \'{"lr": 0.01, "trainCount": 1000}\'',
    out: "a folder to record into (default: results/<step> for the step's own config, else runs/)",
  });
  if (!args.experiment) throw new Error(`--experiment is required: one of ${Object.keys(EXPERIMENTS).join(", ")}`);
  const overrides = configEdits(args.config) as Partial<Config>;
  for (const key of ["seed", "passes"] as const) if (args[key] !== undefined) overrides[key] = Number(args[key]);
  if (args.engine) overrides.engine = args.engine as Config["engine"];
  if (args.backend) overrides.backend = args.backend as Config["backend"];
  const config = experiment(args.experiment, overrides);
  const dir = args.out ? path.resolve(args.out) : runDir(config);
  console.log(`training ${config.experiment}, seed ${config.seed}, ${config.passes} passes; recording into ${path.relative(process.cwd(), dir) || "."}`);
  // Interrupted? The same command continues from the last completed pass.
  const result = await train(config, { checkpoint: checkpointPath(config) });
  recordRun(result, dir);
  console.log(`done in ${result.seconds.toFixed(1)} s on engine ${result.engine} (${result.backend}); recorded in ${dir}`);
});
