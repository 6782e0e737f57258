// TensorFlow.js adapter: `import { dssimMaeLoss } from 'ssimkit/tfjs'`.
//
// Each export makes a TF.js loss, `(yTrue, yPred) => Scalar` (TF.js's own
// argument order, so it drops into `model.compile({ loss })`), whose
// gradient is ssimkit's analytic backward pass, supplied through
// `tf.customGrad`. Call ssimkit's `init()` once first.
// Typed `Scalar`, and `yPred` takes what `model.predict` is typed to return
// (`Tensor | Tensor[]`; an array must hold one tensor), so a strict
// `optimizer.minimize(() => loss(y, model.predict(x)))` needs no cast.

import { customGrad, mul, type Scalar, scalar, tensor, type Tensor, zerosLike } from '@tensorflow/tfjs-core';
import * as losses from './losses.js';
import type {
  DssimMaeLossOptions, LossInput, LossResult, LwssimLossOptions, MsssimLossOptions, SsimLossOptions,
} from './types.js';

type Loss<O> = (pred: LossInput, target: LossInput, options?: O) => LossResult;
/** A TF.js loss: the batch mean as a Scalar, differentiable in both arguments. */
export type TfLoss = (yTrue: Tensor, yPred: Tensor | Tensor[]) => Scalar;

/** `model.predict`'s result as the one tensor a loss takes. */
function single(fn: string, name: string, t: Tensor | Tensor[]): Tensor {
  if (!Array.isArray(t)) return t;
  if (t.length !== 1) throw new TypeError(`${fn}: ${name} must be one tensor (a single-output model's prediction), got an array of ${t.length}`);
  return t[0]!;
}

function batchShape(fn: string, t: Tensor): [number, number, number, number] {
  if (t.dtype !== 'float32') throw new TypeError(`${fn}: tensors must be float32, got ${t.dtype}`);
  if (t.rank === 4) return t.shape as [number, number, number, number];
  if (t.rank === 3) return [1, ...(t.shape as [number, number, number])];
  throw new RangeError(`${fn}: tensors must be [batch, height, width, channels] or [height, width, channels], got rank ${t.rank}`);
}

/** Options of every adapter, besides the loss's own. */
export interface AdapterOptions {
  /**
   * Also compute the gradient with respect to `yTrue` (default true): the
   * loss depends on both, and a target that is itself trained (a learned
   * target, two networks trained together) needs it. Every loss here is
   * symmetric, so it is the same backward pass with the roles swapped: one
   * more pass per step. Pass false when the target is data, to save it.
   */
  targetGrad?: boolean;
}

function adapt<O extends object>(fn: string, loss: Loss<O>, options?: O & AdapterOptions): TfLoss {
  const { targetGrad = true, ...rest } = (options ?? {}) as O & AdapterOptions & { grad?: unknown };
  if (rest.grad !== undefined) {
    throw new TypeError(`${fn}: the gradient is TensorFlow.js's to ask for; drop the 'grad' option`);
  }
  if (typeof targetGrad !== 'boolean') throw new TypeError(`${fn}: targetGrad must be true or false, got ${String(targetGrad)}`);
  const opts = rest as O;
  const f = customGrad(((yTrue: Tensor, yPred: Tensor) => {
    const shape = batchShape(fn, yPred);
    const pred = { data: yPred.dataSync() as Float32Array, shape };
    const target = { data: yTrue.dataSync() as Float32Array, shape: batchShape(fn, yTrue) };
    // The gradient is computed with the value: a training step always needs
    // both, and one pass costs less than two.
    const r = loss(pred, target, { ...opts, grad: true } as O);
    return {
      value: scalar(r.loss),
      gradFunc: (dy: Tensor) => {
        // d loss(pred, target) / d target = d loss(target, pred) / d (first argument).
        const gTrue = targetGrad
          ? mul(tensor(loss(target, pred, { ...opts, grad: true } as O).grad!, yTrue.shape, 'float32'), dy)
          : zerosLike(yTrue);
        return [gTrue, mul(tensor(r.grad!, yPred.shape, 'float32'), dy)];
      },
    };
  }) as never) as unknown as (yTrue: Tensor, yPred: Tensor) => Scalar;
  return (yTrue, yPred) => f(single(fn, 'yTrue', yTrue as Tensor | Tensor[]), single(fn, 'yPred', yPred));
}

/** 1 - SSIM as a TF.js loss. */
export const ssimLoss = (options?: Omit<SsimLossOptions, 'grad' | 'perSample'> & AdapterOptions) => adapt('ssimLoss', losses.ssimLoss, options);
/** 1 - MS-SSIM as a TF.js loss. */
export const msssimLoss = (options?: Omit<MsssimLossOptions, 'grad' | 'perSample'> & AdapterOptions) => adapt('msssimLoss', losses.msssimLoss, options);
/** alpha (1 - S) + beta L1 / L as a TF.js loss. */
export const dssimMaeLoss = (options?: Omit<DssimMaeLossOptions, 'grad' | 'perSample'> & AdapterOptions) => adapt('dssimMaeLoss', losses.dssimMaeLoss, options);
/** 1 - LWSSIM / 2 as a TF.js loss. */
export const lwssimLoss = (options?: Omit<LwssimLossOptions, 'grad' | 'perSample'> & AdapterOptions) => adapt('lwssimLoss', losses.lwssimLoss, options);
