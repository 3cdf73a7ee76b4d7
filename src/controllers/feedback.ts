/**
 * Hand-written feedback controllers for the classic tasks. They act on the observation alone (as an agent would) and
 * prove that the dynamics and the rewards mean what the suite means: a swing-up that pumps energy earns a high
 * swing-up return, a linear state-feedback controller balances the cart-pole. Notebooks use them as the
 * "expert" baseline and for animations; `controllerAgent` (./registry.ts) wraps them as agents.
 */

/** A deterministic policy: observation → action. */
export type Policy = (obs: Float32Array) => Float32Array;

const clip1 = (u: number) => (u > 1 ? 1 : u < -1 ? -1 : u);

// Pendulum: 1 kg at l = 0.5 m on a massless pole, g = 9.81, motor torque ≤ 1 N·m (< m g l = 4.9 N·m: it must pump).
const PEND_I = 1 * 0.5 * 0.5 + 0.4 * 1 * 0.05 * 0.05; // point mass + the sphere's own inertia about its centre
const PEND_MGL = 1 * 9.81 * 0.5;

/**
 * Pendulum swing-up: energy pumping (Åström & Furuta 2000), u = k (E* − E) sign(θ̇) with E = ½ I θ̇² + m g l cos θ and
 * E* = m g l the energy of resting upright; near the top (cos θ > 0.95) a PD law holds the pole there.
 * Observation: [cos θ, sin θ, θ̇] (θ = 0 upright).
 */
export const pendulumSwingupController: Policy = (obs) => {
  const c = obs[0]!;
  const s = obs[1]!;
  const w = obs[2]!;
  const theta = Math.atan2(s, c);
  if (c > 0.95) return Float32Array.of(clip1(-8 * theta - 1.5 * w));
  const energy = 0.5 * PEND_I * w * w + PEND_MGL * c;
  const pump = (PEND_MGL - energy) * (w >= 0 ? 1 : -1);
  return Float32Array.of(clip1(4 * pump));
};

/**
 * Cart-pole balance: linear state feedback u = Kθ θ + Kω θ̇ + Kx x + Kv ẋ (the pole leaning towards +x is caught by
 * pushing the cart towards +x; the position gains have the "wrong-looking" sign of a non-minimum-phase system).
 * Observation: [x, cos θ, sin θ, ẋ, θ̇].
 */
export function cartpoleBalanceAction(obs: Float32Array): number {
  const x = obs[0]!;
  const theta = Math.atan2(obs[2]!, obs[1]!);
  const v = obs[3]!;
  const w = obs[4]!;
  return clip1(CARTPOLE_GAINS.theta * theta + CARTPOLE_GAINS.omega * w + CARTPOLE_GAINS.x * x + CARTPOLE_GAINS.v * v);
}

/** Gains of `cartpoleBalanceAction`: picked by hand; tests/unit/controllers.test.ts checks the returns they earn. */
export const CARTPOLE_GAINS = { theta: 6, omega: 1.2, x: 0.4, v: 0.8 };

export const cartpoleBalanceController: Policy = (obs) => Float32Array.of(cartpoleBalanceAction(obs));

// Pole: 0.1 kg, 1 m, centre of mass 0.5 m from the hinge, inertia about the hinge ≈ m l²/3.
const POLE_MGL = 0.1 * 9.81 * 0.5;
const POLE_I = (0.1 * 1 * 1) / 3;

/**
 * Cart-pole swing-up: pump the pole's energy towards that of resting upright by accelerating the cart along
 * sign(θ̇ cos θ) (Åström & Furuta 2000), keep the cart near the centre, and hand over to the balance controller
 * once the pole is within ~25° of vertical.
 */
