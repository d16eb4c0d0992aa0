/**
 * One canvas over OpenSeadragon's drawer for everything drawn on top of the map: class focus (cells fade by their
 * attribution to the class), the outline of the inspected cell, a step's highlighted cells and the class labels.
 * Fading is a wash of the map's background colour over each cell rather than a change to the tiles, so it
 * works with any drawer and costs one rectangle per visible cell.
 */
import type { LocatedCell } from './cells.ts';

/** Screen position of the map: pixel = origin + map coordinate × scale (no rotation). */
export interface MapTransform {
  originX: number;
  originY: number;
  scale: number;
}

export interface OverlayScene {
  transform: MapTransform;
  background: string;
  /** Visible cells with, when a class is focused, how much each keeps of its colour (0 faded … 1 as is). */
  faded?: { located: LocatedCell; keep: number }[];
  /** Cells whose outline is drawn: the inspected one, a step's highlights. */
  outlined: LocatedCell[];
  labels: { text: string; x: number; y: number }[];
  /** Colours for text on the map, from the page's scheme. */
  ink: string;
  halo: string;
}

/** How opaque the wash over a cell with no attribution is: enough to recede, not to vanish. */
const MAX_FADE = 0.86;

export class Overlay {
  readonly canvas = document.createElement('canvas');
  private readonly context: CanvasRenderingContext2D;

  constructor(host: HTMLElement) {
    this.canvas.className = 'atlas-overlay';
    this.canvas.setAttribute('aria-hidden', 'true');
    host.append(this.canvas);
    this.context = this.canvas.getContext('2d')!;
  }

  draw(scene: OverlayScene): void {
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
    }
    const c = this.context;
    c.setTransform(ratio, 0, 0, ratio, 0, 0);
    c.clearRect(0, 0, width, height);
    const { originX, originY, scale } = scene.transform;
    const rect = ({ cell, size }: LocatedCell) => {
      const side = scale / size;
      return [originX + cell.x * side, originY + cell.y * side, side, side] as const;
    };

    if (scene.faded) {
      c.fillStyle = scene.background;
      for (const { located, keep } of scene.faded) {
        c.globalAlpha = MAX_FADE * (1 - keep);
        if (c.globalAlpha > 0.01) c.fillRect(...rect(located));
      }
      c.globalAlpha = 1;
    }

    for (const located of scene.outlined) {
      const [x, y, w, h] = rect(located);
      // Two strokes, dark and light, so the outline shows on any icon.
      c.lineWidth = 3;
      c.strokeStyle = 'rgb(0 0 0 / 0.8)';
      c.strokeRect(x + 1.5, y + 1.5, w - 3, h - 3);
      c.lineWidth = 1.5;
      c.strokeStyle = '#ffffff';
      c.strokeRect(x + 1.5, y + 1.5, w - 3, h - 3);
    }

    if (scene.labels.length) {
      c.font = `600 13px ${getComputedStyle(this.canvas).fontFamily || 'sans-serif'}`;
      c.textAlign = 'center';
      c.textBaseline = 'middle';
      c.lineJoin = 'round';
      c.lineWidth = 4;
      c.strokeStyle = scene.halo;
      c.fillStyle = scene.ink;
      for (const label of scene.labels) {
        c.strokeText(label.text, label.x, label.y);
        c.fillText(label.text, label.x, label.y);
      }
    }
  }
}
