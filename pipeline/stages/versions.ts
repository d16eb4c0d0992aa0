/** The code version of each cached stage, by the name of its folder in the cache (see tests/unit/stage-versions.test.ts). */
import { ACTIVATION_GRID_VERSION } from './activation-grid/stage.ts';
import { ACTIVATIONS_VERSION } from './activations/stage.ts';
import { ICONS_VERSION } from '../icons/stage.ts';
import { LEGIBILITY_VERSION } from './legibility/stage.ts';
import { PATCHES_VERSION } from './patches/stage.ts';
import { GRID_VERSION } from './grid/keys.ts';
import { LAYOUT_VERSION } from './layout/keys.ts';
import { RENDER_VERSION } from './render/keys.ts';

export const STAGE_VERSIONS: Record<string, number> = {
  activations: ACTIVATIONS_VERSION,
  'activation-grid': ACTIVATION_GRID_VERSION,
  layout: LAYOUT_VERSION,
  grid: GRID_VERSION,
  icons: ICONS_VERSION,
  legibility: LEGIBILITY_VERSION,
  patches: PATCHES_VERSION,
  render: RENDER_VERSION,
};