export const cartpoleSwingupController: Policy = (obs) => {
  const x = obs[0]!;
  const c = obs[1]!;
  const v = obs[3]!;
  const w = obs[4]!;
  if (c > 0.9) return Float32Array.of(cartpoleBalanceAction(obs));
  const energy = 0.5 * POLE_I * w * w + POLE_MGL * (c - 1); // 0 when resting upright
  // Accelerating the cart by a exerts a torque −m a l_c cos θ on the pole, i.e. power −m a l_c θ̇ cos θ: with E < 0,
  // push along −sign(θ̇ cos θ) to add energy, and the reverse when E > 0.
  const dir = w * c;
  const pump = energy * (dir >= 0 ? 1 : -1);
  return Float32Array.of(clip1(SWINGUP_GAINS.pump * pump - SWINGUP_GAINS.x * x - SWINGUP_GAINS.v * v));
};

export const SWINGUP_GAINS = { pump: 40, x: 0.3, v: 0.3 };

/** Point mass: a PD law towards the target at the origin. Observation: [x, y, ẋ, ẏ]. */
export const pointMassController: Policy = (obs) => Float32Array.of(clip1(-20 * obs[0]! - 3 * obs[2]!), clip1(-20 * obs[1]! - 3 * obs[3]!));

/**
 * Reacher: Jacobian-transpose control. The fingertip of the two-link arm (links 0.12 m, finger 0.12 m past the
 * wrist) sits at p(q); the torques τ = Jᵀ(q)·k·(target − p) − d·q̇ pull it towards the target like a spring.
 * Observation: [q_shoulder, q_wrist, Δx, Δy, q̇_shoulder, q̇_wrist] with Δ = target − finger.
 */
export const reacherController: Policy = (obs) => {
  const q1 = obs[0]!;
  const q12 = q1 + obs[1]!;
  const dx = obs[2]!;
  const dy = obs[3]!;
  const l = 0.12;
  // ∂p/∂q1 = (−l sin q1 − l sin q12, l cos q1 + l cos q12), ∂p/∂q2 = (−l sin q12, l cos q12)
  const j11 = -l * Math.sin(q1) - l * Math.sin(q12);
  const j12 = l * Math.cos(q1) + l * Math.cos(q12);
  const j21 = -l * Math.sin(q12);
  const j22 = l * Math.cos(q12);
  const k = 150;
  const d = 0.5;
  return Float32Array.of(clip1(k * (j11 * dx + j12 * dy) - d * obs[4]!), clip1(k * (j21 * dx + j22 * dy) - d * obs[5]!));
};

// Acrobot (data/mjcf/acrobot.xml, the suite's model): two 1 kg, 1 m capsule links, centres of mass 0.5 m from their
// hinges, inertia about the centre of mass 0.0953 kg·m² (MuJoCo's body_inertia for the capsule), elbow motor gear 2
// (|τ| ≤ 2 N·m, less than the 4.9 N·m gravity puts on the elbow with the lower link level: the controller must pump).
// Joint angles are 0 with both links pointing up, where the tip touches the target 4 m above the floor.
const ACRO_I = 0.0953037;
const ACRO_G = 9.81;
/** Potential energy (J) of the acrobot at rest upright, relative to the shoulder's height. */
const ACRO_E_UP = ACRO_G * 0.5 + ACRO_G * 1.5;

/**
 * Discrete LQR gain for the acrobot balanced upright, u = −K·[q1, q2, q̇1, q̇2] (u the normalised elbow control).
 * Obtained offline: A, B by central finite differences of one 0.01 s RK4 step of the env's simulator about the upright
 * rest state (ε = 1e−5), then scipy.linalg.solve_discrete_are with Q = diag(10, 10, 1, 1), R = 100. The gains are
 * large next to |u| ≤ 1, so the balance only catches states very close to the top.
 */
export const ACROBOT_LQR_GAIN = [-109.942, -27.3474, -40.338, -11.9599] as const;

/** Gains of the acrobot's swing-up: picked by a random search (log-uniform ranges, ≈ 3000 candidates) scoring the returns on
 * seeds 0–9 of this env; tests/unit/controllers.test.ts lists the returns they earn. */
