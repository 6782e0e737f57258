// Runs inside Deno, copied into the throw-away project beside its
// node_modules: `ssimkit` resolves the way a Deno user's does (package.json +
// node_modules, the 'deno' export condition), with the init() options it is
// given (JSON, default none), then the decode cases it is given (JSON).
// Prints one line of JSON.
import * as ssimkit from 'ssimkit';

const [casesUrl, wireUrl, fixtures, options, decodeList] = Deno.args;
const { runCases, runDecodeCases } = await import(casesUrl);
const { encode } = await import(wireUrl);

const info = await ssimkit.init(JSON.parse(options ?? 'null') ?? undefined);
const cases = JSON.parse(await Deno.readTextFile(`${fixtures}/cases.json`));
const read = (file) => Deno.readFile(`${fixtures}/${file}`);
const results = await runCases(ssimkit, cases, read);
const decode = await runDecodeCases(ssimkit, JSON.parse(decodeList), read);
const used = [ssimkit.threadsUsed(), ssimkit.threadsUsed(), ssimkit.threadsUsed()];
// No Deno.exit(): the pool's workers must not keep Deno alive.
console.log(encode({ info, resolved: import.meta.resolve('ssimkit'), results, decode, used }));
