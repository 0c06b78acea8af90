/**
 * Every button action, in the order the router asks them (the first whose parse accepts a
 * custom_id runs). Adding a button: its action file, its line here, and the line in the view
 * that renders it (with the action's custom_id builder).
 */
import type { Action } from './action.js';
import { cancelAction } from './cancel.js';
import { deleteAction } from './delete.js';
import { galleryNextAction, galleryPreviousAction } from './gallery-page.js';
import { rerollAction } from './reroll.js';

export const buttonActions: readonly Action[] = [
  cancelAction,
  rerollAction,
  deleteAction,
  galleryPreviousAction,
  galleryNextAction,
];