export const ACROBOT_SWINGUP_GAINS = {
  pumpElbow: 11.8505,
  pumpShoulder: -0.60978,
  eOffset: -0.50800,
  kp: 1.06166,
  kd: 0.217512,
  wc: 2.95953,
  kdd: 0.0582279,
  catchU: 6.85329,
  catchCos: 0.928705,
};

/**
 * Acrobot swing-up: energy pumping through the elbow followed by a linear balance at the top (Spong 1995, "The swing
 * up control problem for the acrobot"; energy-based pumping as in Xin & Kaneda 2007). The power the elbow motor puts
 * into the total energy E is τ·q̇2, so τ ∝ (E* − E)·q̇2 raises E towards E*, the energy of resting upright; a term in
 * the shoulder velocity shapes the phase, a spring-damper on the elbow keeps the arm near straight, and elbow speeds
 * beyond `wc` are damped rather than pumped (otherwise the energy ends up in a spinning elbow under a hanging upper
 * arm). Once the balance law would need only a moderate control and the upper arm points up, the LQR takes over.
 * Observation: [sin θ1, sin θ2, cos θ1, cos θ2, q̇1, q̇2] with θ1 = q1, θ2 = q1 + q2 the absolute link angles.
 * This law alone lands the arm in the balance's small catch region only by luck; `AcrobotLookaheadController`
 * (src/controllers/acrobot-lookahead.ts) chooses among variants of it by looking ahead with the true simulator.
 */
export const acrobotSwingupController: Policy = (obs) => Float32Array.of(acrobotSwingupAction(obs, 0, 1, false).u);

/** Joint angles (wrapped to (−π, π]) and velocities from the acrobot's observation. */
function acrobotJoints(obs: Float32Array): { q1: number; q12: number; q2: number; w1: number; w2: number } {
  const q1 = Math.atan2(obs[0]!, obs[2]!);
  const q12 = Math.atan2(obs[1]!, obs[3]!);
  const q2 = Math.atan2(Math.sin(q12 - q1), Math.cos(q12 - q1));
  return { q1, q12, q2, w1: obs[4]!, w2: obs[5]! };
}

/** The upright balance law u = −K·[q1, q2, q̇1, q̇2] (`ACROBOT_LQR_GAIN`), before clipping. */
export function acrobotBalance(obs: Float32Array): number {
  const { q1, q2, w1, w2 } = acrobotJoints(obs);
  const k = ACROBOT_LQR_GAIN;
  return -(k[0] * q1 + k[1] * q2 + k[2] * w1 + k[3] * w2);
}

/**
 * The law of `acrobotSwingupController` with two knobs and the catch made explicit, for controllers that switch
 * between variants of it (src/controllers/acrobot-lookahead.ts): `energyOffset` (J) moves the energy the pump aims at
 * (very negative: the pump turns into an elbow brake), `postureScale` multiplies the elbow's spring, and `caught`
 * says the balance law already holds the arm (a caught arm stays caught while the upper arm points up, cos θ1 > 0.5;
 * with `caught` false the law behaves exactly like `acrobotSwingupController`). Returns the clipped action and
 * whether the balance law acts now.
 */
