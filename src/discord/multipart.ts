/**
 * A message with files as one multipart/form-data buffer, handed to discord.js's REST client
 * as a pass-through body. discord.js would wrap each file in a Blob and undici would stream
 * those Blobs in small JavaScript-driven chunks: for a 25 MiB result that costs the bot more
 * CPU than everything else in a delivery. One buffer goes to the socket in one write, and can
 * be sent again as it is when REST retries after a 429 or a 5xx.
 */
import { randomBytes } from 'node:crypto';
import type { RawFile, RequestData } from 'discord.js';

const CRLF = '\r\n';

/** A Content-Disposition parameter value: quotes and line breaks percent-encoded, as browsers do. */
function quoted(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** The request options that send `json` (as `payload_json`) and `files` (as `files[i]`) in one buffer. */
export function multipartRequest(
  json: unknown,
  files: readonly RawFile[],
): Pick<RequestData, 'body' | 'headers' | 'passThroughBody'> {
  // 32 random hex characters: a collision with the files' bytes is not a practical concern.
  const boundary = `seedream-${randomBytes(16).toString('hex')}`;
  const chunks: Buffer[] = [
    Buffer.from(
      `--${boundary}${CRLF}Content-Disposition: form-data; name="payload_json"${CRLF}` +
        `Content-Type: application/json${CRLF}${CRLF}${JSON.stringify(json)}${CRLF}`,
    ),
  ];
  for (const [index, file] of files.entries()) {
    const name = quoted(file.key ?? `files[${index}]`);
    const contentType = file.contentType ?? 'application/octet-stream';
    chunks.push(
      Buffer.from(
        `--${boundary}${CRLF}Content-Disposition: form-data; name="${name}"; filename="${quoted(file.name)}"${CRLF}` +
          `Content-Type: ${contentType}${CRLF}${CRLF}`,
      ),
      typeof file.data === 'string' || typeof file.data === 'number' || typeof file.data === 'boolean'
        ? Buffer.from(String(file.data))
        : Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength),
      Buffer.from(CRLF),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--${CRLF}`));
  return {
    body: Buffer.concat(chunks),
    passThroughBody: true,
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
  };
}
