// The 1989 network written out by hand: forward, backward and update as plain loops over
// preallocated Float64Arrays. Same network and variants as engine-tfjs.ts (its `forward`
// and `lossOf` are the definition); per example it is several times faster, because one
// step is a few hundred thousand multiply-adds and no kernel launches.
//
// Doubles, not floats: V8 computes in doubles anyway, and Float32Array loads and stores
// cost a conversion each (measured slower). Parameters and gradients live in one flat
// array each, in the canonical layout (params.ts), so the update is one loop.
import type { Config } from "./config";
import type { Engine } from "./engine";
import { AdamW } from "./optim";
import { H2_INPUTS, PARAM_NAMES, Params, size, type ParamName } from "./params";

/** Why the fused engine cannot run a config, or null when it can (every current variant). */
export function fusedSupports(config: Pick<Config, "activation" | "output" | "loss" | "optimizer">): string | null {
  if (config.activation !== "tanh" && config.activation !== "relu") return `activation "${config.activation}" is not implemented`;
  if (config.output !== "tanh" && config.output !== "linear") return `output "${config.output}" is not implemented`;
  if (config.loss !== "mse" && config.loss !== "cross-entropy") return `loss "${config.loss}" is not implemented`;
  if (config.optimizer !== "sgd" && config.optimizer !== "adamw") return `optimizer "${config.optimizer}" is not implemented`;
  return null;
}

// Sizes. Both conv inputs are held padded (2 on each side, constant -1), so a window never
// needs a bounds check: the input is 20x20, H1 as H2 sees it is 12 maps of 12x12.
const XP = 20; // padded input side
const H1P = 12; // padded H1 side
const H1MAP = H1P * H1P; // one padded H1 map

/** Where each tensor starts in the flat parameter (and gradient) array. */
const OFFSET = {} as Record<ParamName, number>;
let PARAM_COUNT = 0;
for (const name of PARAM_NAMES) {
  OFFSET[name] = PARAM_COUNT;
  PARAM_COUNT += size(name);
}

/** H2's connection table, as the start of each input map in the padded H1 buffer: [group * 8 + j]. */
const H2_SOURCE = Int32Array.from(H2_INPUTS.flat(), (map) => map * H1MAP);

type Views = Record<ParamName, Float64Array>;
const viewsOf = (flat: Float64Array): Views => {
  const v = {} as Views;
  for (const name of PARAM_NAMES) v[name] = flat.subarray(OFFSET[name], OFFSET[name] + size(name));
  return v;
};

/** One network's parameters, gradients and activations; every buffer allocated once. */
export interface FusedNet {
  readonly relu: boolean; // hidden activation: ReLU, else tanh
  readonly tanhOutput: boolean; // output: tanh, else linear (logits)
  readonly crossEntropy: boolean; // loss: softmax cross-entropy, else MSE
  readonly params: Float64Array; // all parameters, canonical layout, tensors in PARAM_NAMES order
  readonly grads: Float64Array; // d loss / d params of the last example, same layout
  readonly p: Views; // per-tensor views of params
  readonly g: Views; // per-tensor views of grads
  // Activations (after the nonlinearity) and the gradients flowing back.
  readonly x: Float64Array; // input, padded with -1: [20, 20]
  readonly h1: Float64Array; // H1, padded with -1: [12, 12, 12]
  readonly h2: Float64Array; // H2 [12, 4, 4]
  readonly h2in: Float64Array; // H2 after dropout: H3's input
  readonly h3: Float64Array; // [30]
  readonly out: Float64Array; // outputs: tanh values or logits [10]
  readonly dOut: Float64Array; // d loss / d output pre-activation [10]
  readonly dh3: Float64Array; // d loss / d H3 pre-activation [30]
  readonly dh2: Float64Array; // d loss / d H2 pre-activation [192]
  readonly dh1: Float64Array; // d loss / d H1 activation, padded like h1 [12, 12, 12]
}

