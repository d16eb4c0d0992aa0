/**
 * Cell data on demand: a view's cells come in chunks of CHUNK_CELLS² grid cells (format.ts), fetched the first
 * time a hover, a tap, a focus or the labels need them, then kept. Hit-testing is arithmetic on map coordinates:
 * the cell under a point is found from its column and row, never from DOM overlays.
 */
import { CHUNK_CELLS, type CellChunk, type CellRecord, type LevelIndex } from '../../../pipeline/published/format.ts';
import type { Box, ClientView } from './config.ts';

export interface LocatedCell {
  cell: CellRecord;
  size: number;
  /** The chunk it came from and its row there (the row of its examples in the chunk's sprite). */
  chunk: string;
  row: number;
}

interface LoadedChunk {
  cells: Map<number, LocatedCell>;
  list: LocatedCell[];
}

export class CellStore {
  private readonly chunks = new Map<string, Promise<LoadedChunk | undefined>>();
  private readonly loaded = new Map<string, LoadedChunk>();

  constructor(private readonly onLoad: () => void) {}

  /** The kept cell containing map point (x, y) at this level, or undefined (empty there, or outside the map). */
  async cellAt(view: ClientView, level: LevelIndex, x: number, y: number): Promise<LocatedCell | undefined> {
    if (x < 0 || y < 0 || x >= 1 || y >= 1) return undefined;
    const column = Math.floor(x * level.size);
    const row = Math.floor(y * level.size);
    const chunk = await this.chunk(view, level, Math.floor(column / CHUNK_CELLS), Math.floor(row / CHUNK_CELLS));
    return chunk?.cells.get(row * level.size + column);
  }

  /** The cells already loaded in `box` at this level; starts loading the missing chunks there (onLoad fires). */
  cellsIn(view: ClientView, level: LevelIndex, box: Box): LocatedCell[] {
    const found: LocatedCell[] = [];
    const last = Math.ceil(level.size / CHUNK_CELLS) - 1;
    const block = (v: number) => Math.min(last, Math.max(0, Math.floor((v * level.size) / CHUNK_CELLS)));
    for (let by = block(box[1]); by <= block(box[3]); by++) {
      for (let bx = block(box[0]); bx <= block(box[2]); bx++) {
        const loaded = this.loaded.get(chunkKey(view, level, bx, by));
        if (loaded) found.push(...loaded.list);
        else void this.chunk(view, level, bx, by);
      }
    }
    return found;
  }

  private chunk(view: ClientView, level: LevelIndex, bx: number, by: number): Promise<LoadedChunk | undefined> {
    const name = `${bx}_${by}`;
    // Chunks without a kept cell are not written: never ask for them.
    if (!level.chunks.includes(name)) return Promise.resolve(undefined);
    const key = chunkKey(view, level, bx, by);
    let pending = this.chunks.get(key);
    if (!pending) {
      pending = fetch(`${view.url}cells/${level.size}/${name}.json`)
        .then((response) => {
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          return response.json() as Promise<CellChunk>;
        })
        .then((data) => {
          const list = data.cells.map((cell, row): LocatedCell => ({ cell, size: level.size, chunk: name, row }));
          const loaded = { list, cells: new Map(list.map((located) => [located.cell.y * level.size + located.cell.x, located])) };
          this.loaded.set(key, loaded);
          this.onLoad();
          return loaded;
        })
        .catch(() => {
          // Forget the failure so that a later hover tries again (a flaky phone connection).
          this.chunks.delete(key);
          return undefined;
        });
      this.chunks.set(key, pending);
    }
    return pending;
  }
}

function chunkKey(view: ClientView, level: LevelIndex, bx: number, by: number): string {
  return `${view.id}/${level.size}/${bx}_${by}`;
}

/** A cell's attribution to label `label` (index): exact for the view's focus classes, else from its top classes. */
export function attributionTo(cell: CellRecord, label: number, labelName: string, focusClasses: string[]): number {
  const exact = focusClasses.indexOf(labelName);
  if (exact !== -1 && cell.focus[exact] !== undefined) return cell.focus[exact]!;
  return cell.classes.find(([index]) => index === label)?.[1] ?? 0;
}

/** The map box a cell covers. */
export function cellBox(cell: CellRecord, size: number): Box {
  return [cell.x / size, cell.y / size, (cell.x + 1) / size, (cell.y + 1) / size];
}
