/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */

/** Progress bar state; `update` redraws at most every 100 ms, `done` clears the line. */
export class ProgressBar {
  private last = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = Boolean(stream.isTTY);
  }

  /** Shows `done` of `total` units with a short label. */
  update(done: number, label: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const width = 28;
    const fraction = Math.min(1, done / this.total);
    const filled = Math.round(fraction * width);
    const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${label}`;
    const columns = this.stream.columns ?? 100;
    this.stream.write(`\r${bar.slice(0, columns - 1).padEnd(Math.min(columns - 1, bar.length + 10))}`);
  }

  /** Clears the bar's line. */
  done(): void {
    if (this.enabled) this.stream.write(`\r${" ".repeat((this.stream.columns ?? 100) - 1)}\r`);
  }
}
