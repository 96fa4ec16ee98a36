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

// Sizes. Both conv inputs are held padded (2 on each side), so a window never needs a
// bounds check: the input is 20x20, H1 as H2 sees it is 12 maps of 12x12.
const XP = 20; // padded input side
const H1P = 12; // padded H1 side
const H1MAP = H1P * H1P; // one padded H1 map

/**
 * tanh through one exp: the same function to within 1e-16, and V8's Math.tanh costs a
 * third more (about 1,000 calls per step; measured 10% of a whole step). Saturates
 * cleanly: exp overflows to Infinity (gives 1) or underflows to 0 (gives -1).
 */
const tanh = (s: number) => 1 - 2 / (Math.exp(2 * s) + 1);

/** The hidden layers' activation. */
const activate = (s: number, relu: boolean) => (relu ? (s > 0 ? s : 0) : tanh(s));

/** Its derivative, from the activation's value: tanh' = 1 - a^2, ReLU' = [a > 0]. */
const slope = (a: number, relu: boolean) => (relu ? (a > 0 ? 1 : 0) : 1 - a * a);

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
  readonly x: Float64Array; // input plus 1 (background 0), padded with 0: [20, 20]
  readonly box: Int32Array; // rows and columns of x holding anything but background: top, bottom, left, right
  readonly h1wSum: Float64Array; // each H1 map's weight sum [12]
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
  const x = new Float64Array(XP * XP); // the border stays 0 (the -1 padding, plus 1)
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
    box: new Int32Array(4),
    h1wSum: new Float64Array(12),
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
 *
 * The conv loops compute 4 output maps at once: maps that see the same input share each
 * input load, and independent running sums stay in registers (measured 1.5x faster than
 * one map at a time; a single sum waits on the latency of each add).
 */
