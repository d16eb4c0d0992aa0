/**
 * What the pipeline publishes for the site under public/atlases/<atlas>/ — the contract between the render
 * stage (which writes it) and the atlas viewer (which reads it). Type-only: the client imports these types.
 *
 *   manifest.json                         AtlasManifest (manifest.ts): the index of views and figures, provenance
 *   <view>/view.json                      ViewIndex
 *   <view>/tiles.dzi, tiles_files/L/C_R   one deep-zoom pyramid per view (semantic zoom: see ViewIndex.levels)
 *   <view>/cells/<size>/<bx>_<by>.json    CellChunk: the kept cells of one block of CHUNK_CELLS² grid cells
 *   <view>/examples/<size>/<bx>_<by>.jpg  data-set example thumbnails of that chunk's cells: one row per cell
 *                                         (in the chunk's order), one column per example, ViewIndex.examples px
 *   <view>/thumbnail.jpg                  small whole-map image (minimap placeholder)
 *   <view>/static.jpg                     the whole map for print, readers without JavaScript and social cards
 *
 * A view is one map: a layer's atlas, a class atlas, or a two-class comparison. Map coordinates are [0, 1]²
 * with y down; the pyramid's image is square and covers exactly that square, so OpenSeadragon's viewport
 * coordinates (image width 1) are map coordinates. Cell (x, y) of a grid of `size` covers
 * [x / size, (x + 1) / size] × [y / size, (y + 1) / size].
 */

export const FORMAT_VERSION = 1;

/** Cells per side of one cell-data chunk. */
export const CHUNK_CELLS = 16;

export type ViewKind = 'layer' | 'class' | 'comparison';

export interface ViewIndex {
  version: typeof FORMAT_VERSION;
  atlas: string;
  /** The view's id, also its folder name: "<layer>", "<layer>.class-<class>", "<layer>.compare-<a>-<b>". */
  view: string;
  kind: ViewKind;
  layer: string;
  /** For a class atlas, its class; for a comparison, [left, right] (x grows towards `right`). */
  classes?: string[];
  title: string;
  /** Samples laid out in this view. */
  samples: number;
  /** Class names by label index (the same list as the manifest's). */
  labels: string[];
  /** Classes with exact per-cell mean attributions (CellRecord.focus, same order). */
  focusClasses: string[];
  /** The pyramid: full-resolution size and tiling. */
  image: { dzi: 'tiles.dzi'; width: number; height: number; tileSize: number; overlap: number; format: 'jpeg' | 'webp' };
  background: string;
  /**
   * Grid levels, coarse to fine. `dziLevel` is the pyramid level drawn from this grid: at that level the image is
   * size × pixelsPerCell pixels wide. Pyramid levels between two grids' levels are downsampled from the finer
   * grid; levels coarser than the coarsest grid are downsampled from it.
   */
  levels: LevelIndex[];
  /** Side of one example thumbnail in the sprites, in pixels (0 when the view has none). */
  examples: number;
  thumbnail: 'thumbnail.jpg';
  static: 'static.jpg';
  /** Text alternative generated from the data: the most frequent classes by region. */
  description: string;
}

export interface LevelIndex {
  size: number;
  pixelsPerCell: number;
  dziLevel: number;
  /** Kept cells at this level. */
  cells: number;
  /** The chunks that exist, as "bx_by" (blocks with no kept cell are not written). */
  chunks: string[];
}

export interface CellChunk {
  size: number;
  block: [number, number];
  cells: CellRecord[];
}

export interface CellRecord {
  /** Column and row in this level's grid, from the top left. */
  x: number;
  y: number;
  /** Samples averaged into this cell ("average of N activations"). */
  count: number;
  /** [label index, mean attribution], descending, at most 20 (a class absent here has ≈ 0). */
  classes: [number, number][];
  /** Exact mean attribution for each of ViewIndex.focusClasses. */
  focus: number[];
  /** Origins of the samples nearest the cell's mean activation: [image index, row, column] in the layer. */
  examples: [number, number, number][];
  /** Bounding box of the cell's samples, [x0, y0, x1, y1] in map coordinates. */
  extent: [number, number, number, number];
}
