/**
 * Request bodies: JSON, or multipart with `files[n]` parts and a `payload_json` part (what
 * @discordjs/rest sends). The whole body is read once into memory (Discord caps it at 25 MiB)
 * and parts are sliced out without copying.
 */
import type { IncomingMessage } from 'node:http';
import { DiscordApiError, Errors } from '../errors.js';

export interface UploadedFile {
  /** Form field name, e.g. `files[0]`. */
  field: string;
  /** n of `files[n]`, which `attachments[].id` refers to; null for other field names. */
  index: number | null;
  filename: string;
  contentType: string | undefined;
  bytes: Buffer;
}

export interface ParsedBody {
  json: unknown;
  files: UploadedFile[];
  bytes: number;
}

export const EMPTY_BODY: ParsedBody = { json: undefined, files: [], bytes: 0 };

/** Reads the body; past `maxBytes` it keeps draining (so the client sees our answer) and then throws 413/40005. */
export async function readRawBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  const chunks: Buffer[] = [];
  let total = 0;
  let tooLarge = Number.isFinite(declared) && declared > maxBytes;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  if (tooLarge) throw Errors.requestTooLarge();
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

export function parseBody(contentType: string | undefined, raw: Buffer): ParsedBody {
  if (raw.length === 0) return { json: undefined, files: [], bytes: 0 };
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) return parseMultipart(contentType!, raw);
  return { json: parseJson(raw.toString('utf8')), files: [], bytes: raw.length };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DiscordApiError(400, 50109, 'The request body contains invalid JSON.');
  }
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');

function parseMultipart(contentType: string, raw: Buffer): ParsedBody {
  const boundaryMatch = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = boundaryMatch?.[1] ?? boundaryMatch?.[2]?.trim();
  if (!boundary) throw new DiscordApiError(400, 50035, 'Invalid Form Body');
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  const files: UploadedFile[] = [];
  let json: unknown;
  let pos = raw.indexOf(delimiter);
  if (pos < 0) throw new DiscordApiError(400, 50035, 'Invalid Form Body');
  pos += delimiter.length;
  while (pos < raw.length) {
    // `--` after a delimiter closes the body.
    if (raw[pos] === 0x2d && raw[pos + 1] === 0x2d) break;
    pos += 2; // CRLF after the delimiter
    const headerEnd = raw.indexOf(CRLF_CRLF, pos);
    if (headerEnd < 0) break;
    const headers = raw.toString('utf8', pos, headerEnd);
    const dataStart = headerEnd + 4;
    const dataEnd = raw.indexOf(nextDelimiter, dataStart);
    if (dataEnd < 0) break;
    const data = raw.subarray(dataStart, dataEnd);
    pos = dataEnd + nextDelimiter.length;

    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = decodeFormValue(/\bname="((?:[^"\\]|\\.)*)"/i.exec(disposition)?.[1] ?? '');
    const filename = /\bfilename="((?:[^"\\]|\\.)*)"/i.exec(disposition)?.[1];
    const partType = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim();
    if (filename !== undefined) {
      const index = /^files\[(\d+)\]$/.exec(name)?.[1];
      files.push({
        field: name,
        index: index === undefined ? null : Number(index),
        filename: decodeFormValue(filename),
        contentType: partType,
        bytes: data,
      });
    } else if (name === 'payload_json') {
      json = parseJson(data.toString('utf8'));
    } else {
      // Plain fields (rare: appendToFormData routes) become top-level JSON keys.
      json ??= {};
      (json as Record<string, unknown>)[name] = data.toString('utf8');
    }
  }
  return { json, files, bytes: raw.length };
}

/** Undoes the escaping the WHATWG form encoder applies to names and filenames. */
function decodeFormValue(value: string): string {
  return value.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/\\(.)/g, '$1');
}
