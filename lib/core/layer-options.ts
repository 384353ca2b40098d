/** Options shared by every layer operation. */
export interface LayerOptions {
  /** Spatial size N of the N x N input (an integer >= 1). */
  n: number;
  /** Refuse allocations larger than this many bytes (default: see setMemoryLimit, 2 GiB). */
  memoryLimit?: number;
}
