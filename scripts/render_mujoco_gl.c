// MuJoCo's own OpenGL renderer (mjr_render) on OSMesa, software GL, as the peer of `tdmpc bench render`.
// Build: gcc -O2 render_mujoco_gl.c -o render_mujoco_gl -lmujoco -lOSMesa   (Debian: libmujoco-dev libosmesa6-dev)
// Usage: render_mujoco_gl MODEL.xml STATE.txt W H REPS OUT.ppm
//   STATE.txt: lines "NAME N v1 … vN" for qpos, mocap_pos, mocap_quat, geom_size, geom_rgba, site_size, site_rgba
//   (copied into the model/data, so per-episode edits of the task match); renders camera 0 REPS times and prints
//   "ms_per_frame X"; writes the last frame as a binary PPM (rows top to bottom).
#include <GL/osmesa.h>
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void load_state(const char* path, mjModel* m, mjData* d) {
  FILE* f = fopen(path, "r");
  if (!f) { fprintf(stderr, "cannot open %s\n", path); exit(1); }
  char name[64];
  int n;
  while (fscanf(f, "%63s %d", name, &n) == 2) {
    mjtNum* dst64 = NULL;
    float* dst32 = NULL;
    int cap = 0;
    if (!strcmp(name, "qpos")) { dst64 = d->qpos; cap = m->nq; }
    else if (!strcmp(name, "mocap_pos")) { dst64 = d->mocap_pos; cap = 3 * m->nmocap; }
    else if (!strcmp(name, "mocap_quat")) { dst64 = d->mocap_quat; cap = 4 * m->nmocap; }
    else if (!strcmp(name, "geom_size")) { dst64 = m->geom_size; cap = 3 * m->ngeom; }
    else if (!strcmp(name, "site_size")) { dst64 = m->site_size; cap = 3 * m->nsite; }
    else if (!strcmp(name, "geom_rgba")) { dst32 = m->geom_rgba; cap = 4 * m->ngeom; }
    else if (!strcmp(name, "site_rgba")) { dst32 = m->site_rgba; cap = 4 * m->nsite; }
    if (n != cap) { fprintf(stderr, "%s: %d values, the model has %d\n", name, n, cap); exit(1); }
    for (int i = 0; i < n; i++) {
      double v;
      if (fscanf(f, "%lf", &v) != 1) { fprintf(stderr, "%s: short line\n", name); exit(1); }
      if (dst64) dst64[i] = v;
      else if (dst32) dst32[i] = (float)v;
    }
  }
  fclose(f);
}

int main(int argc, char** argv) {
  if (argc != 7) { fprintf(stderr, "usage: %s MODEL.xml STATE.txt W H REPS OUT.ppm\n", argv[0]); return 1; }
  int W = atoi(argv[3]), H = atoi(argv[4]), reps = atoi(argv[5]);
  static unsigned char window[64 * 64 * 4];
  OSMesaContext ctx = OSMesaCreateContextExt(OSMESA_RGBA, 24, 8, 0, NULL);
  if (!ctx || !OSMesaMakeCurrent(ctx, window, GL_UNSIGNED_BYTE, 64, 64)) { fprintf(stderr, "OSMesa context failed\n"); return 1; }
  char err[1000];
  mjModel* m = mj_loadXML(argv[1], NULL, err, sizeof err);
  if (!m) { fprintf(stderr, "load: %s\n", err); return 1; }
  m->vis.global.offwidth = W;
  m->vis.global.offheight = H;
  mjData* d = mj_makeData(m);
  load_state(argv[2], m, d);
  mj_forward(m, d);
  mjvScene scn; mjvCamera cam; mjvOption opt; mjrContext con;
  mjv_defaultScene(&scn); mjv_defaultCamera(&cam); mjv_defaultOption(&opt); mjr_defaultContext(&con);
  mjv_makeScene(m, &scn, 2000);
  mjr_makeContext(m, &con, mjFONTSCALE_100);
  mjr_setBuffer(mjFB_OFFSCREEN, &con);
  cam.type = mjCAMERA_FIXED;
  cam.fixedcamid = 0;
  mjrRect vp = {0, 0, W, H};
  unsigned char* rgb = malloc(3 * W * H);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int r = 0; r < reps; r++) {
    mjv_updateScene(m, d, &opt, NULL, &cam, mjCAT_ALL, &scn);
    mjr_render(vp, &scn, &con);
    mjr_readPixels(rgb, NULL, vp, &con);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("ms_per_frame %.4f\n", ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6) / reps);
  FILE* f = fopen(argv[6], "wb");
  fprintf(f, "P6\n%d %d\n255\n", W, H);
  for (int y = H - 1; y >= 0; y--) fwrite(rgb + 3 * W * y, 1, 3 * W, f);  // OpenGL rows run bottom-up
  fclose(f);
  free(rgb);
  mjr_freeContext(&con);
  mjv_freeScene(&scn);
  mj_deleteData(d);
  mj_deleteModel(m);
  OSMesaDestroyContext(ctx);
  return 0;
}
