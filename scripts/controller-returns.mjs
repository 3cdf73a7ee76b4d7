#!/usr/bin/env node
// Returns of the hand-written feedback controllers (HAND_CONTROLLERS, src/controllers/feedback.ts) on full 1000-step
// episodes, action repeat 1, each played by runEpisode with controllerAgent(task, { kind: "feedback" }).
// Usage: npm run build && node scripts/controller-returns.mjs [firstSeed=0] [lastSeed=4] [task ...]
import { controllerAgent, HAND_CONTROLLERS, makeEnv, runEpisode } from "../dist/index.js";

const [first = "0", last = "4", ...only] = process.argv.slice(2);
const tasks = only.length ? only : Object.keys(HAND_CONTROLLERS);
for (const name of tasks) {
  const agent = controllerAgent(name, { kind: "feedback" });
  const env = await makeEnv(name, { actionRepeat: 1 });
  const returns = [];
  for (let seed = Number(first); seed <= Number(last); seed++) {
    const { totalReturn } = await runEpisode(env, agent, { seed, keep: false });
    returns.push(Math.round(totalReturn * 10) / 10);
  }
  env.close();
  console.log(`${name.padEnd(24)} ${returns.join(" ")}   (min ${Math.min(...returns)}, max ${Math.max(...returns)})`);
}