export function acrobotSwingupAction(obs: Float32Array, energyOffset: number, postureScale: number, caught: boolean): { u: number; caught: boolean } {
  const g = ACROBOT_SWINGUP_GAINS;
  const { q1, q12, q2, w1, w2 } = acrobotJoints(obs);
  const balance = acrobotBalance(obs);
  const c1 = Math.cos(q1);
  const hold = (caught && c1 > 0.5) || (Math.abs(balance) < g.catchU && c1 > g.catchCos);
  if (hold) return { u: clip1(balance), caught: true };
  // Mass matrix of the two-link arm (m = 1, l = 1, lc = 0.5) and total energy, zero potential at the shoulder.
  const c2 = Math.cos(q2);
  const m11 = 2 * ACRO_I + 0.25 + (1 + 0.25 + c2);
  const m12 = ACRO_I + 0.25 + 0.5 * c2;
  const m22 = ACRO_I + 0.25;
  const kinetic = 0.5 * (m11 * w1 * w1 + 2 * m12 * w1 * w2 + m22 * w2 * w2);
  const energy = kinetic + ACRO_G * (1.5 * c1 + 0.5 * Math.cos(q12));
  const w2c = Math.max(-g.wc, Math.min(g.wc, w2));
  const deficit = ACRO_E_UP + g.eOffset + energyOffset - energy;
  const u = (g.pumpElbow * w2c + g.pumpShoulder * w1) * deficit - postureScale * g.kp * Math.sin(q2) - g.kd * w2 - g.kdd * (w2 - w2c);
  return { u: clip1(u), caught: false };
}

/**
 * Energy the acrobot would keep if its elbow were locked at once (J, zero potential at the shoulder): an impulsive
 * elbow torque changes the elbow's momentum only, so the shoulder's generalised momentum p1 = m11 q̇1 + m12 q̇2
 * survives the lock and the locked arm turns at q̇1 = p1 / m11. Energy spent spinning the lower arm alone does not
 * count: it is the energy that can carry the straight arm to the top (E_UP, `ACROBOT_UPRIGHT_ENERGY`).
 */
export function acrobotLockedEnergy(q1: number, q2: number, w1: number, w2: number): number {
  const c2 = Math.cos(q2);
  const m11 = 2 * ACRO_I + 0.25 + (1 + 0.25 + c2);
  const m12 = ACRO_I + 0.25 + 0.5 * c2;
  const p1 = m11 * w1 + m12 * w2;
  return (0.5 * p1 * p1) / m11 + ACRO_G * (1.5 * Math.cos(q1) + 0.5 * Math.cos(q1 + q2));
}

/** Potential energy (J) of the acrobot at rest upright, relative to the shoulder's height. */
export const ACROBOT_UPRIGHT_ENERGY = ACRO_E_UP;

// Finger (data/mjcf/finger.xml, the suite's model; gravity off). Seen in the x–z plane from the proximal hinge at
// (−0.2, 0.4), a joint angle q1 = 0 points the proximal link at the spinner's hinge (0.2, 0.4), 0.4 m away; the
// distal link turns by q2 more. The fingertip sits ≈ L1 + L2 from the hinge when straight. Joint damping (2.5) is
// so large next to the links' inertia that each joint is close to a velocity source: full control settles within a
// few ms at gear/damping = 30/2.5 = 12 rad/s (proximal) and 15/2.5 = 6 rad/s (distal). The spinner is a flat body
// 0.26 m long and 0.12 m wide on a free hinge; with damping 0.03 and friction loss 0.1 it loses ≈ 45 rad/s² near
// 15 rad/s (measured), so it must be pushed on every half turn. Only the fingertip capsule touches it, and the fingertip can
// reach only the spinner's left side (≈ 125°–235° around its hinge), where the paying spin (hinge velocity < 0,
// clockwise with x right and z up) moves the body upwards.
const FINGER_L1 = 0.18;
const FINGER_L2 = 0.16;
const FINGER_PROXIMAL_SPEED = 30 / 2.5;
const FINGER_DISTAL_SPEED = 15 / 2.5;

/**
 * Gains of `fingerSpinController`. Found by CMA-ES (src/optim) over the gains scaled to boxes, in two stages that
 * scripts/finger-spin-search.mjs re-runs: first the loop (`phi0` … `ff`) for the return of 300 steps started with
 * the spinner at −20 rad/s, seeds 0–4 (3000 evaluations, popsize 24); then the start-up (`wStart` … `kStartDistal`)
 * for full 1000-step episodes from reset, seeds 0–9 (600 evaluations, popsize 16); rounded to 2–3 digits afterwards
 * (returns unchanged within ±5). tests/unit/envs-locomotion.test.ts lists the returns they earn.
 */
