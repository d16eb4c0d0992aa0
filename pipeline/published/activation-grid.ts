/**
 * The activation grid of one image (Distill's "activation grid"): for each spatial position of a layer, the icon of
 * the activation vector there, drawn over the image. An additive part of the published format
 * (pipeline/published/format.ts), written by the pipeline under public/atlases/<atlas>/:
 *
 *   manifest.json                              AtlasManifest.activationGrids: the index of grids (next to `views`)
 *   activation-grids/<id>/grid.json            ActivationGridIndex
 *   activation-grids/<id>/image.jpg            the image as the model saw it (square, after preprocessing)
 *   activation-grids/<id>/icons.jpg            sprite of the positions' icons, `icons.perRow` per row, row-major
 *
 * Type-only: the ActivationGrid component reads these at build time.
 */

export const ACTIVATION_GRID_FORMAT_VERSION = 1;

/** An activation grid in the manifest's index: its folder (`path`, relative to the atlas) holds grid.json. */
export interface ActivationGridEntry {
  layer: string;
  title: string;
  path: string;
}

export interface ActivationGridIndex {
  version: typeof ACTIVATION_GRID_FORMAT_VERSION;
  atlas: string;
  /** The grid's id, also its folder name under activation-grids/. */
  id: string;
  layer: string;
  title: string;
  image: { file: 'image.jpg'; width: number; height: number; /** The image's true class, when known. */ label?: string };
  /** The layer's spatial size: positions per column and per row. */
  rows: number;
  columns: number;
  /** The icon sprite: each icon is `size` px square; icon i sits at column i % perRow, row ⌊i / perRow⌋. */
  icons: { file: 'icons.jpg'; size: number; perRow: number };
  /** Class names by label index (the manifest's list). */
  labels: string[];
  /** One entry per position, row-major (rows × columns). */
  positions: ActivationGridPosition[];
  /** Text alternative generated from the data: what the grid shows where. */
  description: string;
}

export interface ActivationGridPosition {
  row: number;
  column: number;
  /** Norm of the activation vector relative to the largest in this image, in [0, 1]; icons are drawn that large. */
  magnitude: number;
  /** Index of this position's icon in the sprite; -1 when the activation is too weak to draw. */
  icon: number;
  /** [label index, attribution], descending, at most 5. */
  classes: [number, number][];
}
