// Type-checked (never run) by typescript.test.ts in a consumer project, with
// "strict" and each moduleResolution: the package's types must resolve for
// `ssimkit` and `ssimkit/tfjs`, and a TF.js training step must need no cast.
import * as tf from '@tensorflow/tfjs';
import { init, ssim, type InitInfo, type Result } from 'ssimkit';
import { dssimMaeLoss, ssimLoss, type TfLoss } from 'ssimkit/tfjs';

export async function scoreAndTrain(): Promise<number> {
  const info: InitInfo = await init();
  const img = { data: new Uint8Array(16 * 16 * 3), width: 16, height: 16 };
  const r: Result = ssim(img, img);
  // @ts-expect-error ssim takes images: unused (an error) if the types resolved to any
  ssim(1, 2);

  const model = tf.sequential({
    layers: [tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 1, kernelSize: 3, padding: 'same' })],
  });
  const x = tf.zeros([2, 16, 16, 1]);
  const y = tf.ones([2, 16, 16, 1]);
  const loss: TfLoss = dssimMaeLoss({ targetGrad: false });
  const optimizer = tf.train.adam(0.01);
  // The point: model.predict is Tensor | Tensor[], minimize wants () => Scalar.
  const cost: tf.Scalar | null = optimizer.minimize(() => loss(y, model.predict(x)), true);
  const s: tf.Scalar = ssimLoss()(y, x);
  // @ts-expect-error a loss is a Scalar, not a number
  const n: number = ssimLoss()(y, x);
  model.compile({ optimizer, loss: dssimMaeLoss() });
  return r.score + info.threads + (cost === null ? 0 : 1) + s.rank + n;
}
