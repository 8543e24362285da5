/**
 * Simulated time: TTLs are stated in Vault's seconds, but tests cannot wait
 * 300 real seconds, so one simulated second lasts `secondMs` real milliseconds.
 */
export class SimClock {
  readonly #startReal = Date.now();
  readonly #startSim = Date.now();
  readonly #scale: number;
  #offsetMs = 0;

  constructor(secondMs = 1000) {
    if (!(secondMs > 0)) throw new RangeError('secondMs must be positive');
    this.#scale = 1000 / secondMs;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return this.#startSim + (Date.now() - this.#startReal) * this.#scale + this.#offsetMs;
  }

  advance(seconds: number): void {
    this.#offsetMs += seconds * 1000;
  }

  /** Real milliseconds since start, for the request log. */
  elapsedReal(): number {
    return Date.now() - this.#startReal;
  }
}
