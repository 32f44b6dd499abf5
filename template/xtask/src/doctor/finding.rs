//! One diagnosis: what is wrong, why it matters, how to fix it, and how bad it is.

use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; nothing breaks.
    Info,
    /// Works today but is fragile or confusing.
    Warning,
    /// Something fails (sign-up, token issuing, the backend's 401s) until fixed.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable identifier of the check, e.g. `driver-missing`.
    pub id: &'static str,
    pub severity: Severity,
    pub what: String,
    pub why: String,
    pub fix: String,
}

impl Finding {
    pub fn new(
        id: &'static str,
        severity: Severity,
        what: impl Into<String>,
        why: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            id,
            severity,
            what: what.into(),
            why: why.into(),
            fix: fix.into(),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({ "id": self.id, "severity": self.severity.as_str(), "what": self.what, "why": self.why, "fix": self.fix })
    }
}

/// JSON: `{ ok, counts: {error, warning, info}, findings: [{id, severity, what, why, fix}] }`; `ok` is
/// false when any finding is an error or a warning.
pub fn to_json(findings: &[Finding]) -> Value {
    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    json!({
        "ok": is_clean(findings),
        "counts": { "error": count(Severity::Error), "warning": count(Severity::Warning), "info": count(Severity::Info) },
        "findings": findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
    })
}

pub fn to_text(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "No problems found.\n".into();
    }
    let mut text = String::new();
    for finding in findings {
        text.push_str(&format!(
            "[{}] {}\n    why: {}\n    fix: {}\n",
            finding.severity.as_str(),
            finding.what,
            finding.why,
            finding.fix
        ));
    }
    text
}

/// Clean means nothing to fix: informational notes only.
pub fn is_clean(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.severity == Severity::Info)
}

/// How many findings fail the run: errors, and warnings too when `strict`.
pub fn failing(findings: &[Finding], strict: bool) -> usize {
    let threshold = if strict {
        Severity::Warning
    } else {
        Severity::Error
    };
    findings.iter().filter(|f| f.severity >= threshold).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_fail_only_when_strict() {
        let finding = |severity| Finding::new("x", severity, "", "", "");
        let findings = [finding(Severity::Info), finding(Severity::Warning)];
        assert_eq!(failing(&findings, false), 0);
        assert_eq!(failing(&findings, true), 1);
        let with_error = [finding(Severity::Warning), finding(Severity::Error)];
        assert_eq!(failing(&with_error, false), 1);
        assert_eq!(failing(&with_error, true), 2);
    }
}
