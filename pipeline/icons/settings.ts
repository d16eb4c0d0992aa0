/** What an icon's pixels depend on, besides its model, layer and direction: the recipe's `icons` section. */
import type { Recipe } from '../recipes/schema.ts';

export type IconParams = Recipe['icons'];

/** The parameters that change an icon's pixels (not the batch size, which only groups work). */
export interface IconSettings {
  size: number;
  steps: number;
  attempts: number;
  learningRate: number;
  cosinePower: number;
  parameterization: 'fourier' | 'pixels';
  decorrelate: boolean;
  redirectedReluSteps: number;
}

/** The settings of an icon that starts from its parent's icon: fewer steps, and no redirected-ReLU phase. */
export function warmSettings(params: IconParams): IconSettings {
  return { ...iconSettings(params), steps: params.warmStartSteps ?? Math.max(1, Math.round(params.steps / 4)), redirectedReluSteps: 0 };
}

export function iconSettings(params: IconParams): IconSettings {
  const { size, steps, attempts, learningRate, cosinePower, parameterization, decorrelate, redirectedReluSteps } = params;
  return { size, steps, attempts, learningRate, cosinePower, parameterization, decorrelate, redirectedReluSteps };
}
