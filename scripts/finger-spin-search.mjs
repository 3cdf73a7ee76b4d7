// Re-runs the gain search behind FINGER_SPIN_GAINS (src/controllers/feedback.ts): CMA-ES over box-scaled gains.
//   npm run build && node scripts/finger-spin-search.mjs [evals1=3000] [evals2=600]
// Stage 1 tunes the phase-locked loop on 300-step episodes started with the spinner at −20 rad/s (seeds 0–4);
// stage 2 tunes the start-up on full episodes from reset (seeds 0–9). Progress goes to stderr, the gains to stdout.
// CMA-ES is stochastic and the landscape has many plateaus: a rerun finds gains of similar, not identical, quality.
import { CmaEs, FINGER_SPIN_GAINS, makeEnv, makeFingerSpinController } from "../dist/index.js";

const [evals1 = 3000, evals2 = 600] = process.argv.slice(2).map(Number);
// Search boxes, and the start points used for the committed gains (the loop stage starts from a guess).
const LOOP = { phi0: [-0.4, 0.4, 0], phiAmp: [0.05, 0.8, 0.35], phiPhase: [0, 2 * Math.PI, 0], reach0: [0.24, 0.34, 0.3],
  reachAmp: [0, 0.08, 0.03], reachPhase: [0, 2 * Math.PI, Math.PI / 2], kProximal: [1, 8, 4], kDistal: [2, 12, 8], ff: [0, 1.5, 1] };
const START = { wStart: [3, 15, 10], phiLow: [-0.9, 0.1, -0.4], phiHigh: [-0.1, 0.9, 0.4], reachUp: [0.24, 0.34, 0.31],
  reachDown: [0.17, 0.3, 0.22], phiBand: [0, 0.2, 0.05], upSpeed: [-2, 4, 0.5], kStartProximal: [1, 8, 4], kStartDistal: [2, 12, 8] };

const env = await makeEnv("finger-spin", { actionRepeat: 1 });

/** Mean return over `seeds` of `steps`-step episodes, the spinner's hinge started at `spin` rad/s. */
function meanReturn(gains, seeds, steps, spin) {
  let total = 0;
  for (const seed of seeds) {
    const policy = makeFingerSpinController(gains);
    let { obs } = env.reset(seed);
    if (spin !== 0) {
      const state = env.getState();
      state.physics.qvel[2] = spin;
      env.setState(state);
      obs = env.task.observation(env.physics);
    }
    for (let t = 0; t < steps; t++) {
      const r = env.step(policy(obs));
      obs = r.obs;
      total += r.reward;
    }
  }
  return total / seeds.length;
}

/** CMA-ES over the gains named in `box` (each scaled to [0, 1]), the others fixed at `base`. */
function search(box, base, evals, popsize, sigma0, score) {
  const names = Object.keys(box);
  const toGains = (x) => ({ ...base, ...Object.fromEntries(names.map((n, i) => [n, box[n][0] + x[i] * (box[n][1] - box[n][0])])) });
  const x0 = names.map((n) => (box[n][2] - box[n][0]) / (box[n][1] - box[n][0]));
  const es = new CmaEs({ x0, sigma0, bounds: { lower: 0, upper: 1 }, maximize: true, seed: 0, popsize });
  while (es.evaluations < evals) {
    const xs = es.ask();
    es.tell(xs, xs.map((x) => score(toGains(x))));
    console.error(`${es.evaluations} evaluations: best ${es.best.f.toFixed(1)}`);
  }
  return toGains(es.best.x);
}

const start0 = Object.fromEntries(Object.entries(START).map(([n, b]) => [n, b[2]]));
// Stage 1: wStart = 0 keeps the loop in charge while the spinner turns the paying way at all.
const loop = search(LOOP, { ...FINGER_SPIN_GAINS, ...start0, wStart: 0 }, evals1, 24, 0.3, (g) => meanReturn(g, [0, 1, 2, 3, 4], 300, -20));
const gains = search(START, { ...loop, ...start0 }, evals2, 16, 0.25, (g) => meanReturn(g, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 1000, 0));
console.log(JSON.stringify(gains, null, 2));
console.error(`mean return on seeds 10-19 (not searched): ${meanReturn(gains, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19], 1000, 0).toFixed(1)}`);
env.close();
