/**
 * Application command validation as Discord applies it on registration: names, lengths,
 * option order and nesting, choices, and localisations.
 */
import { FormErrors } from '../errors.js';
import type { ApiApplicationCommand, ApiCommandOption, JsonObject } from '../types.js';
import { charLength, DISCORD_LOCALES, Limits } from './limits.js';
import { isObject } from './message-rules.js';

export type CommandDefinition = Omit<ApiApplicationCommand, 'id' | 'application_id' | 'version' | 'guild_id'>;

type Path = Array<string | number>;

const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

export const OptionTypes = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

/** Validates one command (POST/PATCH) or a bulk list (PUT); throws 50035 with Discord-shaped errors. */
export function validateCommandList(body: unknown): CommandDefinition[] {
  const errors = new FormErrors();
  if (!Array.isArray(body)) {
    errors.add([], 'BASE_TYPE_ARRAY', 'Must be an array.');
    errors.throwIfAny();
    return [];
  }
  const seen = new Set<string>();
  const definitions = body.map((command, i) => {
    const definition = checkCommand(errors, command, [i]);
    if (definition) {
      const key = `${definition.type}:${definition.name}`;
      if (seen.has(key))
        errors.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
      seen.add(key);
    }
    return definition;
  });
  errors.throwIfAny();
  return definitions as CommandDefinition[];
}

export function validateCommand(body: unknown): CommandDefinition {
  const errors = new FormErrors();
  const definition = checkCommand(errors, body, []);
  errors.throwIfAny();
  return definition as CommandDefinition;
}

function checkName(errors: FormErrors, path: Path, name: unknown, chatInput: boolean): void {
  if (typeof name !== 'string') {
    errors.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (chatInput) {
    if (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) {
      errors.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    }
  } else if (charLength(name) < 1 || charLength(name) > Limits.commandName) {
    errors.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${Limits.commandName} in length.`);
  }
}

function checkDescription(errors: FormErrors, path: Path, description: unknown): void {
  if (typeof description !== 'string') {
    errors.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  const length = charLength(description);
  if (length < 1 || length > Limits.commandDescription) {
    errors.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${Limits.commandDescription} in length.`);
  }
}

function checkLocalizations(
  errors: FormErrors,
  path: Path,
  value: unknown,
  check: (errors: FormErrors, path: Path, text: unknown) => void,
): Record<string, string> | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (!isObject(value)) {
    errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return undefined;
  }
  for (const [locale, text] of Object.entries(value)) {
    if (!DISCORD_LOCALES.has(locale)) {
      errors.add(
        [...path, locale],
        'BASE_TYPE_CHOICES',
        `Value must be one of {${[...DISCORD_LOCALES].map((l) => `'${l}'`).join(', ')}}.`,
      );
      continue;
    }
    check(errors, [...path, locale], text);
  }
  return value as Record<string, string>;
}

