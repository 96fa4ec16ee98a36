// AdamW, which TensorFlow.js lacks, exactly as torch.optim.AdamW computes it (defaults
// betas 0.9/0.999, eps 1e-8): decoupled weight decay first, then Adam with bias correction.
//   p  <- p * (1 - lr * wd)
//   m  <- b1 * m + (1 - b1) * g
//   v  <- b2 * v + (1 - b2) * g^2
//   p  <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
export class AdamW {
  readonly beta1 = 0.9;
  readonly beta2 = 0.999;
  readonly eps = 1e-8;
  constructor(readonly weightDecay: number) {}

  /** The per-step scalars of step t (1-based) at learning rate lr. */
  coefficients(t: number, lr: number) {
    return {
      decay: 1 - lr * this.weightDecay,
      stepSize: lr / (1 - this.beta1 ** t),
      bias2Sqrt: Math.sqrt(1 - this.beta2 ** t),
    };
  }

  /** One update of plain arrays, in place: the formula for engines without tensors. */
  update(p: Float64Array | Float32Array, g: Float64Array | Float32Array, m: Float64Array | Float32Array, v: Float64Array | Float32Array, t: number, lr: number): void {
    const { decay, stepSize, bias2Sqrt } = this.coefficients(t, lr);
    const b1 = this.beta1, b2 = this.beta2, eps = this.eps;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      p[i] = p[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / bias2Sqrt + eps);
    }
  }
}
