/**
 * Planes lit per vertex, as MuJoCo draws them. Its renderer lights per vertex (OpenGL's fixed pipeline, Gouraud
 * shading) and draws each plane as a grid of quads (render_context.c `makePlane`), so a spot light over a plane
 * with a coarse grid (the reacher's floor: 2 × 2 cells) lights only the grid's vertices and the colour between
 * them is interpolated: no bright disc under the light. Lighting every pixel would draw one. We light the same
 * grid's vertices each frame and interpolate bilinearly; the texture then multiplies the result (GL_MODULATE).
 */

/** mjMAXPLANEGRID: at most this many grid divisions per axis. */
const MAX_PLANE_GRID = 200;

/**
 * Vertex coordinates along one axis of a plane of half-size `half` and grid spacing `spacing` (geom_size[2]):
 * even count of inner cells of width 2·spacing, plus one padding cell at each end. null for an infinite axis.
 */
export function planeGridAxis(half: number, spacing: number): Float64Array | null {
  if (!(half > 0)) return null;
  const step = Math.max(spacing, half / (MAX_PLANE_GRID - 2));
  let inner = Math.floor(half / Math.max(1e-15, step));
  inner -= inner % 2;
  const pad = half - inner * step;
  const cells = inner + 2;
  const g = new Float64Array(cells + 1);
  g[0] = -half;
  for (let x = 1; x < cells; x++) g[x] = -half + pad + (x - 1) * 2 * step;
  g[cells] = half;
  return g;
}

/** The cell of sorted grid `g` containing coordinate v (first and last cells may be narrower), and the weight of its upper vertex. */
export function gridCell(g: Float64Array, v: number, out: { index: number; weight: number }): void {
  const cells = g.length - 1;
  let i: number;
  if (v <= g[1] || cells < 3) {
    i = v <= g[1] ? 0 : v >= g[cells - 1] ? cells - 1 : 1;
  } else {
    i = Math.min(cells - 1, 1 + Math.floor((v - g[1]) / (g[2] - g[1])));
  }
  const lo = g[i];
  const hi = g[i + 1];
  const w = (v - lo) / (hi - lo);
  out.index = i;
  out.weight = w < 0 ? 0 : w > 1 ? 1 : w;
}
