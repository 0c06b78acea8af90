/**
 * What a reference image must be before anything is sent: the rules as pure functions, so the
 * same refusals (and messages) come from /imagine, Vary and the CLI. Each refusal is an
 * InputError with a stable code and a `reference` param naming the attachment (its file name,
 * else its position, "#2"); the messages are `errors.<code>` in the three locales.
 */
import { InputError } from '../errors.js';
import { isPublicReferenceUrl } from '../models/image-output.js';
import { MAX_REFERENCES_AND_IMAGES } from '../models/seedream-edit-sequential/wire.js';
import { sniffImageFormat } from '../store/sniff-image-format.js';

/** The bot's own limit (four attachment options on /imagine); the model takes up to ten. */
export const MAX_REFERENCES = 4;
/** RunComfy's limit on an input image [doc, seed page]. */
export const MAX_REFERENCE_BYTES = 50 * 1024 * 1024;
/** The types RunComfy is known to read, by Content-Type and by first bytes. */
export const REFERENCE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
/** Enough of the file for every signature in REFERENCE_TYPES (WebP's ends at byte 12). */
export const SIGNATURE_BYTES = 16;

/** A reference as a surface knows it: Discord's attachment carries its declared type and size. */
export interface ReferenceCandidate {
  url: string;
  /** File name (Discord's attachment name; the CLI: the URL's last segment). */
  name?: string | null;
  /** Declared Content-Type (Discord's `content_type`), when known. */
  contentType?: string | null;
  /** Declared size in bytes (Discord's `size`), when known. */
  size?: number | null;
}

export interface ReferenceRules {
  /** Plain HTTP and loopback hosts: only when the model API is itself on loopback (emulators, tests). */
  allowLoopback?: boolean;
}

/** How a refusal names the reference: its file name, else its position. */
export function referenceLabel(candidate: ReferenceCandidate, index: number): string {
  const name = candidate.name?.trim();
  return name ? name.slice(0, 100) : `#${index + 1}`;
}

/**
 * The checks that need no network: how many, references + count ≤ 15, public HTTPS URLs, and
 * the declared type and size when the surface knows them.
 */
export function checkReferencesOffline(
  candidates: readonly ReferenceCandidate[],
  count: number,
  rules: ReferenceRules = {},
): void {
  checkReferenceCount(candidates.length);
  if (candidates.length + count > MAX_REFERENCES_AND_IMAGES) {
    const maxCount = MAX_REFERENCES_AND_IMAGES - candidates.length;
    throw new InputError(
      'references_count_over_limit',
      `${candidates.length} references and ${count} images exceed ${MAX_REFERENCES_AND_IMAGES}`,
      { params: { references: candidates.length, count, max: MAX_REFERENCES_AND_IMAGES, maxCount } },
    );
  }
  candidates.forEach((candidate, index) => {
    const reference = referenceLabel(candidate, index);
    if (!isPublicReferenceUrl(candidate.url, rules)) {
      throw new InputError('reference_not_public_url', `Reference ${reference} is not a public https URL`, {
        params: { reference },
      });
    }
    if (candidate.contentType) checkContentType(candidate.contentType, reference);
    if (typeof candidate.size === 'number') checkSize(candidate.size, reference);
  });
}

/** At most MAX_REFERENCES (a surface may check this first, before it knows the count). */
export function checkReferenceCount(given: number): void {
  if (given > MAX_REFERENCES) {
    throw new InputError('reference_too_many', `At most ${MAX_REFERENCES} reference images`, {
      params: { given, max: MAX_REFERENCES },
    });
  }
}

/** `image/png; charset=…` → `image/png`. */
export function mediaType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

export function checkContentType(contentType: string, reference: string): void {
  const type = mediaType(contentType);
  if (!(REFERENCE_TYPES as readonly string[]).includes(type)) {
    throw notAnImage(reference, type || 'unknown');
  }
}

export function checkSize(bytes: number, reference: string): void {
  if (bytes > MAX_REFERENCE_BYTES) {
    throw new InputError('reference_too_large', `Reference ${reference} has ${bytes} bytes`, {
      params: { reference, size: megabytes(bytes), max: megabytes(MAX_REFERENCE_BYTES) },
    });
  }
}

/** The first bytes must be a PNG, JPEG or WebP signature, whatever the name or type says. */
export function checkSignature(head: Uint8Array, reference: string): void {
  const format = sniffImageFormat(Buffer.from(head.buffer, head.byteOffset, head.byteLength));
  if (format !== 'png' && format !== 'jpeg' && format !== 'webp') throw notAnImage(reference, format ?? 'unknown');
}

function notAnImage(reference: string, type: string): InputError {
  return new InputError('reference_not_an_image', `Reference ${reference} is not a PNG, JPEG or WebP image`, {
    params: { reference, type: type.slice(0, 60) },
  });
}

/** MB of 2^20 bytes, as Discord and RunComfy state their limits; rounded up, so an excess never reads as the limit. */
function megabytes(bytes: number): string {
  return String(Math.ceil((bytes / 1024 / 1024) * 10) / 10);
}
