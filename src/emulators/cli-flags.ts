/** Flag parsing shared by the emulators' command lines (`npm run emulator:*`). */

/** A non-negative number flag; a bad value stops the emulator naming the flag. */
export function nonNegativeFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a non-negative number, got ${raw}`);
    process.exit(2);
  }
  return value;
}
