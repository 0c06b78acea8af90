/**
 * Every button action (and the submit of a form a button opens), in the order the router asks
 * them (the first of the interaction's kind whose parse accepts a custom_id runs). Adding a
 * button: its action file, its line here, and the line in the view that renders it (with the
 * action's custom_id builder).
 */
import type { Action } from './action.js';
import { cancelAction } from './cancel.js';
import { deleteAction } from './delete.js';
import { galleryNextAction, galleryPreviousAction } from './gallery-page.js';
import { infoAction } from './info.js';
import { remixAction, remixFormAction } from './remix.js';
import { rerollAction } from './reroll.js';
import { varyAction } from './vary.js';

export const buttonActions: readonly Action[] = [
  cancelAction,
  rerollAction,
  deleteAction,
  infoAction,
  remixAction,
  remixFormAction,
  varyAction,
  galleryPreviousAction,
  galleryNextAction,
];
