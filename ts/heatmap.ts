// heatmap: a metric's map as RGBA pixels as large as the image. The map is
// checked here; colouring and placing it, per pixel, is crate/src/heatmap.rs.

import { backend, guard, Output, reserveOutput } from './backend.js';
import type { HeatmapImage, HeatmapOptions, Result } from './types.js';
import { describe, inRange, readOptions, realLength, typedArrayTag } from './validate.js';

/** The module's export for heatmaps (crate/src/wasm.rs). */
interface HeatmapBackend {
  renderHeatmap(map: Float32Array, mapWidth: number, mapHeight: number, place: Float64Array, min: number, max: number,
    alpha: number): Uint8Array;
}

const FN = 'heatmap';
const BIG = Number.MAX_SAFE_INTEGER;

function count(name: string, v: unknown, lo: number, otherwise?: number): number {
  if (v === undefined && otherwise !== undefined) return otherwise;
  if (typeof v !== 'number') throw new TypeError(`${FN}: result.${name} must be a number, got ${describe(v)}`);
  return inRange(FN, `result.${name}`, v, [lo, BIG], true);
}

function finite(name: string, v: unknown, otherwise: number): number {
  if (v === undefined) return otherwise;
  if (typeof v !== 'number') throw new TypeError(`${FN}: ${name} must be a number, got ${describe(v)}`);
  if (!Number.isFinite(v)) throw new RangeError(`${FN}: ${name} must be a finite number, got ${v}`);
  return v;
}

/**
 * RGBA pixels (a Uint8ClampedArray: `new ImageData(h.data, h.width)` draws
 * it) as large as the image a result with its map (`ssim(ref, img, { map:
 * true })`) was scored on: each map value coloured where its window is
 * centred, so the frame a 'valid' map does not reach (floor(size/2) pixels
 * wide) is transparent (alpha 0), as is a NaN. Colours run from dark
 * purple at `min` (default 0) through red and orange to light yellow at
 * `max` (default 1, identical), clamped outside: a ramp of ours with OKLab
 * lightness rising linearly. `opacity` (0 to 1, default 1) is the alpha of
 * the map's pixels, for drawing over the image.
 */
export function heatmap(result: Result, options?: HeatmapOptions): HeatmapImage {
  if (typeof result !== 'object' || result === null || typedArrayTag(result) !== undefined) {
    throw new TypeError(`${FN}: result must be a metric's result with its map (ssim(ref, img, { map: true })), got ${describe(result)}`);
  }
  const r = result as unknown as Record<string, unknown>;
  const [map, mw, mh, w, h, ox, oy, scale] = [r.map, r.mapWidth, r.mapHeight, r.width, r.height, r.mapOffsetX, r.mapOffsetY, r.mapScale];
  const o = readOptions(FN, options, ['min', 'max', 'opacity']);
  if (map === undefined) throw new TypeError(`${FN}: result has no map: score with { map: true }, e.g. ssim(ref, img, { map: true })`);
  if (typedArrayTag(map) !== 'Float32Array') throw new TypeError(`${FN}: result.map must be a Float32Array, got ${describe(map)}`);
  const mapWidth = count('mapWidth', mw, 1);
  const mapHeight = count('mapHeight', mh, 1);
  const length = realLength(map as Float32Array);
  if (length !== mapWidth * mapHeight) {
    throw new RangeError(`${FN}: result.map holds ${length} values, not mapWidth x mapHeight = ${mapWidth}x${mapHeight}`);
  }
  // A map without placement (one made by hand) is drawn as the image.
  const offsetX = count('mapOffsetX', ox, 0, 0);
  const offsetY = count('mapOffsetY', oy, 0, 0);
  const mapScale = count('mapScale', scale, 1, 1);
  const width = count('width', w, 1, (mapWidth + 2 * offsetX) * mapScale);
  const height = count('height', h, 1, (mapHeight + 2 * offsetY) * mapScale);
  // The map's last sample must start inside the image.
  if ((offsetX + mapWidth - 1) * mapScale - Math.floor(mapScale / 2) >= width
    || (offsetY + mapHeight - 1) * mapScale - Math.floor(mapScale / 2) >= height) {
    throw new RangeError(`${FN}: a ${mapWidth}x${mapHeight} map at offset (${offsetX}, ${offsetY}), scale ${mapScale}, does not fit a ${width}x${height} image`);
  }
  if (width * height > 1 << 26) throw new RangeError(`${FN}: a ${width}x${height} heatmap is more than 2^26 pixels`);
  const min = finite('min', o.min, 0);
  const max = finite('max', o.max, 1);
  if (!(min < max)) throw new RangeError(`${FN}: min (${min}) must be below max (${max})`);
  const opacity = o.opacity === undefined ? 1 : inRange(FN, 'opacity', o.opacity, [0, 1]);
  reserveOutput(FN, Output.Heatmap, length, width, height);
  const b = backend(FN) as unknown as HeatmapBackend;
  const place = new Float64Array([width, height, offsetX, offsetY, mapScale]);
  const px = guard(FN, () => b.renderHeatmap(map as Float32Array, mapWidth, mapHeight, place, min, max, Math.round(opacity * 255)));
  return { data: new Uint8ClampedArray(px.buffer, px.byteOffset, px.length), width, height, channels: 4 };
}