function checkCommand(errors: FormErrors, body: unknown, path: Path): CommandDefinition | undefined {
  if (!isObject(body)) {
    errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return undefined;
  }
  const type = body['type'] ?? 1;
  if (type !== 1 && type !== 2 && type !== 3 && type !== 4) {
    errors.add([...path, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4}.');
    return undefined;
  }
  const chatInput = type === 1;
  checkName(errors, [...path, 'name'], body['name'], chatInput);
  const nameLocalizations = checkLocalizations(
    errors,
    [...path, 'name_localizations'],
    body['name_localizations'],
    (e, p, t) => checkName(e, p, t, chatInput),
  );
  let descriptionLocalizations: Record<string, string> | null | undefined;
  if (chatInput) {
    checkDescription(errors, [...path, 'description'], body['description']);
    descriptionLocalizations = checkLocalizations(
      errors,
      [...path, 'description_localizations'],
      body['description_localizations'],
      checkDescription,
    );
  } else if (body['description'] !== undefined && body['description'] !== '') {
    errors.add(
      [...path, 'description'],
      'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION',
      'Context menu commands cannot have description',
    );
  }
  let options: ApiCommandOption[] | undefined;
  if (body['options'] !== undefined && body['options'] !== null) {
    if (!chatInput)
      errors.add(
        [...path, 'options'],
        'APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS',
        'Context menu commands cannot have options',
      );
    else options = checkOptions(errors, [...path, 'options'], body['options'], 0);
  }
  if (chatInput && typeof body['name'] === 'string' && typeof body['description'] === 'string') {
    const size = commandSize(body['name'], body['description'], options ?? [], {
      name: body['name_localizations'],
      description: body['description_localizations'],
    });
    if (size > Limits.commandTotalChars) {
      errors.add(path, 'APPLICATION_COMMAND_TOO_LARGE', `Command exceeds maximum size (${Limits.commandTotalChars})`);
    }
  }
  const defaultPermissions = body['default_member_permissions'];
  if (
    defaultPermissions !== undefined &&
    defaultPermissions !== null &&
    !(typeof defaultPermissions === 'string' && /^\d+$/.test(defaultPermissions))
  ) {
    errors.add(
      [...path, 'default_member_permissions'],
      'BASE_TYPE_STRING',
      'Must be a permission bit set as a string.',
    );
  }
  const contexts = body['contexts'];
  if (
    contexts !== undefined &&
    contexts !== null &&
    (!Array.isArray(contexts) || contexts.some((c) => c !== 0 && c !== 1 && c !== 2))
  ) {
    errors.add([...path, 'contexts'], 'BASE_TYPE_CHOICES', 'Value must be one of {0, 1, 2}.');
  }
  const integrationTypes = body['integration_types'];
  if (
    integrationTypes !== undefined &&
    integrationTypes !== null &&
    (!Array.isArray(integrationTypes) || integrationTypes.some((c) => c !== 0 && c !== 1))
  ) {
    errors.add([...path, 'integration_types'], 'BASE_TYPE_CHOICES', 'Value must be one of {0, 1}.');
  }

  const definition: CommandDefinition = {
    type,
    name: String(body['name'] ?? ''),
    description: chatInput ? String(body['description'] ?? '') : '',
    default_member_permissions: typeof defaultPermissions === 'string' ? defaultPermissions : null,
    nsfw: body['nsfw'] === true,
    integration_types: Array.isArray(integrationTypes) ? (integrationTypes as number[]) : [0],
    contexts: Array.isArray(contexts) ? (contexts as number[]) : null,
    dm_permission: body['dm_permission'] !== false,
  };
  if (nameLocalizations !== undefined) definition.name_localizations = nameLocalizations;
  if (descriptionLocalizations !== undefined) definition.description_localizations = descriptionLocalizations;
  if (options && options.length > 0) definition.options = options;
  return definition;
}

/**
 * Discord's character budget of a command (Limits.commandTotalChars): every name, description
 * and choice value, each counted at its longest among the default and its localisations.
 */
function commandSize(
  name: string,
  description: string,
  options: ApiCommandOption[],
  localizations: { name?: unknown; description?: unknown } = {},
): number {
  const longest = (value: string, localized: unknown): number => {
    let max = charLength(value);
    if (isObject(localized)) {
      for (const text of Object.values(localized)) if (typeof text === 'string') max = Math.max(max, charLength(text));
    }
    return max;
  };
  let total = longest(name, localizations.name) + longest(description, localizations.description);
  const walk = (list: ApiCommandOption[]) => {
    for (const option of list) {
      total +=
        longest(option.name, option.name_localizations) + longest(option.description, option.description_localizations);
      for (const choice of option.choices ?? []) {
        total += longest(choice.name, choice.name_localizations) + charLength(String(choice.value));
      }
      if (option.options) walk(option.options);
    }
  };
  walk(options);
  return total;
}

/** depth 0: command level, 1: inside a subcommand group, 2: inside a subcommand. */
function checkOptions(errors: FormErrors, path: Path, value: unknown, depth: number): ApiCommandOption[] {
  if (!Array.isArray(value)) {
    errors.add(path, 'BASE_TYPE_ARRAY', 'Must be an array.');
    return [];
  }
  if (value.length > Limits.commandOptions) {
    errors.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${Limits.commandOptions} or fewer in length.`);
  }
  const names = new Set<string>();
  let sawOptional = false;
  let sawSubcommand = false;
  let sawValueOption = false;
  const result: ApiCommandOption[] = [];
  value.forEach((raw, i) => {
    const optionPath: Path = [...path, i];
    if (!isObject(raw)) {
      errors.add(optionPath, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    const option = checkOption(errors, optionPath, raw, depth);
    if (!option) return;
    if (names.has(option.name))
      errors.add(
        [...optionPath, 'name'],
        'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
        'Option names must be unique',
      );
    names.add(option.name);
    const isSub = option.type === OptionTypes.Subcommand || option.type === OptionTypes.SubcommandGroup;
    if (isSub) sawSubcommand = true;
    else sawValueOption = true;
    if (!isSub) {
      if (option.required) {
        if (sawOptional) {
          errors.add(
            [...optionPath, 'required'],
            'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
            'Required options must be placed before non-required options',
          );
        }
      } else sawOptional = true;
    }
    result.push(option);
  });
  if (sawSubcommand && sawValueOption) {
    errors.add(
      path,
      'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
      'Sub-command and sub-command group option types are mutually exclusive to all other types',
    );
  }
  return result;
}

function checkOption(errors: FormErrors, path: Path, raw: JsonObject, depth: number): ApiCommandOption | undefined {
  const type = raw['type'];
  if (typeof type !== 'number' || !Number.isInteger(type) || type < 1 || type > 11) {
    errors.add([...path, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.');
    return undefined;
  }
  checkName(errors, [...path, 'name'], raw['name'], true);
  checkDescription(errors, [...path, 'description'], raw['description']);
  const option: ApiCommandOption = {
    type,
    name: String(raw['name'] ?? ''),
    description: String(raw['description'] ?? ''),
  };
  const nameLocalizations = checkLocalizations(
    errors,
    [...path, 'name_localizations'],
    raw['name_localizations'],
    (e, p, t) => checkName(e, p, t, true),
  );
  if (nameLocalizations !== undefined) option.name_localizations = nameLocalizations;
  const descriptionLocalizations = checkLocalizations(
    errors,
    [...path, 'description_localizations'],
    raw['description_localizations'],
    checkDescription,
  );
  if (descriptionLocalizations !== undefined) option.description_localizations = descriptionLocalizations;

  if (type === OptionTypes.SubcommandGroup) {
    if (depth !== 0)
      errors.add(
        [...path, 'type'],
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        'Sub-command groups can only be at the top level',
      );
    const children = checkOptions(errors, [...path, 'options'], raw['options'] ?? [], 1);
    if (children.some((c) => c.type !== OptionTypes.Subcommand)) {
      errors.add(
        [...path, 'options'],
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        'Sub-command groups may only contain sub-commands',
      );
    }
    option.options = children;
    return option;
  }
  if (type === OptionTypes.Subcommand) {
    if (depth > 1)
      errors.add(
        [...path, 'type'],
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        'Sub-commands cannot be nested this deep',
      );
    const children = raw['options'] === undefined ? [] : checkOptions(errors, [...path, 'options'], raw['options'], 2);
    if (children.some((c) => c.type === OptionTypes.Subcommand || c.type === OptionTypes.SubcommandGroup)) {
      errors.add(
        [...path, 'options'],
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        'Sub-commands cannot contain sub-commands',
      );
    }
    if (children.length > 0) option.options = children;
    return option;
  }

  if (raw['required'] === true) option.required = true;
  if (raw['autocomplete'] === true) {
    if (type !== OptionTypes.String && type !== OptionTypes.Integer && type !== OptionTypes.Number) {
      errors.add(
        [...path, 'autocomplete'],
        'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID',
        'Autocomplete is only allowed on string, integer and number options',
      );
    }
    option.autocomplete = true;
  }
  const choices = raw['choices'];
  if (choices !== undefined && choices !== null) {
    if (type !== OptionTypes.String && type !== OptionTypes.Integer && type !== OptionTypes.Number) {
      errors.add(
        [...path, 'choices'],
        'APPLICATION_COMMAND_OPTION_CHOICES_INVALID',
        'Choices are only allowed on string, integer and number options',
      );
    } else if (!Array.isArray(choices)) {
      errors.add([...path, 'choices'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    } else {
      if (choices.length > Limits.commandChoices) {
        errors.add(
          [...path, 'choices'],
          'BASE_TYPE_MAX_LENGTH',
          `Must be ${Limits.commandChoices} or fewer in length.`,
        );
      }
      if (option.autocomplete && choices.length > 0) {
        errors.add(
          [...path, 'autocomplete'],
          'APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE',
          'Autocomplete cannot be set if there are choices present',
        );
      }
      choices.forEach((choice, c) => {
        const choicePath: Path = [...path, 'choices', c];
        if (!isObject(choice)) {
          errors.add(choicePath, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
          return;
        }
        const nameCheck = (e: FormErrors, p: Path, text: unknown) => {
          if (typeof text !== 'string' || charLength(text) < 1 || charLength(text) > Limits.choiceName) {
            e.add(p, 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${Limits.choiceName} in length.`);
          }
        };
        nameCheck(errors, [...choicePath, 'name'], choice['name']);
        checkLocalizations(errors, [...choicePath, 'name_localizations'], choice['name_localizations'], nameCheck);
        const v = choice['value'];
        if (type === OptionTypes.String) {
          if (typeof v !== 'string' || charLength(v) < 1 || charLength(v) > Limits.choiceStringValue) {
            errors.add(
              [...choicePath, 'value'],
              'BASE_TYPE_BAD_LENGTH',
              `Must be between 1 and ${Limits.choiceStringValue} in length.`,
            );
          }
        } else if (typeof v !== 'number' || (type === OptionTypes.Integer && !Number.isSafeInteger(v))) {
          errors.add(
            [...choicePath, 'value'],
            type === OptionTypes.Integer ? 'INTEGER_TYPE_COERCE' : 'NUMBER_TYPE_COERCE',
            `Value "${String(v)}" is not ${type === OptionTypes.Integer ? 'int' : 'a number'}.`,
          );
        }
      });
      option.choices = choices as ApiCommandOption['choices'];
    }
  }
  if (type === OptionTypes.String) {
    for (const key of ['min_length', 'max_length'] as const) {
      const v = raw[key];
      if (v === undefined || v === null) continue;
      const min = key === 'min_length' ? 0 : 1;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > Limits.stringOptionMaxLength) {
        errors.add(
          [...path, key],
          'NUMBER_TYPE_MAX',
          `int value should be between ${min} and ${Limits.stringOptionMaxLength}.`,
        );
      } else option[key] = v;
    }
  }
  if (type === OptionTypes.Integer || type === OptionTypes.Number) {
    for (const key of ['min_value', 'max_value'] as const) {
      const v = raw[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || (type === OptionTypes.Integer && !Number.isSafeInteger(v))) {
        errors.add([...path, key], 'NUMBER_TYPE_COERCE', `Value "${String(v)}" is not a number.`);
      } else option[key] = v;
    }
  }
  if (type === OptionTypes.Channel && Array.isArray(raw['channel_types']))
    option.channel_types = raw['channel_types'] as number[];
  return option;
}
