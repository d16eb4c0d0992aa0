/** The worker task behind patch experiments: the model's top-1 class for a batch of images. */
import { tf } from '../../engine/tf.ts';
import { runnerFor } from '../../models/tasks.ts';
import { inputSize, toInput, type Preprocess } from '../../models/preprocess.ts';

export async function predict(input: { model: string; preprocess: Preprocess; pixels: Uint8Array }): Promise<Int32Array> {
  const runner = await runnerFor(input.model);
  const [height, width] = inputSize(input.preprocess);
  const size = height * width * 3;
  const images = Array.from({ length: input.pixels.length / size }, (_, i) => input.pixels.subarray(i * size, (i + 1) * size));
  const classes = tf.tidy(() => tf.argMax(tf.reshape(runner.tap(toInput(images, input.preprocess), ['logits']).logits!, [images.length, -1]), 1));
  const predictions = Int32Array.from(classes.dataSync());
  classes.dispose();
  return predictions;
}
