/**
 * A modal the bot showed (interaction response type 9) as a dialog: its text inputs (classic
 * action rows, or Components V2 labels) and a submit that goes back through the emulator.
 */
type Json = Record<string, unknown>;

const obj = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const arr = (value: unknown): Json[] =>
  Array.isArray(value) ? value.filter((v): v is Json => obj(v) !== undefined) : [];
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function textInputs(components: Json[]): Array<{ input: Json; label: string }> {
  const found: Array<{ input: Json; label: string }> = [];
  for (const component of components) {
    if (component['type'] === 4) found.push({ input: component, label: str(component['label']) });
    else if (component['type'] === 18) {
      // Components V2 label wrapping one input.
      const inner = obj(component['component']);
      if (inner?.['type'] === 4) found.push({ input: inner, label: str(component['label']) });
    } else found.push(...textInputs(arr(component['components'])));
  }
  return found;
}

export function showModal(data: Json, submit: (values: Record<string, string>) => Promise<void>): void {
  const dialog = document.createElement('dialog');
  dialog.className = 'modal';
  dialog.dataset['testid'] = 'modal';
  const form = document.createElement('form');
  const title = document.createElement('h2');
  title.textContent = str(data['title']);
  form.append(title);
  const fields: Array<{ id: string; control: HTMLInputElement | HTMLTextAreaElement }> = [];
  for (const { input, label } of textInputs(arr(data['components']))) {
    const wrap = document.createElement('label');
    const caption = document.createElement('span');
    caption.textContent = label;
    const control = input['style'] === 2 ? document.createElement('textarea') : document.createElement('input');
    control.value = str(input['value']);
    control.placeholder = str(input['placeholder']);
    control.required = input['required'] !== false;
    if (typeof input['max_length'] === 'number') control.maxLength = input['max_length'];
    wrap.append(caption, control);
    form.append(wrap);
    fields.push({ id: str(input['custom_id']), control });
  }
  const buttons = document.createElement('div');
  buttons.className = 'modal-buttons';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'button secondary';
  cancel.textContent = 'Cancel';
  cancel.addEventListener('click', () => dialog.close());
  const send = document.createElement('button');
  send.type = 'submit';
  send.className = 'button primary';
  send.textContent = 'Submit';
  buttons.append(cancel, send);
  form.append(buttons);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit(Object.fromEntries(fields.map((f) => [f.id, f.control.value]))).then(() => dialog.close());
  });
  dialog.append(form);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
