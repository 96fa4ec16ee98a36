// Random streams drawn exactly as the 2022 reference drew them (PROTOCOL.md 1 and 3b):
// MT19937 seeded with init_genrand, NumPy's legacy permutation, torch.rand floats,
// NumPy's randint for the shifts and torch's double draws for dropout.
// One module for every engine, so that one seed means the same draws everywhere.

const N = 624;
const M = 397;

/** The Mersenne Twister MT19937, 32-bit outputs, seeded with the classic init_genrand. */
export class MT19937 {
  readonly state = new Uint32Array(N);
  private index = N;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
    }
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev mod 2^32, split in halves so no bits are lost in a double.
      mt[i] = ((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i;
    }
  }

  private twist(): void {
    const mt = this.state;
    for (let i = 0; i < N; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
      mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  /** The generator's whole state, to checkpoint a run; `restore` takes it back. */
  snapshot(): { state: number[]; index: number } {
    return { state: Array.from(this.state), index: this.index };
  }

  restore(s: { state: number[]; index: number }): this {
    if (s.state.length !== N || !(s.index >= 0 && s.index <= N)) throw new Error("not an MT19937 snapshot");
    this.state.set(s.state);
    this.index = s.index;
    return this;
  }

  /** The next 32-bit output, as an unsigned integer. */
  nextU32(): number {
    if (this.index >= N) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/** NumPy legacy `RandomState.permutation(n)`: arange(n) shuffled by Fisher-Yates from the end. */
export function permutation(rng: MT19937, n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = boundedU32(rng, i);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** A uniform integer in [0, max], by masking and rejection (NumPy's legacy rk_interval). */
function boundedU32(rng: MT19937, max: number): number {
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  mask >>>= 0;
  let v: number;
  do v = (rng.nextU32() & mask) >>> 0;
  while (v > max);
  return v;
}

/** torch.rand for float32: 24 random bits of one output, over 2^24. */
export function torchRandFloat(rng: MT19937): number {
  return (rng.nextU32() & 0xffffff) / 16777216;
}

/** torch's double draw (used by dropout's bernoulli): 53 bits of two outputs, hi then lo. */
export function torchRandDouble(rng: MT19937): number {
  const hi = rng.nextU32();
  const lo = rng.nextU32();
  // ((hi << 32 | lo) & (2^53 - 1)) / 2^53: keep the low 21 bits of hi.
  return ((hi & 0x1fffff) * 4294967296 + lo) / 9007199254740992;
}

/** One (rows, cols) shift in {-1, 0, 1}^2, as np.random.randint(-1, 2, size=2) draws it. */
export function drawShift(rng: MT19937): [number, number] {
  return [shiftValue(rng), shiftValue(rng)];
}

function shiftValue(rng: MT19937): number {
  let v: number;
  do v = rng.nextU32() & 3;
  while (v === 3);
  return v - 1;
}
