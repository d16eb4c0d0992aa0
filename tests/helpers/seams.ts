/**
 * Seams: thin light lines through drawn map content, as an engine leaves them between tiles that do not quite
 * meet (the white page shows through, fully or blended). A seam pixel is at least LIGHTER brighter than both the
 * pixels two above and two below it (for a row; left and right for a column); a seam is a run of at least `minRun`
 * such pixels along one row or column. Meant for smooth content (the "seams" fixture's texture), where
 * neighbouring pixels four apart differ by far less.
 */
import sharp from 'sharp';

export interface Seam {
  direction: 'row' | 'column';
  /** Row or column index in the image, and where the run starts and how long it is. */
  at: number;
  from: number;
  length: number;
}

/** How much lighter (in luma, 0–255) than its neighbours a pixel must be to count. */
const LIGHTER = 20;

export async function findSeams(png: Buffer, minRun = 16): Promise<Seam[]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const luma = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) luma[i] = 0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!;
  const seams: Seam[] = [];
  const scan = (direction: 'row' | 'column', lines: number, along: number, index: (line: number, position: number) => number, step: number) => {
    for (let line = 2; line < lines - 2; line++) {
      let run = 0;
      for (let position = 0; position <= along; position++) {
        const i = position < along ? index(line, position) : -1;
        const seam = i >= 0 && luma[i]! - LIGHTER > Math.max(luma[i - 2 * step]!, luma[i + 2 * step]!);
        if (seam) run++;
        else {
          if (run >= minRun) seams.push({ direction, at: line, from: position - run, length: run });
          run = 0;
        }
      }
    }
  };
  scan('row', height, width, (y, x) => y * width + x, width);
  scan('column', width, height, (x, y) => y * width + x, 1);
  return seams;
}
