//! What the installed Better Auth expects, asked from Better Auth itself: `frontend/scripts/
//! expected-schema.mjs` loads the app's real `src/lib/auth.ts` and prints `getSchema(auth.options)`.

use anyhow::{Context, bail};
use serde_json::Value;

use super::schema::{
    ExpectedField, ExpectedIndex, ExpectedSchema, ExpectedTable, Reference, TypeFamily,
};
use crate::project::DbFamily;
use crate::{Project, frontend_script};

pub fn load(project: &Project) -> anyhow::Result<ExpectedSchema> {
    // Loading auth.ts opens its database; an in-memory SQLite keeps that from creating the file.
    let env: &[(&str, &str)] = match project.manifest.database.family() {
        DbFamily::Sqlite => &[("DATABASE_URL", "file::memory:")],
        DbFamily::Postgres | DbFamily::Mysql => &[],
    };
    let json = frontend_script::run(project, "expected-schema.mjs", env, "")?;
    parse(&json).context("frontend/scripts/expected-schema.mjs printed an unexpected shape")
}

pub fn parse(json: &str) -> anyhow::Result<ExpectedSchema> {
    let root: Value = serde_json::from_str(json)?;
    Ok(ExpectedSchema {
        better_auth_version: str_of(&root, "betterAuthVersion")?.to_string(),
        tables: array(&root, "tables")?
            .iter()
            .map(table)
            .collect::<anyhow::Result<_>>()?,
    })
}

fn table(value: &Value) -> anyhow::Result<ExpectedTable> {
    Ok(ExpectedTable {
        name: str_of(value, "name")?.to_string(),
        fields: array(value, "fields")?
            .iter()
            .map(field)
            .collect::<anyhow::Result<_>>()?,
        indexes: array(value, "indexes")?
            .iter()
            .map(index)
            .collect::<anyhow::Result<_>>()?,
    })
}

fn field(value: &Value) -> anyhow::Result<ExpectedField> {
    let type_name = str_of(value, "type")?;
    let references = match value.get("references") {
        None | Some(Value::Null) => None,
        Some(reference) => Some(Reference {
            table: str_of(reference, "model")?.to_string(),
            column: str_of(reference, "field")?.to_string(),
            on_delete: str_of(reference, "onDelete")?.to_ascii_lowercase(),
        }),
    };
    Ok(ExpectedField {
        name: str_of(value, "name")?.to_string(),
        family: TypeFamily::parse(type_name)
            .with_context(|| format!("unknown field type `{type_name}`"))?,
        required: bool_of(value, "required")?,
        unique: bool_of(value, "unique")?,
        references,
    })
}

fn index(value: &Value) -> anyhow::Result<ExpectedIndex> {
    let columns = array(value, "columns")?
        .iter()
        .map(|c| {
            c.as_str()
                .map(str::to_string)
                .context("index column is not a string")
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(ExpectedIndex {
        name: str_of(value, "name")?.to_string(),
        columns,
        unique: bool_of(value, "unique")?,
    })
}

fn str_of<'a>(value: &'a Value, key: &str) -> anyhow::Result<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .with_context(|| format!("`{key}` is missing or not a string"))
}

fn bool_of(value: &Value, key: &str) -> anyhow::Result<bool> {
    value
        .get(key)
        .and_then(Value::as_bool)
        .with_context(|| format!("`{key}` is missing or not a boolean"))
}

fn array<'a>(value: &'a Value, key: &str) -> anyhow::Result<&'a Vec<Value>> {
    match value.get(key) {
        Some(Value::Array(items)) => Ok(items),
        _ => bail!("`{key}` is missing or not an array"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_script_output() {
        let json = r#"{"betterAuthVersion":"1.7.25","tables":[{"name":"session","fields":[
            {"name":"id","type":"string","required":true,"unique":false,"index":false,"references":null},
            {"name":"userId","type":"string","required":true,"unique":false,"index":true,
             "references":{"model":"user","field":"id","onDelete":"cascade"}}],
            "indexes":[{"name":"session_userId_idx","columns":["userId"],"unique":false}]}]}"#;
        let schema = parse(json).unwrap();
        assert_eq!(schema.better_auth_version, "1.7.25");
        let session = &schema.tables[0];
        assert_eq!(
            session.fields[1].references.as_ref().unwrap().on_delete,
            "cascade"
        );
        assert_eq!(session.indexes[0].columns, ["userId"]);
    }

    #[test]
    fn names_what_is_wrong_with_a_bad_shape() {
        let err = parse(r#"{"betterAuthVersion":"1.7.25","tables":[{"name":"user","fields":[{"name":"x","type":"blob"}]}]}"#)
            .unwrap_err();
        assert!(format!("{err:#}").contains("blob"), "{err:#}");
    }
}
