/** What the command files share. */

/** Run a command's action; a thrown error becomes one line on stderr and exit code 1 (no stack trace). */
export function guarded<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    }
  };
}
