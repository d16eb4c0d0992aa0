/**
 * Which gradients the engine uses: "fast" (the default: fused convolution units with input-only gradients) or
 * "reference" (ATLAS_GRADIENTS=reference: the same units unfused, under TF.js's own gradients). The reference
 * exists for parity tests and for benchmarks that compare both in one run; read per thread, so a worker pool's
 * env sets it for its workers.
 */
export function fastGradients(env: Record<string, string | undefined> = process.env): boolean {
  return env.ATLAS_GRADIENTS !== 'reference';
}
