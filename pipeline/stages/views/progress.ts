/**
 * Progress of long steps: a bar with count, rate and ETA on a terminal; nothing otherwise (the stage's line is
 * logged when it ends, so CI logs stay short).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function progressBar(label: string, unit: string): Progress {
  if (!process.stdout.isTTY) return { update() {}, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  let started = 0;
  return {
    update(done, total) {
      if (!bar) {
        bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`, hideCursor: true }, cliProgress.Presets.shades_classic);
        bar.start(total, 0, { rate: '0' });
        started = Date.now();
      }
      const elapsed = (Date.now() - started) / 1000;
      bar.update(done, { rate: elapsed > 0 ? (done / elapsed).toFixed(1) : '0' });
    },
    stop() {
      bar?.stop();
    },
  };
}
