// The messages between the page (page.ts) and its Worker (worker.ts).

import type { InitInfo } from 'ssimkit';

export const METRICS = ['ssim', 'msssim', 'dssim', 'lwssim'] as const;
export type Metric = (typeof METRICS)[number];

/** Pixels ready for `new ImageData(data, width, height)`. */
export interface Rgba { data: Uint8ClampedArray<ArrayBuffer>; width: number; height: number }

/** Two files to score: their encoded bytes (moved, not copied) and names. */
export interface ScoreRequest { id: number; ref: ArrayBuffer; img: ArrayBuffer; refName: string; imgName: string }

export interface Scored {
  kind: 'scored';
  id: number;
  width: number;
  height: number;
  /** Per metric: the score (null: MS-SSIM on an image too small for its scales), its
   *  per-channel scores where the metric has them, and the milliseconds it took. */
  scores: Record<Metric, { score: number | null; channels?: number[]; ms: number; note?: string }>;
  decodeMs: number;
  heatmapMs: number;
  /** The reference as decoded (what was scored), and the SSIM map coloured by heatmap(). */
  image: Rgba;
  heatmap: Rgba;
}

export interface Failed { kind: 'failed'; id: number; error: string }

/** After init(): the build in use, and the heatmap's colour ramp from 0 to 1 for the legend. */
export interface Ready { kind: 'ready'; info: InitInfo; ms: number; legend: Rgba }

export interface InitFailed { kind: 'init-failed'; error: string }

export type FromWorker = Ready | InitFailed | Scored | Failed;
