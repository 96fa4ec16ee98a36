// The 1989 network's parameters, in one canonical layout that every engine reads and
// writes and that the weights files hold: PyTorch's, as in the reference
// (conv weights [out, in, kh, kw], per-unit biases [maps, rows, cols], dense [in, out]).
import * as fs from "fs";
import { Config } from "./config";
import { writeFileAtomic } from "./files";
import { MT19937, torchRandFloat } from "./random";

export const SHAPES = {
  h1w: [12, 1, 5, 5],
  h1b: [12, 8, 8],
  h2w: [12, 8, 5, 5],
  h2b: [12, 4, 4],
  h3w: [192, 30],
  h3b: [30],
  outw: [30, 10],
  outb: [10],
} as const;

export type ParamName = keyof typeof SHAPES;
export const PARAM_NAMES = Object.keys(SHAPES) as ParamName[];
/**
 * Doubles: the fused engine trains in doubles, and its weights must load back bit for bit.
 * TensorFlow.js computes in float32 and hands back float32 values, which doubles hold exactly.
 */
export type Params = Record<ParamName, Float64Array>;

/** Fan-in of each weight tensor, for the 1989 init. */
const FAN_IN: Partial<Record<ParamName, number>> = { h1w: 25, h2w: 200, h3w: 192, outw: 30 };

/** H2 connection table (PROTOCOL.md 2): which 8 of the 12 H1 maps each group of 4 H2 maps sees. */
export const H2_INPUTS: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7],
  [4, 5, 6, 7, 8, 9, 10, 11],
  [0, 1, 2, 3, 8, 9, 10, 11],
];

export const size = (name: ParamName): number => (SHAPES[name] as readonly number[]).reduce((a, b) => a * b, 1);
export const parameterCount = () => PARAM_NAMES.reduce((n, p) => n + size(p), 0);

/** Multiply-accumulates of one forward pass of one digit. */
export function multiplyAccumulates(): number {
  const h1 = 12 * 8 * 8 * 5 * 5;
  const h2 = 12 * 4 * 4 * 8 * 5 * 5;
  return h1 + h2 + 192 * 30 + 30 * 10;
}

/**
 * Initial parameters, drawn from the reference-compatible stream (PROTOCOL.md 3b):
 * torch.rand floats, weights in row-major order, w = ((r - 0.5) * 2) * 2.4 / sqrt(F) in float32.
 * Returns the generator too: dropout masks continue from it.
 */
export function initParams(config: Pick<Config, "seed" | "outputBias">): { params: Params; torchRng: MT19937 } {
  const f = Math.fround;
  const torchRng = new MT19937(config.seed);
  const params = {} as Params;
  for (const name of PARAM_NAMES) {
    const a = new Float64Array(size(name));
    const fan = FAN_IN[name];
    if (fan !== undefined) {
      const scale = f(2.4);
      const root = f(Math.sqrt(fan));
      for (let i = 0; i < a.length; i++) a[i] = f(f(f(f(torchRandFloat(torchRng) - 0.5) * 2) * scale) / root);
    } else if (name === "outb") {
      a.fill(config.outputBias);
    }
    params[name] = a;
  }
  return { params, torchRng };
}

export function zeroParams(): Params {
  const out = {} as Params;
  for (const name of PARAM_NAMES) out[name] = new Float64Array(size(name));
  return out;
}

export function cloneParams(p: Params): Params {
  const out = {} as Params;
  for (const name of PARAM_NAMES) out[name] = new Float64Array(p[name]);
  return out;
}

// ---- weights files: a little JSON header (names, shapes, dtype), then float64 little-endian ----

const MAGIC = "lecun1989-ts weights v2";

export function saveParams(file: string, params: Params): void {
  const header = JSON.stringify({ format: MAGIC, dtype: "float64", shapes: SHAPES });
  const head = Buffer.from(header + "\n", "utf8");
  const body = new Float64Array(parameterCount());
  let o = 0;
  for (const name of PARAM_NAMES) {
    body.set(params[name], o);
    o += size(name);
  }
  writeFileAtomic(file, Buffer.concat([head, Buffer.from(body.buffer)]));
}

export function loadParams(file: string): Params {
  const buf = fs.readFileSync(file);
  const nl = buf.indexOf(10);
  let header: { format?: string; shapes?: Record<string, number[]> };
  try {
    header = JSON.parse(buf.subarray(0, nl).toString("utf8"));
  } catch {
    throw new Error(`${file} is not a lecun1989-ts weights file (no JSON header). Save weights with saveParams or retrain.`);
  }
  if (header.format !== MAGIC) throw new Error(`${file} has format "${header.format}", expected "${MAGIC}".`);
  const want = JSON.stringify(SHAPES);
  if (JSON.stringify(header.shapes) !== want) {
    throw new Error(`${file} holds a network of another shape (${JSON.stringify(header.shapes)}); this network is ${want}. Retrain to get weights for it.`);
  }
  const bytes = buf.length - nl - 1;
  if (bytes !== parameterCount() * 8) throw new Error(`${file} is truncated or padded: ${bytes} bytes of weights, expected ${parameterCount() * 8}.`);
  const body = new Float64Array(parameterCount());
  new Uint8Array(body.buffer).set(buf.subarray(nl + 1));
  const params = {} as Params;
  let o = 0;
  for (const name of PARAM_NAMES) {
    params[name] = body.slice(o, o + size(name));
    o += size(name);
  }
  return params;
}
