/** Starts a Discord emulator on loopback, its control API (`controlApi: true`) included. */
import { createControlHandler } from './control-api.js';
import { DiscordEmulator, type DiscordEmulatorOptions } from './emulator.js';

export function startDiscordEmulator(options: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  return DiscordEmulator.start(options, createControlHandler);
}
