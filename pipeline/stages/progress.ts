/**
 * Progress of long steps. On a terminal: a bar with count, rate and ETA. Off a terminal (CI, a Kubernetes Job, a
 * redirected GPU run): a plain line with the same numbers at least every 30 s while the step runs, so an
 * hour-long build is never silent and its log stays short.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * Seconds between progress lines off a terminal (ATLAS_PROGRESS_SECONDS overrides; 0: a line at every update,
 * which the interrupted-build tests watch to kill a build at a known point).
 */
const LOG_EVERY = Number(process.env.ATLAS_PROGRESS_SECONDS ?? 30);

export function progressBar(label: string, unit: string, stream: { isTTY?: boolean; write(text: string): unknown } = process.stdout): Progress {
  return stream.isTTY ? terminalBar(label, unit) : logLines(label, unit, stream);
}

function terminalBar(label: string, unit: string): Progress {
  let bar: cliProgress.SingleBar | undefined;
  let started = 0;
  return {
    update(done, total) {
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { format: `${label} [{bar}] {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
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

/**
 * "label: 120/400 icons, 1.9 icons/s, ETA 2 min 27 s" every LOG_EVERY seconds, from the first update to stop();
 * at every update when LOG_EVERY is 0.
 */
function logLines(label: string, unit: string, stream: { write(text: string): unknown }): Progress {
  let state: { done: number; total: number; first: number; started: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const line = () => {
    if (!state) return;
    const seconds = (Date.now() - state.started) / 1000;
    const rate = (state.done - state.first) / Math.max(seconds, 1e-9);
    const eta = rate > 0 ? duration((state.total - state.done) / rate) : 'unknown';
    stream.write(`${label}: ${state.done}/${state.total} ${unit}, ${rate.toFixed(1)} ${unit}/s, ETA ${eta}\n`);
  };
  return {
    update(done, total) {
      // Rates count what this run does, not what came from the cache before its first update.
      if (!state) state = { done, total, first: done, started: Date.now() };
      state.done = done;
      state.total = total;
      if (LOG_EVERY === 0) line();
      else if (!timer && done < total) {
        timer = setInterval(line, LOG_EVERY * 1000);
        timer.unref();
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}
