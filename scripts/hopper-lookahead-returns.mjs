// Per-seed returns of the hopper get-up-and-stand controller that looks ahead with the true simulator
// (src/envs/hopper-lookahead.ts): one full 1000-step episode per seed, action repeat 1.
// Usage: npm run build && node scripts/hopper-lookahead-returns.mjs [first-seed] [last-seed] ['{"numSamples":64,...}']
//   (default seeds 1 4; seed 0 starts with the thigh locked inside the torso: see tests/unit/envs-locomotion.test.ts)
// HOPPER_VERBOSE=1 prints the return every 100 steps.
import { makeEnv } from "../dist/envs/registry.js";
import { HopperLookaheadController } from "../dist/envs/hopper-lookahead.js";
import { lookaheadEpisode } from "../dist/envs/lookahead.js";

const first = Number(process.argv[2] ?? 1);
const last = Number(process.argv[3] ?? 4);
const opts = JSON.parse(process.argv[4] ?? "{}");
const verbose = process.env.HOPPER_VERBOSE === "1";
const env = await makeEnv("hopper-stand", { actionRepeat: 1 });
const controller = new HopperLookaheadController(opts);
const returns = [];
try {
  for (let seed = first; seed <= last; seed++) {
    const t0 = performance.now();
    controller.stats = { plans: 0, checks: 0, balanceSteps: 0, planSteps: 0, unfoldSteps: 0 };
    let firstBalance = -1;
    const ret = lookaheadEpisode(env, controller, seed, (t, ret) => {
      if (firstBalance < 0 && controller.isBalancing) firstBalance = t;
      if (verbose && (t + 1) % 100 === 0) console.log(`  t=${t + 1} return ${ret.toFixed(1)} balancing ${controller.isBalancing} plans ${controller.stats.plans} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    });
    returns.push(ret);
    const s = controller.stats;
    console.log(
      `seed ${seed}: return ${ret.toFixed(1)} (${((performance.now() - t0) / 1000).toFixed(1)} s; ${s.plans} plans, LQR from step ${firstBalance}, ${s.balanceSteps} LQR steps)`,
    );
  }
} finally {
  controller.close();
  env.close();
}
console.log(`mean ${(returns.reduce((a, b) => a + b, 0) / returns.length).toFixed(1)}, min ${Math.min(...returns).toFixed(1)}`);
