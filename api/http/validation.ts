/**
 * Request validation: two Ajv instances behind Fastify's schema controller.
 *
 * Fastify's default Ajv coerces types and *removes* properties not in the schema; we want the
 * opposite for bodies: `{ "password": 123 }` or an unknown field is a 400, never silently fixed.
 * Query strings, params and headers arrive as strings, so there types are coerced (`?limit=10`),
 * but unknown properties are refused all the same.
 */
import { Ajv, type AnySchema, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const common: Options = {
  allErrors: false,
  removeAdditional: false,
  useDefaults: true,
  strict: true,
  allowUnionTypes: true,
};

export function buildValidatorFactory() {
  return (externalSchemas: Record<string, unknown>) => {
    const body = addFormats(new Ajv({ ...common, coerceTypes: false }));
    const strings = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
    for (const ajv of [body, strings]) {
      // Annotation keywords used by OpenAPI documents.
      ajv.addKeyword({ keyword: 'example' });
      for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema as object);
    }
    return ({ schema, httpPart }: { schema: AnySchema; httpPart?: string }) =>
      (httpPart === 'body' ? body : strings).compile(schema);
  };
}
