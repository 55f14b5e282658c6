/**
 * The editor schema (config/fieldgate.schema.json, JSON Schema draft 7) from the declarations: what
 * an editor can check while the file is written (keys, types, choices, ranges, descriptions). Rules
 * that tie keys together, references between sections and profiles are `fieldgate check`'s.
 */
import type { Decl, Json, Keys } from '../config/declare/kit.js';

const orAlso = (schema: Json, d: Decl): Json => (d.also ? { anyOf: [schema, d.also] } : schema);

function object(doc: string, keys: Keys): Json {
  const required = Object.entries(keys)
    .filter(([, d]) => d.required)
    .map(([k]) => k);
  return {
    type: 'object',
    description: doc,
    properties: Object.fromEntries(Object.entries(keys).map(([k, d]) => [k, property(d)])),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

/** A key's schema; a blank value (`key:`) is allowed where it means "absent". */
function property(d: Decl): Json {
  const schema = jsonSchema(d);
  return d.kind === 'section' || d.blankIsAbsent ? { anyOf: [schema, { type: 'null' }] } : schema;
}

export function jsonSchema(d: Decl): Json {
  switch (d.kind) {
    case 'leaf':
      return orAlso(d.json, d);
    case 'section':
    case 'record':
      return orAlso(object(d.doc, d.keys), d);
    case 'oneOf': {
      const variants = Object.entries(d.variants).map(([name, v]) => {
        const schema = jsonSchema(v);
        if (d.by === undefined || !('properties' in schema)) return schema;
        const properties = schema.properties as Record<string, Json>;
        const { enum: _all, ...tag } = properties[d.by] ?? {};
        return { ...schema, properties: { ...properties, [d.by]: { ...tag, const: name } } };
      });
      return { description: d.doc, oneOf: d.also ? [...variants, d.also] : variants };
    }
    case 'list':
      return { type: 'array', description: d.doc, items: jsonSchema(d.item) };
    case 'map':
      return {
        type: 'object',
        description: d.doc,
        ...(d.keyPattern ? { propertyNames: { pattern: d.keyPattern } } : {}),
        ...(d.nonEmpty ? { minProperties: 1 } : {}),
        additionalProperties: jsonSchema(d.value),
      };
  }
}

/** The whole file's schema, as written to config/fieldgate.schema.json. */
export function configSchema(top: Decl): Json {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'fieldgate configuration',
    ...jsonSchema(top),
  };
}
