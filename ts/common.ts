// Everything every entry exports besides init().
export { dssim, kernelSelfTest, lwssim, msssim, ssim, wasmMemoryBytes } from './api.js';
export { dssimMaeLoss, lwssimLoss, msssimLoss, phasedDssimMae, ssimLoss } from './losses.js';
export { decode } from './decode.js';
export { encodePng } from './encode.js';
export { heatmap } from './heatmap.js';
export { MSSSIM_WEIGHTS } from './options.js';
export { threadsUsed } from './threads.js';
export type {
  Batch, CommonOptions, DecodedImage, HeatmapImage, HeatmapOptions, DecodeOptions, ImageInput, DssimMaeLossOptions, Image, LossInput, LossOptions, LossResult, LwssimLossOptions, MsssimLossOptions, SsimLossOptions, InitInfo, InitOptions, LwssimOptions, MsssimOptions, PixelData, Result, SsimOptions, WasmSource,
} from './types.js';
