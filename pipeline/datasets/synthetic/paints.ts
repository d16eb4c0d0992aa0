/** Paints the classes share: textured bodies and greys. */
import { checks, dots, solid, speckle, stripes, type Paint, type RGB } from './raster.ts';
import type { Random } from '../../random.ts';

/** A body paint with texture variation: plain, speckled, striped, dotted or checked. */
export function texture(r: Random, base: RGB, other: RGB, allowed = ['plain', 'speckle', 'stripes', 'dots', 'checks']): Paint {
  const kind = r.pick(allowed);
  const period = r.range(0.04, 0.09);
  if (kind === 'speckle') return speckle(base, r.range(10, 30), r.int(0, 1e6));
  if (kind === 'stripes') return stripes(base, other, period, r.range(0, Math.PI));
  if (kind === 'dots') return dots(base, other, period, r.range(0.15, 0.3));
  if (kind === 'checks') return checks(base, other, period);
  return solid(base);
}

export const grey = (r: Random, level: number) => r.jitter([level, level + 4, level + 10], 14);
