/**
 * One drawable object (a geom or a site) of the current frame, in the camera's coordinates, ready for ray casting.
 *
 * Rays: pixel (i, j) looks along d = (u_i, v_j, −1) in camera coordinates, so a hit at parameter t lies at depth t
 * (the z-buffer holds t). In the primitive's own frame the ray is o + t·(u·A + v·B − C): o is the camera's position
 * and A, B, C are the camera's axes, both expressed in that frame. Every shape is then tested in its canonical pose
 * (centred at the origin, MuJoCo's local axes: capsules and cylinders along z, planes in z = 0 facing +z).
 */
import { emptyLook, type Look } from "./material.js";
import type { MipTexture } from "./texture.js";

/** MuJoCo's mjtGeom codes of the shapes the renderer draws. */
export const GEOM = { plane: 0, sphere: 2, capsule: 3, ellipsoid: 4, cylinder: 5, box: 6 } as const;

export class Primitive {
  type = 0;
  /** 0: a geom, 1: a site; `objId` is its index in the model. */
  objKind = 0;
  objId = 0;
  /** Size (MuJoCo's geom_size / site_size meaning for the type). */
  sx = 0;
  sy = 0;
  sz = 0;
  /** Ray origin in the primitive's frame. */
  ox = 0;
  oy = 0;
  oz = 0;
  /** Camera axes in the primitive's frame (rows of R, R = primitive→camera rotation). */
  ax = 0;
  ay = 0;
  az = 0;
  bx = 0;
  by = 0;
  bz = 0;
  cx = 0;
  cy = 0;
  cz = 0;
  /** Primitive→camera rotation, row-major (turns local normals into camera normals). */
  readonly rot = new Float64Array(9);
  /** Screen rectangle to test (inclusive pixel bounds); empty when i0 > i1. */
  i0 = 0;
  i1 = -1;
  j0 = 0;
  j1 = -1;
  readonly look: Look = emptyLook();
  /** The texture drawn on a plane (null: plain colour) and its texels per metre at level 0. */
  texture: MipTexture | null = null;
  texelsPerMetre = 0;
  /** A finite plane's lighting grid (plane-grid.ts): vertex coordinates and this frame's lit colours (3 per vertex). */
  gridX: Float64Array | null = null;
  gridY: Float64Array | null = null;
  vertexRgb: Float64Array | null = null;
  /** The (sx, sy, spacing) the grid was made for. */
  gridKey = "";

  /**
   * Place the primitive: world position `pos` (at 3·k) and row-major orientation `mat` (at 9·k), seen from a
   * camera at `cp` with axes `cr` (row-major, columns = right, up, backward).
   */
  place(pos: Float64Array, mat: Float64Array, k: number, cp: Float64Array, cr: Float64Array): void {
    const px = pos[3 * k] - cp[0];
    const py = pos[3 * k + 1] - cp[1];
    const pz = pos[3 * k + 2] - cp[2];
    // camera-frame position p_c = crᵀ (p − c)
    const qx = cr[0] * px + cr[3] * py + cr[6] * pz;
    const qy = cr[1] * px + cr[4] * py + cr[7] * pz;
    const qz = cr[2] * px + cr[5] * py + cr[8] * pz;
    const R = this.rot;
    const m = 9 * k;
    // R = crᵀ · mat (local → camera)
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) R[3 * r + c] = cr[r] * mat[m + c] + cr[3 + r] * mat[m + 3 + c] + cr[6 + r] * mat[m + 6 + c];
    }
    this.ax = R[0];
    this.ay = R[1];
    this.az = R[2];
    this.bx = R[3];
    this.by = R[4];
    this.bz = R[5];
    this.cx = R[6];
    this.cy = R[7];
    this.cz = R[8];
    // origin in local coordinates: o = −Rᵀ p_c
    this.ox = -(R[0] * qx + R[3] * qy + R[6] * qz);
    this.oy = -(R[1] * qx + R[4] * qy + R[7] * qz);
    this.oz = -(R[2] * qx + R[5] * qy + R[8] * qz);
  }

  /** The camera-frame centre (−R o). */
  centre(out: Float64Array): Float64Array {
    const R = this.rot;
    out[0] = -(R[0] * this.ox + R[1] * this.oy + R[2] * this.oz);
    out[1] = -(R[3] * this.ox + R[4] * this.oy + R[5] * this.oz);
    out[2] = -(R[6] * this.ox + R[7] * this.oy + R[8] * this.oz);
    return out;
  }

  /** Radius of a sphere around the centre that contains the shape (Infinity for an unbounded plane). */
  boundingRadius(): number {
    switch (this.type) {
      case GEOM.sphere:
        return this.sx;
      case GEOM.ellipsoid:
        return Math.max(this.sx, this.sy, this.sz);
      case GEOM.capsule:
        return this.sx + this.sy;
      case GEOM.cylinder:
        return Math.hypot(this.sx, this.sy);
      case GEOM.box:
        return Math.hypot(this.sx, this.sy, this.sz);
      default:
        return this.sx > 0 && this.sy > 0 ? Math.hypot(this.sx, this.sy) : Infinity;
    }
  }
}
