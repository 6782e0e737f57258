// Child process of test/kernels.test.ts: loads one build, runs its kernel self-test.
import { init, kernelSelfTest } from 'ssimkit';

const info = await init({ threads: Number(process.argv[2]) });
process.stdout.write(JSON.stringify({ build: info.build, result: kernelSelfTest() }));
