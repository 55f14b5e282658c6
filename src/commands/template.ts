/**
 * A command's text frame template: `"T{program}\r\n"`. `{value}` is the value the client wrote,
 * `{NAME}` the value of point NAME of the same bank; `{{` and `}}` are a literal brace. The escapes
 * (`\r`, `\n`, `\x02`) are YAML's (write the template in double quotes). Every character is one byte
 * (latin1), like a line delimiter. Pure: parsed once, when the config is loaded and when the command
 * is built.
 */

/** Literal bytes, or a placeholder (`value` or a point name). */
export type TemplatePart = { readonly text: string } | { readonly name: string };

export type ParsedTemplate = { readonly parts: readonly TemplatePart[] } | { readonly error: string };

const NAME = /^[A-Za-z0-9_.-]+$/;

export function parseTemplate(template: string): ParsedTemplate {
  if (template === '') return { error: 'is empty: a command must send something' };
  // eslint-disable-next-line no-control-regex -- \x00-\xff: every character that is one byte
  const wide = /[^\x00-\xff]/.exec(template);
  if (wide)
    return {
      error: `${JSON.stringify(wide[0])} is not one byte: a text frame holds latin1 characters only (write bytes as "\\xNN")`,
    };
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i] as string;
    const next = template[i + 1];
    if ((c === '{' && next === '{') || (c === '}' && next === '}')) {
      text += c;
      i += 2;
    } else if (c === '{') {
      const end = template.indexOf('}', i);
      if (end < 0)
        return {
          error: `the "{" at character ${i + 1} is not closed: write {value} or {POINT}, and {{ for a literal brace`,
        };
      const name = template.slice(i + 1, end);
      if (!NAME.test(name))
        return {
          error: `{${name}} is not a placeholder: write {value} or {POINT} (a point name), and {{ for a literal brace`,
        };
      if (text !== '') parts.push({ text });
      text = '';
      parts.push({ name });
      i = end + 1;
    } else {
      text += c;
      i++;
    }
  }
  if (text !== '') parts.push({ text });
  return { parts };
}

/** The names a template's placeholders use, each once, in order. */
export function placeholderNames(parts: readonly TemplatePart[]): string[] {
  const names: string[] = [];
  for (const part of parts) if ('name' in part && !names.includes(part.name)) names.push(part.name);
  return names;
}

/** `"{NAME}"` alone (a binary field's value) -> NAME; anything else -> undefined. */
export function singlePlaceholder(text: string): string | undefined {
  const m = /^\{([A-Za-z0-9_.-]+)\}$/.exec(text);
  return m?.[1];
}