export function createFusedNet(config: Pick<Config, "activation" | "output" | "loss">, initial: Params): FusedNet {
  const params = new Float64Array(PARAM_COUNT);
  for (const name of PARAM_NAMES) params.set(initial[name], OFFSET[name]);
  const grads = new Float64Array(PARAM_COUNT);
  const x = new Float64Array(XP * XP).fill(-1); // the border stays -1; steps write the inside
  const h1 = new Float64Array(12 * H1MAP).fill(-1);
  return {
    relu: config.activation === "relu",
    tanhOutput: config.output === "tanh",
    crossEntropy: config.loss === "cross-entropy",
    params,
    grads,
    p: viewsOf(params),
    g: viewsOf(grads),
    x,
    h1,
    h2: new Float64Array(192),
    h2in: new Float64Array(192),
    h3: new Float64Array(30),
    out: new Float64Array(10),
    dOut: new Float64Array(10),
    dh3: new Float64Array(30),
    dh2: new Float64Array(192),
    dh1: new Float64Array(12 * H1MAP),
  };
}

/**
 * Forward pass of one 16x16 digit (images[offset ..]) into net.out.
 * `mask`: 192 dropout multipliers on H2's output, or null.
 */
export function forward(net: FusedNet, images: Float32Array, offset: number, mask: Float32Array | null): void {
  const { relu, x, h1, h2, h2in, h3, out } = net;
  const { h1w, h1b, h2w, h2b, h3w, h3b, outw, outb } = net.p;

  for (let r = 0; r < 16; r++) {
    for (let c = 0; c < 16; c++) x[(r + 2) * XP + c + 2] = images[offset + r * 16 + c];
  }

  // H1: 12 maps of 8x8, 5x5 stride 2 over the padded input, a bias per unit.
  for (let m = 0; m < 12; m++) {
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        let s = h1b[m * 64 + r * 8 + c];
        const at = 2 * r * XP + 2 * c; // window's top-left corner
        for (let kh = 0; kh < 5; kh++) {
          const q = at + kh * XP, w = m * 25 + kh * 5;
          s += h1w[w] * x[q] + h1w[w + 1] * x[q + 1] + h1w[w + 2] * x[q + 2] + h1w[w + 3] * x[q + 3] + h1w[w + 4] * x[q + 4];
        }
        h1[m * H1MAP + (r + 2) * H1P + c + 2] = relu ? (s > 0 ? s : 0) : Math.tanh(s);
      }
    }
  }

  // H2: 12 maps of 4x4; output map o sees the 8 H1 maps of its group (H2_INPUTS).
  for (let o = 0; o < 12; o++) {
    const group = (o >> 2) * 8;
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) {
        let s = h2b[o * 16 + r * 4 + c];
        const at = 2 * r * H1P + 2 * c;
        for (let j = 0; j < 8; j++) {
          const src = H2_SOURCE[group + j] + at, wj = (o * 8 + j) * 25;
          for (let kh = 0; kh < 5; kh++) {
            const q = src + kh * H1P, w = wj + kh * 5;
            s += h2w[w] * h1[q] + h2w[w + 1] * h1[q + 1] + h2w[w + 2] * h1[q + 2] + h2w[w + 3] * h1[q + 3] + h2w[w + 4] * h1[q + 4];
          }
        }
        const a = relu ? (s > 0 ? s : 0) : Math.tanh(s);
        h2[o * 16 + r * 4 + c] = a;
        h2in[o * 16 + r * 4 + c] = mask ? a * mask[o * 16 + r * 4 + c] : a;
      }
    }
  }

  // H3: 192 -> 30. Row by row (h3w is [in, out]), so the inner loop is contiguous and a
  // zero input (ReLU off, dropped) skips its whole row.
  for (let u = 0; u < 30; u++) h3[u] = h3b[u];
  for (let k = 0; k < 192; k++) {
    const v = h2in[k];
    if (v === 0) continue;
    const row = k * 30;
    for (let u = 0; u < 30; u++) h3[u] += v * h3w[row + u];
  }
  for (let u = 0; u < 30; u++) h3[u] = relu ? (h3[u] > 0 ? h3[u] : 0) : Math.tanh(h3[u]);

  // Output: 30 -> 10, then tanh (1989) or nothing (logits for cross-entropy).
  for (let k = 0; k < 10; k++) out[k] = outb[k];
  for (let u = 0; u < 30; u++) {
    const v = h3[u], row = u * 10;
    for (let k = 0; k < 10; k++) out[k] += v * outw[row + k];
  }
  if (net.tanhOutput) for (let k = 0; k < 10; k++) out[k] = Math.tanh(out[k]);
}

