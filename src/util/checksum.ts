/** FNV-1a (32-bit): cheap, catches truncation and bit flips (not an adversary). Checkpoints and results rows use it. */
export function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The checksum as 8 hex digits. */
export function fnv1aHex(bytes: Uint8Array | string): string {
  const b = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return fnv1a32(b).toString(16).padStart(8, "0");
}
