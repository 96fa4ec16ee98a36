// The training loop, one for every engine: per-example updates in the fixed dataset
// order, the random draws of PROTOCOL.md 3b, and an evaluation of both whole splits
// after every pass, printed in the reference's format.
import { Config, learningRate, validateConfig } from "./config";
import { Dataset, loadData, PIXELS, Split } from "./data";
import type { Engine } from "./engine";
import { createEngine } from "./engines";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint";
import { initParams, Params } from "./params";
import { commit } from "./provenance";
import { drawShift, MT19937, torchRandDouble } from "./random";

export interface Evaluation {
  loss: number;
  error: number; // fraction misclassified
  misses: number;
  predicted: Uint8Array; // argmax of each output
}

export interface PassRecord {
  pass: number; // 1-based
  lr: number;
  train_loss: number;
  train_error: number; // percent
  train_misses: number;
  test_loss: number;
  test_error: number; // percent
  test_misses: number;
  seconds: number; // wall time of the pass, training and evaluation
}

export interface RunResult {
  config: Config;
  engine: string;
  backend: string;
  data: Dataset;
  history: PassRecord[];
  evalLines: string[];
  final: { train: Evaluation; test: Evaluation };
  params: Params;
  seconds: number;
  commit: string; // the code's commit when the run started
  checkpoint?: string; // removed once the run is recorded
}

export interface TrainOptions {
  data?: Dataset; // default: loadData(config)
  /** Called after every pass; awaited, so a notebook can redraw its progress. */
  onPass?: (record: PassRecord, history: PassRecord[]) => void | Promise<void>;
  log?: (line: string) => void; // the eval lines; default console.log
  initial?: Params; // start from these instead of the seed's init (tests)
  /** Checkpoint file, written after every pass; a run finding its own checkpoint there resumes from it. */
  checkpoint?: string;
}

export class DivergedError extends Error {}