/** The loss of net.out against `label`, and its gradient with respect to the output pre-activation into net.dOut. */
function lossAndOutputGradient(net: FusedNet, label: number): number {
  const { out, dOut } = net;
  if (net.crossEntropy) {
    // Softmax cross-entropy of the logits: loss = logsumexp - logit[label], gradient softmax - onehot.
    let max = -Infinity;
    for (let k = 0; k < 10; k++) if (out[k] > max) max = out[k];
    let z = 0;
    for (let k = 0; k < 10; k++) z += Math.exp(out[k] - max);
    for (let k = 0; k < 10; k++) dOut[k] = Math.exp(out[k] - max) / z - (k === label ? 1 : 0);
    return Math.log(z) + max - out[label];
  }
  // MSE: mean over the 10 outputs of (target - out)^2, targets +1 / -1.
  let loss = 0;
  for (let k = 0; k < 10; k++) {
    const d = out[k] - (k === label ? 1 : -1);
    loss += d * d;
    const dy = (2 * d) / 10;
    dOut[k] = net.tanhOutput ? dy * (1 - out[k] * out[k]) : dy;
  }
  return loss / 10;
}

/** Backward pass from net.dOut into net.grads, through the activations forward left behind. */
export function backward(net: FusedNet, mask: Float32Array | null): void {
  const { relu, x, h1, h2, h2in, h3, dOut, dh3, dh2, dh1 } = net;
  const { h1w, h2w, h3w, outw } = net.p;
  const g = net.g;
  // d activation / d pre-activation, from the activation: tanh' = 1 - a^2, ReLU' = [a > 0].
  const slope = (a: number) => (relu ? (a > 0 ? 1 : 0) : 1 - a * a);

  // Output layer: its weight gradient, and the gradient reaching H3.
  const gOutw = g.outw, gOutb = g.outb;
  for (let k = 0; k < 10; k++) gOutb[k] = dOut[k];
  for (let u = 0; u < 30; u++) {
    const v = h3[u], row = u * 10;
    let s = 0;
    for (let k = 0; k < 10; k++) {
      gOutw[row + k] = v * dOut[k];
      s += outw[row + k] * dOut[k];
    }
    dh3[u] = s * slope(v);
  }

  // H3: one pass over h3w gives both its gradient and the gradient reaching H2.
  const gH3w = g.h3w, gH3b = g.h3b;
  for (let u = 0; u < 30; u++) gH3b[u] = dh3[u];
  for (let k = 0; k < 192; k++) {
    const v = h2in[k], row = k * 30;
    let s = 0;
    for (let u = 0; u < 30; u++) {
      gH3w[row + u] = v * dh3[u];
      s += h3w[row + u] * dh3[u];
    }
    // Through dropout (the same multiplier) and H2's activation.
    dh2[k] = (mask ? s * mask[k] : s) * slope(h2[k]);
  }

  // H2: each unit scatters into its weights' gradient and into the H1 units it saw.
  // Units with a zero gradient (ReLU off, dropped) are skipped.
  const gH2w = g.h2w, gH2b = g.h2b;
  gH2w.fill(0);
  dh1.fill(0);
  for (let o = 0; o < 12; o++) {
    const group = (o >> 2) * 8;
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) {
        const d = dh2[o * 16 + r * 4 + c];
        gH2b[o * 16 + r * 4 + c] = d;
        if (d === 0) continue;
        const at = 2 * r * H1P + 2 * c;
        for (let j = 0; j < 8; j++) {
          const src = H2_SOURCE[group + j] + at, wj = (o * 8 + j) * 25;
          for (let kh = 0; kh < 5; kh++) {
            const q = src + kh * H1P, w = wj + kh * 5;
            for (let kw = 0; kw < 5; kw++) {
              gH2w[w + kw] += d * h1[q + kw];
              dh1[q + kw] += d * h2w[w + kw];
            }
          }
        }
      }
    }
  }

  // H1: the same for its weights; the input needs no gradient. dh1's padding is ignored.
  const gH1w = g.h1w, gH1b = g.h1b;
  gH1w.fill(0);
  for (let m = 0; m < 12; m++) {
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const i = m * H1MAP + (r + 2) * H1P + c + 2;
        const d = dh1[i] * slope(h1[i]);
        gH1b[m * 64 + r * 8 + c] = d;
        if (d === 0) continue;
        const at = 2 * r * XP + 2 * c;
        for (let kh = 0; kh < 5; kh++) {
          const q = at + kh * XP, w = m * 25 + kh * 5;
          for (let kw = 0; kw < 5; kw++) gH1w[w + kw] += d * x[q + kw];
        }
      }
    }
  }
}

