/**
 * `Physics`: one MjModel and one MjData with the accessors a task needs (named bodies, joints, sensors),
 * dm_control-compatible stepping, and state save/restore.
 *
 * Why the careful stepping: dm_control's `Physics.step` ("legacy step") runs `mj_step2` then `mj_step1`, so that
 * after a control step the positions/orientations (`xpos`, `xmat`, sensors of the position and velocity stages)
 * describe the *current* qpos/qvel. A plain `mj_step` leaves them one physics step behind. Rewards and
 * observations read those quantities, so we step the way dm_control does (RK4 models: `mj_step` × n, then
 * `mj_step1`). The cost is the same as n `mj_step` calls.
 *
 * Divergence: when a state turns NaN, infinite or huge (|x| > 1e10), MuJoCo resets the data to the model's initial
 * pose, counts a BADQPOS/BADQVEL/BADQACC warning in `data.warning`, and carries on: the next observations and
 * rewards look normal (cartpole pays full reward from the reset upright pose). `divergence()` reads those counters
 * (dm_control's `check_invalid_state` does the same) and checks qpos/qvel/act are finite; the environments call it
 * after every step (env.ts raises `PhysicsDivergenceError`, vec.ts marks the copy invalid).
 *
 * Memory: MjModel/MjData live in the wasm heap and are not garbage-collected: call `delete()`. Typed-array views
 * into the heap are detached when the heap grows (another model or data allocated), so views are cached and
 * refreshed when that happens (`qpos`, `qvel`, … getters).
 */
import type { MjData, MjModel, MjWarningStatVec, MuJoCo } from "./mujoco.js";
import { loadModelFromXml } from "./mujoco.js";

/** The simulator state a planner saves and restores (dm_control's `physics.get_state()` plus time). */
export interface PhysicsState {
  qpos: Float64Array;
  qvel: Float64Array;
  act: Float64Array;
  time: number;
  /** Mocap body positions/orientations (only when the model has mocap bodies, e.g. reacher's target). */
  mocapPos?: Float64Array;
  mocapQuat?: Float64Array;
}

/** The MuJoCo warnings that mean the simulation diverged (mjtWarning names). */
export const DIVERGENCE_WARNINGS = ["BADQPOS", "BADQVEL", "BADQACC"] as const;
export type DivergenceKind = (typeof DIVERGENCE_WARNINGS)[number] | "NONFINITE";

/** What went wrong: which check fired, at which coordinate (qpos index for BADQPOS, dof for BADQVEL/BADQACC). */
export interface Divergence {
  kind: DivergenceKind;
  /** MuJoCo's `lastinfo` (the first bad coordinate), or the first non-finite entry for NONFINITE. */
  index: number;
  /** Simulated time after the step (MuJoCo's reset sets it back towards 0). */
  time: number;
}

const DIVERGENCE_TEXT: Record<DivergenceKind, string> = {
  BADQPOS: "NaN, Inf or huge value in qpos",
  BADQVEL: "NaN, Inf or huge value in qvel",
  BADQACC: "NaN, Inf or huge value in qacc",
  NONFINITE: "non-finite value in the state",
};

/**
 * The simulation diverged: MuJoCo found a NaN, infinite or huge (> 1e10) value and reset the state, so what
 * follows is not the continuation of the episode. Raised by `MujocoEnv.step` (dm_control raises PhysicsError).
 */
export class PhysicsDivergenceError extends Error {
  override name = "PhysicsDivergenceError";
  constructor(
    readonly task: string,
    readonly divergence: Divergence,
    /** Control steps into the episode when it was detected. */
    readonly step: number,
  ) {
    super(
      `task '${task}': the simulation diverged at step ${step} (${divergence.kind}: ${DIVERGENCE_TEXT[divergence.kind]} at index ${divergence.index}); ` +
        "MuJoCo reset the state, so the episode cannot continue: reset() the env (or check the state given to setState)",
    );
  }
}

/** A state given to `setState` that is not one: wrong sizes, a missing or non-numeric field, a NaN or Infinity. */
export class InvalidStateError extends RangeError {
  override name = "InvalidStateError";
}

