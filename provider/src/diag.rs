//! The provider's diagnostics: errors and warnings with a summary, a detail and, where they are about
//! one, the attribute's path. Every module builds these; the wire layer (`server::wire`) turns them
//! into tfplugin6 diagnostics, in one place, as terraform-plugin-framework's `diag` package does.

pub use bcdr::validate::{AttributePath, PathStep, Severity};

/// One error or warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    /// The attribute it is about, if any (see `server::wire` for how a block's path is placed).
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(summary, detail)
        }
    }

    /// The same diagnostic, about the attribute at `path`.
    #[must_use]
    pub fn at(self, path: AttributePath) -> Self {
        Self {
            attribute: Some(path),
            ..self
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error(summary, detail)
}

pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(summary, detail)
}

/// An error about the attribute at `path` (attribute names, from the top of the block).
pub fn error_at(
    path: &[&str],
    summary: impl Into<String>,
    detail: impl Into<String>,
) -> Diagnostic {
    let steps = path
        .iter()
        .map(|a| PathStep::Attribute((*a).to_owned()))
        .collect();
    error(summary, detail).at(AttributePath(steps))
}

/// An SDK finding (validation, readiness, what ARM said at plan) as the provider's diagnostic.
pub fn from_sdk(d: &bcdr::Diagnostic) -> Diagnostic {
    Diagnostic {
        severity: d.severity,
        summary: d.summary.clone(),
        // The detail names the HCL path too: Terraform cannot point at a block element, only attributes.
        detail: format!("{}: {}", d.path, d.detail),
        attribute: Some(d.path.clone()),
    }
}

/// The diagnostics of one RPC, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Whether any of them is an error (Terraform then stops).
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Self(vec![d])
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Self {
        Self(v)
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl std::ops::Index<usize> for Diagnostics {
    type Output = Diagnostic;
    fn index(&self, i: usize) -> &Diagnostic {
        &self.0[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_alone_are_no_errors_and_an_error_is() {
        let mut diags = Diagnostics::new();
        assert!(!diags.has_errors() && diags.is_empty());
        diags.push(warning("Unpaired regions", "eastus and japaneast"));
        assert!(!diags.has_errors());
        diags.extend([error_at(&["name"], "Invalid name", "name: empty")]);
        assert!(diags.has_errors());
        assert_eq!(diags.len(), 2);
        assert_eq!(
            diags[1].attribute,
            Some(AttributePath::attr("name")),
            "error_at names the attribute"
        );
    }

    #[test]
    fn an_sdk_finding_keeps_its_path_and_names_it_in_the_detail() {
        let finding = bcdr::Diagnostic {
            severity: Severity::Warning,
            path: AttributePath::region("westus", Some("mode")),
            summary: "Cold standby".into(),
            detail: "slow to fail over".into(),
        };
        let d = from_sdk(&finding);
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.attribute, Some(finding.path.clone()));
        assert_eq!(d.detail, "region[\"westus\"].mode: slow to fail over");
    }
}
