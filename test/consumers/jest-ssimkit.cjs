// Copied into a CommonJS consumer project as __tests__/ssimkit.test.js and
// run by Jest in its default mode (no config, no Babel config) by
// jest.test.ts. expected.json holds the ES build's answers; what init()
// said is written to init.json for jest.test.ts to check.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { decode, init, ssim } = require('ssimkit');
const { ssimLoss } = require('ssimkit/tfjs');
const tf = require('@tensorflow/tfjs');

const root = join(__dirname, '..');
const expected = JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8'));
const [ref, img] = ['ref.png', 'img.png'].map((f) => readFileSync(join(root, f)));

beforeAll(async () => {
  const info = await init();
  writeFileSync(join(root, 'init.json'), JSON.stringify(info));
  await tf.setBackend('cpu');
});

test('ssim of the shipped pair is the ES build\'s, bit for bit', () => {
  expect(ssim(decode(ref), decode(img)).score).toBe(expected.ssim);
});

test('ssimkit/tfjs runs on the state init() set up', () => {
  const t = (p) => {
    const d = decode(p);
    return tf.tensor(Float32Array.from(d.data, (v) => v / 255), [1, d.height, d.width, d.channels], 'float32');
  };
  expect(ssimLoss()(t(ref), t(img)).dataSync()[0]).toBe(expected.ssimLoss);
});
