/**
 * A message with files as a multipart/form-data body made of the files' own buffers, never
 * copied, and the REST request function that sends such a body.
 *
 * discord.js would wrap each file in a Blob and undici would stream those Blobs in small
 * JavaScript-driven chunks; a pass-through body is joined into one buffer first. For a 25 MiB
 * result either costs the bot more CPU (and garbage collection of that much fresh memory)
 * than everything else in a delivery. `sendRestRequest` writes the pieces to the socket as
 * they are, and the body can be sent again as it is when REST retries after a 429 or a 5xx.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import { DefaultRestOptions, type RESTOptions, type RequestData, type ResponseLike } from 'discord.js';
import { Headers, request } from 'undici';

const CRLF = '\r\n';

/** A file of a message: its bytes in one buffer or in several (a download's chunks, in order). */
export interface UploadFile {
  name: string;
  data: Uint8Array | readonly Uint8Array[];
  contentType?: string;
  /** The form field (default `files[i]`). */
  key?: string;
}

/** The pieces of a multipart body, in order; iterable any number of times (a retry re-sends it). */
export class MultipartBody implements Iterable<Uint8Array> {
  constructor(
    readonly parts: readonly Uint8Array[],
    readonly byteLength: number,
  ) {}

  [Symbol.iterator](): Iterator<Uint8Array> {
    return this.parts[Symbol.iterator]();
  }

  /** The whole body in one buffer (tests, and anyone who must have it whole). */
  toBuffer(): Buffer {
    return Buffer.concat(this.parts, this.byteLength);
  }
}

/** A Content-Disposition parameter value: quotes and line breaks percent-encoded, as browsers do. */
function quoted(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** The request options that send `json` (as `payload_json`) and `files` (as `files[i]`). */
export function multipartRequest(
  json: unknown,
  files: readonly UploadFile[],
): Pick<RequestData, 'body' | 'headers' | 'passThroughBody'> {
  // 32 random hex characters: a collision with the files' bytes is not a practical concern.
  const boundary = `seedream-${randomBytes(16).toString('hex')}`;
  const parts: Uint8Array[] = [
    Buffer.from(
      `--${boundary}${CRLF}Content-Disposition: form-data; name="payload_json"${CRLF}` +
        `Content-Type: application/json${CRLF}${CRLF}${JSON.stringify(json)}${CRLF}`,
    ),
  ];
  for (const [index, file] of files.entries()) {
    const name = quoted(file.key ?? `files[${index}]`);
    const contentType = file.contentType ?? 'application/octet-stream';
    parts.push(
      Buffer.from(
        `--${boundary}${CRLF}Content-Disposition: form-data; name="${name}"; filename="${quoted(file.name)}"${CRLF}` +
          `Content-Type: ${contentType}${CRLF}${CRLF}`,
      ),
    );
    if (file.data instanceof Uint8Array) parts.push(file.data);
    else parts.push(...file.data);
    parts.push(Buffer.from(CRLF));
  }
  parts.push(Buffer.from(`--${boundary}--${CRLF}`));
  const byteLength = parts.reduce((sum, part) => sum + part.byteLength, 0);
  return {
    body: new MultipartBody(parts, byteLength),
    passThroughBody: true,
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
  };
}

/**
 * discord.js REST's `makeRequest`: sends with undici's pool, the bot's every REST call on the
 * same connections (so a set's upload goes out on a connection the card edits keep warm, not
 * a new one); a MultipartBody goes to the socket piece by piece with its length declared. A
 * body of another kind (discord.js's own FormData for `files`) is left to discord.js.
 */
export const sendRestRequest: RESTOptions['makeRequest'] = async (url, init) => {
  const body = init.body;
  let sent: string | Uint8Array | readonly Uint8Array[] | null;
  const headers = { ...(init.headers as Record<string, string>) };
  if (body instanceof MultipartBody) {
    sent = body.parts;
    headers['content-length'] = String(body.byteLength);
  } else if (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array) {
    sent = body ?? null;
  } else {
    return DefaultRestOptions.makeRequest(url, init);
  }
  const response = await request(url, {
    method: (init.method ?? 'GET') as 'GET',
    headers,
    // undici sends any iterable body (its types list only streams); an array is read afresh each time.
    body: sent as string | Uint8Array | Readable | null,
    signal: init.signal ?? undefined,
  });
  const answerHeaders = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) answerHeaders.append(name, one);
  }
  return {
    body: response.body,
    arrayBuffer: () => response.body.arrayBuffer(),
    json: () => response.body.json(),
    text: () => response.body.text(),
    get bodyUsed() {
      return response.body.bodyUsed;
    },
    headers: answerHeaders,
    status: response.statusCode,
    statusText: STATUS_CODES[response.statusCode] ?? '',
    ok: response.statusCode >= 200 && response.statusCode < 300,
  } as unknown as ResponseLike;
};
