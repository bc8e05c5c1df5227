/** Where progress goes: a stream with an optional TTY flag and width (process.stderr by default). */
export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** One step's progress: a redrawn bar on a terminal, a few plain lines otherwise. */
export interface StepProgress {
  /** Reports `done` of `total` units, with a short note (loss, accuracy...). */
  update(done: number, total: number, note?: string): void;
  /** Ends the step with its outcome; returns the seconds it took. */
  done(note?: string): number;
}

const BAR = 24;

/** The progress of the demo's numbered steps, on stderr. TTY-aware: no control characters in logs. */
export class Progress {
  private readonly tty: boolean;
  private readonly quiet: boolean;
  private readonly t0 = performance.now();

  constructor(
    private readonly sink: ProgressSink,
    private readonly total: number,
    opts: { quiet?: boolean; tty?: boolean } = {},
  ) {
    this.tty = opts.tty ?? sink.isTTY === true;
    this.quiet = opts.quiet ?? false;
  }

  /** Prints a line above any bar (or as is, off a terminal). */
  log(line: string): void {
    if (!this.quiet) this.sink.write(`${line}\n`);
  }

  /** Starts step `n` of the total, titled `title`. */
  step(n: number, title: string): StepProgress {
    const started = performance.now();
    const head = `[${n}/${this.total}] ${title}`;
    let lastPct = -1;
    let lastAt = 0;
    this.log(head);
    const width = Math.max(40, Math.min(120, this.sink.columns ?? 100));
    return {
      update: (done, total, note = '') => {
        if (this.quiet || total <= 0) return;
        const frac = Math.min(1, Math.max(0, done / total));
        const pct = Math.floor(frac * 100);
        if (this.tty) {
          const now = performance.now();
          // redraw at most every 50 ms, and always at 100%
          if (now - lastAt < 50 && pct < 100) return;
          lastAt = now;
          const fill = Math.round(frac * BAR);
          const line = `  ${'#'.repeat(fill)}${'.'.repeat(BAR - fill)} ${String(pct).padStart(3)}% ${note}`;
          this.sink.write(`\r${line.slice(0, width - 1).padEnd(width - 1)}`);
          return;
        }
        // plain output: a line at every tenth, so logs stay short
        const tenth = Math.floor(pct / 10);
        if (tenth === lastPct) return;
        lastPct = tenth;
        this.sink.write(`  ${pct}% ${note}\n`);
      },
      done: (note) => {
        const s = (performance.now() - started) / 1000;
        if (this.quiet) return s;
        if (this.tty) this.sink.write(`\r${' '.repeat(width - 1)}\r`);
        this.sink.write(`  done in ${s.toFixed(1)} s${note ? `: ${note}` : ''}\n`);
        return s;
      },
    };
  }

  /** Seconds since the demo started. */
  get elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }
}
