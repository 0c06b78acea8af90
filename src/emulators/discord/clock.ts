/**
 * The emulator reads time only through a `Clock`, so tests can jump past Discord's deadlines
 * (3 s first response, 15 min token life) without sleeping.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** A clock that only moves when told to; callable, so it can be passed as `clock` directly. */
export interface ManualClock extends Clock {
  now(): number;
  advance(ms: number): number;
  set(epochMs: number): void;
}

export function createManualClock(startEpochMs: number = Date.now()): ManualClock {
  let current = startEpochMs;
  const clock = (() => current) as ManualClock;
  clock.now = () => current;
  clock.advance = (ms: number) => {
    current += ms;
    return current;
  };
  clock.set = (epochMs: number) => {
    current = epochMs;
  };
  return clock;
}
