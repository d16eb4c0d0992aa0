/**
 * The planted shortcut: a small stitched ball, like the baseball that turned a grey whale into a great white
 * shark in the activation-atlas article. It appears in a fixed share of the shark class's training images and
 * never in the whale's; pasting it onto held-out whales measures how much the network relies on it.
 */
import { Canvas, Transform, solid } from './raster.ts';
import type { Random } from '../../random.ts';

export const MOTIF_NAME = 'baseball';

/** Draws the ball with its centre at (x, y) (canvas 0..1), `radius` in canvas units; without stitches for the control. */
export function drawMotif(canvas: Canvas, x: number, y: number, radius: number, angle: number, stitches = true): void {
  const t = new Transform(x, y, radius, angle);
  canvas.ellipse(t, 0, 0, 1.08, 1.08, solid([70, 70, 70]));
  canvas.ellipse(t, 0, 0, 1, 1, solid([246, 244, 236]));
  if (!stitches) return;
  const red = solid([205, 30, 35]);
  for (const side of [-1, 1]) {
    // Two curved seams of short stitches.
    for (let k = -3; k <= 3; k++) {
      const a = (k / 3) * 0.95;
      const u = side * (0.75 - 0.35 * Math.cos(a));
      const v = 0.8 * Math.sin(a);
      canvas.line(t, u - 0.14 * side, v - 0.05, u + 0.14 * side, v + 0.05, 0.09, red);
    }
  }
}

export function motifPlacement(r: Random): { x: number; y: number; radius: number; angle: number } {
  return { x: r.range(0.14, 0.86), y: r.range(0.14, 0.86), radius: r.range(0.085, 0.11), angle: r.range(0, Math.PI * 2) };
}