/** Python's "%e": 6 digits, a signed exponent of at least two digits. */
export function formatE(x: number): string {
  if (!Number.isFinite(x)) return String(x).toLowerCase();
  const [mant, exp] = x.toExponential(6).split("e");
  const e = Number(exp);
  return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

export function evalLine(split: "train" | "test", e: Evaluation): string {
  return `eval: split ${split.padEnd(5)}. loss ${formatE(e.loss)}. error ${(e.error * 100).toFixed(2)}%. misses: ${e.misses}`;
}

/** Loss and misses of a whole split, batched, without dropout. */
export function evaluate(engine: Engine, config: Pick<Config, "loss">, split: Split): Evaluation {
  const predicted = new Uint8Array(split.count);
  let lossSum = 0;
  let misses = 0;
  const chunk = 4096; // bounds the memory of one batched forward
  for (let start = 0; start < split.count; start += chunk) {
    const n = Math.min(chunk, split.count - start);
    const out = engine.predict(split.images.subarray(start * PIXELS, (start + n) * PIXELS), n);
    for (let i = 0; i < n; i++) {
      const o = out.subarray(i * 10, i * 10 + 10);
      const label = split.labels[start + i];
      let best = 0;
      for (let k = 1; k < 10; k++) if (o[k] > o[best]) best = k;
      predicted[start + i] = best;
      if (best !== label) misses++;
      lossSum += exampleLoss(config.loss, o, label);
    }
  }
  // MSE is the mean over all N x 10 outputs, cross-entropy the mean over N digits.
  const loss = config.loss === "mse" ? lossSum / (split.count * 10) : lossSum / split.count;
  return { loss, error: misses / split.count, misses, predicted };
}

/** Summed squared error over the 10 outputs, or softmax cross-entropy, of one digit. */
function exampleLoss(loss: Config["loss"], o: Float32Array, label: number): number {
  if (loss === "mse") {
    let s = 0;
    for (let k = 0; k < 10; k++) {
      const d = (k === label ? 1 : -1) - o[k];
      s += d * d;
    }
    return s;
  }
  let max = -Infinity;
  for (let k = 0; k < 10; k++) max = Math.max(max, o[k]);
  let z = 0;
  for (let k = 0; k < 10; k++) z += Math.exp(o[k] - max);
  return Math.log(z) + max - o[label];
}

/** Rolls a square image by (rows, cols) with wrap-around, as torch.roll; +1 moves pixel i to i+1. */
export function roll(src: Float32Array, dst: Float32Array, rows: number, cols: number, side = 16): void {
  for (let r = 0; r < side; r++) {
    const rr = (r + rows + side) % side;
    for (let c = 0; c < side; c++) dst[rr * side + ((c + cols + side) % side)] = src[r * side + c];
  }
}

/** Inverted dropout multipliers for the 192 H2 units, from torch's double stream. */
export function drawDropoutMask(rng: MT19937, p: number, mask: Float32Array): void {
  const keep = 1 - p;
  const scale = 1 / keep;
  for (let i = 0; i < mask.length; i++) mask[i] = torchRandDouble(rng) < keep ? scale : 0;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function train(config: Config, options: TrainOptions = {}): Promise<RunResult> {
  validateConfig(config);
  const log = options.log ?? ((line: string) => console.log(line));
  const data = options.data ?? loadData(config, { log });
  if (data.train.count !== config.trainCount || data.test.count !== config.testCount) {
    throw new Error(`data has ${data.train.count}/${data.test.count} train/test digits, config asks for ${config.trainCount}/${config.testCount}`);
  }
  const init = initParams(config);
  const torchRng = init.torchRng; // dropout masks continue after the init draws
  const numpyRng = new MT19937(config.seed); // shifts: a generator of their own
  let engine = await createEngine(config, options.initial ?? init.params);
  let history: PassRecord[] = [];
  let evalLines: string[] = [];
  let secondsBefore = 0; // training time before a resume
  const code = commit(); // at the start: the code that runs, even if the checkout moves on
  const saved = options.checkpoint ? loadCheckpoint(options.checkpoint, config, engine, code, log) : null;
  if (saved) {
    log(`resuming ${config.experiment} after pass ${saved.passes} of ${config.passes} from ${options.checkpoint}`);
    engine.dispose();
    engine = await createEngine(config, saved.params);
    if (saved.optimizer) engine.setOptimizerState(saved.optimizer);
    torchRng.restore(saved.rng.torch);
    numpyRng.restore(saved.rng.numpy);
    ({ history, evalLines } = saved);
    secondsBefore = saved.seconds;
  }
  const x = new Float32Array(PIXELS);
  const mask = config.dropout > 0 ? new Float32Array(192) : null;
  const started = Date.now();
  let final: RunResult["final"] | undefined;
  try {
    for (let pass = history.length; pass < config.passes; pass++) {
      const t0 = Date.now();
      const lr = learningRate(config, pass);
      const { images, labels } = data.train;
      for (let i = 0; i < data.train.count; i++) {
        const digit = images.subarray(i * PIXELS, (i + 1) * PIXELS);
        if (config.augment) {
          const [rows, cols] = drawShift(numpyRng);
          roll(digit, x, rows, cols);
        } else x.set(digit);
        if (mask) drawDropoutMask(torchRng, config.dropout, mask);
        const loss = engine.step(x, labels[i], lr, mask);
        if (!Number.isFinite(loss)) {
          throw new DivergedError(`the run diverged in pass ${pass + 1}: the loss of training digit ${i} is ${loss} (learning rate ${lr}). Nothing was recorded; lower the learning rate.`);
        }
      }
      final = { train: evaluate(engine, config, data.train), test: evaluate(engine, config, data.test) };
      for (const split of ["train", "test"] as const) {
        if (!Number.isFinite(final[split].loss)) throw new DivergedError(`the run diverged in pass ${pass + 1}: the ${split} loss is ${final[split].loss}. Nothing was recorded; lower the learning rate.`);
        const line = evalLine(split, final[split]);
        evalLines.push(line);
        log(line);
      }
      const record: PassRecord = {
        pass: pass + 1,
        lr,
        train_loss: final.train.loss,
        train_error: final.train.error * 100,
        train_misses: final.train.misses,
        test_loss: final.test.loss,
        test_error: final.test.error * 100,
        test_misses: final.test.misses,
        seconds: (Date.now() - t0) / 1000,
      };
      history.push(record);
      if (options.checkpoint) {
        const rng = { torch: torchRng.snapshot(), numpy: numpyRng.snapshot() };
        const seconds = secondsBefore + (Date.now() - started) / 1000;
        saveCheckpoint(options.checkpoint, { config, engine: engine.name, backend: engine.backend, commit: code, passes: pass + 1, seconds, history, evalLines, params: engine.params(), optimizer: engine.optimizerState(), rng });
      }
      await options.onPass?.(record, history);
      await tick(); // let a notebook kernel send its output
    }
    // A run resumed after its last pass has trained no pass here: evaluate its weights.
    final ??= { train: evaluate(engine, config, data.train), test: evaluate(engine, config, data.test) };
    const seconds = secondsBefore + (Date.now() - started) / 1000;
    return { config, engine: engine.name, backend: engine.backend, data, history, evalLines, final, params: engine.params(), seconds, commit: code, checkpoint: options.checkpoint };
  } finally {
    engine.dispose();
  }
}

/** Evaluates given parameters (e.g. loaded from a recorded run) on both splits. */
export async function evaluateParams(config: Config, params: Params, data: Dataset = loadData(config)) {
  const engine = await createEngine(config, params);
  try {
    const train = evaluate(engine, config, data.train);
    const test = evaluate(engine, config, data.test);
    return { train, test, lines: [evalLine("train", train), evalLine("test", test)], engine: engine.name, backend: engine.backend };
  } finally {
    engine.dispose();
  }
}