/**
 * Loss of one digit and the gradient of every parameter into net.grads, without updating.
 * What `step` does before its update; exported for the gradient check.
 */
export function lossAndGradients(net: FusedNet, image: Float32Array, label: number, mask: Float32Array | null): number {
  forward(net, image, 0, mask);
  const loss = lossAndOutputGradient(net, label);
  backward(net, mask);
  return loss;
}

/** The loss of one digit alone (forward only), e.g. for finite differences. */
export function lossOf(net: FusedNet, image: Float32Array, label: number, mask: Float32Array | null): number {
  forward(net, image, 0, mask);
  return lossAndOutputGradient(net, label);
}

/** Plain SGD on the flat arrays; AdamW goes through optim.ts, which holds its formula. */
function update(net: FusedNet, lr: number, adamw: { opt: AdamW; m: Float64Array; v: Float64Array; t: number } | null): void {
  if (adamw) {
    adamw.opt.update(net.params, net.grads, adamw.m, adamw.v, ++adamw.t, lr);
    return;
  }
  const { params, grads } = net;
  for (let i = 0; i < PARAM_COUNT; i++) params[i] -= lr * grads[i];
}

export function createFusedEngine(config: Config, initial: Params): Engine {
  const why = fusedSupports(config);
  if (why) throw new Error(`the fused engine cannot run this config: ${why}. Use engine "tfjs".`);
  const net = createFusedNet(config, initial);
  const adamw =
    config.optimizer === "adamw" ? { opt: new AdamW(config.weightDecay), m: new Float64Array(PARAM_COUNT), v: new Float64Array(PARAM_COUNT), t: 0 } : null;

  return {
    name: "fused",
    backend: "js",
    step(x, label, lr, mask) {
      const loss = lossAndGradients(net, x, label, mask);
      update(net, lr, adamw);
      return loss;
    },
    predict(images, count) {
      const result = new Float32Array(count * 10);
      for (let i = 0; i < count; i++) {
        forward(net, images, i * 256, null);
        for (let k = 0; k < 10; k++) result[i * 10 + k] = net.out[k];
      }
      return result;
    },
    params() {
      const p = {} as Params;
      for (const name of PARAM_NAMES) p[name] = Float32Array.from(net.p[name]);
      return p;
    },
    dispose() {},
  };
}
