// ssimkit/tfjs in TensorFlow.js (pure-JS CPU backend, no native binary):
// the customGrad gradient is ssimkit's, and a small convolutional
// auto-encoder trains with each loss through model.compile / fit.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { dssimMaeLoss as rawDssimMae, init, ssimLoss as rawSsimLoss } from 'ssimkit';
import { dssimMaeLoss, lwssimLoss, msssimLoss, ssimLoss } from 'ssimkit/tfjs';

await init();
await tf.setBackend('cpu');

// 16 gray 24x24 patches of the shipped photo, in [0, 1].
const png = PNG.sync.read(readFileSync(new URL('../examples/images/chelsea.png', import.meta.url)));
const P = 24, COUNT = 16;
const patches = new Float32Array(COUNT * P * P);
for (let k = 0; k < COUNT; k++) {
  const ox = 40 + (k % 4) * 90, oy = 30 + Math.floor(k / 4) * 60;
  for (let y = 0; y < P; y++)
    for (let x = 0; x < P; x++) {
      const i = ((oy + y) * png.width + ox + x) * 4;
      patches[(k * P + y) * P + x] = (0.299 * png.data[i]! + 0.587 * png.data[i + 1]! + 0.114 * png.data[i + 2]!) / 255;
    }
}
const images = tf.tensor4d(patches, [COUNT, P, P, 1]);

describe('ssimkit/tfjs', () => {
  it("tf.grad through the loss is ssimkit's gradient", () => {
    const noisy = tf.tidy(() => tf.clipByValue(images.add(tf.randomNormal(images.shape, 0, 0.05, 'float32', 7)), 0, 1));
    const loss = dssimMaeLoss({ size: 7 });
    const g = tf.grad((yPred: tf.Tensor) => loss(images, yPred))(noisy);
    const want = rawDssimMae({ data: noisy.dataSync() as Float32Array, shape: [COUNT, P, P, 1] },
      { data: images.dataSync() as Float32Array, shape: [COUNT, P, P, 1] }, { size: 7, grad: true });
    expect(Array.from(g.dataSync())).toEqual(Array.from(want.grad!));
    expect((loss(images, noisy).dataSync()[0])).toBeCloseTo(want.loss, 6);
  });

  it('yTrue gets its gradient too (the loss depends on both), zeros with targetGrad: false', () => {
    const noisy = tf.tidy(() => tf.clipByValue(images.add(tf.randomNormal(images.shape, 0, 0.05, 'float32', 11)), 0, 1));
    const shape = [COUNT, P, P, 1] as [number, number, number, number];
    const gTrue = tf.grad((yTrue: tf.Tensor) => ssimLoss({ size: 7 })(yTrue, noisy))(images);
    // Symmetric loss: d loss(pred, target)/d target is the backward pass with the roles swapped.
    const swapped = rawSsimLoss({ data: images.dataSync() as Float32Array, shape }, { data: noisy.dataSync() as Float32Array, shape }, { size: 7, grad: true });
    const g = gTrue.dataSync() as Float32Array;
    expect(Array.from(g)).toEqual(Array.from(swapped.grad!));
    // And it is the derivative: central differences on a few pixels of yTrue.
    const f = (t: Float32Array) => rawSsimLoss({ data: noisy.dataSync() as Float32Array, shape }, { data: t, shape }, { size: 7 }).loss;
    const base = images.dataSync() as Float32Array;
    for (const i of [100, 2000, 5000, 9000]) {
      const h = 1e-3;
      const up = base.slice(), down = base.slice();
      up[i] += h;
      down[i] -= h;
      const fd = (f(up) - f(down)) / (up[i]! - down[i]!);
      expect(Math.abs(fd - g[i]!)).toBeLessThan(0.02 * Math.abs(fd) + 1e-7);
    }
    expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(0);
    const off = tf.grad((yTrue: tf.Tensor) => ssimLoss({ size: 7, targetGrad: false })(yTrue, noisy))(images);
    expect((off.dataSync() as Float32Array).every((v) => v === 0)).toBe(true);
  });

  it("yPred may be model.predict's one-tensor array; more is a TypeError", () => {
    const noisy = tf.tidy(() => tf.clipByValue(images.add(tf.randomNormal(images.shape, 0, 0.05, 'float32', 3)), 0, 1));
    const loss = ssimLoss({ size: 7 });
    const one = loss(images, noisy);
    expect(one.rank).toBe(0);
    expect(loss(images, [noisy]).dataSync()[0]).toBe(one.dataSync()[0]);
    const g = tf.grad((p: tf.Tensor) => loss(images, [p]))(noisy);
    expect(Array.from(g.dataSync())).toEqual(Array.from(tf.grad((p: tf.Tensor) => loss(images, p))(noisy).dataSync()));
    expect(() => loss(images, [noisy, noisy])).toThrow(TypeError);
    expect(() => loss(images, [noisy, noisy])).toThrow(/^ssimLoss: yPred must be one tensor .*got an array of 2/);
  });

  it('rejects int tensors and a grad option clearly', () => {
    expect(() => ssimLoss()(tf.zeros([1, 8, 8, 1], 'int32'), tf.zeros([1, 8, 8, 1], 'int32'))).toThrow(/must be float32, got int32/);
    expect(() => ssimLoss({ grad: true } as never)).toThrow(TypeError);
  });

  const cases = {
    ssimLoss: ssimLoss({ size: 7 }),
    msssimLoss: msssimLoss({ size: 5, scales: 2 }),
    dssimMaeLoss: dssimMaeLoss({ size: 7 }),
    lwssimLoss: lwssimLoss({ levels: [3, 5, 7] }),
  };
  it.each(Object.entries(cases))('a conv auto-encoder trains with %s (model.compile + fit)', async (_name, loss) => {
    tf.engine().startScope();
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [P, P, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss });
    const h = await model.fit(images, images, { epochs: 12, batchSize: 8, shuffle: false, verbose: 0 });
    const l = h.history.loss as number[];
    expect(l.every(Number.isFinite)).toBe(true);
    expect(l[l.length - 1]!).toBeLessThan(0.8 * l[0]!);
    tf.engine().endScope();
  });
});