export const FINGER_SPIN_GAINS: FingerSpinGains = {
  // spinning: fingertip target on a loop locked to the spinner's angle, one loop per half turn
  phi0: 0.02, // mean direction of the fingertip from the proximal hinge (rad, 0 = at the spinner's hinge)
  phiAmp: 0.535, // half-sweep of that direction (rad)
  phiPhase: 0.93,
  reach0: 0.258, // mean hinge–fingertip distance (m); 0.4 − reach is how close the tip gets to the spinner's hinge
  reachAmp: 0.045,
  reachPhase: 0.81,
  kProximal: 3.34, // position gains (control per rad of joint error)
  kDistal: 6.68,
  ff: 0.22, // fraction of the loop's joint velocity fed forward (as control = velocity / steady speed)
  // start-up, while the spinner turns slower than wStart in the paying direction
  wStart: 4.6,
  phiLow: -0.74, // the stroke turns back down-to-up below phiLow + phiBand and up-to-down above phiHigh − phiBand
  phiHigh: 0.22,
  phiBand: 0.03,
  reachUp: 0.311, // upstroke deep in the spinner's reach (0.09 m from its hinge), downstroke 2 cm shallower
  reachDown: 0.293,
  upSpeed: 3.3, // proximal speed (rad/s) above which the stroke keeps going up: the relay's memory
  kStartProximal: 5.3,
  kStartDistal: 3.1,
};

export interface FingerSpinGains {
  phi0: number;
  phiAmp: number;
  phiPhase: number;
  reach0: number;
  reachAmp: number;
  reachPhase: number;
  kProximal: number;
  kDistal: number;
  ff: number;
  wStart: number;
  phiLow: number;
  phiHigh: number;
  phiBand: number;
  reachUp: number;
  reachDown: number;
  upSpeed: number;
  kStartProximal: number;
  kStartDistal: number;
}

/** Joint angles (elbow bent towards +q2) that put the fingertip at direction `phi` and distance `reach` from the proximal hinge. */
function fingerJoints(phi: number, reach: number): [number, number] {
  const c = (reach * reach - FINGER_L1 * FINGER_L1 - FINGER_L2 * FINGER_L2) / (2 * FINGER_L1 * FINGER_L2);
  const q2 = Math.acos(Math.max(-1, Math.min(1, c)));
  return [phi - Math.atan2(FINGER_L2 * Math.sin(q2), FINGER_L1 + FINGER_L2 * Math.cos(q2)), q2];
}

/**
 * Finger-spin: strike the spinner upwards on its left side once per half turn, in step with its angle.
 *
 * The fingertip is steered in polar coordinates about the proximal hinge: direction φ (mostly the fast proximal
 * joint) and reach R (the slow distal joint), turned into joint targets by the 2-link inverse kinematics and
 * tracked by a P law plus velocity feed-forward (the joints behave as velocity sources, see above).
 *  - Spinning (hinge velocity ≤ −wStart): the target runs around a small loop φ = φ0 + a sin(ψ + c1),
 *    R = R0 + b sin(ψ + c2) whose phase is the spinner's own angle, ψ = −2α (α the angle of the spinner's tip site
 *    about its hinge, from obs[2..3]; doubled because the body is symmetric under a half turn). So the sweep up
 *    through the spinner's reach meets an arm of the body as it comes round the left side and drives it on, and
 *    the sweep down runs while the body is turned out of the way: the timing comes from the body's angle, not from
 *    a clock, as a commutated motor's coils are switched by the rotor's angle, or as the "mirror law" of robot
 *    juggling makes the paddle's motion a function of the ball's state (Bühler & Koditschek 1990). ψ̇ = −2ω gives
 *    the feed-forward velocity.
 *  - Start-up (spinner at rest or slow): a relay oscillation of the proximal joint, up with the fingertip deep in
 *    the spinner's reach and down 2 cm shallower; moving up continues while the proximal speed exceeds `upSpeed`
 *    (the velocity is the relay's memory, so the law stays a function of the observation). Whatever the body's
 *    angle, the deep upstroke pushes its left part up, which is the paying direction.
 * Seen in a run (seed 0): the spinner passes 15 rad/s after 24 steps; from then on the finger and spinner settle
 * into a cycle of 8 control steps (one half turn at ≈ 19.6 rad/s), the fingertip touching the body during 3 steps of
 * the upstroke and never while the proximal joint moves down.
 * Observation: [q1, q2, tip x − hinge x, tip z − hinge z, q̇1, q̇2, ω, log1p touch top, log1p touch bottom].
 */
