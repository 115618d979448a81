/**
 * Seeded randomness for the data generator: the same seed must give the same bytes on every
 * machine, so nothing here uses Math.random. Math.log and Math.pow are safe to use: V8 computes
 * them with its own portable fdlibm code, not the platform's maths library.
 */

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): fast, small, well tested. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any safe non-negative integer; `stream` separates independent sequences. */
  constructor(seed: number, stream = 0) {
    const low = seed >>> 0;
    const high = Math.floor(seed / 0x1_0000_0000) >>> 0;
    this.a = 0x9e3779b9 ^ stream;
    this.b = low;
    this.c = high;
    this.d = 1;
    // Mix the seed through before use: consecutive seeds then give unrelated sequences.
    for (let round = 0; round < 15; round++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Exponentially distributed with the given mean (waiting times, session lengths). */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index > 0; index--) {
      const other = this.int(index + 1);
      const kept = items[index]!;
      items[index] = items[other]!;
      items[other] = kept;
    }
    return items;
  }
}

/** Picks indexes with fixed relative weights in O(log n) per pick. */
export class WeightedPicker {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(weights: ArrayLike<number>) {
    if (weights.length === 0) throw new RangeError('WeightedPicker needs at least one weight');
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    for (let index = 0; index < weights.length; index++) {
      sum += weights[index]!;
      this.cumulative[index] = sum;
    }
    this.total = sum;
  }

  /** Zipf-like popularity: the item of rank k (0-based) weighs 1 / (k + 1)^exponent. */
  static zipf(count: number, exponent: number): WeightedPicker {
    const weights = new Float64Array(count);
    for (let rank = 0; rank < count; rank++) weights[rank] = 1 / Math.pow(rank + 1, exponent);
    return new WeightedPicker(weights);
  }

  pick(random: Random): number {
    const target = random.float() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle]! > target) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
