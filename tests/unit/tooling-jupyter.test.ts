import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, JUPYTER_APT_PACKAGES, jupyterAptArgs } from "../../src/tooling/jupyter.js";

describe("Jupyter set-up", () => {
  it("installs the Debian packages without recommended ones (≈ 200 packages instead of ≈ 1,260)", () => {
    const args = jupyterAptArgs();
    expect(args.slice(0, 3)).toEqual(["install", "-y", "--no-install-recommends"]);
    expect(args.slice(3)).toEqual(JUPYTER_APT_PACKAGES);
  });

  it("freePort gives a port a server can listen on", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1024);
    const srv = createServer();
    await new Promise<void>((res, rej) => srv.once("error", rej).listen(port, "127.0.0.1", () => res()));
    await new Promise((res) => srv.close(res));
  });
});
