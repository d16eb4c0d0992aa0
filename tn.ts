import { initBackend } from './pipeline/engine/backend.ts';
import { tf } from './pipeline/engine/tf.ts';
import { buildDemoNetwork } from './pipeline/demo/network.ts';
await initBackend({ ATLAS_BACKEND: 'wasm' });
const model = buildDemoNetwork(14, 1);
model.compile({ optimizer: tf.train.adam(0.003), loss: 'categoricalCrossentropy' });
const B = 64;
const x = tf.randomUniform([B, 64, 64, 3]); const y = tf.oneHot(tf.tensor1d(Array.from({length: B}, (_, i) => i % 14), 'int32'), 14).toFloat();
await model.trainOnBatch(x, y);
const totals = new Map<string, number>();
for (const k of tf.getKernelsForBackend('wasm')) {
  const f = k.kernelFunc;
  (k as any).kernelFunc = (args: any) => { const t = performance.now(); const out = f(args); totals.set(k.kernelName, (totals.get(k.kernelName) ?? 0) + performance.now() - t); return out; };
}
const t0 = performance.now(); await model.trainOnBatch(x, y); console.log('step ms', (performance.now() - t0).toFixed(0));
console.log([...totals].sort((a, b) => b[1] - a[1]).slice(0, 16).map(([k, v]) => `${k} ${v.toFixed(0)}`).join('\n'));
