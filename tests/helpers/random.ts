/** Seeded pseudo-random values (mulberry32), so kernel tests use the same inputs every run. */
export function seededValues(length: number, seed: number): Float32Array {
  let state = (seed * 0x9e3779b9) >>> 0;
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return values;
}
