/**
 * Bytes held in memory: one buffer, or pieces in order. A download keeps the chunks the
 * socket delivered rather than copying them into one buffer: a 15-image set is 45 MB, and
 * every copy of it is CPU and garbage collection on the delivery's path. Joined only where a
 * consumer needs one buffer (sharp).
 */
export type Bytes = Buffer | readonly Buffer[];

export function byteLength(bytes: Bytes): number {
  if (Buffer.isBuffer(bytes)) return bytes.length;
  let total = 0;
  for (const piece of bytes) total += piece.length;
  return total;
}

/** One buffer with every byte (the same buffer when there is one piece). */
export function joinBytes(bytes: Bytes): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  return bytes.length === 1 ? bytes[0]! : Buffer.concat(bytes);
}

/** The first `count` bytes (fewer if there are fewer). */
export function headOf(bytes: Bytes, count: number): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes.subarray(0, count);
  const first = bytes[0];
  if (first && first.length >= count) return first.subarray(0, count);
  return Buffer.concat(bytes, Math.min(count, byteLength(bytes)));
}

/** `count` bytes from `position` (fewer at the end), copying only when they span pieces. */
export function sliceOf(bytes: Bytes, position: number, count: number): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes.subarray(position, position + count);
  const parts: Buffer[] = [];
  let offset = 0;
  let wanted = count;
  for (const piece of bytes) {
    if (wanted <= 0) break;
    const end = offset + piece.length;
    if (end > position) {
      const from = Math.max(0, position - offset);
      const part = piece.subarray(from, from + wanted);
      parts.push(part);
      wanted -= part.length;
      position += part.length;
    }
    offset = end;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
