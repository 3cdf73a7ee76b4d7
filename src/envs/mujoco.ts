/**
 * Loading the official MuJoCo WebAssembly build (`@mujoco/mujoco`), from Node ESM (tests, CLI) and from a
 * tslab notebook alike. The package is ESM-only, so it is imported through the CommonJS shim in util/.
 * MjModel and MjData live in the wasm heap and are not garbage-collected: free them with `.delete()`
 * (or `LoadedModel.delete()`).
 */
import type { MainModule, MjData, MjModel, MjWarningStatVec } from "@mujoco/mujoco";
import { importEsm } from "../util/esm.js";

export type MuJoCo = MainModule;
export type { MjData, MjModel, MjWarningStatVec };

let modulePromise: Promise<MuJoCo> | undefined;

/** The MuJoCo wasm module, loaded once per process (~0.3 s). */
export function loadMujoco(): Promise<MuJoCo> {
  modulePromise ??= importEsm<{ default: (opts?: unknown) => Promise<MuJoCo> }>("@mujoco/mujoco").then((m) =>
    m.default(),
  );
  return modulePromise;
}

export async function mujocoVersion(): Promise<string> {
  return (await loadMujoco()).mj_versionString();
}

export class MjcfError extends Error {
  override name = "MjcfError";
}

/** A model and one data object on it; `delete()` frees both. */
export interface LoadedModel {
  mj: MuJoCo;
  model: MjModel;
  data: MjData;
  delete(): void;
}

let fileCounter = 0;

/**
 * Compile an MJCF string. A bad model raises an MjcfError that carries MuJoCo's own message
 * (e.g. "XML Error: invalid keyword: 'bogus'").
 */
export async function loadModelFromXml(xml: string): Promise<LoadedModel> {
  if (typeof xml !== "string" || xml.trim() === "") throw new MjcfError("MJCF is empty: expected an XML string");
  const mj = await loadMujoco();
  // A fresh file name per model: models can include each other by name, and loads must not collide.
  const path = `/tdmpc-model-${process.pid}-${fileCounter++}.xml`;
  mj.FS.writeFile(path, xml);
  let model: MjModel;
  try {
    model = mj.MjModel.mj_loadXML(path);
  } catch (e) {
    throw new MjcfError(`invalid MJCF: ${e instanceof Error ? e.message : String(e)}`.trim());
  } finally {
    mj.FS.unlink(path);
  }
  const data = new mj.MjData(model);
  let freed = false;
  return {
    mj,
    model,
    data,
    delete() {
      if (freed) return;
      freed = true;
      data.delete();
      model.delete();
    },
  };
}
