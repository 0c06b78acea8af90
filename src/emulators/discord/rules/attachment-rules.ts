/**
 * How a message's attachments must agree with its files: every `attachments[]` entry names an
 * uploaded `files[n]` part (or, in an edit, an attachment the message keeps), every uploaded
 * part is declared when `attachments` is sent, and every `attachment://name` in embeds and
 * components names a file the message will carry. Discord's docs require all three; where the
 * platform's answer is not documented, the strictest reading is enforced.
 */
import { FormErrors } from '../errors.js';
import type { UploadedFile } from '../rest/body.js';
import type { ApiAttachment, JsonObject } from '../types.js';
import { isObject } from './message-rules.js';

type Path = Array<string | number>;

/** Discord replaces whitespace with underscores and drops path parts. */
export function sanitizeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/\s+/g, '_').replace(/[\u0000-\u001f"<>|?*:]/g, '');
  return cleaned.length > 0 ? cleaned : 'unknown';
}

export function validateAttachmentReferences(
  body: JsonObject,
  files: readonly UploadedFile[],
  existing: readonly ApiAttachment[] = [],
): void {
  const errors = new FormErrors();
  const uploadIndexes = new Set(files.map((f) => f.index).filter((i): i is number => i !== null));
  const existingIds = new Set(existing.map((a) => a.id));
  const entries = Array.isArray(body['attachments']) ? body['attachments'] : undefined;
  const declared = new Set<number>();
  const names = new Set<string>();
  for (const file of files) names.add(sanitizeFilename(file.filename));

  if (entries) {
    entries.forEach((entry, i) => {
      if (!isObject(entry)) return;
      const id = String(entry['id']);
      if (existingIds.has(id)) {
        const kept = existing.find((a) => a.id === id);
        if (kept) names.add(kept.filename);
        return;
      }
      const index = /^\d{1,3}$/.test(id) ? Number(id) : Number.NaN;
      if (!uploadIndexes.has(index)) {
        errors.add(
          ['attachments', i, 'id'],
          'ATTACHMENT_NOT_FOUND',
          `No files[${id}] part was uploaded for this attachment.`,
        );
      } else declared.add(index);
    });
    for (const index of uploadIndexes) {
      if (!declared.has(index)) {
        errors.add(
          ['attachments'],
          'ATTACHMENT_NOT_DECLARED',
          `The uploaded files[${index}] is not declared in attachments.`,
        );
      }
    }
  } else {
    // Without `attachments`, an edit keeps every attachment the message has.
    for (const attachment of existing) names.add(attachment.filename);
  }

  const checkUrl = (url: unknown, path: Path) => {
    if (typeof url !== 'string' || !url.startsWith('attachment://')) return;
    const name = url.slice('attachment://'.length);
    if (!names.has(name) && !names.has(sanitizeFilename(name))) {
      errors.add(path, 'ATTACHMENT_NOT_FOUND', `${url} names no file of this message.`);
    }
  };
  if (Array.isArray(body['embeds'])) {
    body['embeds'].forEach((embed, i) => {
      if (!isObject(embed)) return;
      for (const key of ['image', 'thumbnail'] as const) {
        const media = embed[key];
        if (isObject(media)) checkUrl(media['url'], ['embeds', i, key, 'url']);
      }
      for (const key of ['author', 'footer'] as const) {
        const part = embed[key];
        if (isObject(part)) checkUrl(part['icon_url'], ['embeds', i, key, 'icon_url']);
      }
    });
  }
  const walk = (value: unknown, path: Path): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, [...path, i]);
    } else if (isObject(value)) {
      for (const [key, v] of Object.entries(value)) {
        if ((key === 'media' || key === 'file') && isObject(v)) checkUrl(v['url'], [...path, key, 'url']);
        else walk(v, [...path, key]);
      }
    }
  };
  walk(body['components'], ['components']);
  errors.throwIfAny();
}
