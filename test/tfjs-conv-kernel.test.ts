// The paper-comparison example swaps TF.js-CPU's Conv2DBackpropFilter for a
// direct loop (examples/fast-conv-filter-grad.mjs): it must agree with
// TF.js's own kernel on strides, paddings and channel counts.
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';

await tf.setBackend('cpu');
const x = tf.randomUniform([3, 13, 11, 2], 0, 1, 'float32', 1);
const cases = [
  { k: [3, 3, 2, 4], s: 1, pad: 'same' },
  { k: [3, 3, 2, 4], s: 2, pad: 'same' },
  { k: [5, 3, 2, 1], s: 2, pad: 'valid' },
  { k: [1, 1, 2, 3], s: 1, pad: 'valid' },
] as const;
const grads = () => cases.map(({ k, s, pad }) => {
  const w = tf.randomUniform([...k], -1, 1, 'float32', 2);
  return tf.grad((kk: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, kk as tf.Tensor4D, s, pad).square().mean())(w).dataSync();
});

it("the example's Conv2DBackpropFilter equals TF.js's", async () => {
  const reference = grads();
  const before = tf.getKernel('Conv2DBackpropFilter', 'cpu')!.kernelFunc;
  await import('../examples/fast-conv-filter-grad.mjs');
  // Really replaced: otherwise this would compare TF.js with itself.
  expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')!.kernelFunc).not.toBe(before);
  const fast = grads();
  reference.forEach((r, i) => {
    let worst = 0;
    r.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - fast[i]![j]!))));
    const scale = r.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(worst).toBeLessThanOrEqual(1e-5 * scale);
  });
});
