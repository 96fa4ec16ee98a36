// One plain config object flows from the notebook to the trainer to the engine
// to the results. Each step of the study is the previous step plus a small change.

export type Engine = "auto" | "fused" | "tfjs";
export type Backend = "auto" | "tensorflow" | "wasm" | "cpu";

export interface Config {
  experiment: string; // names the run and its results folder
  seed: number; // initial weights, shifts and dropout masks (PROTOCOL.md 3b)
  splitOrder: "test-first" | "train-first"; // which split the data generator draws first
  trainCount: number; // 7,291 in 1989; 50,000 in step 06
  testCount: number; // 2,007
  activation: "tanh" | "relu"; // hidden layers H1, H2, H3
  output: "tanh" | "linear"; // output layer
  outputBias: number; // initial output biases
  loss: "mse" | "cross-entropy";
  optimizer: "sgd" | "adamw";
  lr: number; // learning rate in the first pass
  lrFinal: number; // learning rate in the last pass, linear in between
  weightDecay: number; // AdamW's decoupled weight decay
  augment: boolean; // shift each presentation by -1/0/+1 pixels in x and y, wrapping
  dropout: number; // inverted dropout on the H2 output during training; 0 = none
  passes: number;
  engine: Engine; // "auto" picks the fastest engine that supports the config
  backend: Backend; // TensorFlow.js backend; "auto" picks tensorflow, else wasm, else cpu
}

/** The data split is always drawn with the reference's seed: every run sees the same digits. */
export const SPLIT_SEED = 1337;

const baseline: Config = {
  experiment: "01-baseline",
  seed: 1337,
  splitOrder: "test-first",
  trainCount: 7291,
  testCount: 2007,
  activation: "tanh",
  output: "tanh",
  outputBias: -1,
  loss: "mse",
  optimizer: "sgd",
  lr: 0.03,
  lrFinal: 0.03,
  weightDecay: 0,
  augment: false,
  dropout: 0,
  passes: 23,
  engine: "auto",
  backend: "auto",
};
const crossEntropy: Config = { ...baseline, experiment: "02-cross-entropy", output: "linear", outputBias: 0, loss: "cross-entropy", lr: 0.01, lrFinal: 0.01 };
const adamw: Config = { ...crossEntropy, experiment: "03-adamw", optimizer: "adamw", lr: 3e-4, lrFinal: 1e-4, weightDecay: 0.01, passes: 46 };
const augmentation: Config = { ...adamw, experiment: "04-augmentation", augment: true, passes: 60 };
const dropoutRelu: Config = { ...augmentation, experiment: "05-dropout-relu", activation: "relu", dropout: 0.25, passes: 80 };
const moreData1989: Config = { ...baseline, experiment: "06a-more-data-1989", trainCount: 50000, passes: 100 };
const moreDataModern: Config = { ...dropoutRelu, experiment: "06b-more-data-modern", trainCount: 50000, passes: 80 };

/** The steps of the study, in order, each defined once. */
export const EXPERIMENTS: Readonly<Record<string, Readonly<Config>>> = Object.freeze({
  "01-baseline": baseline,
  "02-cross-entropy": crossEntropy,
  "03-adamw": adamw,
  "04-augmentation": augmentation,
  "05-dropout-relu": dropoutRelu,
  "06a-more-data-1989": moreData1989,
  "06b-more-data-modern": moreDataModern,
});

/** The step each step changes (06a changes 01's data, 06b changes 05's). */
export const BUILDS_ON: Readonly<Record<string, string | null>> = Object.freeze({
  "01-baseline": null,
  "02-cross-entropy": "01-baseline",
  "03-adamw": "02-cross-entropy",
  "04-augmentation": "03-adamw",
  "05-dropout-relu": "04-augmentation",
  "06a-more-data-1989": "01-baseline",
  "06b-more-data-modern": "05-dropout-relu",
});

/** A fresh copy of a step's config, with overrides; validated. */
export function experiment(name: string, overrides: Partial<Config> = {}): Config {
  const base = EXPERIMENTS[name];
  if (!base) {
    throw new Error(`unknown experiment "${name}"; valid: ${Object.keys(EXPERIMENTS).join(", ")}`);
  }
  return validateConfig({ ...base, ...overrides });
}

/** The learning rate of pass p (0-based): linear from lr to lrFinal over the run. */
export function learningRate(config: Config, pass: number): number {
  const a = config.passes > 1 ? pass / (config.passes - 1) : 0;
  return (1 - a) * config.lr + a * config.lrFinal;
}

const CHOICES: Partial<Record<keyof Config, readonly string[]>> = {
  splitOrder: ["test-first", "train-first"],
  activation: ["tanh", "relu"],
  output: ["tanh", "linear"],
  loss: ["mse", "cross-entropy"],
  optimizer: ["sgd", "adamw"],
  engine: ["auto", "fused", "tfjs"],
  backend: ["auto", "tensorflow", "wasm", "cpu"],
};

/** Checks every field's type and range; the error lists what is valid. Returns the config. */
export function validateConfig(config: Config): Config {
  const c = config as unknown as Record<string, unknown>;
  const problems: string[] = [];
  const known = new Set(Object.keys(baseline));
  for (const key of Object.keys(c)) if (!known.has(key)) problems.push(`unknown field "${key}"; valid fields: ${[...known].join(", ")}`);
  for (const key of known) if (c[key] === undefined) problems.push(`missing field "${key}"`);
  for (const [key, choices] of Object.entries(CHOICES)) {
    if (c[key] !== undefined && !choices!.includes(c[key] as string)) problems.push(`${key} must be one of ${choices!.map((s) => `"${s}"`).join(", ")}, got ${JSON.stringify(c[key])}`);
  }
  const number = (key: string, ok: (v: number) => boolean, range: string) => {
    const v = c[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || !ok(v))) problems.push(`${key} must be ${range}, got ${typeof v === "number" ? String(v) : JSON.stringify(v)}`);
  };
  const int = (v: number) => Number.isInteger(v);
  number("seed", (v) => int(v) && v >= 0 && v < 2 ** 32, "an integer in [0, 2^32)");
  number("trainCount", (v) => int(v) && v >= 1 && v <= 60000, "an integer in [1, 60000]");
  number("testCount", (v) => int(v) && v >= 1 && v <= 10000, "an integer in [1, 10000]");
  number("outputBias", () => true, "a finite number");
  number("lr", (v) => v > 0, "a positive number");
  number("lrFinal", (v) => v > 0, "a positive number");
  number("weightDecay", (v) => v >= 0, "a number >= 0");
  number("dropout", (v) => v >= 0 && v < 1, "a number in [0, 1)");
  number("passes", (v) => int(v) && v >= 1, "an integer >= 1");
  if (c.augment !== undefined && typeof c.augment !== "boolean") problems.push(`augment must be true or false, got ${JSON.stringify(c.augment)}`);
  if (typeof c.experiment !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(c.experiment)) problems.push(`experiment must be a name of letters, digits, ".", "_" or "-", got ${JSON.stringify(c.experiment)}`);
  if (c.optimizer === "sgd" && c.weightDecay !== 0 && c.weightDecay !== undefined) problems.push(`weightDecay applies to AdamW only; set it to 0 with optimizer "sgd"`);
  if (problems.length) throw new Error(`invalid config:\n  - ${problems.join("\n  - ")}`);
  return config;
}
