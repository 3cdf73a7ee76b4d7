/**
 * Hand-written controllers for the classic tasks. They act on the observation alone (as an agent would) and
 * prove that the dynamics and the rewards mean what the suite means: a swing-up that pumps energy earns a high
 * swing-up return, a linear state-feedback controller balances the cart-pole. Notebooks use them as the
 * "expert" baseline and for replays.
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

/** Gains of `cartpoleBalanceAction`: picked by hand; tests/unit/envs-controllers.test.ts checks the returns they earn. */
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
 * Observation: [q_shoulder, q_wrist, Δx, Δy, Δz, q̇_shoulder, q̇_wrist] with Δ = target − finger.
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
  return Float32Array.of(clip1(k * (j11 * dx + j12 * dy) - d * obs[5]!), clip1(k * (j21 * dx + j22 * dy) - d * obs[6]!));
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
 * seeds 0–9 of this env; tests/unit/envs-controllers.test.ts lists the returns they earn. */
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
 * (src/envs/acrobot-lookahead.ts) chooses among variants of it by looking ahead with the true simulator.
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
 * between variants of it (src/envs/acrobot-lookahead.ts): `energyOffset` (J) moves the energy the pump aims at
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
};
