#!/usr/bin/env node
// Returns of the hand-written feedback controllers (HAND_CONTROLLERS) on full 1000-step episodes, action repeat 1.
// Usage: npm run build && node scripts/controller-returns.mjs [firstSeed=0] [lastSeed=4] [task ...]
import { HAND_CONTROLLERS, makeEnv } from "../dist/index.js";

const [first = "0", last = "4", ...only] = process.argv.slice(2);
const tasks = only.length ? only : Object.keys(HAND_CONTROLLERS);
for (const name of tasks) {
  const policy = HAND_CONTROLLERS[name];
  if (!policy) throw new Error(`no hand-written controller for '${name}': known ${Object.keys(HAND_CONTROLLERS).join(", ")}`);
  const env = await makeEnv(name, { actionRepeat: 1 });
  const returns = [];
  for (let seed = Number(first); seed <= Number(last); seed++) {
    let { obs } = env.reset(seed);
    let ret = 0;
    for (;;) {
      const r = env.step(policy(obs));
      obs = r.obs;
      ret += r.reward;
      if (r.terminated || r.truncated) break;
    }
    returns.push(Math.round(ret * 10) / 10);
  }
  env.close();
  console.log(`${name.padEnd(24)} ${returns.join(" ")}   (min ${Math.min(...returns)}, max ${Math.max(...returns)})`);
}