export const makeFingerSpinController = (g: FingerSpinGains = FINGER_SPIN_GAINS): Policy => (obs) => {
  const q1 = obs[0]!;
  const q2 = obs[1]!;
  const w = obs[6]!;
  if (w > -g.wStart) {
    const phi = q1 + Math.atan2(FINGER_L2 * Math.sin(q2), FINGER_L1 + FINGER_L2 * Math.cos(q2));
    const up = phi <= g.phiLow + g.phiBand || (obs[4]! > g.upSpeed && phi < g.phiHigh - g.phiBand);
    const [q1d, q2d] = up ? fingerJoints(g.phiHigh, g.reachUp) : fingerJoints(g.phiLow, g.reachDown);
    return Float32Array.of(clip1(g.kStartProximal * (q1d - q1)), clip1(g.kStartDistal * (q2d - q2)));
  }
  const psi = -2 * Math.atan2(obs[3]!, obs[2]!);
  const psiDot = -2 * w;
  const phi = g.phi0 + g.phiAmp * Math.sin(psi + g.phiPhase);
  const phiDot = g.phiAmp * Math.cos(psi + g.phiPhase) * psiDot;
  const reachMax = FINGER_L1 + FINGER_L2 - 1e-3;
  const reach = Math.min(reachMax, g.reach0 + g.reachAmp * Math.sin(psi + g.reachPhase));
  const reachDot = g.reachAmp * Math.cos(psi + g.reachPhase) * psiDot;
  const [q1d, q2d] = fingerJoints(phi, reach);
  // Joint velocities of the loop: R depends on q2 alone (dR/dq2 = −L1 L2 sin q2 / R), φ = q1 + γ(q2).
  const dReach = (-FINGER_L1 * FINGER_L2 * Math.sin(q2d)) / reach;
  const w2d = Math.abs(dReach) > 1e-3 ? reachDot / dReach : 0;
  const w1d = phiDot - ((FINGER_L2 * (FINGER_L2 + FINGER_L1 * Math.cos(q2d))) / (reach * reach)) * w2d;
  return Float32Array.of(
    clip1(g.kProximal * (q1d - q1) + (g.ff * w1d) / FINGER_PROXIMAL_SPEED),
    clip1(g.kDistal * (q2d - q2) + (g.ff * w2d) / FINGER_DISTAL_SPEED),
  );
};

export const fingerSpinController: Policy = makeFingerSpinController();

/** The hand-written controllers by task name. */
export const HAND_CONTROLLERS: Readonly<Record<string, Policy>> = {
  "pendulum-swingup": pendulumSwingupController,
  "cartpole-balance": cartpoleBalanceController,
  "cartpole-balance_sparse": cartpoleBalanceController,
  "cartpole-swingup": cartpoleSwingupController,
  "cartpole-swingup_sparse": cartpoleSwingupController,
  "point_mass-easy": pointMassController,
  "reacher-easy": reacherController,
  "reacher-hard": reacherController,
  "acrobot-swingup": acrobotSwingupController,
  "finger-spin": fingerSpinController,
};
