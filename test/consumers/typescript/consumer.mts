// The ES module side of typescript.test.ts under node16: `import` conditions.
import { init, msssim, type MsssimOptions } from 'ssimkit';
import { msssimLoss } from 'ssimkit/tfjs';

const options: MsssimOptions = { scales: 'auto' };
await init();
export const score: number = msssim({ data: new Uint8Array(256 * 256), width: 256, height: 256 },
  { data: new Uint8Array(256 * 256), width: 256, height: 256 }, options).score;
export const loss = msssimLoss({ scales: 'auto' });
// @ts-expect-error scales is a number or 'auto'
msssim({ data: new Uint8Array(4), width: 2, height: 2 }, { data: new Uint8Array(4), width: 2, height: 2 }, { scales: 'all' });
