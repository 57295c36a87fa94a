import { SingleBar, MultiBar, Presets } from 'cli-progress';

/** Results go to stdout; progress and logs to stderr, so `--json` output stays parseable. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function println(line = ''): void {
  process.stdout.write(`${line}\n`);
}

const interactive = (): boolean => process.stderr.isTTY === true;

/** Progress of several named steps (one line each) on a TTY; plain log lines elsewhere. */
export class StepProgress {
  private readonly bars = new Map<string, SingleBar>();
  private readonly multi: MultiBar | undefined;

  constructor(names: readonly string[]) {
    if (interactive()) {
      this.multi = new MultiBar(
        {
          format: ' {name} [{bar}] {status}',
          hideCursor: true,
          clearOnComplete: false,
          stream: process.stderr,
        },
        Presets.shades_classic,
      );
      const width = Math.max(...names.map((n) => n.length));
      for (const name of names) {
        this.bars.set(name, this.multi.create(4, 0, { name: name.padEnd(width), status: 'waiting' }));
      }
    }
  }

  private static readonly order = [
    'provisioning',
    'preparing state',
    'starting',
    'waiting for readiness',
    'up',
  ];

  update(name: string, status: string): void {
    const bar = this.bars.get(name);
    if (bar) {
      const step = StepProgress.order.indexOf(status);
      bar.update(step >= 0 ? step : bar.getProgress() * 4, { status });
    } else {
      process.stderr.write(`  ${name}: ${status}\n`);
    }
  }

  stop(): void {
    this.multi?.stop();
  }
}

/** A byte counter for downloads. */
export function byteProgress(label: string): {
  update(received: number, total?: number): void;
  stop(): void;
} {
  if (!interactive()) {
    let lastReported = 0;
    return {
      update(received) {
        if (received - lastReported >= 1_000_000) {
          lastReported = received;
          process.stderr.write(`  ${label}: ${(received / 1e6).toFixed(1)} MB\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new SingleBar(
    { format: ` ${label} [{bar}] {percentage}% {value}/{total}`, stream: process.stderr },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(received, total) {
      if (!started) {
        bar.start(total ?? received, 0);
        started = true;
      }
      if (total !== undefined) bar.setTotal(total);
      bar.update(received);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
