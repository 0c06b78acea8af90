/**
 * Message body validation with Discord's error codes: content, embeds, components (legacy rows
 * and Components V2), allowed_mentions, attachment count and the empty-message rule.
 */
import { Errors, FormErrors } from '../errors.js';
import type { JsonObject } from '../types.js';
import { charLength, Limits, MessageFlags } from './limits.js';

type Path = Array<string | number>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function maxLength(errors: FormErrors, path: Path, value: unknown, max: number): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string') {
    errors.add(path, 'BASE_TYPE_STRING', 'Must be a string.');
    return;
  }
  if (charLength(value) > max) errors.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
}

function lengthBetween(errors: FormErrors, path: Path, value: unknown, min: number, max: number): void {
  if (value === undefined || value === null) {
    if (min > 0) errors.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (typeof value !== 'string') {
    errors.add(path, 'BASE_TYPE_STRING', 'Must be a string.');
    return;
  }
  const length = charLength(value);
  if (length < min || length > max)
    errors.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
}

function isUrlLike(value: unknown, schemes: readonly string[]): boolean {
  if (typeof value !== 'string') return false;
  return schemes.some((scheme) => value.startsWith(scheme));
}

const MEDIA_SCHEMES = ['http://', 'https://', 'attachment://'] as const;

export interface MessageRuleContext {
  /** Create (POST, callback 4) or edit (PATCH, callback 7). */
  isEdit: boolean;
  /** Attachments the message will carry once this request is applied (kept + new). */
  finalAttachmentCount: number;
  /** Flags the message will carry (V2 changes what is allowed). */
  effectiveFlags: number;
  /** Edits: legacy fields the message already has and this body leaves as they are. */
  keptLegacy?: { content: boolean; embeds: boolean };
}

const legacyWithV2 = (errors: FormErrors, field: string) =>
  errors.add(
    [field],
    'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
    `The '${field}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2`,
  );

/** Validates a message body; throws the first Discord error that applies. */
export function validateMessageBody(body: JsonObject, context: MessageRuleContext): void {
  const errors = new FormErrors();
  const isV2 = (context.effectiveFlags & MessageFlags.IsComponentsV2) !== 0;

  if (body['content'] !== undefined && body['content'] !== null) {
    maxLength(errors, ['content'], body['content'], Limits.contentChars);
    if (isV2 && body['content'] !== '') {
      errors.add(
        ['content'],
        'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
        "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
      );
    }
  }

  const embeds = body['embeds'];
  if (embeds !== undefined && embeds !== null) {
    if (!Array.isArray(embeds)) errors.add(['embeds'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    else {
      if (isV2 && embeds.length > 0) {
        errors.add(
          ['embeds'],
          'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
          "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
        );
      }
      validateEmbeds(errors, embeds);
    }
  }

  if (isV2) {
    // The documentation's list: with the flag, no content, embeds, poll or stickers.
    if (isObject(body['poll'])) legacyWithV2(errors, 'poll');
    if (Array.isArray(body['sticker_ids']) && body['sticker_ids'].length > 0) legacyWithV2(errors, 'sticker_ids');
    if (context.keptLegacy?.content) legacyWithV2(errors, 'content');
    if (context.keptLegacy?.embeds) legacyWithV2(errors, 'embeds');
  }

  const components = body['components'];
  if (components !== undefined && components !== null) validateComponents(errors, components, isV2);

  validateAllowedMentions(errors, body['allowed_mentions']);
  errors.throwIfAny();

  if (context.finalAttachmentCount > Limits.attachmentsPerMessage) throw Errors.maxAttachments();

  if (!context.isEdit) {
    const hasContent = typeof body['content'] === 'string' && body['content'].length > 0;
    const hasEmbeds = Array.isArray(embeds) && embeds.length > 0;
    const hasComponents = Array.isArray(components) && components.length > 0;
    const hasStickers = Array.isArray(body['sticker_ids']) && body['sticker_ids'].length > 0;
    const hasPoll = isObject(body['poll']);
    if (!hasContent && !hasEmbeds && !hasComponents && !hasStickers && !hasPoll && context.finalAttachmentCount === 0) {
      throw Errors.emptyMessage();
    }
  }
}

/** Sum of the characters Discord counts towards the 6,000 limit of one message's embeds. */
export function embedCharacters(embed: JsonObject): number {
  let total = 0;
  const add = (v: unknown) => {
    if (typeof v === 'string') total += charLength(v);
  };
  add(embed['title']);
  add(embed['description']);
  if (isObject(embed['footer'])) add(embed['footer']['text']);
  if (isObject(embed['author'])) add(embed['author']['name']);
  if (Array.isArray(embed['fields'])) {
    for (const field of embed['fields']) {
      if (isObject(field)) {
        add(field['name']);
        add(field['value']);
      }
    }
  }
  return total;
}

function validateEmbeds(errors: FormErrors, embeds: unknown[]): void {
  if (embeds.length > Limits.embedsPerMessage) {
    errors.add(['embeds'], 'BASE_TYPE_MAX_LENGTH', `Must be ${Limits.embedsPerMessage} or fewer in length.`);
    return;
  }
  let total = 0;
  embeds.forEach((embed, i) => {
    const path: Path = ['embeds', i];
    if (!isObject(embed)) {
      errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    maxLength(errors, [...path, 'title'], embed['title'], Limits.embedTitle);
    maxLength(errors, [...path, 'description'], embed['description'], Limits.embedDescription);
    if (embed['url'] !== undefined && embed['url'] !== null && !isUrlLike(embed['url'], ['http://', 'https://'])) {
      errors.add([...path, 'url'], 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
    }
    if (embed['color'] !== undefined && embed['color'] !== null) {
      const color = embed['color'];
      if (typeof color !== 'number' || !Number.isInteger(color) || color < 0 || color > 0xffffff) {
        errors.add([...path, 'color'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.');
      }
    }
    for (const key of ['image', 'thumbnail'] as const) {
      const media = embed[key];
      if (media === undefined || media === null) continue;
      if (!isObject(media) || !isUrlLike(media['url'], MEDIA_SCHEMES)) {
        errors.add(
          [...path, key, 'url'],
          'URL_TYPE_INVALID_URL',
          "Scheme must be one of ('http', 'https', 'attachment').",
        );
      }
    }
    if (embed['footer'] !== undefined && embed['footer'] !== null) {
      if (!isObject(embed['footer']))
        errors.add([...path, 'footer'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      else lengthBetween(errors, [...path, 'footer', 'text'], embed['footer']['text'], 1, Limits.embedFooterText);
    }
    if (embed['author'] !== undefined && embed['author'] !== null) {
      if (!isObject(embed['author']))
        errors.add([...path, 'author'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      else lengthBetween(errors, [...path, 'author', 'name'], embed['author']['name'], 1, Limits.embedAuthorName);
    }
    const fields = embed['fields'];
    if (fields !== undefined && fields !== null) {
      if (!Array.isArray(fields)) errors.add([...path, 'fields'], 'BASE_TYPE_ARRAY', 'Must be an array.');
      else if (fields.length > Limits.embedFields) {
        errors.add([...path, 'fields'], 'BASE_TYPE_MAX_LENGTH', `Must be ${Limits.embedFields} or fewer in length.`);
      } else {
        fields.forEach((field, f) => {
          if (!isObject(field)) {
            errors.add([...path, 'fields', f], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
            return;
          }
          lengthBetween(errors, [...path, 'fields', f, 'name'], field['name'], 1, Limits.embedFieldName);
          lengthBetween(errors, [...path, 'fields', f, 'value'], field['value'], 1, Limits.embedFieldValue);
        });
      }
    }
    total += embedCharacters(embed);
  });
  if (total > Limits.embedTotalChars) {
    errors.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${Limits.embedTotalChars}`);
  }
}

const INTERACTIVE_TYPES: ReadonlySet<number> = new Set([2, 3, 5, 6, 7, 8]);
const SELECT_TYPES: ReadonlySet<number> = new Set([3, 5, 6, 7, 8]);
const V2_TOP_LEVEL: ReadonlySet<number> = new Set([1, 9, 10, 12, 13, 14, 17]);

interface ComponentWalk {
  errors: FormErrors;
  customIds: Set<string>;
  total: number;
  textChars: number;
}

export function validateComponents(errors: FormErrors, components: unknown, isV2: boolean): void {
  if (!Array.isArray(components)) {
    errors.add(['components'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return;
  }
  if (!isV2 && components.length > Limits.actionRows) {
    errors.add(['components'], 'BASE_TYPE_MAX_LENGTH', `Must be ${Limits.actionRows} or fewer in length.`);
    return;
  }
  const walk: ComponentWalk = { errors, customIds: new Set(), total: 0, textChars: 0 };
  components.forEach((component, i) => {
    const path: Path = ['components', i];
    if (!isObject(component) || typeof component['type'] !== 'number') {
      errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    const allowed = isV2 ? V2_TOP_LEVEL.has(component['type']) : component['type'] === 1;
    if (!allowed) {
      errors.add(
        [...path, 'type'],
        'UNION_TYPE_CHOICES',
        `Value of field "type" must be one of (${isV2 ? [...V2_TOP_LEVEL].join(', ') : '1'}).`,
      );
      return;
    }
    walkComponent(walk, component, path);
  });
  if (isV2 && walk.total > Limits.componentsV2Total) {
    errors.add(
      ['components'],
      'BASE_TYPE_MAX_LENGTH',
      `Must be ${Limits.componentsV2Total} or fewer in total (nested components included).`,
    );
  }
  if (isV2 && walk.textChars > Limits.textDisplayTotalChars) {
    errors.add(
      ['components'],
      'BASE_TYPE_MAX_LENGTH',
      `Text in components must be ${Limits.textDisplayTotalChars} or fewer characters in total.`,
    );
  }
}

function checkCustomId(walk: ComponentWalk, component: JsonObject, path: Path): void {
  const customId = component['custom_id'];
  lengthBetween(walk.errors, [...path, 'custom_id'], customId, 1, Limits.customId);
  if (typeof customId === 'string') {
    if (walk.customIds.has(customId)) {
      walk.errors.add(
        [...path, 'custom_id'],
        'COMPONENT_CUSTOM_ID_DUPLICATED',
        'Component custom id cannot be duplicated',
      );
    }
    walk.customIds.add(customId);
  }
}

function walkChildren(walk: ComponentWalk, children: unknown, path: Path, min: number, max: number): JsonObject[] {
  if (!Array.isArray(children)) {
    walk.errors.add([...path, 'components'], 'BASE_TYPE_REQUIRED', 'This field is required');
    return [];
  }
  if (children.length < min || children.length > max) {
    walk.errors.add([...path, 'components'], 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
  }
  const valid: JsonObject[] = [];
  children.forEach((child, i) => {
    if (!isObject(child) || typeof child['type'] !== 'number') {
      walk.errors.add([...path, 'components', i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    valid.push(child);
    walkComponent(walk, child, [...path, 'components', i]);
  });
  return valid;
}

function walkComponent(walk: ComponentWalk, component: JsonObject, path: Path): void {
  const { errors } = walk;
  walk.total++;
  switch (component['type']) {
    case 1: {
      const children = walkChildren(walk, component['components'], path, 1, Limits.componentsPerRow);
      const selects = children.filter((c) => SELECT_TYPES.has(c['type'] as number)).length;
      if (selects > 0 && children.length > 1) {
        errors.add(
          [...path, 'components'],
          'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
          'The specified component exceeds the maximum width',
        );
      }
      children.forEach((child, i) => {
        if (!INTERACTIVE_TYPES.has(child['type'] as number)) {
          errors.add(
            [...path, 'components', i, 'type'],
            'UNION_TYPE_CHOICES',
            'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).',
          );
        }
      });
      return;
    }
    case 2: {
      const style = component['style'];
      if (typeof style !== 'number' || style < 1 || style > 6) {
        errors.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
        return;
      }
      maxLength(errors, [...path, 'label'], component['label'], Limits.buttonLabel);
      if (style === 5) {
        if (!isUrlLike(component['url'], ['http://', 'https://', 'discord://'])) {
          errors.add([...path, 'url'], 'BASE_TYPE_REQUIRED', 'This field is required');
        }
        if (component['custom_id'] !== undefined) {
          errors.add(
            [...path, 'custom_id'],
            'BUTTON_COMPONENT_CUSTOM_ID_INVALID',
            'A custom id cannot be specified for a link button',
          );
        }
      } else if (style === 6) {
        if (typeof component['sku_id'] !== 'string')
          errors.add([...path, 'sku_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      } else {
        checkCustomId(walk, component, path);
      }
      if (style !== 6 && component['label'] === undefined && component['emoji'] === undefined) {
        errors.add([...path], 'BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED', 'A label or emoji is required');
      }
      return;
    }
    case 3:
    case 5:
    case 6:
    case 7:
    case 8: {
      checkCustomId(walk, component, path);
      maxLength(errors, [...path, 'placeholder'], component['placeholder'], Limits.selectPlaceholder);
      if (component['type'] === 3) {
        const options = component['options'];
        if (!Array.isArray(options) || options.length < 1 || options.length > Limits.selectOptions) {
          errors.add(
            [...path, 'options'],
            'BASE_TYPE_BAD_LENGTH',
            `Must be between 1 and ${Limits.selectOptions} in length.`,
          );
        } else {
          options.forEach((option, i) => {
            if (!isObject(option)) return;
            lengthBetween(errors, [...path, 'options', i, 'label'], option['label'], 1, 100);
            lengthBetween(errors, [...path, 'options', i, 'value'], option['value'], 1, 100);
            maxLength(errors, [...path, 'options', i, 'description'], option['description'], 100);
          });
        }
      }
      return;
    }
    case 9: {
      walkChildren(walk, component['components'], path, 1, 3);
      const accessory = component['accessory'];
      if (!isObject(accessory) || typeof accessory['type'] !== 'number') {
        errors.add([...path, 'accessory'], 'BASE_TYPE_REQUIRED', 'This field is required');
      } else walkComponent(walk, accessory, [...path, 'accessory']);
      return;
    }
    case 10: {
      if (typeof component['content'] !== 'string' || component['content'].length === 0) {
        errors.add([...path, 'content'], 'BASE_TYPE_REQUIRED', 'This field is required');
      } else walk.textChars += charLength(component['content']);
      return;
    }
    case 11: {
      const media = component['media'];
      if (!isObject(media) || !isUrlLike(media['url'], MEDIA_SCHEMES)) {
        errors.add([...path, 'media', 'url'], 'BASE_TYPE_REQUIRED', 'This field is required');
      }
      return;
    }
    case 12: {
      const items = component['items'];
      if (!Array.isArray(items) || items.length < 1 || items.length > Limits.mediaGalleryItems) {
        errors.add(
          [...path, 'items'],
          'BASE_TYPE_BAD_LENGTH',
          `Must be between 1 and ${Limits.mediaGalleryItems} in length.`,
        );
        return;
      }
      items.forEach((item, i) => {
        if (!isObject(item) || !isObject(item['media']) || !isUrlLike(item['media']['url'], MEDIA_SCHEMES)) {
          errors.add([...path, 'items', i, 'media', 'url'], 'BASE_TYPE_REQUIRED', 'This field is required');
        }
      });
      return;
    }
    case 13: {
      const file = component['file'];
      if (!isObject(file) || !isUrlLike(file['url'], ['attachment://'])) {
        errors.add([...path, 'file', 'url'], 'BASE_TYPE_REQUIRED', 'This field is required');
      }
      return;
    }
    case 14:
      return;
    case 17: {
      walkChildren(walk, component['components'], path, 1, Limits.componentsV2Total);
      return;
    }
    default:
      errors.add([...path, 'type'], 'UNION_TYPE_CHOICES', 'Unknown component type.');
  }
}

function validateAllowedMentions(errors: FormErrors, value: unknown): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) {
    errors.add(['allowed_mentions'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return;
  }
  const parse = value['parse'];
  if (parse !== undefined) {
    if (!Array.isArray(parse) || parse.some((p) => p !== 'users' && p !== 'roles' && p !== 'everyone')) {
      errors.add(
        ['allowed_mentions', 'parse'],
        'BASE_TYPE_CHOICES',
        "Value must be one of ('users', 'roles', 'everyone').",
      );
      return;
    }
  }
  for (const kind of ['users', 'roles'] as const) {
    const list = value[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      errors.add(['allowed_mentions', kind], 'BASE_TYPE_ARRAY', 'Must be an array.');
      continue;
    }
    if (list.length > 100)
      errors.add(['allowed_mentions', kind], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
    if (Array.isArray(parse) && parse.includes(kind) && list.length > 0) {
      errors.add(
        ['allowed_mentions'],
        'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
        `parse:["${kind}"] and ${kind}: [ids...] are mutually exclusive.`,
      );
    }
  }
}

/** Validates a modal (callback type 9). */
export function validateModal(data: unknown): void {
  const errors = new FormErrors();
  if (!isObject(data)) {
    errors.add(['data'], 'BASE_TYPE_REQUIRED', 'This field is required');
    errors.throwIfAny();
    return;
  }
  lengthBetween(errors, ['data', 'custom_id'], data['custom_id'], 1, Limits.customId);
  lengthBetween(errors, ['data', 'title'], data['title'], 1, Limits.modalTitle);
  const components = data['components'];
  if (!Array.isArray(components) || components.length < 1 || components.length > Limits.modalComponents) {
    errors.add(
      ['data', 'components'],
      'BASE_TYPE_BAD_LENGTH',
      `Must be between 1 and ${Limits.modalComponents} in length.`,
    );
  } else {
    const seen = new Set<string>();
    const checkInput = (input: unknown, path: Path) => {
      if (!isObject(input)) return;
      if (input['type'] === 4) {
        lengthBetween(errors, [...path, 'custom_id'], input['custom_id'], 1, Limits.customId);
        if (typeof input['custom_id'] === 'string') {
          if (seen.has(input['custom_id']))
            errors.add(
              [...path, 'custom_id'],
              'COMPONENT_CUSTOM_ID_DUPLICATED',
              'Component custom id cannot be duplicated',
            );
          seen.add(input['custom_id']);
        }
        // Stricter than the spec, which bounds each number alone: a prefilled value the member
        // could not have typed, or bounds no value can meet, are refused.
        const max = typeof input['max_length'] === 'number' ? input['max_length'] : Limits.textInputLength;
        maxLength(errors, [...path, 'value'], input['value'], Math.min(max, Limits.textInputLength));
        if (typeof input['min_length'] === 'number' && input['min_length'] > max) {
          errors.add(
            [...path, 'min_length'],
            'NUMBER_TYPE_MAX',
            `min_length must be less than or equal to max_length (${max}).`,
          );
        }
        maxLength(errors, [...path, 'placeholder'], input['placeholder'], 100);
      }
    };
    components.forEach((row, i) => {
      if (!isObject(row)) return;
      if (row['type'] === 1 && Array.isArray(row['components'])) {
        row['components'].forEach((input, j) => {
          checkInput(input, ['data', 'components', i, 'components', j]);
        });
      } else if (row['type'] === 18) checkInput(row['component'], ['data', 'components', i, 'component']);
    });
  }
  errors.throwIfAny();
}

/** Validates autocomplete choices (callback type 8). */
export function validateAutocompleteChoices(data: unknown): Array<{ name: string; value: string | number }> {
  const errors = new FormErrors();
  const choices = isObject(data) ? data['choices'] : undefined;
  if (!Array.isArray(choices)) {
    errors.add(['data', 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
    errors.throwIfAny();
    return [];
  }
  if (choices.length > Limits.autocompleteChoices) {
    errors.add(
      ['data', 'choices'],
      'BASE_TYPE_MAX_LENGTH',
      `Must be ${Limits.autocompleteChoices} or fewer in length.`,
    );
  }
  choices.forEach((choice, i) => {
    if (!isObject(choice)) return;
    lengthBetween(errors, ['data', 'choices', i, 'name'], choice['name'], 1, Limits.choiceName);
    const value = choice['value'];
    if (typeof value === 'string') maxLength(errors, ['data', 'choices', i, 'value'], value, Limits.choiceStringValue);
    else if (typeof value !== 'number')
      errors.add(['data', 'choices', i, 'value'], 'BASE_TYPE_REQUIRED', 'This field is required');
  });
  errors.throwIfAny();
  return choices as Array<{ name: string; value: string | number }>;
}