export function forward(net: FusedNet, images: Float32Array, offset: number, mask: Float32Array | null): void {
  const { relu, x, h1, h2, h2in, h3, out } = net;
  const { h1w, h1b, h2w, h2b, h3w, h3b, outw, outb } = net.p;

  // The input plus 1, so that the background and the padding (both -1) are 0, and the
  // box around the rest: 84% of a padded digit is background, and the part of a window
  // outside the box adds nothing. The +1 is undone by subtracting each map's weight sum.
  let top = XP, bottom = -1, left = XP, right = -1;
  for (let r = 2; r < 18; r++) {
    for (let c = 2; c < 18; c++) {
      const v = images[offset + (r - 2) * 16 + c - 2] + 1; // exact in double
      x[r * XP + c] = v;
      if (v !== 0) {
        if (top === XP) top = r;
        bottom = r;
        if (c < left) left = c;
        if (c > right) right = c;
      }
    }
  }
  const box = net.box, wSum = net.h1wSum;
  box[0] = top;
  box[1] = bottom;
  box[2] = left;
  box[3] = right;
  for (let m = 0; m < 12; m++) {
    let s = 0;
    for (let k = 0; k < 25; k++) s += h1w[m * 25 + k];
    wSum[m] = s;
  }

  // H1: 12 maps of 8x8, 5x5 stride 2 over the padded input, a bias per unit.
  // Maps m..m+3: weights at w, w+25, w+50, w+75; biases and units 64 apart.
  for (let m = 0; m < 12; m += 4) {
    for (let r = 0; r < 8; r++) {
      const kh0 = Math.max(0, top - 2 * r), kh1 = Math.min(4, bottom - 2 * r); // the window's rows in the box
      for (let c = 0; c < 8; c++) {
        const kw0 = Math.max(0, left - 2 * c), kw1 = Math.min(4, right - 2 * c);
        const b = m * 64 + r * 8 + c;
        let s0 = h1b[b] - wSum[m], s1 = h1b[b + 64] - wSum[m + 1], s2 = h1b[b + 128] - wSum[m + 2], s3 = h1b[b + 192] - wSum[m + 3];
        const at = 2 * r * XP + 2 * c; // the window's top-left corner
        for (let kh = kh0; kh <= kh1; kh++) {
          for (let kw = kw0; kw <= kw1; kw++) {
            const v = x[at + kh * XP + kw], w = m * 25 + kh * 5 + kw;
            s0 += h1w[w] * v;
            s1 += h1w[w + 25] * v;
            s2 += h1w[w + 50] * v;
            s3 += h1w[w + 75] * v;
          }
        }
        const u = m * H1MAP + (r + 2) * H1P + c + 2;
        h1[u] = activate(s0, relu);
        h1[u + H1MAP] = activate(s1, relu);
        h1[u + 2 * H1MAP] = activate(s2, relu);
        h1[u + 3 * H1MAP] = activate(s3, relu);
      }
    }
  }

  // H2: 12 maps of 4x4. The 4 maps of group g see the same 8 H1 maps (H2_INPUTS[g]);
  // h2w[o][j] is the weight of the j-th of them. Maps o..o+3: weights 200 apart. Two
  // neighbouring units (c, c+1) at a time as well: they share each weight load.
  for (let g = 0; g < 3; g++) {
    const o = g * 4;
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c += 2) {
        const b = o * 16 + r * 4 + c;
        let s0 = h2b[b], s1 = h2b[b + 16], s2 = h2b[b + 32], s3 = h2b[b + 48];
        let t0 = h2b[b + 1], t1 = h2b[b + 17], t2 = h2b[b + 33], t3 = h2b[b + 49];
        const at = 2 * r * H1P + 2 * c;
        for (let j = 0; j < 8; j++) {
          const src = H2_SOURCE[g * 8 + j] + at;
          for (let kh = 0; kh < 5; kh++) {
            for (let kw = 0; kw < 5; kw++) {
              const q = src + kh * H1P + kw, v = h1[q], u = h1[q + 2]; // unit c+1's window is 2 to the right
              const w = o * 200 + j * 25 + kh * 5 + kw;
              const a0 = h2w[w], a1 = h2w[w + 200], a2 = h2w[w + 400], a3 = h2w[w + 600];
              s0 += a0 * v;
              s1 += a1 * v;
              s2 += a2 * v;
              s3 += a3 * v;
              t0 += a0 * u;
              t1 += a1 * u;
              t2 += a2 * u;
              t3 += a3 * u;
            }
          }
        }
        h2[b] = activate(s0, relu);
        h2[b + 16] = activate(s1, relu);
        h2[b + 32] = activate(s2, relu);
        h2[b + 48] = activate(s3, relu);
        h2[b + 1] = activate(t0, relu);
        h2[b + 17] = activate(t1, relu);
        h2[b + 33] = activate(t2, relu);
        h2[b + 49] = activate(t3, relu);
      }
    }
  }
  for (let k = 0; k < 192; k++) h2in[k] = mask ? h2[k] * mask[k] : h2[k];

  // H3: 192 -> 30, six units at a time, for six independent running sums (one unit at a
  // time, adding into h3 in memory, measured 3x slower).
  for (let u = 0; u < 30; u += 6) {
    let s0 = h3b[u], s1 = h3b[u + 1], s2 = h3b[u + 2], s3 = h3b[u + 3], s4 = h3b[u + 4], s5 = h3b[u + 5];
    for (let k = 0; k < 192; k++) {
      const v = h2in[k], w = k * 30 + u;
      s0 += v * h3w[w];
      s1 += v * h3w[w + 1];
      s2 += v * h3w[w + 2];
      s3 += v * h3w[w + 3];
      s4 += v * h3w[w + 4];
      s5 += v * h3w[w + 5];
    }
    h3[u] = s0;
    h3[u + 1] = s1;
    h3[u + 2] = s2;
    h3[u + 3] = s3;
    h3[u + 4] = s4;
    h3[u + 5] = s5;
  }
  for (let u = 0; u < 30; u++) h3[u] = activate(h3[u], relu);

  // Output: 30 -> 10, then tanh (1989) or nothing (logits for cross-entropy).
  for (let k = 0; k < 10; k++) out[k] = outb[k];
  for (let u = 0; u < 30; u++) {
    const v = h3[u], row = u * 10;
    for (let k = 0; k < 10; k++) out[k] += v * outw[row + k];
  }
  if (net.tanhOutput) for (let k = 0; k < 10; k++) out[k] = tanh(out[k]);
}

/**
 * The loss of net.out against `label`, and into net.dOut its gradient with respect to the
 * output layer's pre-activation (through the output tanh when there is one).
 */
