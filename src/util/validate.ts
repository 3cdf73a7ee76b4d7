/**
 * The one place numbers and lists are checked, for library arguments and CLI flags alike. Every check throws a
 * `ValidationError` (a RangeError) whose message starts with the name it was given (`--iters must be …`,
 * `horizon must be …`) and quotes the bad value, so the user knows which input to fix.
 *
 * Library entry points check values:     positiveInt("horizon", c.horizon)
 * CLI flags parse text (commander's parser hook, so the flag is checked before anything runs):
 *     .option("--iters <n>", "…", intFlag("--iters", { min: 0 }), 15)
 *     .option("--seeds <list>", "…", intListFlag("--seeds", { min: 0 }), [0])
 */

export class ValidationError extends RangeError {
  override name = "ValidationError";
}

const show = (v: unknown) => (typeof v === "string" ? `'${v}'` : String(v));

/** An integer ≥ 1. */
export function positiveInt(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new ValidationError(`${name} must be a positive integer, got ${show(v)}`);
  return v;
}

/** An integer ≥ 0. */
export function nonNegativeInt(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new ValidationError(`${name} must be a non-negative integer, got ${show(v)}`);
  return v;
}

/** An integer in [lo, hi] (either bound may be ±Infinity). */
export function intInRange(name: string, v: number, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) throw new ValidationError(`${name} must be an integer in [${lo}, ${hi}], got ${show(v)}`);
  return v;
}

/** A finite number. */
export function finite(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ValidationError(`${name} must be a finite number, got ${show(v)}`);
  return v;
}

/** A finite number > 0. */
export function positive(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !(v > 0)) throw new ValidationError(`${name} must be a finite number > 0, got ${show(v)}`);
  return v;
}

/** A number in the closed range [lo, hi] (NaN never is). */
export function inRange(name: string, v: number, lo: number, hi: number): number {
  if (typeof v !== "number" || !(v >= lo && v <= hi)) throw new ValidationError(`${name} must be in [${lo}, ${hi}], got ${show(v)}`);
  return v;
}

/** Every entry of an array is finite; names the first one that is not. */
export function allFinite(name: string, values: ArrayLike<number>): ArrayLike<number> {
  for (let i = 0; i < values.length; i++)
    if (typeof values[i] !== "number" || !Number.isFinite(values[i]!)) throw new ValidationError(`${name}[${i}] is ${show(values[i])}: every entry must be a finite number`);
  return values;
}

/** A list with at least one entry and no entry twice. */
export function distinctList<T>(name: string, values: readonly T[]): readonly T[] {
  if (values.length === 0) throw new ValidationError(`${name} must not be empty`);
  const seen = new Set<T>();
  for (const v of values) {
    if (seen.has(v)) throw new ValidationError(`${name} lists ${show(v)} twice`);
    seen.add(v);
  }
  return values;
}

// ─── text (CLI flags, environment variables) ─────────────────────────────────────────────────────────────────

export interface IntBounds {
  min?: number;
  max?: number;
}

/** Parse a whole decimal integer ("12", "-3"; not "", "1.5", "1e3", "0x10", "abc") within the bounds. */
export function parseInteger(name: string, text: string, b: IntBounds = {}): number {
  const t = String(text).trim();
  const v = /^[+-]?\d+$/.test(t) ? Number(t) : Number.NaN;
  const lo = b.min ?? -Infinity;
  const hi = b.max ?? Infinity;
  if (!Number.isSafeInteger(v) || v < lo || v > hi) {
    const what = lo === 1 && hi === Infinity ? "a positive integer" : lo === 0 && hi === Infinity ? "a non-negative integer" : hi === Infinity && lo === -Infinity ? "an integer" : `an integer in [${lo}, ${hi}]`;
    throw new ValidationError(`${name} must be ${what}, got '${text}'`);
  }
  return v;
}

/** Parse a finite decimal number within [min, max]. */
export function parseNumber(name: string, text: string, b: { min?: number; max?: number } = {}): number {
  const t = String(text).trim();
  const v = t === "" ? Number.NaN : Number(t);
  const lo = b.min ?? -Infinity;
  const hi = b.max ?? Infinity;
  if (!Number.isFinite(v) || v < lo || v > hi) throw new ValidationError(`${name} must be a finite number${lo > -Infinity || hi < Infinity ? ` in [${lo}, ${hi}]` : ""}, got '${text}'`);
  return v;
}

/** Split a comma list: at least one entry, no empty entry ("a,,b"), no entry twice. Entries are trimmed. */
export function parseList(name: string, text: string): string[] {
  const items = String(text).split(",").map((s) => s.trim());
  const empty = items.indexOf("");
  if (empty >= 0) throw new ValidationError(`${name} has an empty entry (position ${empty + 1}) in '${text}': give a comma-separated list without blanks`);
  return distinctList(name, items) as string[];
}

/** A comma list of integers within the bounds, without blanks or duplicates. */
export function parseIntList(name: string, text: string, b: IntBounds = {}): number[] {
  const v = parseList(name, text).map((s) => parseInteger(`${name} entry`, s, b));
  return distinctList(name, v) as number[]; // "1,01" are the same number
}

/** A comma list whose entries are all in `allowed`. */
export function parseChoiceList<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  const v = parseList(name, text);
  for (const s of v) if (!allowed.includes(s as T)) throw new ValidationError(`${name}: unknown entry '${s}' (known: ${allowed.join(", ")})`);
  return v as T[];
}

/** One value of `allowed`. */
export function parseChoice<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if (!allowed.includes(text as T)) throw new ValidationError(`${name} must be one of ${allowed.join(", ")}, got '${text}'`);
  return text as T;
}

// commander parser hooks: `.option("--n <k>", "…", intFlag("--n", { min: 1 }), default)`

export const intFlag = (flag: string, b: IntBounds = {}) => (text: string) => parseInteger(flag, text, b);
export const numberFlag = (flag: string, b: { min?: number; max?: number } = {}) => (text: string) => parseNumber(flag, text, b);
export const listFlag = (flag: string) => (text: string) => parseList(flag, text);
export const intListFlag = (flag: string, b: IntBounds = {}) => (text: string) => parseIntList(flag, text, b);
export const choiceFlag = <T extends string>(flag: string, allowed: readonly T[]) => (text: string) => parseChoice(flag, text, allowed);
export const choiceListFlag = <T extends string>(flag: string, allowed: readonly T[]) => (text: string) => parseChoiceList(flag, text, allowed);
