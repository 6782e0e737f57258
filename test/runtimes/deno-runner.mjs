// Runs inside Deno, copied into the throw-away project beside its
// node_modules: `ssimkit` resolves the way a Deno user's does (package.json +
// node_modules, the 'deno' export condition), with the init() options it is
// given (JSON, default none). Prints one line of JSON.
import * as ssimkit from 'ssimkit';

const [casesUrl, wireUrl, fixtures, options] = Deno.args;
const { runCases } = await import(casesUrl);
const { encode } = await import(wireUrl);

const info = await ssimkit.init(JSON.parse(options ?? 'null') ?? undefined);
const cases = JSON.parse(await Deno.readTextFile(`${fixtures}/cases.json`));
const results = await runCases(ssimkit, cases, (file) => Deno.readFile(`${fixtures}/${file}`));
const used = [ssimkit.threadsUsed(), ssimkit.threadsUsed(), ssimkit.threadsUsed()];
// No Deno.exit(): the pool's workers must not keep Deno alive.
console.log(encode({ info, resolved: import.meta.resolve('ssimkit'), results, used }));
