/** The parameters of a set as embed fields: the same on its status card and its gallery post. */
import type { APIEmbedField } from 'discord.js';
import type { JobRecord } from '../engine/job.js';
import { t } from '../i18n/index.js';
import { aspectLabel, setParameters } from '../models/registry.js';

/** Aspect, seed and quality, inline, in `locale`. */
export function setParameterFields(job: JobRecord, locale: string): APIEmbedField[] {
  const set = setParameters(job);
  return [
    { name: t(locale, 'card.field.aspect'), value: aspectLabel(job, locale), inline: true },
    {
      name: t(locale, 'card.field.seed'),
      value: set.seed === undefined ? t(locale, 'card.seed_random') : String(set.seed),
      inline: true,
    },
    { name: t(locale, 'card.field.quality'), value: t(locale, `card.quality.${set.quality}`), inline: true },
  ];
}
