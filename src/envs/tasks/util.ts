/** Small helpers shared by task modules. */

/** Concatenate numbers and number arrays into a Float32Array (dm_control's flattened observation dict). */
export function flat(...parts: Array<number | ArrayLike<number>>): Float32Array {
  let n = 0;
  for (const p of parts) n += typeof p === "number" ? 1 : p.length;
  const out = new Float32Array(n);
  let k = 0;
  for (const p of parts) {
    if (typeof p === "number") out[k++] = p;
    else for (let i = 0; i < p.length; i++) out[k++] = p[i]!;
  }
  return out;
}

/** Row-major indices into a 3×3 rotation matrix (dm_control's xmat column names). */
export const XX = 0;
export const XZ = 2;
export const ZZ = 8;

export function norm3(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const dx = a[0]! - b[0]!;
  const dy = a[1]! - b[1]!;
  const dz = a[2]! - b[2]!;
  return Math.hypot(dx, dy, dz);
}
