// Trains a tiny convolutional denoiser in TensorFlow.js with ssimkit's
// DSSIM+MAE loss (its gradient is ssimkit's analytic backward pass) and
// prints the loss at each step: `node train.mjs`.
import * as tf from '@tensorflow/tfjs';
import { init } from 'ssimkit';
import { dssimMaeLoss } from 'ssimkit/tfjs';

await init();
await tf.setBackend('cpu'); // pure JavaScript: no native binary to install

// 8 smooth 32x32 gray images in [0, 1], and noisy copies to restore.
const N = 8, S = 32;
const clean = tf.tidy(() => {
  const y = tf.linspace(0, 1, S).reshape([1, S, 1, 1]);
  const x = tf.linspace(0, 1, S).reshape([1, 1, S, 1]);
  const k = tf.range(1, N + 1).reshape([N, 1, 1, 1]);
  return tf.sin(x.mul(k).mul(3)).mul(tf.cos(y.mul(k).mul(2))).mul(0.4).add(0.5);
});
const noisy = tf.tidy(() => tf.clipByValue(clean.add(tf.randomNormal(clean.shape, 0, 0.1, 'float32', 1)), 0, 1));

const seeded = (seed) => tf.initializers.glorotUniform({ seed });
const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [S, S, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: seeded(1) }),
    tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid', kernelInitializer: seeded(2) }),
  ],
});

// #region train
// The target is data, not trained: no gradient for it.
const loss = dssimMaeLoss({ targetGrad: false });
const optimizer = tf.train.adam(0.02);
for (let step = 1; step <= 15; step++) {
  const cost = optimizer.minimize(() => loss(clean, model.predict(noisy)), true);
  console.log(`step ${String(step).padStart(2)}  loss ${cost.dataSync()[0].toFixed(6)}`);
  cost.dispose();
}
// #endregion
// model.compile({ optimizer: 'adam', loss: dssimMaeLoss() }) and model.fit()
// work too: the loss has TF.js's (yTrue, yPred) signature.
