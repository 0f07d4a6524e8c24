//! Exporting everything on the device, as JSON (re-importable) or Markdown
//! (to read).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::not_now;
use crate::App;
use crate::error::Result;

/// An export's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Complete and re-importable.
    Json,
    /// For reading.
    Markdown,
}

impl ExportFormat {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Markdown => "md",
        }
    }
}

/// A finished export, for the shell to save or share. Its `Debug` leaves
/// the content (every entry and craving) out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedFile {
    /// Its format.
    pub format: ExportFormat,
    /// The file name extension, without the dot.
    pub extension: String,
    /// The person's local date, for the file's name.
    pub date: NaiveDate,
    /// The file's content.
    pub content: String,
}

impl std::fmt::Debug for ExportedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportedFile")
            .field("format", &self.format)
            .field("date", &self.date)
            .field("bytes", &self.content.len())
            .finish_non_exhaustive()
    }
}

/// Where exporting stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ExportStep {
    /// Asks for the format.
    Choose,
    /// The file.
    Ready(ExportedFile),
}

/// The export flow.
#[derive(Debug)]
pub struct ExportFlow {
    step: ExportStep,
}

impl ExportFlow {
    pub(crate) fn start() -> ExportFlow {
        ExportFlow {
            step: ExportStep::Choose,
        }
    }

    /// Where the flow stands.
    pub fn step(&self) -> ExportStep {
        self.step.clone()
    }

    /// Exports in `format`.
    pub fn export(&mut self, app: &App, format: ExportFormat) -> Result<ExportStep> {
        let ExportStep::Choose = self.step else {
            return Err(not_now("export"));
        };
        let export = app.export()?;
        let content = match format {
            ExportFormat::Json => export.to_json()?,
            ExportFormat::Markdown => export.to_markdown(),
        };
        self.step = ExportStep::Ready(ExportedFile {
            format,
            extension: format.extension().to_owned(),
            date: app.today()?.date,
            content,
        });
        Ok(self.step())
    }
}
