// The reference definition of the 1989 network, in TensorFlow.js: readable ops, stock
// autodiff. Slow per example (every op is a kernel call), but it is the definition the
// fused engine is checked against, and it runs every variant of the study.
import * as tf from "@tensorflow/tfjs";
import type { Config } from "./config";
import type { Engine } from "./engine";
import { H2_INPUTS, PARAM_NAMES, Params, SHAPES } from "./params";
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

type Vars = Record<string, tf.Variable>;

function toVariables(p: Params): Vars {
  const v: Vars = {};
  for (const name of PARAM_NAMES) {
    const t = tf.tensor(Float32Array.from(p[name]), [...SHAPES[name]]);
    if (name === "h2w") {
      // One filter per group of 4 output maps, each over its 8 input maps.
      for (let g = 0; g < 3; g++) v[`h2w${g}`] = tf.variable(t.slice([4 * g, 0, 0, 0], [4, 8, 5, 5]).transpose([2, 3, 1, 0]), true, `h2w${g}`);
    } else if (name === "h3w") {
      v.h3w = tf.variable(tf.gather(t, H3_ROWS), true, "h3w");
    } else {
      v[name] = tf.variable(TO_TFJS[name] ? t.transpose(TO_TFJS[name]) : t, true, name);
    }
    t.dispose();
  }
  return v;
}

function fromVariables(v: Vars): Params {
  const p = {} as Params;
  for (const name of PARAM_NAMES) {
    const t = tf.tidy(() => {
      if (name === "h2w") return tf.concat([0, 1, 2].map((g) => v[`h2w${g}`].transpose(invert([2, 3, 1, 0]))), 0);
      if (name === "h3w") return tf.gather(v.h3w, invert(H3_ROWS));
      return TO_TFJS[name] ? v[name].transpose(invert(TO_TFJS[name])) : v[name].clone();
    });
    p[name] = Float64Array.from(t.dataSync());
    t.dispose();
  }
  return p;
}

/** The network: x [B,16,16,1] to outputs [B,10]. `mask` is dropout on H2's output, NHWC. */
export function forward(v: Vars, config: Pick<Config, "activation" | "output">, x: tf.Tensor4D, mask: tf.Tensor | null): tf.Tensor2D {
  const act = config.activation === "relu" ? tf.relu : tf.tanh;
  // Pad with -1, the background, as in 1989 (not with zeros).
  const pad = (t: tf.Tensor4D) => tf.pad(t, [[0, 0], [2, 2], [2, 2], [0, 0]], -1);
  const h1 = act(tf.add(tf.conv2d(pad(x), v.h1w as tf.Tensor4D, 2, "valid"), v.h1b)) as tf.Tensor4D;
  const p = pad(h1);
  // The H2 connection table: each group of 4 maps sees 8 of the 12 H1 maps.
  const groups = H2_INPUTS.map((maps, g) => {
    const input = maps[7] - maps[0] === 7 ? tf.slice(p, [0, 0, 0, maps[0]], [-1, -1, -1, 8]) : tf.concat([tf.slice(p, [0, 0, 0, 0], [-1, -1, -1, 4]), tf.slice(p, [0, 0, 0, 8], [-1, -1, -1, 4])], 3);
    return tf.conv2d(input as tf.Tensor4D, v[`h2w${g}`] as tf.Tensor4D, 2, "valid");
  });
  let h2 = act(tf.add(tf.concat(groups, 3), v.h2b));
  if (mask) h2 = tf.mul(h2, mask);
  const h3 = act(tf.add(tf.matMul(tf.reshape(h2, [-1, 192]), v.h3w), v.h3b));
  const out = tf.add(tf.matMul(h3, v.outw), v.outb) as tf.Tensor2D;
  return config.output === "tanh" ? tf.tanh(out) : out;
}

/** Mean loss of outputs [B,10] against labels, as the reference computed it. */
export function lossOf(config: Pick<Config, "loss">, out: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  if (config.loss === "mse") {
    const target = tf.sub(tf.mul(tf.oneHot(labels, 10), 2), 1); // +1 for the class, -1 elsewhere
    return tf.mean(tf.square(tf.sub(target, out)));
  }
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, 10), tf.logSoftmax(out)), 1))) as tf.Scalar;
}

// A [12,4,4] mask in the canonical order, as NHWC [1,4,4,12].
const maskToNhwc = (m: Float32Array) => tf.tidy(() => tf.tensor(m, [1, 12, 4, 4]).transpose([0, 2, 3, 1]));

export function createTfjsEngine(config: Config, initial: Params, backend: string): Engine {
  const v = toVariables(initial);
  const names = Object.keys(v);
  const adamw = config.optimizer === "adamw" ? new AdamW(config.weightDecay) : null;
  const state = adamw ? names.map((n) => ({ m: tf.variable(tf.zerosLike(v[n]), false), s: tf.variable(tf.zerosLike(v[n]), false) })) : [];
  let t = 0; // optimizer steps taken

  return {
    name: "tfjs",
    backend,
    step(x, label, lr, mask) {
      t++;
      return tf.tidy(() => {
        const xs = tf.tensor4d(x, [1, 16, 16, 1]);
        const ys = tf.tensor1d([label], "int32");
        const m = mask ? maskToNhwc(mask) : null;
        const { value, grads } = tf.variableGrads(() => lossOf(config, forward(v, config, xs, m), ys), names.map((n) => v[n]));
        names.forEach((n, i) => {
          const g = grads[v[n].name];
          if (!adamw) v[n].assign(tf.sub(v[n], tf.mul(g, lr)));
          else {
            // AdamW as PyTorch does it (optim.ts has the formula, for one number).
            const c = adamw.coefficients(t, lr);
            const s = state[i];
            s.m.assign(tf.add(tf.mul(s.m, adamw.beta1), tf.mul(g, 1 - adamw.beta1)));
            s.s.assign(tf.add(tf.mul(s.s, adamw.beta2), tf.mul(tf.square(g), 1 - adamw.beta2)));
            const denom = tf.add(tf.div(tf.sqrt(s.s), c.bias2Sqrt), adamw.eps);
            v[n].assign(tf.sub(tf.mul(v[n], c.decay), tf.mul(tf.div(s.m, denom), c.stepSize)));
          }
        });
        return value.dataSync()[0];
      });
    },
    predict(images, count) {
      return tf.tidy(() => forward(v, config, tf.tensor4d(images.subarray(0, count * 256), [count, 16, 16, 1]), null).dataSync() as Float32Array);
    },
    params: () => fromVariables(v),
    dispose() {
      for (const n of names) v[n].dispose();
      for (const s of state) (s.m.dispose(), s.s.dispose());
    },
  };
}
