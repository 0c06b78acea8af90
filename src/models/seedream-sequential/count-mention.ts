/** One place in the prompt that states a count; a range ("3-4 images") carries both ends. */
export interface CountMention {
  values: number[];
  index: number;
  text: string;
}
