import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const port = String(18_000 + (process.pid % 1000));
let server: ChildProcess | undefined;

afterAll(() => {
  if (server?.pid) process.kill(-server.pid, "SIGTERM");
});

/** `npm start`'s second half (the build is done by npm test): serve notebooks/ and print the URL. */
function startServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    server = spawn(process.execPath, [join(root, "scripts", "setup.mjs"), "--start"], {
      cwd: root,
      env: { ...process.env, PORT: port },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const timer = setTimeout(() => reject(new Error("Jupyter did not print its URL within 60 s")), 60_000);
    server.stdout!.on("data", (d: Buffer) => {
      const m = d.toString().match(/tdmpc-ts course: (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    server.stderr!.resume();
    server.on("exit", (code) => reject(new Error(`jupyter exited with ${code}`)));
  });
}

describe("npm start", () => {
  it("serves Jupyter on notebooks/ with the tslab kernel, and 00-setup runs in it", async () => {
    const url = new URL(await startServer());
    const token = url.searchParams.get("token")!;
    const api = (path: string, init?: RequestInit) =>
      fetch(`${url.origin}/api/${path}`, { ...init, headers: { Authorization: `token ${token}` } });

    const specs = (await (await api("kernelspecs")).json()) as { kernelspecs: Record<string, { spec: { display_name: string } }> };
    expect(specs.kernelspecs["tslab"]?.spec.display_name).toBe("TypeScript (tslab, tdmpc-ts)");

    const listing = (await (await api("contents")).json()) as { content: { name: string }[] };
    expect(listing.content.map((c) => c.name)).toContain("00-setup.ipynb");

    // Execute 00-setup in a kernel of this server, over the kernel's websocket, as the browser does.
    const exec = spawnSync(
      process.execPath,
      ["--experimental-websocket", join(root, "tests", "helpers", "exec-in-server.mjs"), url.href, "00-setup.ipynb", join(root, "notebooks")],
      { encoding: "utf8", timeout: 300_000, env: { ...process.env, TDMPC_QUICK: "1" } },
    );
    const result = JSON.parse(exec.stdout.trim().split("\n").pop() ?? "{}") as { ok: boolean; cells: number; error?: string };
    expect(result.error ?? "").toBe("");
    expect(result.ok).toBe(true);
    expect(result.cells).toBeGreaterThanOrEqual(5);
  });
});