/** Check a PhysicsState's fields and sizes against a model (throws InvalidStateError naming the field). */
export function checkPhysicsState(s: PhysicsState, sizes: { nq: number; nv: number; na: number }): void {
  if (s === null || typeof s !== "object") throw new InvalidStateError(`the physics state must be an object {qpos, qvel, act, time}, got ${String(s)}`);
  const want = { qpos: sizes.nq, qvel: sizes.nv, act: sizes.na } as const;
  for (const [field, n] of Object.entries(want)) {
    const a = s[field as keyof typeof want] as ArrayLike<number> | undefined;
    if (a === undefined || a === null || typeof a.length !== "number") throw new InvalidStateError(`the physics state has no '${field}' array (expected ${n} numbers; a state from getState() has qpos, qvel, act and time)`);
    if (a.length !== n) throw new InvalidStateError(`state.${field} has ${a.length} numbers but the model needs ${n} (nq ${sizes.nq}, nv ${sizes.nv}, na ${sizes.na})`);
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) throw new InvalidStateError(`state.${field}[${i}] is ${a[i]}: a state must be finite`);
  }
  if (typeof s.time !== "number" || !Number.isFinite(s.time) || s.time < 0) throw new InvalidStateError(`state.time must be a finite number ≥ 0, got ${String(s.time)}`);
  for (const f of ["mocapPos", "mocapQuat"] as const) {
    const a = s[f];
    if (a !== undefined) for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) throw new InvalidStateError(`state.${f}[${i}] is ${a[i]}: a state must be finite`);
  }
}

export type ObjectKind = "body" | "joint" | "geom" | "site" | "sensor" | "actuator" | "camera" | "light";

interface Views {
  qpos: Float64Array;
  qvel: Float64Array;
  act: Float64Array;
  ctrl: Float64Array;
  xpos: Float64Array;
  xmat: Float64Array;
  xquat: Float64Array;
  geomXpos: Float64Array;
  geomXmat: Float64Array;
  siteXpos: Float64Array;
  sensordata: Float64Array;
}

export class Physics {
  readonly mj: MuJoCo;
  readonly model: MjModel;
  readonly data: MjData;
  private readonly ownsModel: boolean;
  private v: Views | undefined;
  private readonly ids = new Map<string, number>();
  private readonly memos = new Map<string, unknown>();
  private readonly rk4: boolean;
  private freed = false;
  private warnings: MjWarningStatVec | undefined;
  /** mjtWarning indices of BADQPOS, BADQVEL, BADQACC (looked up once: embind enum access is slow). */
  private readonly warningIds: readonly number[];
  /** Divergence warnings counted at the last check (MuJoCo's counters only grow until mj_resetData). */
  private warningsSeen = 0;

  /** Wrap an existing model/data pair. `ownsModel`: whether `delete()` also frees the model (false for vectorised data). */
  constructor(mj: MuJoCo, model: MjModel, data: MjData, ownsModel = true) {
    this.mj = mj;
    this.model = model;
    this.data = data;
    this.ownsModel = ownsModel;
    this.rk4 = model.opt.integrator === mj.mjtIntegrator.mjINT_RK4.value;
    this.warningIds = DIVERGENCE_WARNINGS.map((k) => mj.mjtWarning[`mjWARN_${k}`].value);
  }

  /** Compile an MJCF string (throws `MjcfError` with MuJoCo's message on a bad model). */
  static async fromXml(xml: string): Promise<Physics> {
    const loaded = await loadModelFromXml(xml);
    const p = new Physics(loaded.mj, loaded.model, loaded.data, true);
    p.forward();
    return p;
  }

  /** A second data object on the same model (shares the model: freeing it does not free the model). */
  fork(): Physics {
    this.assertAlive();
    const data = new this.mj.MjData(this.model);
    const p = new Physics(this.mj, this.model, data, false);
    p.setState(this.getState());
    return p;
  }

  get nq(): number {
    return this.model.nq;
  }
  get nv(): number {
    return this.model.nv;
  }
  get na(): number {
    return this.model.na;
  }
  get nu(): number {
    return this.model.nu;
  }
  get timestep(): number {
    return this.model.opt.timestep;
  }
  get time(): number {
    return this.data.time;
  }

  private views(): Views {
    // A detached buffer (heap grew) has byteLength 0: refresh every view then.
    if (this.v === undefined || this.v.qpos.buffer.byteLength === 0) {
      this.assertAlive();
      const d = this.data;
      this.v = {
        qpos: d.qpos,
        qvel: d.qvel,
        act: d.act,
        ctrl: d.ctrl,
        xpos: d.xpos,
        xmat: d.xmat,
        xquat: d.xquat,
        geomXpos: d.geom_xpos,
        geomXmat: d.geom_xmat,
        siteXpos: d.site_xpos,
        sensordata: d.sensordata,
      };
    }
    return this.v;
  }

