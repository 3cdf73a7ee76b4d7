import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/tooling/jupyter.js";

const root = join(import.meta.dirname, "..", "..");
let server: ChildProcess | undefined;

afterAll(() => {
  if (server?.pid) process.kill(-server.pid, "SIGTERM");
});

/** `npm start`'s second half (the build is done by npm test): serve the project and print the URL of notebooks/. */
function startServer(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server = spawn(process.execPath, [join(root, "scripts", "setup.mjs"), "--start"], {
      cwd: root,
      env: { ...process.env, PORT: String(port) },
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
  it("serves the project root with the tslab kernel and prints the URL of notebooks/, from which ../figures/ is reachable", async () => {
    const url = new URL(await startServer(await freePort()));
    expect(url.pathname).toBe("/tree/notebooks");
    const token = url.searchParams.get("token")!;
    const get = (path: string) => fetch(`${url.origin}/${path}`, { headers: { Authorization: `token ${token}` } });

    const specs = (await (await get("api/kernelspecs")).json()) as { kernelspecs: Record<string, { spec: { display_name: string } }> };
    expect(specs.kernelspecs["tslab"]?.spec.display_name).toBe("TypeScript (tslab, tdmpc-ts)");
    const listing = (await (await get("api/contents/notebooks")).json()) as { content: { name: string }[] };
    expect(listing.content.map((c) => c.name)).toContain("00-setup.ipynb");
    // a notebook at /notebooks/notebooks/00-setup.ipynb resolves ../figures/x.png to /notebooks/figures/x.png,
    // which the server redirects to the file
    const img = await get("notebooks/figures/ch00-pendulum.png");
    expect(img.status).toBe(200);
    expect(img.headers.get("content-type")).toBe("image/png");
  });
});
