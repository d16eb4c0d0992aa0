/**
 * What an atlas figure's component embeds for the client (one <script type="application/json"> per figure): the
 * views it can show, trimmed from each view.json to what the viewer needs, and where it starts.
 */
import type { LevelIndex, ViewKind } from '../../../pipeline/published/format.ts';
import type { Box } from '../../../pipeline/published/figure-props.ts';

export type { Box };

export interface ClientView {
  id: string;
  kind: ViewKind;
  layer: string;
  title: string;
  classes?: string[];
  /** The view's folder URL, base path included, ending in "/". */
  url: string;
  image: { width: number; height: number; tileSize: number; overlap: number; format: 'jpeg' | 'webp' };
  background: string;
  levels: LevelIndex[];
  examples: number;
  focusClasses: string[];
  samples: number;
  /** Text alternative (view.json `description`), shown to screen readers for the current view. */
  description: string;
}

/** Where a figure is looking: the parts a deep link, an <AtlasLink> or a scrollytelling step set. */
export interface ViewState {
  view: string;
  box?: Box;
  /** A class name; null clears the focus. */
  focus?: string | null;
  /** Map points whose cells are outlined. */
  highlight?: [number, number][];
}

export interface FigureConfig {
  atlas: string;
  /** Class names by label index. */
  labels: string[];
  /** First the one the figure opens with. */
  views: ClientView[];
  initial: ViewState;
  /** Draw class labels over the map. */
  showLabels: boolean;
}

/** The figure's config, from its embedded JSON. */
export function readConfig(figure: HTMLElement): FigureConfig {
  const script = figure.querySelector<HTMLScriptElement>('script.atlas-config');
  if (!script?.textContent) throw new Error(`atlas figure #${figure.id} has no config`);
  return JSON.parse(script.textContent) as FigureConfig;
}

/** A DZI tile source from the view's index, so that no tiles.dzi request is needed. */
export function tileSourceOf(view: ClientView) {
  return {
    Image: {
      xmlns: 'http://schemas.microsoft.com/deepzoom/2008',
      Url: `${view.url}tiles_files/`,
      Format: view.image.format,
      Overlap: String(view.image.overlap),
      TileSize: String(view.image.tileSize),
      Size: { Width: String(view.image.width), Height: String(view.image.height) },
    },
  };
}
