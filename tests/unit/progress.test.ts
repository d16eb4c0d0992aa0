/** Off a terminal, a long step prints its count, rate and ETA every 30 s until it stops, and nothing after. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressBar } from '../../pipeline/stages/progress.ts';

afterEach(() => vi.useRealTimers());

describe('progress off a terminal', () => {
  it('writes a line with done/total, rate and ETA every 30 s while the step runs', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const bar = progressBar('demo: icons of mixed5a', 'icons', { isTTY: false, write: (text: string) => lines.push(text) });
    bar.update(100, 400); // 100 came from the cache: the rate counts this run's work only
    vi.advanceTimersByTime(29_000);
    expect(lines).toEqual([]);
    bar.update(160, 400);
    vi.advanceTimersByTime(1_000);
    expect(lines).toEqual(['demo: icons of mixed5a: 160/400 icons, 2.0 icons/s, ETA 2 min 0 s\n']);
    vi.advanceTimersByTime(30_000); // no update in between: the line still comes
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('demo: icons of mixed5a: 160/400 icons, 1.0 icons/s, ETA 4 min 0 s\n');
    bar.stop();
    vi.advanceTimersByTime(120_000);
    expect(lines).toHaveLength(2);
  });

  it('stays quiet for a step that is already complete', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const bar = progressBar('demo: activations', 'chunks', { isTTY: false, write: (text: string) => lines.push(text) });
    bar.update(79, 79);
    vi.advanceTimersByTime(60_000);
    bar.stop();
    expect(lines).toEqual([]);
  });
});
