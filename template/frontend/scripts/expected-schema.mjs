// Prints the database schema the INSTALLED Better Auth expects for this app's own config, as JSON.
// `cargo xtask verify` compares it with the live database, so the expectation never goes stale:
// it comes from the same `getSchema()` Better Auth's migrator uses, with `modelName`/`fieldName`
// overrides and the plugins' own tables already applied.
//
// Run from frontend/:  node scripts/expected-schema.mjs
// Output: { betterAuthVersion, tables: [{ name, fields: [{ name, type, required, unique, index,
//          references: { model, field, onDelete } | null }], indexes: [{ name, columns, unique }] }] }
import { readFileSync } from "node:fs";
import { getSchema } from "better-auth/db";
import { loadAuth, main } from "./load-auth.mjs";

await main(async () => {
  const auth = await loadAuth();
  const { version } = JSON.parse(readFileSync("node_modules/better-auth/package.json", "utf8"));
  return { betterAuthVersion: version, tables: describe(getSchema(auth.options)) };
});

function describe(schema) {
  // Column name of the logical field `field` in the table whose database name is `model`.
  const columnOf = (model, field) => {
    const match = Object.entries(schema[model]?.fields ?? {}).find(([, definition]) => definition.fieldName === field);
    return match ? match[0] : field;
  };
  return Object.entries(schema)
    .filter(([, table]) => !table.disableMigrations)
    .sort(([, a], [, b]) => (a.order ?? Infinity) - (b.order ?? Infinity))
    .map(([name, table]) => {
      // `id` is implicit in Better Auth's schema: every table gets a required text primary key.
      const fields = [{ name: "id", type: "string", required: true, unique: false, index: false, references: null }];
      for (const [column, field] of Object.entries(table.fields)) {
        fields.push({
          name: column,
          type: Array.isArray(field.type) ? "string" : field.type,
          required: field.required !== false,
          unique: field.unique === true,
          index: field.index === true && field.unique !== true,
          references: field.references
            ? {
                model: field.references.model,
                field: columnOf(field.references.model, field.references.field),
                onDelete: field.references.onDelete ?? "cascade",
              }
            : null,
        });
      }
      // Field-level indexes get Better Auth's generated name `<table>_<column>_idx`; table-level ones
      // are already resolved by getSchema().
      const indexes = fields
        .filter((field) => field.index)
        .map((field) => ({ name: `${name}_${field.name}_idx`, columns: [field.name], unique: false }))
        .concat((table.indexes ?? []).map((index) => ({ name: index.name, columns: index.columns, unique: index.unique ?? false })));
      return { name, fields, indexes };
    });
}
