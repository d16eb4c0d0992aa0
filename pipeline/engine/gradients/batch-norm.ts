/**
 * The gradient of batch normalization without `tile`. TF.js's own broadcasts 1/√(var+ε) to the whole input with
 * tile before multiplying, which on wasm took half of a MobileNet gradient step; a broadcasting multiply gives
 * the same values directly. Terms only some inputs need (x − mean) are computed only when asked for.
 */
import { tf, type Tensor } from '../tf.ts';

export const batchNormGradient: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
    const dyTensor = dy as Tensor;
    const perChannel = mean.rank === 1;
    const reductionAxes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: Tensor) => tf.reshape(perChannel ? tf.sum(t, reductionAxes) : t, mean.shape);
    const scaleValue = scale ?? tf.scalar(1);
    const oneOverSqrtVariance = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const dyTimesScale = () => tf.mul(dyTensor, scaleValue);
    const xMinusMean = () => tf.sub(x, mean);
    return {
      x: () => tf.mul(dyTensor, tf.mul(oneOverSqrtVariance, scaleValue)),
      mean: () => reduce(tf.mul(tf.neg(oneOverSqrtVariance), dyTimesScale())),
      variance: () => {
        const minusHalfRCube = tf.mul(tf.pow(oneOverSqrtVariance, 3), tf.scalar(-0.5));
        return reduce(tf.mul(tf.mul(minusHalfRCube, xMinusMean()), dyTimesScale()));
      },
      scale: () => reduce(tf.mul(dyTensor, tf.mul(xMinusMean(), oneOverSqrtVariance))),
      offset: () => reduce(dyTensor),
    };
  },
};
