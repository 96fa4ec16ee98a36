// The reference definition of the 1989 network, in TensorFlow.js: readable ops, stock
// autodiff. Slow per example (every op is a kernel call), but it is the definition the
// fused engine is checked against, and it runs every variant of the study.
import * as tf from "@tensorflow/tfjs";
import type { Config } from "./config";
import type { Engine } from "./engine";
import { H2_INPUTS, PARAM_NAMES, ParamName, Params, SHAPES, zeroParams } from "./params";
import { AdamW } from "./optim";

// TensorFlow.js wants NHWC activations and [kh, kw, in, out] filters; the canonical layout
// is PyTorch's. These permutations convert once, at load and at read-back.
const TO_TFJS: Record<string, number[]> = { h1w: [2, 3, 1, 0], h1b: [1, 2, 0], h2b: [1, 2, 0] };

/** H3's input index: canonical flattens [c, h, w]; a flattened NHWC tensor is [h, w, c]. */
const h3RowFromNhwc = (k: number) => {
  const h = Math.floor(k / 48), w = Math.floor(k / 12) % 4, c = k % 12;
  return c * 16 + h * 4 + w;
};

/** The inverse of a permutation: works for transposes and for H3's rows alike. */
const invert = (perm: number[]) => {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
};
const H3_ROWS = Array.from({ length: 192 }, (_, k) => h3RowFromNhwc(k));

/**
 * H2 as one convolution over all 12 H1 maps, with a [5, 5, 12, 12] filter that is zero
 * where the connection table has no link: one kernel call instead of slices, three
 * convolutions and concats. The forward pass multiplies the filter by the table, so the
 * missing links also get no gradient and stay zero.
 */
const h2Index = (kh: number, kw: number, input: number, out: number) => ((kh * 5 + kw) * 12 + input) * 12 + out;
function eachH2Link(visit: (canonical: number, full: number) => void): void {
  for (let o = 0; o < 12; o++) {
    H2_INPUTS[Math.floor(o / 4)].forEach((input, j) => {
      for (let k = 0; k < 25; k++) visit(o * 200 + j * 25 + k, h2Index(Math.floor(k / 5), k % 5, input, o));
    });
  }
}
function h2Links(): Float32Array {
  const links = new Float32Array(5 * 5 * 12 * 12);
  eachH2Link((_, full) => (links[full] = 1));
  return links;
}

type Vars = Record<string, tf.Variable>;

/** Canonical arrays (parameters, or AdamW's moments of them) as tensors in the tfjs layout. */
function toTfjsLayout(p: Params): Record<ParamName, tf.Tensor> {
  const out = {} as Record<ParamName, tf.Tensor>;
  for (const name of PARAM_NAMES) {
    out[name] = tf.tidy(() => {
      if (name === "h2w") {
        const full = new Float32Array(5 * 5 * 12 * 12);
        eachH2Link((canonical, at) => (full[at] = p.h2w[canonical]));
        return tf.tensor4d(full, [5, 5, 12, 12]);
      }
      const t = tf.tensor(Float32Array.from(p[name]), [...SHAPES[name]]);
      if (name === "h3w") return tf.gather(t, H3_ROWS);
      return TO_TFJS[name] ? t.transpose(TO_TFJS[name]) : t;
    });
  }
  return out;
}

/** Tensors in the tfjs layout back to canonical arrays. */
function fromTfjsLayout(v: Record<ParamName, tf.Tensor>): Params {
  const p = {} as Params;
  for (const name of PARAM_NAMES) {
    const t = tf.tidy(() => {
      if (name === "h3w") return tf.gather(v.h3w, invert(H3_ROWS));
      return TO_TFJS[name] ? v[name].transpose(invert(TO_TFJS[name])) : v[name].clone();
    });
    const values = t.dataSync();
    t.dispose();
    if (name === "h2w") {
      p.h2w = new Float64Array(12 * 200);
      eachH2Link((canonical, full) => (p.h2w[canonical] = values[full]));
    } else p[name] = Float64Array.from(values);
  }
  return p;
}

const variables = (p: Params, trainable: boolean) => {
  const t = toTfjsLayout(p);
  const v = {} as Record<ParamName, tf.Variable>;
  for (const name of PARAM_NAMES) (v[name] = tf.variable(t[name], trainable, trainable ? name : undefined)), t[name].dispose();
  return v;
};

/** The network: x [B,16,16,1] to outputs [B,10]. `mask` is dropout on H2's output, NHWC. */
export function forward(v: Vars, config: Pick<Config, "activation" | "output">, x: tf.Tensor4D, mask: tf.Tensor | null): tf.Tensor2D {
  const act = config.activation === "relu" ? tf.relu : tf.tanh;
  // Pad with -1, the background, as in 1989 (not with zeros).
  const pad = (t: tf.Tensor4D) => tf.pad(t, [[0, 0], [2, 2], [2, 2], [0, 0]], -1);
  const h1 = act(tf.add(tf.conv2d(pad(x), v.h1w as tf.Tensor4D, 2, "valid"), v.h1b)) as tf.Tensor4D;
  // H2 sees only the H1 maps its connection table links it to: the filter, masked.
  const h2w = tf.mul(v.h2w, v.h2links) as tf.Tensor4D;
  let h2 = act(tf.add(tf.conv2d(pad(h1), h2w, 2, "valid"), v.h2b));
  if (mask) h2 = tf.mul(h2, mask);
  const h3 = act(tf.add(tf.matMul(tf.reshape(h2, [-1, 192]), v.h3w), v.h3b));
  const out = tf.add(tf.matMul(h3, v.outw), v.outb) as tf.Tensor2D;
  return config.output === "tanh" ? tf.tanh(out) : out;
}

