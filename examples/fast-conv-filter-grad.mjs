// TF.js's pure-JS CPU backend computes Conv2DBackpropFilter ~40x slower
// than the convolution itself (984 ms vs 26 ms for 32x32x32x3, 3x3x3x3 here),
// which makes training a conv net take hours. This replaces that one kernel
// with a direct loop: dW[kh,kw,ci,co] = sum over b,y,x of
// x[b, y*sh + kh - top, x*sw + kw - left, ci] * dy[b, y, x, co]  (NHWC).
// Importing this module re-registers the kernel for the 'cpu' backend.
import * as tf from '@tensorflow/tfjs';

function conv2dBackpropFilter({ inputs, backend, attrs }) {
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat && dataFormat !== 'NHWC') throw new Error('fast Conv2DBackpropFilter: NHWC only');
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const xv = backend.data.get(x.dataId).values, dyv = backend.data.get(dy.dataId).values;
  const dw = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let b = 0; b < batchSize; b++)
    for (let oy = 0; oy < outHeight; oy++)
      for (let ox = 0; ox < outWidth; ox++) {
        const d = ((b * outHeight + oy) * outWidth + ox) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const iy = oy * strideHeight + kh - top;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const ix = ox * strideWidth + kw - left;
            if (ix < 0 || ix >= inWidth) continue;
            const xo = ((b * inHeight + iy) * inWidth + ix) * inChannels;
            const wo = (kh * filterWidth + kw) * inChannels * outChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const xval = xv[xo + ci];
              const row = wo + ci * outChannels;
              for (let co = 0; co < outChannels; co++) dw[row + co] += xval * dyv[d + co];
            }
          }
        }
      }
  return backend.makeTensorInfo(filterShape, 'float32', dw);
}

tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'cpu', kernelFunc: conv2dBackpropFilter });
