/**
 * How MuJoCo's renderer colours a geom or a site (engine_vis_visualize.c, `setMaterial`): a material sets the
 * colour, emission, specular and shininess; an explicit rgba (anything but the default 0.5 0.5 0.5 1) overrides the
 * material's colour; with no material, the object's rgba and MuJoCo's default specular 0.5 / shininess 0.5.
 */
import type { MjModel } from "../mujoco.js";

/** The visual properties of one object. `texId` is the material's RGB texture (−1: none). */
export interface Look {
  r: number;
  g: number;
  b: number;
  a: number;
  emission: number;
  specular: number;
  shininess: number;
  texId: number;
  texRepeatU: number;
  texRepeatV: number;
}

/** mjNTEXROLE and mjTEXROLE_RGB: `mat_texid` holds one texture id per role for each material. */
const N_TEX_ROLE = 10;
const TEX_ROLE_RGB = 1;

export function emptyLook(): Look {
  return { r: 0, g: 0, b: 0, a: 0, emission: 0, specular: 0.5, shininess: 0.5, texId: -1, texRepeatU: 1, texRepeatV: 1 };
}

/** The model's material tables (views into the wasm heap: re-read them after the heap grows). */
export interface MaterialTables {
  rgba: Float32Array;
  emission: Float32Array;
  specular: Float32Array;
  shininess: Float32Array;
  texid: Int32Array;
  texrepeat: Float32Array;
}

export function materialTables(m: MjModel): MaterialTables {
  return {
    rgba: m.mat_rgba as Float32Array,
    emission: m.mat_emission as Float32Array,
    specular: m.mat_specular as Float32Array,
    shininess: m.mat_shininess as Float32Array,
    texid: m.mat_texid as Int32Array,
    texrepeat: m.mat_texrepeat as Float32Array,
  };
}

/** Resolve object `i`'s look from its material id and its own rgba table (geom_rgba or site_rgba) into `out`. */
export function resolveLook(mats: MaterialTables, matid: number, rgba: Float32Array, i: number, out: Look): Look {
  const r = rgba[4 * i];
  const g = rgba[4 * i + 1];
  const b = rgba[4 * i + 2];
  const a = rgba[4 * i + 3];
  out.emission = 0;
  out.specular = 0.5;
  out.shininess = 0.5;
  out.texId = -1;
  out.texRepeatU = out.texRepeatV = 1;
  if (matid >= 0) {
    out.r = mats.rgba[4 * matid];
    out.g = mats.rgba[4 * matid + 1];
    out.b = mats.rgba[4 * matid + 2];
    out.a = mats.rgba[4 * matid + 3];
    out.emission = mats.emission[matid];
    out.specular = mats.specular[matid];
    out.shininess = mats.shininess[matid];
    out.texId = mats.texid[N_TEX_ROLE * matid + TEX_ROLE_RGB];
    out.texRepeatU = mats.texrepeat[2 * matid];
    out.texRepeatV = mats.texrepeat[2 * matid + 1];
  }
  // Float32 storage: 0.5 and 1 are exact, so the comparison with the default is exact too.
  if (matid < 0 || r !== 0.5 || g !== 0.5 || b !== 0.5 || a !== 1) {
    out.r = r;
    out.g = g;
    out.b = b;
    out.a = a;
  }
  return out;
}
