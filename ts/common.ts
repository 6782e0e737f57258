// Everything every entry exports besides init().
export { dssim, lwssim, msssim, ssim } from './api.js';
export { MSSSIM_WEIGHTS } from './options.js';
export type {
  CommonOptions, Image, InitInfo, InitOptions, LwssimOptions, MsssimOptions, PixelData, Result, SsimOptions, WasmSource,
} from './types.js';
