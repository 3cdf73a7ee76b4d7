// Per-seed returns of the hopper get-up-and-stand controller that looks ahead with the true simulator
// (src/controllers/hopper-lookahead.ts): one full 1000-step episode per seed, action repeat 1, played by runEpisode.
// Usage: npm run build && node scripts/hopper-lookahead-returns.mjs [first-seed] [last-seed] ['{"numSamples":64,...}']
//   (default seeds 1 4; seed 0 starts with the thigh locked inside the torso: see tests/unit/envs-locomotion.test.ts)
// HOPPER_VERBOSE=1 prints the return every 100 steps.
import { HopperLookaheadController, makeEnv, runEpisode } from "../dist/index.js";

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
    const { totalReturn: ret } = await runEpisode(env, controller, {
      seed,
      keep: false,
      // step: agent steps taken, so the step just played is step − 1
      onStep: ({ step, totalReturn }) => {
        if (firstBalance < 0 && controller.isBalancing) firstBalance = step - 1;
        if (verbose && step % 100 === 0) console.log(`  t=${step} return ${totalReturn.toFixed(1)} balancing ${controller.isBalancing} plans ${controller.stats.plans} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      },
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