/**
 * Mean loss of outputs [B,10], as the reference computed it. `target` is +1 for the true
 * class and -1 elsewhere for MSE, a one-hot 1/0 for cross-entropy (see targetOf).
 */
export function lossOf(config: Pick<Config, "loss">, out: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  if (config.loss === "mse") return tf.mean(tf.square(tf.sub(target, out)));
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(out)), 1))) as tf.Scalar;
}

/** The target row of one digit, built in JS: fewer kernel calls per step than tf.oneHot. */
function targetOf(config: Pick<Config, "loss">, label: number): tf.Tensor2D {
  const t = new Float32Array(10).fill(config.loss === "mse" ? -1 : 0);
  t[label] = 1;
  return tf.tensor2d(t, [1, 10]);
}

/** A [12,4,4] dropout mask in the canonical order, as an NHWC [1,4,4,12] tensor. */
function maskToNhwc(m: Float32Array): tf.Tensor4D {
  const nhwc = new Float32Array(192);
  for (let c = 0; c < 12; c++) for (let hw = 0; hw < 16; hw++) nhwc[hw * 12 + c] = m[c * 16 + hw];
  return tf.tensor4d(nhwc, [1, 4, 4, 12]);
}

export function createTfjsEngine(config: Config, initial: Params, backend: string): Engine {
  const params = variables(initial, true);
  const v: Vars = { ...params, h2links: tf.variable(tf.tensor4d(h2Links(), [5, 5, 12, 12]), false) };
  const adamw = config.optimizer === "adamw" ? new AdamW(config.weightDecay) : null;
  const zeros = () => variables(zeroParams(), false);
  const moments = adamw ? { m: zeros(), s: zeros() } : null;
  let t = 0; // optimizer steps taken

  return {
    name: "tfjs",
    backend,
    step(x, label, lr, mask) {
      t++;
      return tf.tidy(() => {
        const xs = tf.tensor4d(x, [1, 16, 16, 1]);
        const target = targetOf(config, label);
        const m = mask ? maskToNhwc(mask) : null;
        // For SGD, differentiate lr * loss: its gradient is the update itself, which saves a
        // multiply per tensor every step (8 of about 107 kernel calls; about 10% on wasm).
        const scale = adamw ? 1 : lr;
        const loss = () => tf.mul(lossOf(config, forward(v, config, xs, m), target), scale) as tf.Scalar;
        const { value, grads } = tf.variableGrads(loss, PARAM_NAMES.map((n) => params[n]));
        for (const n of PARAM_NAMES) {
          const p = params[n], g = grads[p.name];
          if (!adamw || !moments) p.assign(tf.sub(p, g)); // g is lr times the gradient
          else {
            // AdamW as PyTorch does it (optim.ts has the formula, for one number).
            const c = adamw.coefficients(t, lr);
            const m1 = moments.m[n], m2 = moments.s[n];
            m1.assign(tf.add(tf.mul(m1, adamw.beta1), tf.mul(g, 1 - adamw.beta1)));
            m2.assign(tf.add(tf.mul(m2, adamw.beta2), tf.mul(tf.square(g), 1 - adamw.beta2)));
            const denom = tf.add(tf.div(tf.sqrt(m2), c.bias2Sqrt), adamw.eps);
            p.assign(tf.sub(tf.mul(p, c.decay), tf.mul(tf.div(m1, denom), c.stepSize)));
          }
        }
        return value.dataSync()[0] / scale;
      });
    },
    predict(images, count) {
      return tf.tidy(() => forward(v, config, tf.tensor4d(images.subarray(0, count * 256), [count, 16, 16, 1]), null).dataSync() as Float32Array);
    },
    params: () => fromTfjsLayout(params),
    optimizerState: () => (moments ? { t, m: fromTfjsLayout(moments.m), v: fromTfjsLayout(moments.s) } : null),
    setOptimizerState(state) {
      if (!moments) return;
      const m = toTfjsLayout(state.m), s = toTfjsLayout(state.v);
      for (const n of PARAM_NAMES) {
        moments.m[n].assign(m[n]);
        moments.s[n].assign(s[n]);
        m[n].dispose();
        s[n].dispose();
      }
      t = state.t;
    },
    dispose() {
      for (const x of [v, moments?.m ?? {}, moments?.s ?? {}]) for (const k of Object.keys(x)) (x as Vars)[k].dispose();
    },
  };
}
