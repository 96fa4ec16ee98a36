// What a training engine does. The trainer (train.ts) owns the data order, the random
// draws (shifts, dropout masks) and the metrics, so every engine sees the same inputs.
import type { Config } from "./config";
import type { Params } from "./params";

export interface Engine {
  readonly name: "fused" | "tfjs";
  readonly backend: string; // TensorFlow.js backend, or "js" for the fused engine
  /**
   * One presentation: forward, backward and update on one 16x16 digit.
   * `mask` holds the 192 dropout multipliers (0 or 1/(1-p)) in [12,4,4] order, or null.
   * Returns the example's loss before the update.
   */
  step(x: Float32Array, label: number, lr: number, mask: Float32Array | null): number;
  /** Network outputs (tanh values or logits) for `count` digits, [count, 10], in evaluation mode. */
  predict(images: Float32Array, count: number): Float32Array;
  /** The current parameters, in the canonical layout. */
  params(): Params;
  /** AdamW's step count and moments, canonical layout (null for SGD): to checkpoint a run. */
  optimizerState(): OptimizerState | null;
  setOptimizerState(state: OptimizerState): void;
  dispose(): void;
}

export interface OptimizerState {
  t: number; // steps taken
  m: Params; // first moments
  v: Params; // second moments
}

/** What each engine supports; `auto` picks the first engine whose check passes. */
export type Support = (config: Config) => string | null;
