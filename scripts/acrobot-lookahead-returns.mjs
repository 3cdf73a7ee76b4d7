// Per-seed returns of the acrobot swing-up controller that looks ahead with the true simulator
// (src/controllers/acrobot-lookahead.ts): one full 1000-step episode per seed, action repeat 1, played by runEpisode.
// Usage: npm run build && node scripts/acrobot-lookahead-returns.mjs [first-seed] [last-seed]   (default 0 4)
import { AcrobotLookaheadController, makeEnv, runEpisode } from "../dist/index.js";

const first = Number(process.argv[2] ?? 0);
const last = Number(process.argv[3] ?? 4);
const env = await makeEnv("acrobot-swingup", { actionRepeat: 1 });
const controller = new AcrobotLookaheadController();
const returns = [];
try {
  for (let seed = first; seed <= last; seed++) {
    const t0 = performance.now();
    const { totalReturn: ret } = await runEpisode(env, controller, { seed, keep: false });
    returns.push(ret);
    console.log(`seed ${seed}: return ${ret.toFixed(1)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
} finally {
  controller.close();
  env.close();
}
console.log(`mean ${(returns.reduce((a, b) => a + b, 0) / returns.length).toFixed(1)}, min ${Math.min(...returns).toFixed(1)}`);
