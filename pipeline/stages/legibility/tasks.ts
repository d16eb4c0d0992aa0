/**
 * The legibility stage's work, run in pool workers: the judge model's class for each of a batch of images
 * (icons or noise, as PNG bytes), read at the judge's input size with the atlas's preprocessing.
 */
import { tf } from '../../engine/tf.ts';
import { runnerFor } from '../../models/tasks.ts';
import { readImage, toInput, type Preprocess } from '../../models/preprocess.ts';

export interface ClassifyInput {
  model: string;
  preprocess: Preprocess;
  /** One encoded image (PNG) each. */
  images: Uint8Array[];
}

/** Each image's argmax over the judge's logits. */
export async function classifyImages(input: ClassifyInput): Promise<Int32Array> {
  const runner = await runnerFor(input.model);
  const pixels = await Promise.all(input.images.map((image) => readImage(Buffer.from(image.buffer, image.byteOffset, image.byteLength), input.preprocess)));
  const classes = tf.tidy(() => tf.argMax(tf.reshape(runner.tap(toInput(pixels, input.preprocess), ['logits']).logits!, [pixels.length, -1]), 1));
  const values = Int32Array.from(await classes.data());
  classes.dispose();
  return values;
}