  /** Live views into the wasm heap (do not keep them across allocations of other models/data). */
  get qpos(): Float64Array {
    return this.views().qpos;
  }
  get qvel(): Float64Array {
    return this.views().qvel;
  }
  get act(): Float64Array {
    return this.views().act;
  }
  get ctrl(): Float64Array {
    return this.views().ctrl;
  }
  get xpos(): Float64Array {
    return this.views().xpos;
  }
  get xmat(): Float64Array {
    return this.views().xmat;
  }
  get xquat(): Float64Array {
    return this.views().xquat;
  }
  /** Every geom's world position (3·ngeom numbers). */
  get geomXposAll(): Float64Array {
    return this.views().geomXpos;
  }
  /** Every geom's world orientation (9·ngeom numbers, row-major). */
  get geomXmatAll(): Float64Array {
    return this.views().geomXmat;
  }
  get sensordata(): Float64Array {
    return this.views().sensordata;
  }

  /** Index of a named object; throws naming the object and kind if the model has none such. */
  id(kind: ObjectKind, name: string): number {
    const key = kind + ":" + name;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.mj.mj_name2id(this.model, this.objType(kind), name);
      if (id < 0) throw new Error(`the model has no ${kind} named '${name}'`);
      this.ids.set(key, id);
    }
    return id;
  }

  /**
   * A value computed once per simulator and kept (model constants a reward reads every step, e.g. a target's
   * radius): reading MjModel arrays from JS allocates a view each time, which costs more than the reward itself.
   */
  memo<T>(key: string, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const v = compute();
    this.memos.set(key, v);
    return v;
  }

  /** Name of object `id` of a kind ('' if unnamed). */
  name(kind: ObjectKind, id: number): string {
    return this.mj.mj_id2name(this.model, this.objType(kind), id) ?? "";
  }

  /** MuJoCo's mjtObj code of a kind. */
  private objType(kind: ObjectKind): number {
    const o = this.mj.mjtObj;
    const types = { body: o.mjOBJ_BODY, joint: o.mjOBJ_JOINT, geom: o.mjOBJ_GEOM, site: o.mjOBJ_SITE, sensor: o.mjOBJ_SENSOR, actuator: o.mjOBJ_ACTUATOR, camera: o.mjOBJ_CAMERA, light: o.mjOBJ_LIGHT };
    return types[kind].value;
  }

  /** World position of a body (3 numbers, a view). */
  bodyXpos(name: string): Float64Array {
    const i = this.id("body", name);
    return this.xpos.subarray(3 * i, 3 * i + 3);
  }
  /** World orientation of a body as a row-major 3×3 matrix (9 numbers, a view); `[8]` is dm_control's `zz`. */
  bodyXmat(name: string): Float64Array {
    const i = this.id("body", name);
    return this.xmat.subarray(9 * i, 9 * i + 9);
  }
  geomXpos(name: string): Float64Array {
    const i = this.id("geom", name);
    return this.views().geomXpos.subarray(3 * i, 3 * i + 3);
  }
  geomXmat(name: string): Float64Array {
    const i = this.id("geom", name);
    return this.views().geomXmat.subarray(9 * i, 9 * i + 9);
  }
  siteXpos(name: string): Float64Array {
    const i = this.id("site", name);
    return this.views().siteXpos.subarray(3 * i, 3 * i + 3);
  }
  /** A sensor's reading (its `dim` numbers, a view). */
  sensor(name: string): Float64Array {
    const i = this.id("sensor", name);
    const adr = this.model.sensor_adr[i]!;
    return this.sensordata.subarray(adr, adr + this.model.sensor_dim[i]!);
  }
  /** qpos address of a joint (hinge/slide: one number; free: 7; ball: 4). */
  jointQposAdr(name: string): number {
    return this.model.jnt_qposadr[this.id("joint", name)]!;
  }
  jointQvelAdr(name: string): number {
    return this.model.jnt_dofadr[this.id("joint", name)]!;
  }
  jointQpos(name: string): number {
    return this.qpos[this.jointQposAdr(name)]!;
  }
  jointQvel(name: string): number {
    return this.qvel[this.jointQvelAdr(name)]!;
  }
  /** [lo, hi] of a joint's range, or [-Inf, Inf] when it is not limited. */
  jointRange(name: string): [number, number] {
    // The wasm build cannot read mjtByte arrays (jnt_limited throws a BindingError); MuJoCo leaves the range of an
    // unlimited joint at [0, 0], so a non-empty range means "limited".
    const j = this.id("joint", name);
    const lo = this.model.jnt_range[2 * j]!;
    const hi = this.model.jnt_range[2 * j + 1]!;
    return lo < hi ? [lo, hi] : [-Infinity, Infinity];
  }
  /** Actuator control ranges as [lo, hi] pairs ([-Inf, Inf] when the actuator is not ctrl-limited). */
  controlRanges(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const r = this.model.actuator_ctrlrange;
    for (let i = 0; i < this.nu; i++) {
      // actuator_ctrllimited is an mjtByte array the wasm build cannot read; an unlimited actuator has range [0, 0].
      const lo = r[2 * i]!;
      const hi = r[2 * i + 1]!;
      out.push(lo < hi ? [lo, hi] : [-Infinity, Infinity]);
    }
    return out;
  }

  /** Write the control vector (no clipping here: the environment clips). */
  setControl(u: ArrayLike<number>): void {
    const ctrl = this.ctrl;
    for (let i = 0; i < ctrl.length; i++) ctrl[i] = u[i]!;
  }

  /**
   * Advance `n` physics steps the way dm_control does (see the module comment): afterwards every position- and
   * velocity-dependent quantity (xpos, xmat, sensors) matches the new qpos/qvel.
   */
  step(n = 1): void {
    this.assertAlive();
    const { mj, model, data } = this;
    if (this.rk4) {
      for (let i = 0; i < n; i++) mj.mj_step(model, data);
    } else {
      mj.mj_step2(model, data);
      for (let i = 1; i < n; i++) mj.mj_step(model, data);
    }
    mj.mj_step1(model, data);
  }

  /**
   * Did the simulation diverge since the last call (or reset/setState)? Reads MuJoCo's BADQPOS/BADQVEL/BADQACC
   * counters and checks qpos, qvel and act are finite. Cost: about a microsecond.
   */
  divergence(): Divergence | undefined {
    this.assertAlive();
    const total = this.warningCount();
    if (total > this.warningsSeen) {
      this.warningsSeen = total;
      for (let k = 0; k < DIVERGENCE_WARNINGS.length; k++) {
        const h = this.warningVec().get(this.warningIds[k]!)!;
        const [n, index] = [h.number, h.lastinfo];
        h.delete();
        if (n > 0) return { kind: DIVERGENCE_WARNINGS[k]!, index, time: this.data.time };
      }
    }
    const v = this.views();
    for (const arr of [v.qpos, v.qvel, v.act])
      for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i]!)) return { kind: "NONFINITE", index: i, time: this.data.time };
    return undefined;
  }

  /** The sum of MuJoCo's three divergence counters. */
  private warningCount(): number {
    const vec = this.warningVec();
    let n = 0;
    for (const k of this.warningIds) {
      const h = vec.get(k)!;
      n += h.number;
      h.delete();
    }
    return n;
  }

  /** `data.warning`: a handle onto MjData's own array (never `delete()` it), kept because fetching it allocates. */
  private warningVec(): MjWarningStatVec {
    return (this.warnings ??= this.data.warning);
  }

  /** Forget warnings counted so far (the next `divergence()` reports only new ones). */
  private rebaseWarnings(): void {
    this.warningsSeen = this.warningCount();
  }

  /** Recompute every derived quantity from qpos/qvel/act (`mj_forward`). */
  forward(): void {
    this.assertAlive();
    this.mj.mj_forward(this.model, this.data);
  }

  /** `mj_resetData`: qpos = qpos0, zero velocities, time 0 (call `forward()` after setting the initial state). */
  reset(): void {
    this.assertAlive();
    this.mj.mj_resetData(this.model, this.data);
    this.v = undefined;
    this.warningsSeen = 0; // mj_resetData clears the counters
  }

  /** A copy of (qpos, qvel, act, time). */
  getState(): PhysicsState {
    const s: PhysicsState = { qpos: this.qpos.slice(), qvel: this.qvel.slice(), act: this.act.slice(), time: this.data.time };
    if (this.model.nmocap > 0) {
      s.mocapPos = this.data.mocap_pos.slice();
      s.mocapQuat = this.data.mocap_quat.slice();
    }
    return s;
  }

  /** Restore a state from `getState()` and recompute derived quantities (`mj_forward`). */
  setState(s: PhysicsState): void {
    checkPhysicsState(s, this);
    this.qpos.set(s.qpos);
    this.qvel.set(s.qvel);
    this.act.set(s.act);
    this.data.time = s.time;
    if (s.mocapPos) this.data.mocap_pos.set(s.mocapPos);
    if (s.mocapQuat) this.data.mocap_quat.set(s.mocapQuat);
    this.forward();
    this.rebaseWarnings();
  }

  get deleted(): boolean {
    return this.freed;
  }

  /** Free the data (and the model when this object owns it). Safe to call twice. */
  delete(): void {
    if (this.freed) return;
    this.freed = true;
    this.v = undefined;
    this.warnings = undefined; // a view of MjData's own array: deleting the handle would free MjData's memory
    this.data.delete();
    if (this.ownsModel) this.model.delete();
  }

  private assertAlive(): void {
    if (this.freed) throw new Error("this Physics has been deleted (close() / delete() was called)");
  }
}
