/**
 * The fourteen classes of the synthetic world, drawn in an object's local coordinates (about −1..1). Classes
 * share scenes and parts so that an atlas of a network trained on them has structure worth seeing: sea
 * creatures and boats on water, fliers in the sky, plants on grass, vehicles and buildings by the street. The
 * whale and the shark are the confusable pair: grey bodies with tails in water, told apart by the shark's fin,
 * pointed snout and white belly, and the whale's blunt head and pale patches.
 */
import type { Canvas, Transform } from './raster.ts';
import type { Random } from '../../random.ts';
import { LAND } from './classes-land.ts';
import { WATER_AND_SKY } from './classes-water-and-sky.ts';
import type { Scene } from './scenes.ts';

export interface ClassSpec {
  name: string;
  /** The scene the object usually appears in, and the chance of another scene instead. */
  scene: Scene;
  elsewhere?: { scene: Scene; chance: number };
  draw(canvas: Canvas, t: Transform, r: Random): void;
}

/** In this order: a class's index is its label. */
export const CLASSES: ClassSpec[] = [...WATER_AND_SKY, ...LAND];