function lossAndOutputGradient(net: FusedNet, label: number): number {
  const { out, dOut } = net;
  let loss = 0;
  if (net.crossEntropy) {
    // Softmax cross-entropy of the outputs: loss = logsumexp - out[label], gradient softmax - onehot.
    let max = -Infinity;
    for (let k = 0; k < 10; k++) if (out[k] > max) max = out[k];
    let z = 0;
    for (let k = 0; k < 10; k++) z += Math.exp(out[k] - max);
    for (let k = 0; k < 10; k++) dOut[k] = Math.exp(out[k] - max) / z - (k === label ? 1 : 0);
    loss = Math.log(z) + max - out[label];
  } else {
    // MSE: mean over the 10 outputs of (out - target)^2, targets +1 / -1.
    for (let k = 0; k < 10; k++) {
      const d = out[k] - (k === label ? 1 : -1);
      loss += d * d;
      dOut[k] = (2 * d) / 10;
    }
    loss /= 10;
  }
  if (net.tanhOutput) for (let k = 0; k < 10; k++) dOut[k] *= 1 - out[k] * out[k];
  return loss;
}

/** Backward pass from net.dOut into net.grads, through the activations forward left behind. */
export function backward(net: FusedNet, mask: Float32Array | null): void {
  const { relu, x, h1, h2, h2in, h3, dOut, dh3, dh2, dh1 } = net;
  const { h1w, h2w, h3w, outw } = net.p;
  const g = net.g;

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
    dh3[u] = s * slope(v, relu);
  }

  // H3: one pass over h3w gives both its gradient and the gradient reaching H2; four rows
  // at a time, for four independent sums (as in forward).
  const gH3w = g.h3w, gH3b = g.h3b;
  for (let u = 0; u < 30; u++) gH3b[u] = dh3[u];
  for (let k = 0; k < 192; k += 4) {
    const v0 = h2in[k], v1 = h2in[k + 1], v2 = h2in[k + 2], v3 = h2in[k + 3];
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let u = 0; u < 30; u++) {
      const d = dh3[u], w = k * 30 + u; // rows k..k+3 at w, w+30, w+60, w+90
      gH3w[w] = v0 * d;
      gH3w[w + 30] = v1 * d;
      gH3w[w + 60] = v2 * d;
      gH3w[w + 90] = v3 * d;
      s0 += h3w[w] * d;
      s1 += h3w[w + 30] * d;
      s2 += h3w[w + 60] * d;
      s3 += h3w[w + 90] * d;
    }
    dh2[k] = s0;
    dh2[k + 1] = s1;
    dh2[k + 2] = s2;
    dh2[k + 3] = s3;
  }
  // Through dropout (the same multiplier) and H2's activation.
  for (let k = 0; k < 192; k++) dh2[k] *= (mask ? mask[k] : 1) * slope(h2[k], relu);

  // H2, its weights: gH2w[o][j][kh][kw] = sum over the 16 positions of dh2[o] times the H1
  // value under that weight. The 4 maps of a group share those H1 values (as in forward),
  // and two input maps (j, j+1) at a time share the loads of dh2.
  const gH2w = g.h2w, gH2b = g.h2b;
  for (let k = 0; k < 192; k++) gH2b[k] = dh2[k];
  for (let gr = 0; gr < 3; gr++) {
    const o = gr * 4, d = o * 16; // dh2 of maps o..o+3 at d, d+16, d+32, d+48
    for (let j = 0; j < 8; j += 2) {
      const src = H2_SOURCE[gr * 8 + j], src1 = H2_SOURCE[gr * 8 + j + 1];
      for (let kh = 0; kh < 5; kh++) {
        for (let kw = 0; kw < 5; kw++) {
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
          for (let r = 0; r < 4; r++) {
            for (let c = 0; c < 4; c++) {
              const q = (2 * r + kh) * H1P + 2 * c + kw, v = h1[src + q], u = h1[src1 + q];
              const p = d + r * 4 + c, e0 = dh2[p], e1 = dh2[p + 16], e2 = dh2[p + 32], e3 = dh2[p + 48];
              s0 += e0 * v;
              s1 += e1 * v;
              s2 += e2 * v;
              s3 += e3 * v;
              t0 += e0 * u;
              t1 += e1 * u;
              t2 += e2 * u;
              t3 += e3 * u;
            }
          }
          const w = o * 200 + j * 25 + kh * 5 + kw; // input map j+1 is 25 further
          gH2w[w] = s0;
          gH2w[w + 200] = s1;
          gH2w[w + 400] = s2;
          gH2w[w + 600] = s3;
          gH2w[w + 25] = t0;
          gH2w[w + 225] = t1;
          gH2w[w + 425] = t2;
          gH2w[w + 625] = t3;
        }
      }
    }
  }

  // H2, its input: each pair of neighbouring positions scatters its 4 maps' gradients
  // back through the weights into the H1 windows it saw (they share the weight loads).
  // A pair whose 8 gradients are all zero (ReLU off, dropped) is skipped.
  dh1.fill(0);
  for (let gr = 0; gr < 3; gr++) {
    const o = gr * 4;
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c += 2) {
        const p = o * 16 + r * 4 + c;
        const d0 = dh2[p], d1 = dh2[p + 16], d2 = dh2[p + 32], d3 = dh2[p + 48];
        const e0 = dh2[p + 1], e1 = dh2[p + 17], e2 = dh2[p + 33], e3 = dh2[p + 49];
        if (d0 === 0 && d1 === 0 && d2 === 0 && d3 === 0 && e0 === 0 && e1 === 0 && e2 === 0 && e3 === 0) continue;
        const at = 2 * r * H1P + 2 * c;
        for (let j = 0; j < 8; j++) {
          const src = H2_SOURCE[gr * 8 + j] + at;
          for (let kh = 0; kh < 5; kh++) {
            for (let kw = 0; kw < 5; kw++) {
              const w = o * 200 + j * 25 + kh * 5 + kw, q = src + kh * H1P + kw;
              const a0 = h2w[w], a1 = h2w[w + 200], a2 = h2w[w + 400], a3 = h2w[w + 600];
              dh1[q] += a0 * d0 + a1 * d1 + a2 * d2 + a3 * d3;
              dh1[q + 2] += a0 * e0 + a1 * e1 + a2 * e2 + a3 * e3;
            }
          }
        }
      }
    }
  }

  // H1, its weights (the input needs no gradient), 4 maps at a time. dh1's padding is ignored.
  const gH1w = g.h1w, dh1pre = g.h1b; // the bias gradient is the pre-activation gradient
  for (let m = 0; m < 12; m++) {
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const i = m * H1MAP + (r + 2) * H1P + c + 2;
        dh1pre[m * 64 + r * 8 + c] = dh1[i] * slope(h1[i], relu);
      }
    }
  }
  // With the input as forward held it (plus 1, boxed): the gradient of a weight is the sum
  // over the units of dh1pre times (x + 1), over the box only, minus the sum of dh1pre.
  const top = net.box[0], bottom = net.box[1], left = net.box[2], right = net.box[3];
  for (let m = 0; m < 12; m += 4) {
    let z0 = 0, z1 = 0, z2 = 0, z3 = 0;
    for (let p = m * 64; p < m * 64 + 64; p++) {
      z0 += dh1pre[p];
      z1 += dh1pre[p + 64];
      z2 += dh1pre[p + 128];
      z3 += dh1pre[p + 192];
    }
    for (let kh = 0; kh < 5; kh++) {
      // Units whose input row 2r+kh lies in the box (>> 1 rounds down, negatives too).
      const r0 = Math.max(0, (top - kh + 1) >> 1), r1 = Math.min(7, (bottom - kh) >> 1);
      for (let kw = 0; kw < 5; kw++) {
        const c0 = Math.max(0, (left - kw + 1) >> 1), c1 = Math.min(7, (right - kw) >> 1);
        let s0 = -z0, s1 = -z1, s2 = -z2, s3 = -z3;
        for (let r = r0; r <= r1; r++) {
          for (let c = c0; c <= c1; c++) {
            const v = x[(2 * r + kh) * XP + 2 * c + kw], p = m * 64 + r * 8 + c;
            s0 += dh1pre[p] * v;
            s1 += dh1pre[p + 64] * v;
            s2 += dh1pre[p + 128] * v;
            s3 += dh1pre[p + 192] * v;
          }
        }
        const w = m * 25 + kh * 5 + kw;
        gH1w[w] = s0;
        gH1w[w + 25] = s1;
        gH1w[w + 50] = s2;
        gH1w[w + 75] = s3;
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

/** A flat array as canonical per-tensor copies. */
function copyOut(flat: Float64Array): Params {
  const views = viewsOf(flat), p = {} as Params;
  for (const name of PARAM_NAMES) p[name] = Float64Array.from(views[name]);
  return p;
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
    params: () => copyOut(net.params),
    optimizerState: () => (adamw ? { t: adamw.t, m: copyOut(adamw.m), v: copyOut(adamw.v) } : null),
    setOptimizerState(state) {
      if (!adamw) return;
      adamw.t = state.t;
      for (const name of PARAM_NAMES) {
        adamw.m.set(state.m[name], OFFSET[name]);
        adamw.v.set(state.v[name], OFFSET[name]);
      }
    },
    dispose() {},
  };
}
