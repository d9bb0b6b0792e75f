//! `piazza.table.*`: the co-design tables' meetings, told to the monitoring read model. A
//! meeting held and recorded is counted by table kind, funding line and date; the messages carry
//! counts only, never who took part.

use super::FundingLine;
use crate::envelope::Message;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A table's meeting took place and its attendance was recorded (sent again, with the same
/// `meeting_id`, when the record is corrected: the reader keeps the latest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableMeetingHeld {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub meeting_id: Uuid,
    pub table_id: Uuid,
    /// `codesign` or `social_services`.
    pub table_kind: String,
    #[serde(default)]
    pub funding_line: Option<FundingLine>,
    pub space_id: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// People present.
    pub attendance: u32,
    /// Of whom young people's representatives.
    pub youth_representatives: u32,
    /// Decisions the meeting recorded.
    pub decisions: u32,
}

impl Message for TableMeetingHeld {
    const TYPE: &'static str = "piazza.table.meeting_held";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_one_message_reads_back_without_its_optional_fields() {
        let text = r#"{"meeting_id":"0190a0a0-0000-7000-8000-000000000001",
            "table_id":"0190a0a0-0000-7000-8000-000000000002","table_kind":"codesign",
            "space_id":null,"starts_at":"2027-03-01T17:00:00Z","ends_at":"2027-03-01T19:00:00Z",
            "attendance":12,"youth_representatives":3,"decisions":2,"unknown":true}"#;
        let message: TableMeetingHeld = serde_json::from_str(text).unwrap();
        assert_eq!(message.version, 1);
        assert_eq!(message.funding_line, None);
        assert_eq!(message.attendance, 12);
    }
}
