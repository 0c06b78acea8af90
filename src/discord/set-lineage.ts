/**
 * Where a set came from, as galleries and /history show it: how many reference images it was
 * made from, and for a variation the set and image it varies, linked to that set's result
 * message (a message link lasts; the references' own CDN URLs expire within a day, so they are
 * counted, not linked).
 */
import type { JobRecord } from '../engine/job.js';
import { t } from '../i18n/index.js';
import { setParameters } from '../models/registry.js';
import { messageLink } from './links.js';

/** Surface key of the parent result message a variation was chosen from (see actions/vary.ts). */
export const PARENT_MESSAGE_KEY = 'parentMessageId';

/** An embed field as galleries build theirs (inline always said). */
interface EmbedField {
  name: string;
  value: string;
  inline: boolean;
}

export interface SetLineage {
  references?: number;
  parent?: { jobId: string; image: number; url?: string };
}

export function lineageOf(job: JobRecord): SetLineage {
  const references = setParameters(job).references.length;
  const lineage: SetLineage = references > 0 ? { references } : {};
  if (job.parent) {
    const messageId = job.surface[PARENT_MESSAGE_KEY];
    lineage.parent = {
      ...job.parent,
      ...(typeof messageId === 'string' ? { url: messageLink(job, messageId) } : {}),
    };
  }
  return lineage;
}

/** Embed fields for `lineage` (none for a set made from the prompt alone). */
export function lineageFields(lineage: SetLineage, locale: string): EmbedField[] {
  const fields: EmbedField[] = [];
  if (lineage.references) {
    fields.push({
      name: t(locale, 'gallery.post.references'),
      value: t(locale, 'gallery.post.references_value', { count: lineage.references }),
      inline: true,
    });
  }
  if (lineage.parent) {
    const text = t(locale, 'gallery.post.variation_value', {
      number: lineage.parent.image + 1,
      reference: lineage.parent.jobId,
    });
    fields.push({
      name: t(locale, 'gallery.post.variation_of'),
      value: lineage.parent.url ? `[${text}](${lineage.parent.url})` : text,
      inline: false,
    });
  }
  return fields;
}
