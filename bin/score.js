// One pair of files scored (and its heatmap written): what the command does
// per pair, in the main thread or in a worker of bin/workers.js.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decode, dssim, encodePng, heatmap, lwssim, msssim, ssim } from 'ssimkit';

/** An error that ends the run with status 2 and its message. */
export class UsageError extends Error {}

/** A file that cannot be read, decoded or written: in a folder run, the other pairs go on. */
export class FileError extends UsageError {}

/** The smallest side the MS-SSIM scales asked for fit, for the "n/a" note. */
export function msssimMinSide(o) {
  const scales = typeof o.scales === 'number' ? o.scales : o.scales === 'auto' ? 1 : 5;
  return ((o.size ?? 11) - 1) * 2 ** (scales - 1) + 1;
}

function readImage(path, maxPixels) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FileError(`cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  try {
    return decode(bytes, maxPixels === undefined ? undefined : { maxPixels });
  } catch (e) {
    throw new FileError(`${path}: ${e.message}`);
  }
}

function writeMap(path, result, min) {
  const png = encodePng(heatmap(result, { min }));
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, png);
  } catch (e) {
    throw new FileError(`cannot write ${path}: ${e.message}`);
  }
}

/**
 * One pair's row: paths, size, and the chosen metrics (null where n/a), and
 * notes on what is n/a. job: { metrics, opts (per metric), maxPixels?,
 * mapPath?, mapMin? }: with mapPath, the SSIM map's heatmap (SSIM's
 * options) is written there as a PNG as large as the image.
 */
export function scorePair(refPath, imgPath, job) {
  const { metrics, opts } = job;
  const ref = readImage(refPath, job.maxPixels);
  const img = readImage(imgPath, job.maxPixels);
  const row = { ref: refPath, img: imgPath, width: ref.width, height: ref.height };
  const notes = {};
  const mapped = job.mapPath === undefined ? undefined : run(() => ssim(ref, img, { ...opts.ssim, map: true }));
  for (const m of metrics) {
    try {
      row[m] = m === 'ssim' ? (mapped ?? ssim(ref, img, opts.ssim)).score
        : m === 'msssim' ? msssim(ref, img, opts.msssim).score
          : m === 'dssim' ? dssim(ref, img, opts.dssim)
            : lwssim(ref, img, opts.lwssim).score;
    } catch (e) {
      // Too small for MS-SSIM's scales is a property of the image, not a mistake.
      if (m === 'msssim' && e instanceof RangeError && /too small for/.test(e.message)) {
        row[m] = null;
        notes[m] = `n/a (image smaller than ${msssimMinSide(opts.msssim)} px)`;
      } else {
        throw pairError(e);
      }
    }
  }
  if (mapped !== undefined) writeMap(job.mapPath, mapped, job.mapMin);
  return { row, notes };

  function run(f) {
    try {
      return f();
    } catch (e) {
      throw pairError(e);
    }
  }

  // Images that cannot be compared (sizes differ, smaller than the window)
  // fail this pair only; anything else is an option every pair would trip on.
  function pairError(e) {
    const Kind = e instanceof RangeError && /images differ in size|does not fit/.test(e.message) ? FileError : UsageError;
    return new Kind(`${refPath} vs ${imgPath}: ${e.message}`);
  }
}
