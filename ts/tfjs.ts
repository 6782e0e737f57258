// TensorFlow.js adapter: `import { dssimMaeLoss } from 'ssimkit/tfjs'`.
//
// Each export makes a TF.js loss, `(yTrue, yPred) => Scalar` (TF.js's own
// argument order, so it drops into `model.compile({ loss })`), whose
// gradient is ssimkit's analytic backward pass, supplied through
// `tf.customGrad`. Call ssimkit's `init()` once first.

import { customGrad, mul, scalar, tensor, type Tensor, zerosLike } from '@tensorflow/tfjs-core';
import * as losses from './losses.js';
import type {
  DssimMaeLossOptions, LossInput, LossResult, LwssimLossOptions, MsssimLossOptions, SsimLossOptions,
} from './types.js';

type Loss<O> = (pred: LossInput, target: LossInput, options?: O) => LossResult;
type TfLoss = (yTrue: Tensor, yPred: Tensor) => Tensor;

function batchShape(fn: string, t: Tensor): [number, number, number, number] {
  if (t.dtype !== 'float32') throw new TypeError(`${fn}: tensors must be float32, got ${t.dtype}`);
  if (t.rank === 4) return t.shape as [number, number, number, number];
  if (t.rank === 3) return [1, ...(t.shape as [number, number, number])];
  throw new RangeError(`${fn}: tensors must be [batch, height, width, channels] or [height, width, channels], got rank ${t.rank}`);
}

function adapt<O extends object>(fn: string, loss: Loss<O>, options?: O): TfLoss {
  if ((options as { grad?: unknown } | undefined)?.grad !== undefined) {
    throw new TypeError(`${fn}: the gradient is TensorFlow.js's to ask for; drop the 'grad' option`);
  }
  const f = customGrad(((yTrue: Tensor, yPred: Tensor) => {
    const shape = batchShape(fn, yPred);
    // The gradient is computed with the value: a training step always needs
    // both, and one pass costs less than two.
    const r = loss({ data: yPred.dataSync() as Float32Array, shape }, { data: yTrue.dataSync() as Float32Array, shape: batchShape(fn, yTrue) },
      { ...options, grad: true } as O);
    return {
      value: scalar(r.loss),
      gradFunc: (dy: Tensor) => [zerosLike(yTrue), mul(tensor(r.grad!, yPred.shape, 'float32'), dy)],
    };
  }) as never) as unknown as TfLoss;
  return (yTrue, yPred) => f(yTrue, yPred);
}

/** 1 - SSIM as a TF.js loss. */
export const ssimLoss = (options?: Omit<SsimLossOptions, 'grad' | 'perSample'>) => adapt('ssimLoss', losses.ssimLoss, options);
/** 1 - MS-SSIM as a TF.js loss. */
export const msssimLoss = (options?: Omit<MsssimLossOptions, 'grad' | 'perSample'>) => adapt('msssimLoss', losses.msssimLoss, options);
/** alpha (1 - S) + beta L1 / L as a TF.js loss. */
export const dssimMaeLoss = (options?: Omit<DssimMaeLossOptions, 'grad' | 'perSample'>) => adapt('dssimMaeLoss', losses.dssimMaeLoss, options);
/** 1 - LWSSIM / 2 as a TF.js loss. */
export const lwssimLoss = (options?: Omit<LwssimLossOptions, 'grad' | 'perSample'>) => adapt('lwssimLoss', losses.lwssimLoss, options);
