// JSON carries finite doubles exactly (shortest round-trip form) but turns
// NaN and ±Infinity into null and -0 into 0. Results cross from every runtime
// to Node as JSON, so those few values travel as tagged strings and the Node
// side can still compare bit for bit. Plain JavaScript with no imports: each
// runtime loads this very file.

const TAG = '\u0000num:';

export function encode(value) {
  return JSON.stringify(value, (_key, v) =>
    typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? TAG + (Object.is(v, -0) ? '-0' : String(v)) : v);
}

export function decode(text) {
  return JSON.parse(text, (_key, v) => (typeof v === 'string' && v.startsWith(TAG) ? Number(v.slice(TAG.length)) : v));
}
